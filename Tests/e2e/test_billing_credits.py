"""Credits and Transactions through nginx and the real responder, in Chromium: the demo Owner sees
the balance in euros with its code, filters the transactions by kind without JavaScript, downloads
the CSV, and sets a warning threshold; each page fits a phone (390 px)."""

from __future__ import annotations

import csv
import io
import re

from playwright.sync_api import expect

from conftest import ADMIN, OWNER
from test_general import at, sign_in
from test_phone import PHONE, assert_fits

CREDITS = "/orgs/demo/settings/billing/credits"
TRANSACTIONS = "/orgs/demo/settings/billing/transactions"


def test_owner_sees_the_balance_in_the_currency_and_the_lots(stack, pages, audit):
    page = pages.new(stack)
    sign_in(page, OWNER, lands_on=CREDITS)
    audit.page(page, "billing-credits")
    balance = page.locator(".credits-amount strong")
    # The demo: a purchase that covered its usage plus €27, and a €10 promotion: about €37 (other
    # tests' API imports may have spent a little of it since).
    expect(balance).to_have_text(re.compile(r"^€3\d\.\d\d EUR$"))
    expect(page.get_by_role("link", name="Credits", exact=True)).to_have_attribute("aria-current", "page")
    expect(page.get_by_text("Test mode:")).to_be_visible()
    lots = page.get_by_role("region", name="Open credit lots").locator("tbody tr")
    expect(lots).to_have_count(2)
    expect(lots.first).to_contain_text("Promotional credits")  # expires in 20 days: drawn first
    expect(lots.nth(1)).to_contain_text("Never")
    expect(page.locator("#credits-meter")).to_be_visible()


def test_transactions_filter_by_kind_without_javascript_and_the_csv(stack, pages, audit):
    page = pages.new(stack, javascript=False)
    sign_in(page, OWNER, lands_on=TRANSACTIONS)
    audit.page(page, "billing-transactions")
    rows = page.locator("table.transactions tbody tr")
    expect(rows.first).to_be_visible()
    page.get_by_label("Kind").select_option(label="AI usage")
    page.get_by_role("button", name="Filter").click()
    assert "kind=usage" in page.url
    audit.page(page, "billing-transactions-usage")
    expect(rows.first).to_contain_text("AI usage")
    for text in rows.all_inner_texts():
        assert "AI usage" in text and "EUR" in text
    response = page.request.get(page.get_by_role("link", name="Export CSV").get_attribute("href"))
    assert response.status == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert 'filename="transactions-demo-kind-usage.csv"' in response.headers["content-disposition"]
    records = list(csv.reader(io.StringIO(response.text(), newline="")))
    assert records[0] == ["id", "time_utc", "kind", "kind_title", "amount", "balance_after", "currency", "usage_day", "reference"]
    assert len(records) > 80 and all(r[2] == "usage" and r[6] == "EUR" and r[4].startswith("-") for r in records[1:])

    page.goto(TRANSACTIONS + "?kind=nope")
    audit.page(page, "billing-transactions-bad-kind", status=400)
    expect(page.get_by_text("“nope” is not a kind of transaction: showing every kind.")).to_be_visible()


def test_owner_sets_a_warning_threshold_and_an_admin_only_reads_it(stack, pages, audit):
    page = pages.new(stack)
    sign_in(page, OWNER, lands_on=CREDITS)
    field = page.get_by_label(re.compile(r"^Warn when the balance falls below"))
    field.fill("12.345")
    page.get_by_role("button", name="Save threshold").click()
    audit.page(page, "billing-credits-bad-threshold", status=422)
    expect(page.locator("#error-summary")).to_contain_text("EUR amounts have at most 2 decimals.")
    field.fill("20")
    page.get_by_role("button", name="Save threshold").click()
    expect(page).to_have_url(at(CREDITS))
    expect(page.get_by_text("You will be warned when the balance falls below €20.00 EUR.")).to_be_visible()

    admin = pages.new(stack)
    sign_in(admin, ADMIN, lands_on=CREDITS)
    expect(admin.get_by_text("Only an Owner can change the threshold.")).to_be_visible()
    expect(admin.get_by_role("button", name="Save threshold")).to_have_count(0)

    # Back to the demo's threshold, so other tests see the demo as seeded.
    field.fill("15")
    page.get_by_role("button", name="Save threshold").click()
    expect(page).to_have_url(at(CREDITS))


def test_the_billing_pages_fit_a_phone(stack, pages, audit):
    page = pages.new(stack, viewport=PHONE)
    sign_in(page, OWNER, lands_on=CREDITS)
    for path, name in ((CREDITS, "phone-billing-credits"), (TRANSACTIONS, "phone-billing-transactions")):
        page.goto(path)
        audit.page(page, name)
        assert_fits(page, path)
