"""Deleting an organization through nginx and the real responder, in Chromium: the Owner of the
solo organization (so the demo org the other tests use is never at risk) schedules its deletion by
typing its key, sees the banner on every page with the date, is refused a change with the form
kept, and cancels; then the organization works as before."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from conftest import OWNER
from test_general import at, flash, sign_in

LAB = "/orgs/olivia-lab/settings"
COMPLIANCE = LAB + "/compliance"


def banner(page):
    return page.locator(".banner").filter(has_text="This organization will be deleted on")


def test_owner_schedules_the_deletion_sees_the_banner_and_cancels(stack, pages, audit):
    page = pages.new(stack)
    sign_in(page, OWNER)
    page.goto(COMPLIANCE)
    expect(page.get_by_role("heading", name="Delete the organization")).to_be_visible()

    # A wrong key comes back beside the field, as typed.
    page.get_by_label("Type the organization key").fill("Olivia-Lab")
    page.get_by_role("button", name=re.compile("Delete this organization")).click()
    expect(page.locator("#delete-confirm-error")).to_contain_text("Type the organization key, olivia-lab, exactly as shown.")
    expect(page.get_by_label("Type the organization key")).to_have_value("Olivia-Lab")
    audit.page(page, "deletion-refused", status=422)

    page.get_by_label("Type the organization key").fill("olivia-lab")
    page.get_by_role("button", name=re.compile("Delete this organization")).click()
    expect(page).to_have_url(at(COMPLIANCE))
    expect(flash(page)).to_contain_text("will be deleted on")
    expect(banner(page)).to_be_visible()
    audit.page(page, "deletion-scheduled")

    # Every page shows it; a change is refused with what was typed kept.
    page.goto(LAB + "/teams")
    expect(banner(page)).to_be_visible()
    page.get_by_label("Team name").fill("Late team")
    page.get_by_role("button", name="Create team").click()
    expect(page.get_by_text("This organization is scheduled for deletion on").first).to_be_visible()
    expect(page.get_by_label("Team name")).to_have_value("Late team")
    audit.page(page, "deletion-refuses-changes", status=409)

    # Cancel from the banner's link.
    banner(page).get_by_role("link", name="Cancel deletion").click()
    expect(page).to_have_url(at(COMPLIANCE + "#delete"))
    page.get_by_role("button", name="Cancel deletion").click()
    expect(flash(page)).to_have_text("The deletion is cancelled. Nothing was removed.")
    expect(banner(page)).to_have_count(0)
    page.goto(LAB + "/teams")
    page.get_by_label("Team name").fill("Late team")
    page.get_by_role("button", name="Create team").click()
    expect(flash(page)).to_be_visible()
