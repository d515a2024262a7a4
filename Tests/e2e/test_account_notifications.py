"""Notification settings and the new-browser email through nginx and the real responder, in
Chromium: an email switched off (without JavaScript) is not sent while the inbox entry still comes,
and is marked read; a sign-in from a browser not seen before for the person is emailed through the
real SMTP sink, a sign-in from a known one is not. Each test makes its own account."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import Page, expect

from conftest import PASSWORD
from test_account_password import new_account, sign_in_as
from test_general import at, flash

INBOX = "/account/notifications"
NEW_BROWSER = "New sign-in to your Wheelhouse account"
# The outbox worker polls every 2 s: a message not in the sink this long after its transaction was not sent.
QUIET = 8


def mails(mail_sink, recipient: str, subject: str) -> list[str]:
    return [m for m in mail_sink.messages()
            if re.search(rf"^To: {re.escape(recipient)}$", m, re.MULTILINE | re.IGNORECASE)
            and re.search(rf"^Subject: {re.escape(subject)}", m, re.MULTILINE)]


def open_settings(page: Page) -> None:
    page.goto(INBOX)
    settings = page.locator("details#notification-settings")
    if settings.get_attribute("open") is None:
        settings.locator("summary").click()


@pytest.mark.parametrize("javascript", [False], ids=["nojs"])
def test_an_email_switched_off_is_not_sent_but_the_inbox_entry_comes(stack, pages, audit, mail_sink, javascript):
    key = "notify-off"
    email, general = new_account(stack, key)
    page = pages.new(stack, javascript=javascript)
    sign_in_as(page, email, PASSWORD, general)

    open_settings(page)
    audit.page(page, "account-notification-settings")
    # Security events are locked on: disabled, checked, with the reason.
    locked = page.get_by_label("Email: Sign-in from a new browser")
    expect(locked).to_be_checked()
    expect(locked).to_be_disabled()
    expect(page.get_by_text("Always on: you must hear about changes")).to_be_visible()
    box = page.get_by_label("Email: A data export you asked for is ready")
    expect(box).to_be_checked()
    box.uncheck()
    page.get_by_role("button", name="Save notification settings").click()
    expect(page).to_have_url(at(INBOX))
    expect(flash(page)).to_have_text("Your notification settings are saved.")
    open_settings(page)
    expect(page.get_by_label("Email: A data export you asked for is ready")).not_to_be_checked()
    expect(page.get_by_label("In the app: A data export you asked for is ready")).to_be_checked()

    # The event: an export of the organization, built by the background worker.
    compliance = f"/orgs/{key}/settings/compliance"
    page.goto(compliance)
    page.get_by_role("button", name="Request an export").click()
    expect(page.get_by_text("Export requested.")).to_be_visible()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        page.goto(compliance)
        if "Ready" in page.locator("table.data-exports tbody tr").first.inner_text():
            break
        time.sleep(1)
    expect(page.locator("table.data-exports tbody tr").first).to_contain_text("Ready")

    page.goto(INBOX)
    entry = page.locator("li.inbox-unread", has_text=f"The data export of Org {key} is ready")
    expect(entry).to_have_count(1)
    audit.page(page, "account-notifications-after-export")
    time.sleep(QUIET)
    assert mails(mail_sink, email, f"Your data export of Org {key} is ready") == [], "the email was switched off"

    entry.get_by_role("button", name="Mark read").click()
    expect(flash(page)).to_have_text("Marked as read.")
    expect(page.locator("li.inbox-unread", has_text=f"The data export of Org {key} is ready")).to_have_count(0)


def test_a_sign_in_from_a_new_browser_is_emailed_and_a_known_one_is_not(stack, pages, audit, mail_sink):
    email, general = new_account(stack, "notify-browser")
    here = pages.new(stack, javascript=False)
    sign_in_as(here, email, PASSWORD, general)
    first = mail_sink.wait_for(email, subject=NEW_BROWSER)
    assert "Browser and system: Chrome on Linux" in first
    assert re.search(r"Time: \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC", first)
    assert re.search(r"https?://[^\s]+/account/security/sessions", first)
    assert "This email cannot be switched off" in first

    # The same browser again (its device cookie kept across the sign-out): no email.
    here.get_by_role("button", name="Sign out").click()
    sign_in_as(here, email, PASSWORD, general)
    time.sleep(QUIET)
    assert len(mails(mail_sink, email, NEW_BROWSER)) == 1

    # Another browser: one more.
    there = pages.new(stack, javascript=True)
    sign_in_as(there, email, PASSWORD, general)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and len(mails(mail_sink, email, NEW_BROWSER)) < 2:
        time.sleep(0.2)
    assert len(mails(mail_sink, email, NEW_BROWSER)) == 2
    # The device cookie is HttpOnly and SameSite=Lax, and long-lived.
    device = [c for c in there.context.cookies() if c["name"] == "wh_device"]
    assert len(device) == 1 and device[0]["httpOnly"] and device[0]["sameSite"] == "Lax"
    assert device[0]["expires"] > time.time() + 300 * 86_400
