"""What people do on the Secrets, Providers and Chat models tabs, through nginx and the real
responder, in Chromium. Each test signs in on its own and leaves the demo data as it found it
where other tests could notice (the Member's secrets, the organization's built-in providers).
"""

from __future__ import annotations

import json
import re
import secrets as random
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import quote

from playwright.sync_api import Page, expect

from conftest import MEMBER, OWNER, PASSWORD

SECRETS = "/orgs/demo/settings/secrets"
PROVIDERS = "/orgs/demo/settings/providers"
CHAT_MODELS = "/orgs/demo/settings/chat-models"
GENERAL = "/orgs/demo/settings/general"


def at(path: str) -> re.Pattern:
    return re.compile(r"^http://127\.0\.0\.1:\d+" + re.escape(path) + "$")


def sign_in(page: Page, email: str, lands_on: str) -> None:
    page.goto("/login?next=" + quote(lands_on, safe=""))
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page).to_have_url(at(lands_on))


def flash(page: Page):
    return page.locator("div.flash[role=status]")


def model_row(page: Page, name: str):
    return page.locator("tr", has=page.get_by_role("rowheader", name=re.compile("^" + re.escape(name) + " ")))


def test_a_secret_makes_a_chat_model_ready_and_removing_it_does_not(stack, pages, audit):
    value = "sk-e2e-" + random.token_urlsafe(24) + "-tail"
    stack.secrets.add(value)  # the stack checks at the end that it never reached the log
    page = pages.new(stack)
    sign_in(page, MEMBER, CHAT_MODELS)
    audit.page(page, "chat-models-member")
    expect(page.get_by_role("heading", level=1)).to_have_text("Chat models")

    # Switch a model on: it shows in the picker preview, not ready, with the banner and the fix.
    row = model_row(page, "GPT-4o mini")
    expect(row.locator(".toggle-state")).to_have_text("Off")
    row.get_by_role("button", name="Switch on GPT-4o mini").click()
    expect(flash(page)).to_have_text("GPT-4o mini switched on in your model picker.")
    audit.page(page, "chat-models-not-ready")
    expect(page.locator("ol.picker")).to_contain_text("GPT-4o mini Not ready")
    banner = page.locator("section.banner", has_text="Not ready: add a key.")
    expect(banner).to_be_visible()
    expect(model_row(page, "GPT-4o mini")).to_contain_text("Needs OPENAI_API_KEY")

    # The fix: the banner's link opens Secrets with the name filled in.
    banner.get_by_role("link", name="Add OPENAI_API_KEY").click()
    expect(page).to_have_url(at(SECRETS + "?name=OPENAI_API_KEY"))
    audit.page(page, "secrets-prefilled")
    expect(page.get_by_label("Name")).to_have_value("OPENAI_API_KEY")
    page.get_by_label("Value").fill(value)
    page.get_by_role("button", name="Add secret").click()
    expect(page).to_have_url(at(SECRETS))
    expect(flash(page)).to_contain_text("Secret OPENAI_API_KEY saved. Its id is sec_")
    html = audit.page(page, "secrets-saved")
    assert value not in html, "the plaintext is in the page after the save"
    row = page.locator("tr", has=page.get_by_role("rowheader", name="OPENAI_API_KEY"))
    expect(row.locator("code.hint-value")).to_have_text("sk-…tail")
    secret_id = row.locator("code.secret-id").inner_text()
    assert re.fullmatch(r"sec_[A-Za-z0-9]{20}", secret_id), secret_id
    expect(row.get_by_role("button", name="Copy id")).to_be_visible()  # JavaScript reveals the button

    page.goto(CHAT_MODELS)
    audit.page(page, "chat-models-ready")
    expect(model_row(page, "GPT-4o mini")).to_contain_text("Ready: your secret OPENAI_API_KEY")
    expect(page.locator("section.banner", has_text="Not ready: add a key.")).to_have_count(0)
    expect(page.locator("ol.picker")).not_to_contain_text("GPT-4o mini Not ready")

    # Remove the secret, through its confirmation page: the model is not ready again.
    page.goto(SECRETS)
    page.get_by_role("link", name="Delete OPENAI_API_KEY").click()
    audit.page(page, "secret-delete-confirm")
    expect(page.get_by_role("heading", level=1)).to_have_text("Delete OPENAI_API_KEY?")
    page.get_by_role("button", name="Delete secret").click()
    expect(page).to_have_url(at(SECRETS))
    expect(flash(page)).to_have_text("Secret OPENAI_API_KEY deleted.")
    audit.page(page, "secrets-after-delete")
    expect(page.get_by_text(secret_id)).to_have_count(0)

    page.goto(CHAT_MODELS)
    audit.page(page, "chat-models-not-ready-again")
    expect(model_row(page, "GPT-4o mini")).to_contain_text("Needs OPENAI_API_KEY")
    expect(page.locator("section.banner", has_text="Not ready: add a key.")).to_be_visible()

    # Leave the Member's picker as the demo made it.
    model_row(page, "GPT-4o mini").get_by_role("button", name="Switch off GPT-4o mini").click()
    expect(flash(page)).to_have_text("GPT-4o mini switched off in your model picker.")


