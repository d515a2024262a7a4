"""Billing's charges made off the request thread, end to end through nginx and Chromium: an upgrade
paid from its preview in a new Owner's organization (with and without JavaScript: the payment's page
follows the queued charge), `usage import` crossing the demo's auto-refill threshold (exactly one
refill and its invoice), and a declined renewal run by `wheelhouse billing run-due --at` (the
payment-failed banner on every page, the retry with a working card ending it)."""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import time
from datetime import datetime, timedelta, timezone

import pytest
from playwright.sync_api import Page, expect

from conftest import BINARY, OWNER, PASSWORD, ROOT
from test_account_password import new_account, sign_in_as
from test_billing_payments import balance, save_card
from test_general import at, sign_in

BILLING = "/orgs/demo/settings/billing"


def cli(stack, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(BINARY), *args], env=stack.environment(), cwd=ROOT, capture_output=True, text=True,
                          timeout=120)


def fill_details(page: Page, org: str) -> None:
    page.goto(f"/orgs/{org}/settings/billing/payment-method")
    page.get_by_label("Legal name").fill("Ünïcode Ventures GmbH")
    page.get_by_label("Address").fill("Hauptstraße 5\n10115 Berlin")
    page.get_by_label("Country", exact=True).select_option("DE")
    page.get_by_label("Billing email").fill("billing@ventures.test")
    page.get_by_role("button", name="Save billing details").click()
    expect(page.locator(".flash")).to_contain_text("Billing details saved.")


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_an_upgrade_is_previewed_then_charged_by_the_worker(stack, pages, audit, javascript):
    # A new Owner of their own organization (on Pro, as `create-owner` makes it), not the demo's.
    key = f"upgrade-{'js' if javascript else 'nojs'}"
    email, general = new_account(stack, key)
    page = pages.new(stack, javascript=javascript)
    sign_in_as(page, email, PASSWORD, general)
    plan = f"/orgs/{key}/settings/billing"
    page.goto(plan)
    expect(page.locator("tr.current-plan")).to_contain_text("Pro")
    # Without a card the preview says what to do first.
    page.goto(plan + "/plans/business")
    expect(page.locator("section.card")).to_contain_text("Save a card and the billing details")
    expect(page.get_by_role("button", name=re.compile(r"^Upgrade and pay"))).to_have_count(0)
    save_card(page, "4242424242424242", audit, "upgrade-card", org=key)
    fill_details(page, key)
    page.goto(plan + "/plans/business")
    audit.page(page, "upgrade-preview")
    button = page.get_by_role("button", name=re.compile(r"^Upgrade and pay"))
    shown = re.search(r"€[\d,]+\.\d\d EUR", button.inner_text()).group(0)
    button.click()
    expect(page).to_have_url(re.compile(rf"{plan}/payments/\d+$"))
    expect(page.get_by_text(re.compile(r"^Paid "))).to_be_visible(timeout=10_000)
    audit.page(page, "upgrade-paid")
    expect(page.locator("p.payment-succeeded")).to_contain_text(shown)
    page.goto(plan)
    expect(page.locator("tr.current-plan")).to_contain_text("Business")
    page.goto(plan + "/invoices")
    expect(page.locator("table.invoices")).to_contain_text("Upgrade to the Business plan")


def minor(text: str) -> int:
    return int(re.sub(r"[^0-9-]", "", text))


def test_usage_import_crossing_the_threshold_refills_exactly_once(stack, pages, audit):
    page = pages.new(stack, javascript=True)
    sign_in(page, OWNER, lands_on=BILLING)
    db = sqlite3.connect(stack.data_dir / "wheelhouse.sqlite", timeout=30)
    refills = lambda: db.execute("SELECT count(*) FROM payment WHERE kind = 'refill' AND status = 'succeeded'").fetchone()[0]
    before_refills = refills()
    before = minor(balance(page))
    assert before >= 1_000, "the demo's balance is above the €10 threshold"
    # Spend down to €9.00 (strictly below €10) in three events.
    spend = (before - 900) * 10_000
    now = datetime.now(timezone.utc).replace(microsecond=0)
    lines = [
        json.dumps({"org": "demo", "time": (now - timedelta(minutes=i)).isoformat().replace("+00:00", "Z"),
                    "workspace": "research", "kind": "llm_call", "status": "success", "provider": "openai",
                    "model": "gpt-4o", "input_tokens": 1000, "output_tokens": 100,
                    "cost_micros": spend // 3 + (spend % 3 if i == 0 else 0), "idempotency_key": f"refill-e2e-{time.time()}-{i}"})
        for i in range(3)
    ]
    events = stack.data_dir / "refill-events.jsonl"
    events.write_text("\n".join(lines) + "\n")
    imported = cli(stack, "usage", "import", str(events))
    assert imported.returncode == 0, imported.stderr
    assert "imported 3" in imported.stdout
    # The import charges the refill after its last commit; the server's job may not add a second.
    time.sleep(16)
    assert refills() == before_refills + 1
    # Up to the €50 target: the refill is whole cents, so a balance with a fraction of a cent left
    # (usage is counted in micro-units) lands up to a cent above it.
    assert 5_000 <= minor(balance(page)) <= 5_001, "brought back up to the €50 target"
    page.goto(BILLING + "/invoices")
    audit.page(page, "refill-invoice")
    expect(page.locator("table.invoices tbody tr").first).to_contain_text("AI credits (auto-refill)")
    db.close()


def test_a_declined_renewal_shows_its_banner_and_a_retry_with_a_good_card_ends_it(stack, pages, audit):
    page = pages.new(stack, javascript=False)
    sign_in(page, OWNER, lands_on=BILLING)
    save_card(page, "4000000000000341", audit, "renewal-failing-card")
    try:
        first = datetime.now(timezone.utc)
        assert cli(stack, "billing", "run-due", "--at", first.strftime("%Y-%m-%dT%H:%M:%SZ")).returncode == 0
        next_month = (first.replace(day=1) + timedelta(days=32)).replace(day=1, hour=12, minute=0, second=0)
        ran = cli(stack, "billing", "run-due", "--at", next_month.strftime("%Y-%m-%dT%H:%M:%SZ"))
        assert ran.returncode == 0, ran.stderr
        assert re.search(r"Plan renewals charged or retried: [1-9]", ran.stdout), ran.stdout
        page.goto("/orgs/demo/settings/general")
        audit.page(page, "payment-failed-banner")
        banner = page.locator(".banner", has_text="payment")
        expect(banner.first).to_contain_text("failed")
        expect(banner.first).not_to_contain_text("credit limit")
        banner.first.get_by_role("link", name="Update the card").click()
        expect(page).to_have_url(at(BILLING + "/payment-method"))
        expect(page.get_by_role("heading", name="The plan’s payment failed")).to_be_visible()
        save_card(page, "4242424242424242", audit, "renewal-good-card")
        page.get_by_role("button", name="Retry the payment now").click()
        expect(page).to_have_url(re.compile(rf"{BILLING}/payments/\d+$"))
        expect(page.get_by_text("The plan is paid for this month")).to_be_visible(timeout=10_000)
        page.goto("/orgs/demo/settings/general")
        expect(page.locator(".banner", has_text="payment")).to_have_count(0)
    finally:
        save_card(page, "4242424242424242", audit, "renewal-restored")
