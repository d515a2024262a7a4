"""The Privacy tab through nginx and the real responder, in Chromium: the Owner changes a retention
window, sees the flash and finds the change in the Audit log; an Admin reads the same page without
forms, and (the demo masks PII) sees the Owner masked in the Audit log."""

from __future__ import annotations

from playwright.sync_api import expect

from conftest import ADMIN, MEMBER, OWNER
from test_general import at, flash, nav_links, sign_in

PRIVACY = "/orgs/demo/settings/privacy"
AUDIT = "/orgs/demo/settings/audit"


def test_owner_changes_a_retention_window_and_finds_it_in_the_audit_log(stack, pages, audit):
    page = pages.new(stack)
    sign_in(page, OWNER)
    nav_links(page).filter(has_text="Privacy").click()
    expect(page).to_have_url(at(PRIVACY))
    audit.page(page, "privacy-owner")
    expect(page.get_by_role("heading", level=1)).to_have_text("Privacy")
    # The demo's choices and its one recorded run.
    expect(page.get_by_label("Raw usage events")).to_have_value("365")
    expect(page.get_by_label("Delivered mail bodies")).to_have_value("90")
    expect(page.locator(".privacy-last-run")).to_contain_text("Last run: ")
    expect(page.locator(".privacy-training-line")).to_contain_text("Opted out by Olivia Owner on ")

    page.get_by_label("Read notifications").select_option("90")
    page.get_by_role("button", name="Save retention").click()
    expect(page).to_have_url(at(PRIVACY))
    expect(flash(page)).to_have_text("Retention saved. The job applies it within the hour.")
    expect(page.get_by_label("Read notifications")).to_have_value("90")

    page.goto(AUDIT + "?action=privacy.retention")
    audit.page(page, "privacy-audit-entry")
    rows = page.locator("table.audit-log tbody tr")
    expect(rows.first).to_contain_text("Data retention changed")
    expect(rows.first).to_contain_text("read notifications forever → 90 days")
    expect(rows.first).to_contain_text("Olivia Owner")

    # Back to the demo's value, so other tests see the page as seeded.
    page.goto(PRIVACY)
    page.get_by_label("Read notifications").select_option("forever")
    page.get_by_role("button", name="Save retention").click()
    expect(flash(page)).to_have_text("Retention saved. The job applies it within the hour.")


def test_admin_reads_the_page_and_sees_the_owner_masked(stack, pages, audit):
    page = pages.new(stack)
    sign_in(page, ADMIN)
    nav_links(page).filter(has_text="Privacy").click()
    expect(page).to_have_url(at(PRIVACY))
    audit.page(page, "privacy-admin")
    expect(page.get_by_text("Only an Owner can change these.")).to_be_visible()
    expect(page.get_by_role("button", name="Save retention")).to_have_count(0)
    expect(page.locator("select")).to_have_count(0)
    expect(page.locator("dl.privacy-values")).to_contain_text("365 days")
    assert page.request.post(PRIVACY + "/masking", form={"version": "3", "masking": "off"}).status == 403

    page.goto(AUDIT)
    table = page.locator("table.audit-log")
    expect(table).not_to_contain_text("owner@demo.test")
    expect(table).not_to_contain_text("Olivia Owner")
    expect(table).to_contain_text("o•••@demo.test")


def test_a_member_has_no_privacy_tab(stack, pages):
    page = pages.new(stack)
    sign_in(page, MEMBER)
    expect(nav_links(page).filter(has_text="Privacy")).to_have_count(0)
    assert page.request.get(PRIVACY).status == 403
