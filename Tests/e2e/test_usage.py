"""What a person does on the Usage tab, through nginx and the real responder, in Chromium; and
the import surviving a `kill -9` of `wheelhouse usage import`.

The demo seeds 90 days of usage ending today, so the current month and the two before it have data.
"""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path

from playwright.sync_api import Page, expect

from conftest import ADMIN, ARTIFACTS, BINARY, MEMBER, OWNER, ROOT
from test_general import GENERAL, at, nav_links, sign_in

USAGE = "/orgs/demo/settings/usage"
EXPORT = USAGE + "/export.csv"


def daily_rows(page: Page) -> dict[str, list[str]]:
    """The table behind the charts: ISO date -> cells."""
    rows = {}
    for row in page.locator("table.daily tbody tr").all():
        date = row.locator("time").get_attribute("datetime")
        rows[date] = [cell.text_content() for cell in row.locator("td").all()]
    return rows


def runs_bars(html: str) -> dict[str, list[str]]:
    """The runs chart, parsed as XML: bar titles by series class."""
    svg = re.search(r'<svg viewBox="0 0 720 250" role="img" aria-labelledby="runs-chart-title.*?</svg>', html, re.S).group(0)
    root = ET.fromstring(svg)
    return {g.get("class"): [bar.find("title").text for bar in g.findall("path")] for g in root.findall("g")}


def test_screenshots_of_general_and_usage_light_and_dark(stack, pages, audit):
    for scheme in ("light", "dark"):
        page = pages.new(stack, color_scheme=scheme)
        sign_in(page, OWNER)
        for name, path in (("general", GENERAL), ("usage", USAGE)):
            page.goto(path)
            audit.page(page, f"{name}-{scheme}")
            shot = ARTIFACTS / f"{name}-{scheme}.png"
            page.screenshot(path=str(shot), full_page=True)
            assert shot.read_bytes().startswith(b"\x89PNG")
            if os.environ.get("UPDATE_SCREENSHOTS") == "1":
                copy = ROOT / "docs" / "screenshots" / f"{name}-{scheme}.png"
                copy.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(shot, copy)


def test_owner_switches_months_and_the_chart_and_table_change(stack, pages, audit):
    page = pages.new(stack)
    sign_in(page, OWNER, lands_on=USAGE)
    html = audit.page(page, "usage-current")
    expect(page.get_by_role("heading", level=1)).to_have_text("Usage")
    expect(nav_links(page)).to_have_text(["Overview", "General", "Members", "Teams", "Workspaces", "Secrets", "Providers",
                                          "API keys", "Chat models", "Usage", "Billing", "Audit log", "Privacy", "Compliance", "Integrations", "SSO"])
    expect(page.locator("dl.usage-cards dt")).to_have_text(["Total runs", "Success rate", "AI credits used", "Total tokens"])
    current = page.locator("#usage-month option[selected]").inner_text()
    expect(page.locator("#runs-chart-title")).to_have_text(f"Daily executions, {current}")
    current_rows = daily_rows(page)
    # The chart's bars are the table's numbers.
    for title in runs_bars(html)["c-ok"]:
        day, value = re.match(r"\w+ (\d+), successful runs: ([\d,]+)", title).groups()
        match = [cells for date, cells in current_rows.items() if int(date[-2:]) == int(day)]
        assert match and match[0][0] == value, title
    expect(page.locator("meter#runs-meter")).to_be_visible()
    expect(page.get_by_text("ran on your organization’s own provider key")).to_be_visible()

    # Previous month by its link (a plain link, no JavaScript needed)
    previous = page.get_by_role("link", name=re.compile("^← "))
    previous_title = previous.inner_text().removeprefix("← ")
    previous.click()
    expect(page).to_have_url(re.compile(r"\?month=\d{4}-\d{2}$"))
    audit.page(page, "usage-previous")
    expect(page.locator("#runs-chart-title")).to_have_text(f"Daily executions, {previous_title}")
    expect(page.locator("table.daily caption")).to_have_text(f"Usage per day, {previous_title}")
    previous_rows = daily_rows(page)
    assert previous_rows.keys().isdisjoint(current_rows.keys())
    assert sum(int(cells[0].replace(",", "")) for cells in previous_rows.values()) > 0
    expect(page.get_by_role("link", name=f"{current} →")).to_be_visible()

    # Another month through the select and its Show button (a GET form)
    options = page.locator("#usage-month option").all_inner_texts()
    third = options[2]
    page.locator("#usage-month").select_option(label=third)
    page.get_by_role("button", name="Show").click()
    audit.page(page, "usage-select")
    expect(page.locator("#runs-chart-title")).to_have_text(f"Daily executions, {third}")
    expect(page.locator("#usage-month option[selected]")).to_have_text(third)

    # The table is collapsible and opens on click
    details = page.locator("details.numbers")
    expect(details).not_to_have_attribute("open", "")
    details.locator("summary").click()
    expect(page.locator("table.daily")).to_be_visible()

    # A month before the organization's first is refused (400) with a notice, on the current month
    response = page.goto(USAGE + "?month=2001-01")
    assert response.status == 400
    audit.page(page, "usage-refused-month", status=400)
    expect(page.get_by_role("alert")).to_contain_text("January 2001 is before this organization’s first month")
    assert page.request.get(EXPORT + "?month=2001-01").status == 400

    # The workspace filter is part of the same GET form
    page.locator("#usage-workspace").select_option(index=1)
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"\?month=\d{4}-\d{2}&workspace=[a-z0-9-]+$"))
    expect(page.locator(".month-note")).to_contain_text(" only")


