"""Billing's payments through nginx and the real responder, in Chromium, with and without
JavaScript: €10 bought with the test Visa (balance, invoice, the PDF downloaded and read back with
pdftotext), a declined card (the reason shown, the balance unchanged), and the authentication card
through the test gateway's challenge page. Every card change is undone at the end: the demo's
test Visa (4242) is saved again."""

from __future__ import annotations

import re
import subprocess
import tempfile
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from conftest import OWNER
from test_general import at, sign_in

BILLING = "/orgs/demo/settings/billing"
PAYMENT_METHOD = BILLING + "/payment-method"
BUY = BILLING + "/credits/buy"
AUTO_REFILL = BILLING + "/auto-refill"


def balance(page: Page) -> str:
    """The balance as the Auto-refill page shows it, e.g. "€85.00 EUR"."""
    page.goto(AUTO_REFILL)
    text = page.locator("text=Balance now:").inner_text()
    return re.search(r"Balance now: (\S+ EUR)", text).group(1)


def save_card(page: Page, number: str, audit, name: str, org: str = "demo") -> None:
    path = f"/orgs/{org}/settings/billing/payment-method"
    page.goto(path)
    audit.page(page, name)
    page.get_by_label("Card number").fill(number)
    page.get_by_label("Expiry month").fill("12")
    page.get_by_label("Expiry year").fill("2040")
    page.get_by_label("Security code (CVC)").fill("123")
    page.get_by_label("Name on the card").fill("Olivia Owner")
    page.get_by_label("Billing country").select_option("DE")
    page.get_by_role("button", name=re.compile(r"(Replace|Save) card")).click()
    expect(page).to_have_url(at(path))
    expect(page.get_by_text(f"ending in {number[-4:]}").first).to_be_visible()


def buy(page: Page, amount: str, audit, prefix: str) -> None:
    page.goto(BUY)
    audit.page(page, f"{prefix}-buy")
    expect(page.get_by_text("Test mode:")).to_be_visible()
    page.get_by_label(re.compile(r"^Custom amount")).fill(amount)
    page.get_by_role("button", name="Continue").click()
    audit.page(page, f"{prefix}-confirm")
    expect(page.get_by_role("heading", name="Confirm the purchase")).to_be_visible()
    page.get_by_role("button", name=re.compile(r"^Pay ")).click()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_buy_ten_euros_with_the_test_visa_and_read_the_invoice_pdf(stack, pages, audit, javascript):
    page = pages.new(stack, javascript=javascript)
    sign_in(page, OWNER, lands_on=BILLING)
    save_card(page, "4242424242424242", audit, "payment-method")
    before = balance(page)
    buy(page, "10", audit, "success")
    expect(page).to_have_url(re.compile(r"/orgs/demo/settings/billing/payments/\d+$"))
    audit.page(page, "payment-succeeded")
    expect(page.get_by_text("€10.00 EUR of credits were added.")).to_be_visible()
    number = page.locator("a", has_text=re.compile(r"^INV-\d{6}$")).first.inner_text()
    after = balance(page)
    to_cents = lambda text: int(re.sub(r"[^0-9]", "", text))  # noqa: E731
    assert to_cents(after) - to_cents(before) == 1000, (before, after)

    page.goto(BILLING + "/invoices")
    audit.page(page, "invoices")
    page.get_by_role("link", name=number).click()
    audit.page(page, "invoice")
    expect(page.get_by_text("Reverse charge")).to_have_count(0)
    expect(page.locator("table.invoice-lines")).to_contain_text("AI credits")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download PDF").click()
    with tempfile.TemporaryDirectory() as folder:
        pdf = Path(folder) / "invoice.pdf"
        download_info.value.save_as(pdf)
        assert pdf.read_bytes().startswith(b"%PDF-")
        text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    for expected in (number, "Demo Robotics GmbH", "AI credits", "€10.00 EUR", "VAT 19 %", "€1.90 EUR", "€11.90 EUR", "Total"):
        assert expected in text, f"{expected!r} not in the PDF's text:\n{text}"


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_a_declined_card_shows_the_reason_and_adds_nothing(stack, pages, audit, javascript):
    page = pages.new(stack, javascript=javascript)
    sign_in(page, OWNER, lands_on=BILLING)
    try:
        save_card(page, "4000000000009995", audit, "payment-method-declined")
        before = balance(page)
        buy(page, "25", audit, "declined")
        audit.page(page, "payment-declined")
        expect(page.get_by_role("alert")).to_contain_text("insufficient funds")
        expect(page.get_by_text("Nothing was charged and no credits were added.")).to_be_visible()
        assert balance(page) == before
    finally:
        save_card(page, "4242424242424242", audit, "payment-method-restored")


@pytest.mark.parametrize("outcome", ["Complete", "Fail"])
@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_the_authentication_card_goes_through_its_challenge(stack, pages, audit, javascript, outcome):
    page = pages.new(stack, javascript=javascript)
    sign_in(page, OWNER, lands_on=BILLING)
    try:
        save_card(page, "4000002500003155", audit, "payment-method-3ds")
        before = balance(page)
        buy(page, "10", audit, "challenge")
        expect(page).to_have_url(re.compile(r"/test-gateway/challenge/[^/]+$"))
        audit.page(page, "challenge")
        expect(page.get_by_role("heading", name=re.compile(r"Payment of €11\.90 EUR"))).to_be_visible()
        page.get_by_role("button", name=outcome).click()
        expect(page).to_have_url(re.compile(r"/orgs/demo/settings/billing/payments/\d+\?returned=1$"))
        audit.page(page, "challenge-done")
        if outcome == "Complete":
            expect(page.get_by_text("€10.00 EUR of credits were added.")).to_be_visible()
            assert int(re.sub(r"[^0-9]", "", balance(page))) - int(re.sub(r"[^0-9]", "", before)) == 1000
        else:
            expect(page.get_by_role("alert")).to_contain_text("authentication was not completed")
            assert balance(page) == before
    finally:
        save_card(page, "4242424242424242", audit, "payment-method-restored")


def test_auto_refill_shows_its_trigger_and_cap(stack, pages, audit):
    page = pages.new(stack)
    sign_in(page, OWNER, lands_on=AUTO_REFILL)
    audit.page(page, "auto-refill")
    expect(page.locator(".next-trigger")).to_contain_text("falls below €10.00 EUR")
    expect(page.locator(".cap-left")).to_contain_text("of the €200.00 EUR cap left")
