"""Phones (390 × 844): every page a demo Owner can reach, and the sign-in page, fits the
screen in the light and the dark scheme; tables scroll inside their own box; the settings menu
is a closed disclosure that opens without JavaScript, and is always open on wide screens."""

from __future__ import annotations

from urllib.parse import urlsplit

from playwright.sync_api import Page, expect

from conftest import OWNER
from test_general import GENERAL, sign_in

PHONE = (390, 844)
SKIPPED = ("/export.csv", "/export.jsonl", "/logo/", "/download", "/transactions.csv")


def widths(page: Page) -> tuple[int, int]:
    return page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")


# The outermost elements that stick out to the right, to say what is too wide.
OFFENDERS = """() => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > innerWidth + 0.5
    && !(e.parentElement && e.parentElement.getBoundingClientRect().right > innerWidth + 0.5))
  .slice(0, 5).map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : '')
    + ' ' + Math.round(e.getBoundingClientRect().right) + 'px')"""


def assert_fits(page: Page, name: str) -> None:
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        document, viewport = widths(page)
        assert document <= viewport, (f"{name} ({scheme}): the document is {document} px wide on a {viewport} px screen; "
                                      f"too wide: {page.evaluate(OFFENDERS)}")
    page.emulate_media(color_scheme="light")


def reachable_links(page: Page) -> list[str]:
    hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.getAttribute('href'))")
    found = []
    for href in hrefs:
        parts = urlsplit(href)
        if parts.scheme or parts.netloc or not parts.path.startswith(("/orgs/", "/account")):
            continue
        if any(skip in parts.path for skip in SKIPPED):
            continue
        found.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return found


def test_every_page_fits_a_phone_and_the_menu_collapses(stack, pages, audit):
    login = pages.new(stack, viewport=PHONE)
    login.goto("/login")
    audit.page(login, "phone-login")
    assert_fits(login, "/login")

    page = pages.new(stack, viewport=PHONE)
    sign_in(page, OWNER)
    # Every page a link leads to, from General on, across both of the Owner's organizations and
    # the Owner's own account pages;
    # at most two versions of one path (months, sorts, pages of a list).
    queue, seen, per_path = [GENERAL], set(), {}
    visited = 0
    while queue and visited < 80:
        target = queue.pop(0)
        path = target.split("?")[0]
        if target in seen or per_path.get(path, 0) >= 2:
            continue
        seen.add(target)
        per_path[path] = per_path.get(path, 0) + 1
        page.goto(target)
        visited += 1
        audit.page(page, f"phone-{visited}")
        assert_fits(page, target)
        # The menu is a closed disclosure: the page starts with the content, not the menu.
        menu = page.locator("nav.settings-nav")
        if menu.count():
            expect(menu.locator("summary")).to_be_visible()
            expect(menu.locator("ul a").first).to_be_hidden()
            assert menu.bounding_box()["height"] < 80, f"{target}: the collapsed menu is too tall"
        queue.extend(link for link in reachable_links(page) if link not in seen)
    assert visited >= 15, f"only {visited} pages reached: {sorted(seen)}"
    for tab in ("general", "members", "teams", "workspaces", "secrets", "providers", "chat-models", "usage", "billing", "audit", "privacy"):
        assert any(f"/settings/{tab}" in url for url in seen), f"never reached the {tab} tab"

    # The menu opens by its summary and leads on.
    page.goto(GENERAL)
    page.locator("nav.settings-nav summary").click()
    expect(page.locator("nav.settings-nav").get_by_role("link", name="Usage")).to_be_visible()
    audit.page(page, "phone-menu-open")
    assert_fits(page, "menu open")


def test_the_phone_menu_needs_no_javascript_and_wide_screens_show_it_open(stack, pages, audit):
    page = pages.new(stack, viewport=PHONE, javascript=False)
    sign_in(page, OWNER)
    usage = page.locator("nav.settings-nav").get_by_role("link", name="Usage")
    expect(usage).to_be_hidden()
    page.locator("nav.settings-nav summary").click()
    expect(usage).to_be_visible()
    usage.click()
    expect(page.get_by_role("heading", name="Usage", level=1)).to_be_visible()
    document, viewport = widths(page)
    assert document <= viewport

    wide = pages.new(stack, javascript=False)
    sign_in(wide, OWNER)
    expect(wide.locator("nav.settings-nav summary")).to_be_hidden()
    expect(wide.locator("nav.settings-nav").get_by_role("link", name="Members")).to_be_visible()
