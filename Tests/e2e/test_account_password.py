"""Profile, Change password and Forgot password through nginx and the real responder, in Chromium,
with and without JavaScript: a new name shows in the header of the next page; a password change
ends another browser's session; a reset link read from the SMTP sink sets a new password and signs
in. Each test makes its own account (the demo's passwords stay as other tests expect them)."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from playwright.sync_api import Page, expect

from conftest import PASSWORD
from test_general import at, flash

NEW_PASSWORD = "zebra violin quartz 9081"


def new_account(stack, key: str) -> tuple[str, str]:
    """An Owner of a fresh organization: (email, the organization's General page)."""
    email = f"{key}@e2e.test"
    stack.run_cli("create-owner", "--email", email, "--name", "Pat Person", "--password", PASSWORD,
                  "--org-key", key, "--org-name", f"Org {key}")
    return email, f"/orgs/{key}/settings/general"


def sign_in_as(page: Page, email: str, password: str, lands_on: str) -> None:
    page.goto("/login?next=" + quote(lands_on, safe=""))
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page).to_have_url(at(lands_on))


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_a_new_name_shows_in_the_header(stack, pages, audit, javascript):
    email, general = new_account(stack, f"name-{'js' if javascript else 'nojs'}")
    page = pages.new(stack, javascript=javascript)
    sign_in_as(page, email, PASSWORD, general)
    page.locator("header").get_by_role("link", name="Account").click()
    expect(page).to_have_url(at("/account"))
    audit.page(page, "account-profile")
    page.get_by_label("Name", exact=True).fill("Pat Renamed")
    page.get_by_role("button", name="Save name").click()
    expect(flash(page)).to_have_text("Your name is saved.")
    page.goto(general)
    expect(page.locator("header .whoami")).to_contain_text("Signed in as Pat Renamed")

    page.goto("/account")
    page.get_by_label("Name", exact=True).fill("")
    page.get_by_role("button", name="Save name").click()
    expect(page.locator("#error-summary")).to_be_visible()
    audit.page(page, "account-profile-invalid", status=422)


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_changing_the_password_ends_another_browsers_session(stack, pages, audit, mail_sink, javascript):
    email, general = new_account(stack, f"pw-{'js' if javascript else 'nojs'}")
    here = pages.new(stack, javascript=javascript)
    there = pages.new(stack)  # another browser: its own context, its own session
    sign_in_as(here, email, PASSWORD, general)
    sign_in_as(there, email, PASSWORD, general)

    here.goto("/account/security")
    audit.page(here, "account-security")
    here.get_by_label("Current password", exact=True).fill(PASSWORD)
    here.get_by_label("New password", exact=True).fill("password")
    here.get_by_role("button", name="Change password").click()
    expect(here.locator("#error-summary")).to_be_visible()
    audit.page(here, "account-security-invalid", status=422)

    here.get_by_label("Current password", exact=True).fill(PASSWORD)
    here.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    here.get_by_role("button", name="Change password").click()
    expect(flash(here)).to_contain_text("Your password is changed.")
    here.goto(general)
    expect(here).to_have_url(at(general))

    there.goto(general)
    expect(there).to_have_url(re.compile(r"/login\?next="))
    message = mail_sink.wait_for(email, subject="Your Wheelhouse password was changed")
    assert "cannot be switched off" in message
    sign_in_as(there, email, NEW_PASSWORD, general)


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_forgot_password_by_email_then_signed_in(stack, pages, audit, mail_sink, javascript):
    email, general = new_account(stack, f"reset-{'js' if javascript else 'nojs'}")
    page = pages.new(stack, javascript=javascript)
    page.goto("/login")
    page.get_by_role("link", name="Forgot password?").click()
    expect(page).to_have_url(at("/password/forgot"))
    audit.page(page, "password-forgot")
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_role("button", name="Email me a link").click()
    expect(page.get_by_role("status")).to_contain_text("If an account uses that address")
    audit.page(page, "password-forgot-sent")

    message = mail_sink.wait_for(email, subject="Reset your Wheelhouse password")
    link = re.search(r"(http://127\.0\.0\.1:\d+/password/reset/[A-Za-z0-9_-]+)", message).group(1)
    stack.secrets.add(link.rsplit("/", 1)[1])  # the token must never reach the responder's log
    page.goto(link)
    audit.page(page, "password-reset")
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set new password").click()
    expect(page).to_have_url(at(general.removesuffix("/settings/general")))  # `/`: the organization's overview
    expect(flash(page)).to_have_text("Your password has been changed and you are signed in.")
    mail_sink.wait_for(email, subject="Your Wheelhouse password was reset")

    page.goto(link)
    audit.page(page, "password-reset-used", status=410)
    expect(page.get_by_role("heading", name="This link was already used")).to_be_visible()
