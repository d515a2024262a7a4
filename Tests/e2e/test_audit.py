"""The Audit log through nginx and the real responder, in Chromium: a change made on General is
found by its action and text with the filter form (a plain GET form), then downloaded as CSV."""

from __future__ import annotations

import csv
import io
import secrets

from playwright.sync_api import expect

from conftest import MEMBER, OWNER
from test_general import GENERAL, at, nav_links, save, sign_in

AUDIT = "/orgs/demo/settings/audit"


def test_owner_finds_a_change_by_filter_and_downloads_it(stack, pages, audit):
    page = pages.new(stack)
    sign_in(page, OWNER)
    display_name = page.get_by_label("Display name")
    old_name = display_name.input_value()
    marker = f"Audit {secrets.token_hex(3)}"
    display_name.fill(marker)
    save(page)
    expect(page).to_have_url(at(GENERAL))

    nav_links(page).filter(has_text="Audit log").click()
    expect(page).to_have_url(at(AUDIT))
    audit.page(page, "audit-owner")
    expect(page.get_by_role("heading", level=1)).to_have_text("Audit log")
    # The demo's 90 days of history: a full page and a link to older entries.
    expect(page.locator("table.audit-log tbody tr")).to_have_count(50)
    expect(page.get_by_role("link", name="Older entries →")).to_be_visible()

    page.get_by_label("Action").select_option(label="Organization settings changed")
    page.get_by_label("Text in target or summary").fill(marker)
    page.get_by_role("button", name="Filter").click()
    audit.page(page, "audit-filtered")
    rows = page.locator("table.audit-log tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Olivia Owner")
    expect(rows.first).to_contain_text("Organization settings changed")
    expect(rows.first).to_contain_text(f"“{marker}”")
    assert "action=organization.update" in page.url

    response = page.request.get(page.get_by_role("link", name="Export CSV").get_attribute("href"))
    assert response.status == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert "audit-demo-action-organization.update-q-Audit_" in response.headers["content-disposition"]
    records = list(csv.reader(io.StringIO(response.text(), newline="")))
    assert records[0][:5] == ["id", "time_utc", "actor_name", "actor_email", "action"]
    assert len(records) == 2 and records[1][2] == "Olivia Owner" and marker in records[1][7]

    page.goto(AUDIT + "?from=not-a-date")
    audit.page(page, "audit-bad-date", status=400)
    expect(page.get_by_text("“not-a-date” is not a date (YYYY-MM-DD).")).to_be_visible()

    page.goto(GENERAL)
    page.get_by_label("Display name").fill(old_name)
    save(page)


def test_a_member_has_no_audit_log(stack, pages):
    page = pages.new(stack)
    sign_in(page, MEMBER)
    expect(nav_links(page).filter(has_text="Audit log")).to_have_count(0)
    assert page.request.get(AUDIT).status == 403
