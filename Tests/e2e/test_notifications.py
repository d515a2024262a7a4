"""The in-app inbox through nginx and the real responder, in Chromium: the demo Owner sees the
unread badge in the header of a settings page, opens the inbox, marks one read and then all read,
and the badge is gone; the inbox fits a phone in both schemes; nobody else sees the Owner's."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from conftest import ADMIN, OWNER
from test_general import GENERAL, at, flash, sign_in
from test_phone import PHONE, assert_fits

INBOX = "/account/notifications"


def inbox_link(page: Page):
    return page.locator("header a.inbox-link")


def test_owner_reads_the_inbox_and_the_badge_disappears(stack, pages, audit):
    page = pages.new(stack)
    sign_in(page, OWNER)
    audit.page(page, "general-with-badge")
    # The demo gives the Owner unread notifications (two seeded, and its data export is ready);
    # other tests on the same stack may have added more (an export, a deletion scheduled and
    # cancelled), so the count is read, then checked to move.
    badge = inbox_link(page).locator(".count-badge")
    expect(badge).to_have_text(re.compile(r"^[2-9]$"))
    unread = int(badge.inner_text())
    expect(inbox_link(page)).to_have_accessible_name(f"Notifications ({unread} unread notifications)")

    inbox_link(page).click()
    expect(page).to_have_url(at(INBOX))
    audit.page(page, "inbox")
    expect(page.get_by_role("heading", level=1)).to_have_text("Notifications")
    expect(page.locator("li.inbox-unread")).to_have_count(unread)
    # When: relative on the page, the exact time in the title.
    time = page.locator("li.inbox-item time").first
    expect(time).to_have_text(re.compile(r"^(just now|\d+ minutes? ago|1 hour ago)$"))
    assert re.fullmatch(r"\d+ \w{3} \d{4}, \d\d:\d\d UTC", time.get_attribute("title") or ""), time.get_attribute("title")

    page.locator("li.inbox-unread").first.get_by_role("button", name="Mark read").click()
    expect(page).to_have_url(at(INBOX))
    expect(flash(page)).to_have_text("Marked as read.")
    audit.page(page, "inbox-one-read")
    expect(page.locator("li.inbox-unread")).to_have_count(unread - 1)
    left = unread - 1
    expect(inbox_link(page)).to_have_accessible_name(
        f"Notifications ({left} unread notification{'' if left == 1 else 's'})")

    page.get_by_role("button", name="Mark all read").click()
    expect(flash(page)).to_have_text(f"Marked {left} notification{'' if left == 1 else 's'} as read.")
    audit.page(page, "inbox-all-read")
    expect(page.locator("li.inbox-unread")).to_have_count(0)
    expect(page.get_by_text("Everything is read.")).to_be_visible()
    expect(inbox_link(page).locator(".count-badge")).to_have_count(0)

    page.goto(GENERAL)
    audit.page(page, "general-without-badge")
    expect(inbox_link(page)).to_have_accessible_name("Notifications")
    expect(inbox_link(page).locator(".count-badge")).to_have_count(0)

    # A notification's link leads to a page of the console.
    page.goto(INBOX)
    page.locator("li.inbox-item a").first.click()
    expect(page).to_have_url(re.compile(r"/orgs/[a-z-]+/settings/[a-z-]+$"))


def test_the_inbox_fits_a_phone_and_works_without_javascript(stack, pages, audit):
    page = pages.new(stack, viewport=PHONE, javascript=False)
    sign_in(page, OWNER)
    page.goto(INBOX)
    audit.page(page, "phone-inbox")
    assert_fits(page, INBOX)
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        expect(page.locator("li.inbox-item").first).to_be_visible()


def test_another_person_cannot_mark_the_owners_notification(stack, pages, audit):
    owner = pages.new(stack)
    sign_in(owner, OWNER)
    owner.goto(INBOX)
    owners = owner.locator("li.inbox-item .inbox-title").first.get_attribute("id").removeprefix("notification-")
    admin = pages.new(stack)
    sign_in(admin, ADMIN)
    admin.goto(INBOX)
    audit.page(admin, "admin-inbox")
    expect(admin.locator(f"#notification-{owners}")).to_have_count(0)  # the Admin's inbox has only the Admin's
    csrf = admin.locator("input[name=_csrf]").first.get_attribute("value")
    response = admin.request.post(f"{INBOX}/{owners}/read", form={"_csrf": csrf}, max_redirects=0)
    assert response.status == 404, f"the Admin marking the Owner's notification {owners}: {response.status}"
