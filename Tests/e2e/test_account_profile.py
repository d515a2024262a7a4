"""The profile's picture, email change and default organization, New organization and Delete my
account, through nginx and the real responder in Chromium, with and without JavaScript. Each test
makes its own account, so the demo's people stay as the other tests expect them."""

from __future__ import annotations

import re
import struct
import zlib

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD
from test_account_password import new_account, sign_in_as
from test_general import at, flash


def png(width: int = 8, height: int = 8) -> bytes:
    """A real PNG (truecolour, one colour), built here so no binary file is kept for the test."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    rows = b"".join(b"\x00" + b"\x0b\x5c\xad" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_picture_and_email_change_through_the_link(stack, pages, audit, mail_sink, tmp_path, javascript):
    suffix = "js" if javascript else "nojs"
    email, general = new_account(stack, f"profile-{suffix}")
    page = pages.new(stack, javascript=javascript)
    sign_in_as(page, email, PASSWORD, "/account")
    audit.page(page, "profile")

    # A file that is not an image by its bytes is refused beside the field; a real PNG is kept.
    fake = tmp_path / "fake.png"
    fake.write_bytes(b"GIF89a, but not an image at all")
    page.get_by_label("Picture", exact=True).set_input_files(str(fake))
    page.get_by_role("button", name="Save picture").click()
    expect(page.locator("#avatar-error")).to_contain_text("could not be read")
    audit.page(page, "profile-bad-picture", status=422)
    real = tmp_path / "me.png"
    real.write_bytes(png())
    page.get_by_label("Picture", exact=True).set_input_files(str(real))
    page.get_by_role("button", name="Save picture").click()
    expect(flash(page)).to_have_text("Your picture is saved.")
    picture = page.get_by_role("img", name="Your picture")
    expect(picture).to_be_visible()
    assert page.request.get(picture.get_attribute("src")).headers["content-type"] == "image/png"

    # The address changes only when the link mailed to the new one is opened; the old one is told.
    new_email = f"moved-{suffix}@e2e.test"
    page.get_by_label("New email address").fill(new_email)
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Send confirmation link").click()
    expect(flash(page)).to_contain_text(f"We sent a link to {new_email}")
    expect(page.get_by_text(f"You sign in as {email}.")).to_be_visible()
    mail_sink.wait_for(email, subject="A change of your Wheelhouse email address was asked for")
    message = mail_sink.wait_for(new_email, subject="Confirm your new Wheelhouse email address")
    link = re.search(r"(http://127\.0\.0\.1:\d+/email/confirm/[A-Za-z0-9_-]+)", message).group(1)
    stack.secrets.add(link.rsplit("/", 1)[1])  # the token must never reach the responder's log
    page.goto(link)
    audit.page(page, "email-confirm")
    page.get_by_role("button", name=f"Use {new_email}").click()
    expect(page).to_have_url(at("/account"))
    expect(flash(page)).to_contain_text(f"Your account now uses {new_email}")
    mail_sink.wait_for(email, subject="Your Wheelhouse email address was changed")
    page.goto(link)
    audit.page(page, "email-confirm-used", status=410)

    # The new address signs in; the old one no longer does.
    other = pages.new(stack, javascript=javascript)
    sign_in_as(other, new_email, PASSWORD, general)


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_new_organization_from_the_switcher_and_default_organization(stack, pages, audit, javascript):
    suffix = "js" if javascript else "nojs"
    email, general = new_account(stack, f"founder-{suffix}")
    page = pages.new(stack, javascript=javascript)
    sign_in_as(page, email, PASSWORD, general)
    page.locator("details.org-switcher summary").click()
    page.get_by_role("link", name="New organization…").click()
    expect(page).to_have_url(at("/account/organizations/new"))
    audit.page(page, "new-organization")
    page.get_by_label("Organization name").fill("Second Venture")
    page.get_by_label("Org key").fill(f"founder-{suffix}")  # the key of the first one: taken
    page.get_by_role("button", name="Create organization").click()
    expect(page.locator("#org_key-error")).to_contain_text("already taken")
    expect(page.get_by_label("Organization name")).to_have_value("Second Venture")
    audit.page(page, "new-organization-taken", status=422)
    page.get_by_label("Org key").fill(f"venture-{suffix}")
    page.get_by_role("button", name="Create organization").click()
    expect(flash(page)).to_have_text("“Second Venture” is created, and you are its Owner.")
    expect(page.locator("details.org-switcher summary")).to_contain_text("Second Venture")
    # A new Owner's first visit: the overview with the onboarding path.
    expect(page).to_have_url(at(f"/orgs/venture-{suffix}"))
    expect(page.locator("section.tutorial")).to_be_visible()
    audit.page(page, "new-organization-overview")

    # `/` opens the default organization once one is chosen.
    page.goto("/account")
    page.get_by_label("Open after sign-in").select_option(f"venture-{suffix}")
    page.get_by_role("button", name="Save default").click()
    expect(flash(page)).to_have_text("Your default organization is saved.")
    page.goto("/")
    expect(page).to_have_url(re.compile(rf"/orgs/venture-{suffix}(/|$)"))


def join_by_invitation(stack, mail_sink, pages, owner, general: str, email: str):
    """Invites `email` from the Owner's Members tab; the invitee makes an account from the
    emailed link and confirms it. Returns the invitee's page, signed in."""
    owner.goto(general.replace("/general", "/members"))
    owner.get_by_label("Email addresses").fill(email)
    owner.get_by_role("button", name="Send invitations").click()
    expect(flash(owner)).to_have_text(f"Invitation sent to {email}.")
    message = mail_sink.wait_for(email, subject="You are invited")
    link = re.search(r"(http://127\.0\.0\.1:\d+/invitations/[A-Za-z0-9_-]+)", message).group(1)
    stack.secrets.add(link.rsplit("/", 1)[1])
    guest = pages.new(stack)
    guest.goto(link)
    guest.get_by_label("Your name").fill("Jo Joiner")
    guest.get_by_label("Choose a password").fill(PASSWORD)
    guest.get_by_role("button", name="Create account and join").click()
    confirmation = mail_sink.wait_for(email, subject="Confirm your email address")
    confirm_link = re.search(r"(http://127\.0\.0\.1:\d+/confirm/[A-Za-z0-9_-]+)", confirmation).group(1)
    stack.secrets.add(confirm_link.rsplit("/", 1)[1])
    guest.goto(confirm_link)
    guest.get_by_label("Password", exact=True).fill(PASSWORD)
    guest.get_by_role("button", name="Confirm and sign in").click()
    expect(guest).to_have_url(at(general))
    return guest


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_delete_my_account(stack, pages, audit, mail_sink, javascript):
    suffix = "js" if javascript else "nojs"
    email, general = new_account(stack, f"leaver-{suffix}")
    page = pages.new(stack, javascript=javascript)
    sign_in_as(page, email, PASSWORD, general)
    # The last Owner of an organization is told why not, with no form to submit.
    page.goto("/account")
    page.get_by_role("link", name="Delete my account…").click()
    audit.page(page, "delete-account-blocked")
    expect(page.get_by_role("heading", name="Not possible yet")).to_be_visible()
    expect(page.get_by_role("button", name="Delete my account")).to_have_count(0)

    # A person who owns nothing (invited, joined): confirmed by password, then signed out for good.
    member = f"joiner-{suffix}@e2e.test"
    page2 = join_by_invitation(stack, mail_sink, pages, page, general, member)
    page2.goto("/account/delete")
    page2.get_by_label("Your password").fill("not my password at all")
    page2.get_by_role("button", name="Delete my account").click()
    expect(page2.locator("#password-error")).to_contain_text("That is not your password.")
    audit.page(page2, "delete-account-wrong", status=422)
    page2.get_by_label("Your password").fill(PASSWORD)
    page2.get_by_role("button", name="Delete my account").click()
    expect(page2).to_have_url(at("/login?deleted=1"))
    expect(page2.get_by_role("status")).to_contain_text("Your account has been deleted.")
    mail_sink.wait_for(member, subject="Your Wheelhouse account was deleted")

    # The Owner's audit log says who left and why.
    page.goto(general.replace("/general", "/audit"))
    expect(page.get_by_role("row").filter(has_text="Member deleted their account")).to_contain_text(member)
