"""Billing's Plan section through nginx and the real responder in Chromium, with and without
JavaScript: the demo Owner sees the meters and the catalog, previews an upgrade (its prorated
amount) and a downgrade (what would not fit), schedules the downgrade and keeps the current plan
after all; the Admin reads but cannot change; the page fits a phone."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from conftest import ADMIN, OWNER
from test_general import at, flash, sign_in
from test_phone import assert_fits

PLAN = "/orgs/demo/settings/billing"


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_owner_previews_schedules_and_cancels_a_downgrade(stack, pages, audit, javascript):
    page = pages.new(stack, javascript=javascript)
    sign_in(page, OWNER)
    page.goto(PLAN)
    audit.page(page, "billing-plan")
    expect(page.get_by_role("heading", name="Pro plan")).to_be_visible()
    expect(page.locator("#meter-seats")).to_have_attribute("max", "25")
    expect(page.locator("tr.current-plan")).to_contain_text("Pro")
    expect(page.get_by_text("Test mode:")).to_be_visible()

    page.get_by_role("link", name="Upgrade to Business…").click()
    audit.page(page, "billing-plan-upgrade")
    expect(page.locator("section.card")).to_contain_text(re.compile(r"€[\d,]+\.\d\d EUR"))

    page.goto(PLAN)
    page.get_by_role("link", name="Downgrade to Free…").click()
    audit.page(page, "billing-plan-downgrade")
    expect(page.locator("ul.blockers")).to_contain_text("seats are taken")
    page.get_by_role("button", name="Schedule the downgrade").click()
    expect(flash(page)).to_contain_text("The move to Free is scheduled")
    expect(page.locator(".scheduled-change")).to_contain_text("Moving to Free")
    page.get_by_role("button", name="Keep the current plan").click()
    expect(flash(page)).to_have_text("The scheduled downgrade is cancelled.")
    expect(page.get_by_role("button", name="Keep the current plan")).to_have_count(0)


def test_admin_reads_the_plan_but_cannot_change_it(stack, pages, audit):
    page = pages.new(stack)
    sign_in(page, ADMIN)
    page.goto(PLAN + "/plans/starter")
    audit.page(page, "billing-plan-admin")
    expect(page.get_by_text("Only Owners change the plan.")).to_be_visible()
    expect(page.get_by_role("button", name="Schedule the downgrade")).to_have_count(0)


def test_the_plan_page_fits_a_phone(stack, pages, audit):
    page = pages.new(stack, viewport=(390, 844))
    sign_in(page, OWNER)
    page.goto(PLAN)
    audit.page(page, "billing-plan-phone")
    assert_fits(page, PLAN)
