"""Two-factor sign-in and active sessions through nginx and the real responder, in Chromium.

Sam Support (support@demo.test, signed in by no other test) enrols by reading the setup key from
the page and computing the code here (RFC 6238 with hmac/hashlib, no OTP library), signs out,
signs in with a code, then with a recovery code; a second browser's session is ended from the
Active sessions page; two-factor is turned off again at the end so the demo stays as it was."""

from __future__ import annotations

import base64
import hashlib
import hmac
import struct
import time
from urllib.parse import quote

from playwright.sync_api import Page, expect

from conftest import PASSWORD
from test_general import at, flash

SUPPORT = "support@demo.test"
TWO_FACTOR = "/account/security/two-factor"
SESSIONS = "/account/security/sessions"


def totp(secret_text: str, offset: int = 0) -> str:
    """RFC 6238 with HMAC-SHA1, 30-second steps, 6 digits: what an authenticator app shows."""
    letters = secret_text.replace(" ", "").upper()
    secret = base64.b32decode(letters + "=" * (-len(letters) % 8))
    step = int(time.time()) // 30 + offset
    mac = hmac.new(secret, struct.pack(">Q", step), hashlib.sha1).digest()
    start = mac[19] & 0x0F
    number = struct.unpack(">I", mac[start:start + 4])[0] & 0x7FFFFFFF
    return f"{number % 1_000_000:06d}"


def test_totp_matches_rfc_6238():
    # Appendix B's first SHA-1 row, 8 digits: the helper above is the RFC's algorithm.
    secret = b"12345678901234567890"
    mac = hmac.new(secret, struct.pack(">Q", 59 // 30), hashlib.sha1).digest()
    start = mac[19] & 0x0F
    assert (struct.unpack(">I", mac[start:start + 4])[0] & 0x7FFFFFFF) % 10**8 == 94287082


def password_step(page: Page, lands_on: str) -> None:
    page.goto("/login?next=" + quote(lands_on, safe=""))
    page.get_by_label("Email", exact=True).fill(SUPPORT)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page).to_have_url(at("/login/two-factor?next=" + quote(lands_on, safe="/")))


def code_step(page: Page, code: str, lands_on: str) -> None:
    page.get_by_label("Code", exact=True).fill(code)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page).to_have_url(at(lands_on))


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You have been signed out.")).to_be_visible()


def test_enrol_sign_in_with_a_code_and_a_recovery_code_and_end_another_session(stack, pages, audit):
    page = pages.new(stack)
    page.goto("/login?next=" + quote(TWO_FACTOR, safe=""))
    page.get_by_label("Email", exact=True).fill(SUPPORT)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page).to_have_url(at(TWO_FACTOR))
    audit.page(page, "two-factor-setup")
    qr = page.locator("svg.qr-code")
    expect(qr).to_be_visible()
    assert qr.locator("rect").count() > 60
    secret = page.locator("#two-factor-secret").inner_text()
    uri = page.locator("#two-factor-uri").text_content() or ""
    assert uri.startswith("otpauth://totp/Wheelhouse:support@demo.test?secret=" + secret.replace(" ", ""))

    # Turning it on needs the password too: a session alone cannot.
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Code from your app").fill(totp(secret))
    page.get_by_role("button", name="Turn on").click()
    expect(page).to_have_url(at(TWO_FACTOR))
    expect(flash(page)).to_contain_text("Two-factor sign-in is on")
    audit.page(page, "two-factor-codes")
    codes = page.locator("#recovery-codes li").all_inner_texts()
    assert len(codes) == 10
    # Shown once: a reload has none.
    page.reload()
    expect(page.locator("#recovery-codes")).to_have_count(0)

    other = pages.new(stack)
    try:
        sign_out(page)
        # A code from the app (the next step's: the current one was spent turning it on).
        password_step(page, TWO_FACTOR)
        audit.page(page, "login-code")
        code_step(page, totp(secret, 1), TWO_FACTOR)
        expect(page.get_by_role("heading", name="Two-factor sign-in is on")).to_be_visible()

        sign_out(page)
        password_step(page, SESSIONS)
        code_step(page, codes[0], SESSIONS)
        # The same recovery code never works twice.
        password_step(other, SESSIONS)
        other.get_by_label("Code", exact=True).fill(codes[0])
        other.get_by_role("button", name="Sign in", exact=True).click()
        expect(other.locator("#code-error").get_by_text("That code does not match")).to_be_visible()
        code_step(other, codes[1], SESSIONS)

        # The first browser ends the second one's session.
        page.goto(SESSIONS)
        audit.page(page, "sessions")
        rows = page.locator("table.sessions tbody tr")
        expect(rows).to_have_count(2)
        expect(rows.filter(has_text="This browser")).to_have_count(1)
        rows.filter(has_not_text="This browser").get_by_role("button", name="End").click()
        expect(page).to_have_url(at(SESSIONS))
        expect(flash(page)).to_have_text("That session is signed out.")
        expect(page.locator("table.sessions tbody tr")).to_have_count(1)
        other.goto(SESSIONS)
        expect(other).to_have_url(at("/login?next=" + quote(SESSIONS, safe="/")))
    finally:
        # Back to the demo's state: two-factor off (password and a recovery code).
        page.goto(TWO_FACTOR)
        if page.get_by_role("button", name="Turn off two-factor sign-in").count():
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_label("Code from your app").fill(codes[2])
            page.get_by_role("button", name="Turn off two-factor sign-in").click()
            expect(flash(page)).to_have_text("Two-factor sign-in is off.")
