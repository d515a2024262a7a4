"""Integrations through nginx and the real responder: an Owner adds a webhook endpoint pointing
at a `http.server` stand-in on loopback (allowed by the stack's WHEELHOUSE_OUTBOUND_ALLOW), sees
its signing secret once, sends a test event and sees it delivered in the endpoint's log; the
stand-in checks the signature with the README's own Python recipe (extracted from README.md and
run as written). The same works without JavaScript."""

from __future__ import annotations

import re
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from conftest import OWNER
from test_general import at, sign_in

INTEGRATIONS = "/orgs/demo/settings/integrations"
README = Path(__file__).resolve().parents[2] / "README.md"


def readme_verify():
    """The `verify` function of the README's "Verifying a webhook delivery" section, as written."""
    text = README.read_text(encoding="utf-8")
    section = text.split("## Verifying a webhook delivery", 1)[1]
    code = section.split("```python", 1)[1].split("```", 1)[0]
    scope: dict = {}
    exec(code, scope)  # noqa: S102 — the documented recipe itself is what is under test
    return scope["verify"]


class StandIn:
    """An HTTP server on 127.0.0.1 that records each POST (headers, body) and answers 200."""

    def __init__(self):
        self.requests: list[tuple[dict[str, str], bytes]] = []
        received = self.requests

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 — http.server's name
                length = int(self.headers.get("Content-Length", "0"))
                received.append(({k.lower(): v for k, v in self.headers.items()}, self.rfile.read(length)))
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def stop(self):
        self.server.shutdown()


@pytest.fixture
def stand_in():
    server = StandIn()
    yield server
    server.stop()


def add_endpoint(page: Page, url: str, description: str) -> str:
    page.get_by_label("Endpoint URL").fill(url)
    page.get_by_label("Description (optional)").fill(description)
    page.locator("#webhook-event-member\\.joined").check()
    page.get_by_role("button", name="Add endpoint").click()
    expect(page).to_have_url(re.compile(r"/orgs/demo/settings/integrations/webhooks/\d+/secret$"))
    secret = page.locator("#integration-secret").input_value()
    assert re.fullmatch(r"whsec_[0-9A-Za-z]{43}", secret), "a signing secret is shown"
    return secret


def wait_for_delivery(page: Page, timeout: float = 20) -> None:
    """Reloads the endpoint page until the log shows the test event delivered (the worker runs
    in the background, about once a second)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        page.reload()
        if page.locator("table.deliveries").count() and "HTTP 200" in page.locator("table.deliveries").inner_text():
            return
        time.sleep(0.5)
    raise AssertionError("the test event was not delivered in time: " + page.content()[:2000])


def send_test_and_check(page: Page, stand_in: StandIn, secret: str, before: int) -> None:
    page.get_by_role("button", name="Send test event").click()
    expect(page.locator(".flash")).to_contain_text("queued")
    wait_for_delivery(page)
    row = page.locator("table.deliveries tbody tr").first
    expect(row).to_contain_text("test")
    expect(row).to_contain_text("Delivered")
    assert len(stand_in.requests) == before + 1, "one POST per test event"
    headers, body = stand_in.requests[-1]
    event = readme_verify()(secret, headers["wheelhouse-signature"], body)
    assert event["type"] == "test" and event["id"] == headers["wheelhouse-event-id"]
    assert event["organization"]["key"] == "demo"
    expect(row).to_contain_text(event["id"])


def test_owner_adds_an_endpoint_and_sees_a_test_event_delivered(stack, pages, audit, stand_in):
    page = pages.new(stack)
    sign_in(page, OWNER, lands_on=INTEGRATIONS)
    audit.page(page, "integrations")
    # The demo's endpoint, Slack (shown only by its hint) and the Owner's editor token.
    expect(page.get_by_role("row", name=re.compile(r"hooks\.example\.com.wheelhouse"))).to_contain_text("On")
    expect(page.get_by_text("hooks.slack.com/…1234")).to_be_visible()
    assert "B0DEMO000" not in page.content()

    secret = add_endpoint(page, stand_in.url, f"E2E {secrets.token_hex(3)}")
    audit.page(page, "integrations-secret")
    page.reload()
    expect(page.get_by_text("This secret is no longer shown")).to_be_visible()
    assert secret not in page.content()
    page.get_by_role("link", name="Back").click()
    expect(page).to_have_url(re.compile(r"/orgs/demo/settings/integrations/webhooks/\d+$"))
    send_test_and_check(page, stand_in, secret, before=0)
    audit.page(page, "integrations-webhook")


def test_without_javascript_too(stack, pages, stand_in):
    page = pages.new(stack, javascript=False)
    sign_in(page, OWNER, lands_on=INTEGRATIONS)
    secret = add_endpoint(page, stand_in.url, "No script")
    page.get_by_role("link", name="I have copied it").click()
    expect(page).to_have_url(re.compile(r"/orgs/demo/settings/integrations/webhooks/\d+$"))
    send_test_and_check(page, stand_in, secret, before=0)
    # Deleting it (a plain form) takes it off the tab.
    page.get_by_role("button", name="Delete endpoint").click()
    expect(page).to_have_url(at(INTEGRATIONS))
    expect(page.locator(".flash")).to_contain_text("deleted")
