"""The Compliance tab through nginx and the real responder, in Chromium: the demo's ready export is
listed; the Owner requests a new one, waits for the background worker (the page refreshes itself
while it builds), and downloads the ZIP through its signed link; an Admin is refused."""

from __future__ import annotations

import io
import re
import time
import zipfile

from playwright.sync_api import expect

from conftest import ADMIN, OWNER
from test_general import at, nav_links, sign_in

COMPLIANCE = "/orgs/demo/settings/compliance"


def test_owner_requests_an_export_and_downloads_the_zip(stack, pages, audit):
    page = pages.new(stack)
    sign_in(page, OWNER)
    nav_links(page).filter(has_text="Compliance").click()
    expect(page).to_have_url(at(COMPLIANCE))
    audit.page(page, "compliance-owner")
    expect(page.get_by_role("heading", level=1)).to_have_text("Compliance")
    # The demo seeds one export, built for real.
    expect(page.locator("table.data-exports tbody tr").first).to_contain_text("Ready")

    page.get_by_role("button", name="Request an export").click()
    expect(page).to_have_url(at(COMPLIANCE))
    expect(page.get_by_text("Export requested.")).to_be_visible()
    # A second request while it builds is refused with a message (unless it is already done).
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        page.goto(COMPLIANCE)
        first = page.locator("table.data-exports tbody tr").first
        if "Ready" in first.inner_text():
            break
        assert re.search(r"Queued|Building: \d+ of \d+ files", first.inner_text())
        time.sleep(1)
    first = page.locator("table.data-exports tbody tr").first
    expect(first).to_contain_text("Ready")
    audit.page(page, "compliance-ready")

    link = first.get_by_role("link", name="Download ZIP").get_attribute("href")
    assert re.search(r"/exports/\d+/download\?expires=\d+&sig=", link)
    response = page.request.get(link)
    assert response.status == 200
    assert response.headers["content-type"] == "application/zip"
    assert re.fullmatch(r'attachment; filename="demo-export-\d{4}-\d{2}-\d{2}\.zip"', response.headers["content-disposition"])
    archive = zipfile.ZipFile(io.BytesIO(response.body()))
    names = archive.namelist()
    assert "README.txt" in names and "members.csv" in names and "audit-log.json" in names
    assert b"owner@demo.test" in archive.read("members.csv")

    # The link changed in its expiry is refused.
    tampered = re.sub(r"expires=(\d+)", lambda m: f"expires={int(m.group(1)) + 1}", link)
    assert page.request.get(tampered).status == 404

    # The Audit log lists the request and the download.
    page.goto("/orgs/demo/settings/audit?action=compliance.export.download")
    expect(page.locator("table.audit-log tbody tr").first).to_contain_text("Data export downloaded")


def test_an_admin_has_no_compliance_tab_and_no_download(stack, pages):
    owner = pages.new(stack)
    sign_in(owner, OWNER)
    owner.goto(COMPLIANCE)
    link = owner.locator("table.data-exports a", has_text="Download ZIP").first.get_attribute("href")

    page = pages.new(stack)
    sign_in(page, ADMIN)
    expect(nav_links(page).filter(has_text="Compliance")).to_have_count(0)
    assert page.request.get(COMPLIANCE).status == 403
    assert page.request.get(link).status == 403