def test_secrets_work_without_javascript(stack, pages, audit):
    value = "plain-form-" + random.token_urlsafe(20)
    stack.secrets.add(value)
    page = pages.new(stack, javascript=False)
    sign_in(page, MEMBER, SECRETS)
    audit.page(page, "secrets-no-js")
    page.get_by_label("Name").fill("NO_JS_TOKEN")
    page.get_by_label("Value").fill(value)
    page.get_by_role("button", name="Add secret").click()
    expect(flash(page)).to_contain_text("Secret NO_JS_TOKEN saved.")
    html = audit.page(page, "secrets-no-js-saved")
    assert value not in html
    row = page.locator("tr", has=page.get_by_role("rowheader", name="NO_JS_TOKEN"))
    expect(row.get_by_role("button", name="Copy id")).to_be_hidden()  # the id itself is selectable text

    # A bad name comes back with an error beside it, the name kept and the value not echoed.
    page.get_by_label("Name").fill("no lower case")
    page.get_by_label("Value").fill(value)
    page.get_by_role("button", name="Add secret").click()
    html = audit.page(page, "secrets-no-js-422", status=422)
    assert value not in html
    expect(page.get_by_label("Name")).to_have_value("no lower case")
    expect(page.locator("#name-error")).to_contain_text("environment variable name")

    page.goto(SECRETS)
    page.get_by_role("link", name="Rotate NO_JS_TOKEN").click()
    audit.page(page, "secret-rotate-no-js")
    page.get_by_label("New value").fill(value + "-rotated")
    page.get_by_role("button", name="Save new value").click()
    expect(flash(page)).to_have_text("Secret NO_JS_TOKEN rotated. Its id is unchanged.")
    page.get_by_role("link", name="Delete NO_JS_TOKEN").click()
    page.get_by_role("button", name="Delete secret").click()
    expect(flash(page)).to_have_text("Secret NO_JS_TOKEN deleted.")
    audit.page(page, "secrets-no-js-deleted")


