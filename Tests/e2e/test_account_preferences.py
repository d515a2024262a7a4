"""Preferences and the organization overview through nginx and the real responder, in Chromium,
with and without JavaScript: the dark theme chosen on Preferences is on the next page before
anything is drawn (the server sets it on <html>, no script); widgets are moved, hidden and shown
again with plain forms; a readiness item is marked reviewed; the tutorial of a new Owner; the
overview fits a 390 px wide phone. Each test makes its own organization with the CLI."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from conftest import PASSWORD
from test_account_password import new_account, sign_in_as
from test_general import at, flash
from test_phone import PHONE, assert_fits

DARK_BACKGROUND = "rgb(13, 17, 23)"  # --bg of the dark theme in Public/app.css
LIGHT_BACKGROUND = "rgb(246, 247, 249)"


def background(page: Page) -> str:
    return page.evaluate("getComputedStyle(document.body).backgroundColor")


def widget_titles(page: Page):
    return page.locator("ul.widgets > li h2")


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_dark_theme_shows_on_the_next_page(stack, pages, audit, javascript):
    email, general = new_account(stack, f"theme-{'js' if javascript else 'nojs'}")
    overview = general.removesuffix("/settings/general")
    # The browser asks for light: the person's choice must win over it.
    page = pages.new(stack, javascript=javascript, color_scheme="light")
    sign_in_as(page, email, PASSWORD, overview)
    expect(page.locator("html")).not_to_have_attribute("data-theme", re.compile(".*"))
    assert background(page) == LIGHT_BACKGROUND

    page.locator("header").get_by_role("link", name="Preferences").click()
    expect(page).to_have_url(at("/account/preferences"))
    audit.page(page, "account-preferences")
    page.get_by_label("Theme").select_option("dark")
    page.get_by_label("Density").select_option("compact")
    page.get_by_label("Default language for new work").select_option("de")
    page.get_by_role("button", name="Save preferences").click()
    expect(flash(page)).to_have_text("Your preferences are saved.")
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")
    audit.page(page, "account-preferences-dark")

    page.goto(overview)
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")
    expect(page.locator("html")).to_have_attribute("data-density", "compact")
    assert background(page) == DARK_BACKGROUND
    page.goto(general)
    assert background(page) == DARK_BACKGROUND

    # New workspaces start in the default language chosen above.
    page.goto(general.replace("/general", "/workspaces"))
    expect(page.get_by_label("Language")).to_have_value("de")

    # "System" follows the browser again.
    page.goto("/account/preferences")
    page.get_by_label("Theme").select_option("system")
    page.get_by_role("button", name="Save preferences").click()
    expect(flash(page)).to_have_text("Your preferences are saved.")
    assert background(page) == LIGHT_BACKGROUND


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_widgets_move_hide_and_show_without_javascript(stack, pages, audit, javascript):
    email, general = new_account(stack, f"widgets-{'js' if javascript else 'nojs'}")
    overview = general.removesuffix("/settings/general")
    page = pages.new(stack, javascript=javascript)
    sign_in_as(page, email, PASSWORD, overview)
    audit.page(page, "overview-owner")
    expect(page.locator("nav.settings-nav a[aria-current=page]")).to_have_text("Overview")
    first = widget_titles(page).nth(0).inner_text()
    second = widget_titles(page).nth(1).inner_text()

    page.get_by_role("button", name=f"Move up: {second}").click()
    expect(flash(page)).to_have_text(f"{second} moved up.")
    expect(widget_titles(page).nth(0)).to_have_text(second)
    expect(widget_titles(page).nth(1)).to_have_text(first)

    page.get_by_role("button", name="Hide: Recent audit entries").click()
    expect(flash(page)).to_contain_text("Recent audit entries hidden.")
    expect(widget_titles(page)).not_to_contain_text(["Recent audit entries"])
    hidden = page.locator("section", has=page.get_by_role("heading", name="Hidden widgets"))
    expect(hidden).to_contain_text("Recent audit entries")
    audit.page(page, "overview-owner-hidden")
    hidden.get_by_role("button", name="Show: Recent audit entries").click()
    expect(flash(page)).to_have_text("Recent audit entries shown again.")

    page.goto("/account/preferences")
    page.get_by_role("button", name="Reset dashboard widgets").click()
    expect(flash(page)).to_contain_text("back in their default order")
    page.goto(overview)
    expect(widget_titles(page).nth(0)).to_have_text(first)


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_a_checklist_item_is_marked_reviewed_and_the_tutorial_put_away(stack, pages, audit, javascript):
    email, general = new_account(stack, f"ready-{'js' if javascript else 'nojs'}")
    overview = general.removesuffix("/settings/general")
    page = pages.new(stack, javascript=javascript)
    sign_in_as(page, email, PASSWORD, overview)

    progress = page.locator("label[for=readiness-progress]")
    before = int(re.match(r"(\d+) of", progress.inner_text()).group(1))
    item = page.locator("#check-credits")
    expect(item).to_contain_text("Needs a look")
    item.get_by_role("button", name="Mark reviewed: Credits understood").click()
    expect(flash(page)).to_have_text("“Credits understood” is marked reviewed for 90 days.")
    expect(page.locator("#check-credits")).to_contain_text("Reviewed")
    expect(progress).to_contain_text(f"{before + 1} of 5")

    # A new Owner sees the tutorial; reviewing billing above ticked its last step in SaaS mode.
    tutorial = page.locator("section.tutorial")
    expect(tutorial.get_by_role("link", name="Review billing")).to_be_visible()
    expect(tutorial.locator("li", has_text="Review billing")).to_contain_text("Done")
    expect(tutorial.locator("li", has_text="Invite the team")).not_to_contain_text("Done")
    audit.page(page, "overview-tutorial")
    tutorial.get_by_role("button", name="Dismiss the tutorial").click()
    expect(flash(page)).to_contain_text("The tutorial is put away.")
    expect(page.locator("section.tutorial")).to_have_count(0)
    page.goto("/account/preferences")
    page.get_by_role("button", name="Show tutorial again").click()
    page.goto(overview)
    expect(page.locator("section.tutorial")).to_have_count(1)


def test_the_overview_fits_a_phone(stack, pages, audit):
    email, general = new_account(stack, "overview-phone")
    overview = general.removesuffix("/settings/general")
    page = pages.new(stack, viewport=PHONE)
    sign_in_as(page, email, PASSWORD, overview)
    audit.page(page, "phone-overview")
    assert_fits(page, overview)
    page.goto("/account/preferences")
    audit.page(page, "phone-preferences")
    assert_fits(page, "/account/preferences")
