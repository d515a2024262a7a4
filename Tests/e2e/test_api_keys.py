"""API keys through nginx and the real responder, in Chromium: an Owner makes a key, copies it
from the read-only field with the Copy key button, and calls `GET /api/v1/org` with it (200);
rotates it with an hour's grace and sees both secrets work; revokes it and sees 401. The secret
page shows the secret once: reloading it does not. (For the lead: needs the `/api/v1/org`
endpoint; the key's refusal codes are `APIKeyRefusal`'s raw values.)"""

from __future__ import annotations

import json
import re
import secrets
import urllib.error
import urllib.request

from playwright.sync_api import expect

from conftest import OWNER
from test_general import at, sign_in

API_KEYS = "/orgs/demo/settings/api-keys"
KEY_SHAPE = re.compile(r"^whk_[0-9A-Za-z]{49}$")


def call_api(stack, path: str, key: str | None) -> tuple[int, dict]:
    """A request as a server would make it (no cookies): status and JSON body."""
    request = urllib.request.Request(stack.url(path))
    if key is not None:
        request.add_header("Authorization", f"Bearer {key}")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def test_owner_creates_copies_uses_rotates_and_revokes_a_key(stack, pages, audit):
    page = pages.new(stack)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=stack.base_url)
    sign_in(page, OWNER, lands_on=API_KEYS)
    expect(page).to_have_url(at(API_KEYS))
    audit.page(page, "api-keys")
    # The demo's two keys: CI expiring soon, Dashboards never used.
    expect(page.get_by_role("row", name=re.compile(r"^CI "))).to_contain_text("Expiring soon")
    expect(page.get_by_role("row", name=re.compile(r"^Dashboards "))).to_contain_text("Never used")

    name = f"E2E {secrets.token_hex(3)}"
    page.get_by_label("Name").fill(name)
    page.locator("#scope-org-read").check()
    expect(page.locator("#scope-members-write")).not_to_be_checked()
    page.get_by_label("Expires").select_option("30")
    page.get_by_role("button", name="Create key").click()
    expect(page).to_have_url(re.compile(r"/orgs/demo/settings/api-keys/\d+/secret$"))
    audit.page(page, "api-keys-secret")

    field = page.locator("#api-key-secret")
    expect(field).to_have_attribute("readonly", "")
    page.get_by_role("button", name="Copy key").click()
    expect(page.get_by_role("button", name="Copied")).to_be_visible()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert KEY_SHAPE.match(copied), "the clipboard holds the key"
    assert copied == field.input_value()
    secret_url = page.url

    status, body = call_api(stack, "/api/v1/org", copied)
    assert status == 200, body

    # Shown once: a reload does not show it again.
    page.goto(secret_url)
    expect(page.get_by_role("heading", name="This secret is no longer shown")).to_be_visible()
    assert copied not in page.content()

    # Rotate with an hour's grace: both secrets work.
    page.goto(API_KEYS)
    page.get_by_role("link", name=f"Rotate {name}").click()
    page.get_by_label("After 1 hour").check()
    page.get_by_role("button", name="Rotate key").click()
    successor = page.locator("#api-key-secret").input_value()
    assert KEY_SHAPE.match(successor) and successor != copied
    assert call_api(stack, "/api/v1/org", copied)[0] == 200
    assert call_api(stack, "/api/v1/org", successor)[0] == 200

    # Revoke: the next request with either secret gets 401 with the code saying why.
    page.goto(API_KEYS)
    page.get_by_role("link", name=f"Revoke {name}").first.click()
    page.get_by_role("button", name="Revoke key").click()
    expect(page.get_by_role("row", name=re.compile("^" + re.escape(name) + " "))).to_contain_text("Revoked")
    for key in (copied, successor):
        status, body = call_api(stack, "/api/v1/org", key)
        assert status == 401, body
        assert "key_revoked" in json.dumps(body)
    assert call_api(stack, "/api/v1/org", None)[0] == 401


def test_without_javascript_the_secret_field_is_selected_for_copying(stack, pages, audit):
    page = pages.new(stack, javascript=False)
    sign_in(page, OWNER, lands_on=API_KEYS)
    page.get_by_label("Name").fill(f"NoJS {secrets.token_hex(3)}")
    page.locator("#scope-usage-read").check()
    page.get_by_role("button", name="Create key").click()
    audit.page(page, "api-keys-secret-nojs")
    field = page.locator("#api-key-secret")
    expect(field).to_be_focused()
    assert KEY_SHAPE.match(field.input_value())
    expect(page.get_by_role("button", name="Copy key")).to_have_count(0)