class StandIn(BaseHTTPRequestHandler):
    """A provider's list-models endpoint on loopback: 200 with one model for the right key."""
    key = ""
    seen: list[dict] = []

    def do_GET(self):  # noqa: N802 (http.server's naming)
        StandIn.seen.append({"path": self.path, "authorization": self.headers.get("Authorization", "")})
        ok = self.path == "/v1/models" and self.headers.get("Authorization") == f"Bearer {StandIn.key}"
        body = json.dumps({"data": [{"id": "stand-in-model"}]} if ok else {"error": {"message": "Invalid API key."}}).encode()
        self.send_response(200 if ok else 401)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_owner_sees_provider_states_and_tests_a_custom_endpoint(stack, pages, audit):
    server = ThreadingHTTPServer(("127.0.0.1", 0), StandIn)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    StandIn.key = "sk-standin-" + random.token_urlsafe(20)
    stack.secrets.add(StandIn.key)
    base_url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    try:
        page = pages.new(stack)
        sign_in(page, OWNER, PROVIDERS)
        audit.page(page, "providers-owner")
        rows = page.locator("table.data tbody tr")
        expect(rows.filter(has_text="Anthropic")).to_contain_text("Configured")
        expect(rows.filter(has_text="Mistral AI")).to_contain_text("Failed")
        expect(rows.filter(has_text="Mistral AI")).to_contain_text("Connection refused.")
        expect(rows.filter(has_text="OpenAI")).to_contain_text("Not configured")
        banner = page.locator("section.banner", has_text="Mistral AI failed its last connection test.")
        expect(banner).to_be_visible()
        page.goto(GENERAL)
        expect(page.locator("section.banner", has_text="Mistral AI failed its last connection test.")).to_be_visible()

        # A custom OpenAI-compatible endpoint, pointed at the stand-in.
        page.goto(PROVIDERS)
        page.get_by_role("link", name="Add a custom OpenAI-compatible endpoint").click()
        audit.page(page, "provider-custom-form")
        name = "Stand-in " + random.token_hex(3)
        page.get_by_label("Name").fill(name)
        page.get_by_label("Base URL").fill(base_url)
        page.get_by_label("API key").fill(StandIn.key)
        page.get_by_role("button", name="Save provider").click()
        expect(page).to_have_url(at(PROVIDERS))
        expect(flash(page)).to_have_text(f"{name} configured. Use Test connection to check the key.")
        row = rows.filter(has_text=name)
        expect(row).to_contain_text("Configured")
        # The click queues the test and returns at once; app.js updates the row in place.
        row.get_by_role("button", name=f"Test connection to {name}").click()
        expect(flash(page)).to_have_text(f"Testing {name}… The result appears in its row when it is ready.")
        page.evaluate("window.stillTheSamePage = true")
        expect(rows.filter(has_text=name)).to_contain_text("Connected", timeout=10_000)
        assert page.evaluate("window.stillTheSamePage === true"), "the row was updated without a reload"
        html = audit.page(page, "providers-connected")
        assert StandIn.key not in html
        expect(rows.filter(has_text=name)).to_contain_text("checked")
        assert StandIn.seen[-1] == {"path": "/v1/models", "authorization": f"Bearer {StandIn.key}"}

        # A wrong key: Failed with the provider's message, a status and not an error page.
        page.get_by_role("link", name=f"Edit {name}").click()
        page.get_by_label("API key").fill("sk-wrong-" + random.token_urlsafe(12))
        page.get_by_role("button", name="Save provider").click()
        expect(flash(page)).to_have_text(f"{name} saved.")
        rows.filter(has_text=name).get_by_role("button", name=f"Test connection to {name}").click()
        expect(rows.filter(has_text=name)).to_contain_text("HTTP status 401: Invalid API key.", timeout=10_000)
        page.reload()
        audit.page(page, "providers-failed")
        # With the demo's failed Mistral AI there are two: one banner names both.
        expect(page.locator("section.banner", has_text="providers failed their last connection test")).to_contain_text(name)

        # Remove it again, through the confirmation page.
        rows.filter(has_text=name).get_by_role("link", name=f"Remove {name}").click()
        audit.page(page, "provider-remove-confirm")
        page.get_by_role("button", name="Remove provider").click()
        expect(flash(page)).to_have_text(f"{name} removed.")
        expect(rows.filter(has_text=name)).to_have_count(0)

        # The Owner sees how many secrets each member holds, never their names.
        page.goto(SECRETS)
        audit.page(page, "secrets-owner")
        counts = page.locator("section", has=page.get_by_role("heading", name="Secrets per member"))
        expect(counts.get_by_role("rowheader", name=re.compile("^Mia Member "))).to_be_visible()
        expect(counts.get_by_role("rowheader", name=re.compile("^Olivia Owner "))).to_be_visible()
        expect(counts).not_to_contain_text("SLACK_BOT_TOKEN")  # counts only, even of the Owner's own
        expect(page.get_by_role("rowheader", name="OPENAI_API_KEY")).to_be_visible()  # the Owner's own
    finally:
        server.shutdown()


def test_test_connection_result_appears_without_javascript(stack, pages, audit):
    server = ThreadingHTTPServer(("127.0.0.1", 0), StandIn)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    StandIn.key = "sk-standin-" + random.token_urlsafe(20)
    stack.secrets.add(StandIn.key)
    try:
        page = pages.new(stack, javascript=False)
        sign_in(page, OWNER, PROVIDERS)
        page.get_by_role("link", name="Add a custom OpenAI-compatible endpoint").click()
        name = "No-JS " + random.token_hex(3)
        page.get_by_label("Name").fill(name)
        page.get_by_label("Base URL").fill(f"http://127.0.0.1:{server.server_address[1]}/v1")
        page.get_by_label("API key").fill(StandIn.key)
        page.get_by_role("button", name="Save provider").click()
        rows = page.locator("table.data tbody tr")
        rows.filter(has_text=name).get_by_role("button", name=f"Test connection to {name}").click()
        expect(flash(page)).to_have_text(f"Testing {name}… The result appears in its row when it is ready.")
        audit.page(page, "providers-testing-no-js")
        # The page reloads itself (a <noscript> refresh) until the result is there; Refresh does it at once.
        expect(rows.filter(has_text=name)).to_contain_text("Connected", timeout=15_000)
        expect(page.get_by_role("link", name="Refresh")).to_have_count(0)
        audit.page(page, "providers-connected-no-js")
        rows.filter(has_text=name).get_by_role("link", name=f"Remove {name}").click()
        page.get_by_role("button", name="Remove provider").click()
        expect(flash(page)).to_have_text(f"{name} removed.")
    finally:
        server.shutdown()


def test_member_cannot_open_providers(stack, pages, audit):
    page = pages.new(stack, color_scheme="dark")
    sign_in(page, MEMBER, SECRETS)
    expect(page.locator("nav.settings-nav a")).to_have_text(
        ["Overview", "General", "Members", "Teams", "Workspaces", "Secrets", "Chat models"])
    expect(page.locator("section.banner", has_text="failed its last connection test")).to_have_count(0)
    response = page.goto(PROVIDERS)
    assert response.status == 403
    audit.page(page, "providers-member-403", status=403)
    expect(page.get_by_role("heading", level=1)).to_have_text("You need the Admin role")