def test_csv_export_matches_the_page(stack, pages, audit):
    page = pages.new(stack)
    sign_in(page, ADMIN, lands_on=USAGE)
    audit.page(page, "usage-admin")
    month = page.locator("#usage-month option[selected]").get_attribute("value")
    response = page.request.get(page.get_by_role("link", name="Export CSV").get_attribute("href"))
    assert response.status == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    records = list(csv.reader(io.StringIO(response.text(), newline="")))
    assert records[0][:3] == ["date", "workspace", "kind"]
    runs = sum(int(r[6]) for r in records[1:] if r[2] == "workflow_run")
    card = page.locator("dl.usage-cards div").first.locator("dd").first.inner_text()
    assert runs == int(card.replace(",", ""))
    assert all(r[0].startswith(month) for r in records[1:])


def test_member_gets_403(stack, pages, audit):
    page = pages.new(stack)
    sign_in(page, MEMBER)
    expect(nav_links(page)).to_have_text(["Overview", "General", "Members", "Teams", "Workspaces", "Secrets", "Chat models"])
    response = page.goto(USAGE)
    assert response.status == 403
    audit.page(page, "usage-member-403", status=403)
    expect(page.get_by_role("heading", level=1)).to_have_text("You need the Admin role")


def test_import_killed_mid_way_then_rerun_gives_exact_totals(stack):
    """`kill -9` during an import loses at most the batch being written; the rerun completes it."""
    data = Path(tempfile.mkdtemp(prefix="wh-e2e-import-"))
    env = dict(stack.environment(), WHEELHOUSE_DATA_DIR=str(data))
    try:
        def cli(*args, **kwargs):
            return subprocess.run([str(BINARY), *args], env=env, cwd=ROOT, capture_output=True, text=True,
                                  timeout=300, **kwargs)

        assert cli("migrate").returncode == 0
        assert cli("demo").returncode == 0
        events = data / "events.jsonl"
        with open(events, "w") as out:
            assert subprocess.run([str(BINARY), "usage", "generate", "--events", "600000", "--key-prefix", "crash"],
                                  env=env, stdout=out, timeout=300).returncode == 0
        db = sqlite3.connect(data / "wheelhouse.sqlite", timeout=30)
        count = lambda: db.execute("SELECT count(*) FROM usageEvent").fetchone()[0]
        seeded = count()

        importer = subprocess.Popen([str(BINARY), "usage", "import", str(events), "--batch-size", "5000"],
                                    env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 60
        while count() < seeded + 20_000 and time.monotonic() < deadline and importer.poll() is None:
            time.sleep(0.01)
        importer.send_signal(signal.SIGKILL)
        importer.wait()
        assert importer.returncode == -signal.SIGKILL, "the import finished before it could be killed"
        committed = count() - seeded
        assert 0 < committed < 600_000 and committed % 5000 == 0, committed

        rerun = cli("usage", "import", str(events))
        assert rerun.returncode == 0, rerun.stderr
        assert f"read 600000, imported {600_000 - committed}, duplicate {committed}, rejected 0" in rerun.stdout
        assert count() == seeded + 600_000
        rolled = db.execute("SELECT sum(events), sum(costMicros) FROM usageDaily").fetchone()
        direct = db.execute("SELECT count(*), sum(costMicros) FROM usageEvent").fetchone()
        assert rolled == direct
        db.close()
    finally:
        shutil.rmtree(data, ignore_errors=True)
