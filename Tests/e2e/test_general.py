"""What a person does on the General tab, through nginx and the real responder, in Chromium.

The tests share one SaaS console (and one enterprise console for the enterprise test); each one
signs in on its own and does not depend on another test having run. Every page looked at goes
through `audit.page`, which checks its status, runs axe (light and dark) and has it validated.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import struct
import zlib
from urllib.parse import parse_qs, quote, urlsplit

from playwright.sync_api import Page, expect

from conftest import ADMIN, ARTIFACTS, MEMBER, OWNER, PASSWORD, ROOT

GENERAL = "/orgs/demo/settings/general"
BILLING = "/orgs/demo/settings/billing"


def at(path: str) -> re.Pattern:
    """The page's URL is exactly this path on the console (no query)."""
    return re.compile(r"^http://127\.0\.0\.1:\d+" + re.escape(path) + "$")


def sign_in(page: Page, email: str, lands_on: str = GENERAL) -> None:
    """Signs in through the form. `next` names the page: without it the console opens the person's
    first organization by display name, which other tests' renames can change."""
    page.goto("/login?next=" + quote(lands_on, safe=""))
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page).to_have_url(at(lands_on))


def save(page: Page) -> None:
    page.get_by_role("button", name="Save changes").click()


def png(size: int = 64) -> bytes:
    """A real PNG: a blue ring on white, RGB, 8 bits, built with zlib and struct."""
    rows = []
    centre, outer, inner = (size - 1) / 2, size * 0.45, size * 0.3
    for y in range(size):
        row = bytearray(b"\x00")  # filter: none
        for x in range(size):
            d = ((x - centre) ** 2 + (y - centre) ** 2) ** 0.5
            row += bytes((11, 92, 173)) if inner <= d <= outer else b"\xff\xff\xff"
        rows.append(bytes(row))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"".join(rows)))
            + chunk(b"IEND", b""))


def flash(page: Page):
    return page.locator("div.flash.flash-success[role=status]")


def nav_links(page: Page):
    return page.locator("nav.settings-nav a")


# ---------------------------------------------------------------------------------------------


def test_general_page_screenshots_light_and_dark(stack, pages, audit):
    """Screenshots for people and the README, in the seeded state; the dark theme really is dark."""
    shots = {}
    for scheme in ("light", "dark"):
        page = pages.new(stack, color_scheme=scheme)
        sign_in(page, OWNER)
        audit.page(page, f"general-{scheme}")
        expect(page.get_by_role("heading", level=1)).to_have_text("General")
        background = page.evaluate("getComputedStyle(document.body).backgroundColor")
        red, green, blue = map(int, re.findall(r"\d+", background)[:3])
        brightness = (red + green + blue) / 3
        assert (brightness > 200) if scheme == "light" else (brightness < 60), f"{scheme} background is {background}"
        shots[scheme] = ARTIFACTS / f"general-{scheme}.png"
        page.screenshot(path=str(shots[scheme]), full_page=True)
        assert shots[scheme].read_bytes().startswith(b"\x89PNG")
    assert shots["light"].read_bytes() != shots["dark"].read_bytes()
    # The README's picture is refreshed on request only, so a test run leaves the tree clean.
    if os.environ.get("UPDATE_SCREENSHOTS") == "1":
        readme_copy = ROOT / "docs" / "screenshots" / "general.png"
        readme_copy.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shots["light"], readme_copy)


def test_owner_signs_in_by_keyboard_and_renames_the_organization(stack, pages, audit):
    page = pages.new(stack)
    page.goto("/login?next=" + quote(GENERAL, safe=""))
    audit.page(page, "login")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to Wheelhouse")
    # Keyboard alone: the email field has the focus, Tab reaches the password, Enter submits.
    expect(page.get_by_label("Email", exact=True)).to_be_focused()
    page.keyboard.type(OWNER)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Password")).to_be_focused()
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page).to_have_url(at(GENERAL))
    audit.page(page, "general-owner")

    expect(page.get_by_role("heading", level=1)).to_have_text("General")
    expect(page.locator("dl.stats dt")).to_have_text(["Members", "Workspaces", "Created"])
    expect(page.locator("dl.stats dd").first).to_have_text("5")
    expect(nav_links(page)).to_have_text(["Overview", "General", "Members", "Teams", "Workspaces", "Secrets", "Providers", "API keys", "Chat models",
                                          "Usage", "Billing", "Audit log", "Privacy", "Compliance", "Integrations", "SSO"])
    expect(nav_links(page).nth(1)).to_have_attribute("aria-current", "page")
    expect(page.locator("details.org-switcher li")).to_have_count(3)  # two organizations and "New organization…"
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()

    display_name = page.get_by_label("Display name")
    old_name = display_name.input_value()
    new_name = "Demo Robotics Europe" if old_name != "Demo Robotics Europe" else "Demo Robotics Asia"
    display_name.fill(new_name)
    save(page)

    expect(flash(page)).to_have_text("General settings saved.")
    expect(page).to_have_url(at(GENERAL))
    audit.page(page, "general-owner-saved")
    expect(page.locator(".org-name")).to_have_text(new_name)
    expect(display_name).to_have_value(new_name)
    expect(page.locator("details.org-switcher summary")).to_contain_text(new_name)
    expect(page).to_have_title(re.compile(re.escape(new_name)))

    page.reload()
    expect(flash(page)).to_have_count(0)  # a flash is shown once
    expect(page.locator(".org-name")).to_have_text(new_name)
    expect(display_name).to_have_value(new_name)


def test_owner_switches_organization(stack, pages, audit):
    page = pages.new(stack)
    sign_in(page, OWNER)
    switcher = page.locator("details.org-switcher")
    expect(switcher.locator("a")).to_have_count(3)
    switcher.locator("summary").click()
    expect(switcher.locator("a[aria-current=page]")).to_have_attribute("href", "/orgs/demo")
    switcher.get_by_role("link", name=re.compile("Olivia")).click()
    expect(page).to_have_url(at("/orgs/olivia-lab"))  # the switcher opens an organization's overview
    page.goto("/orgs/olivia-lab/settings/general")
    audit.page(page, "general-olivia-lab")
    expect(page.get_by_label("Org key")).to_have_value("olivia-lab")
    expect(page.locator("details.org-switcher a[aria-current=page]")).to_have_attribute("href", "/orgs/olivia-lab")


def test_logo_upload_and_a_text_file_named_logo_png(stack, pages, audit):
    page = pages.new(stack)
    sign_in(page, OWNER)
    image = png()
    page.get_by_label("Logo", exact=True).set_input_files(
        {"name": "logo.png", "mimeType": "image/png", "buffer": image})
    save(page)

    expect(flash(page)).to_have_text("General settings saved.")
    audit.page(page, "general-with-logo")
    logo = page.locator("img.org-logo")
    expect(logo).to_be_visible()
    assert logo.evaluate("img => img.complete && img.naturalWidth") == 64, "the browser could not decode the logo"
    source = logo.get_attribute("src")
    served = page.request.get(source)
    assert served.status == 200 and served.headers["content-type"] == "image/png"
    # Stored as libgd encoded it again (pixels only), under the hash of those bytes.
    assert served.body().startswith(b"\x89PNG\r\n\x1a\n")
    assert source.endswith("/" + hashlib.sha256(served.body()).hexdigest()[:32] + ".png")

    # A text file that claims to be a PNG: refused, and what was typed in the same submit stays.
    stored_name = page.get_by_label("Display name").input_value()
    typed_name = "Typed next to a bad logo"
    page.get_by_label("Display name").fill(typed_name)
    page.get_by_label("Logo", exact=True).set_input_files(
        {"name": "logo.png", "mimeType": "image/png", "buffer": b"This is plain text, not an image.\n" * 4})
    with page.expect_response(lambda r: r.request.method == "POST" and r.url.endswith(GENERAL)) as posted:
        save(page)
    assert posted.value.status == 422
    audit.page(page, "general-bad-logo", status=422)
    logo_field = page.locator(".field", has=page.get_by_label("Logo", exact=True))
    expect(logo_field).to_have_class(re.compile(r"\bfield-invalid\b"))
    expect(logo_field.locator("ul.field-errors")).to_contain_text("must be a PNG, JPEG or GIF")
    expect(page.get_by_label("Logo", exact=True)).to_have_attribute("aria-describedby", re.compile(r"\blogo-error\b"))
    expect(page.get_by_label("Display name")).to_have_value(typed_name)
    expect(flash(page)).to_have_count(0)

    # Nothing was stored: the name and the logo are the ones from before.
    page.goto(GENERAL)
    expect(page.get_by_label("Display name")).to_have_value(stored_name)
    expect(page.locator("img.org-logo")).to_have_attribute("src", source)


def test_same_edit_without_javascript(stack, pages, audit):
    page = pages.new(stack, javascript=False)
    sign_in(page, OWNER)
    audit.page(page, "general-no-js")
    new_name = "Demo Robotics (no JS)"
    description = "Saved from a browser with JavaScript turned off."
    page.get_by_label("Display name").fill(new_name)
    page.get_by_label("Description").fill(description)
    save(page)
    expect(flash(page)).to_have_text("General settings saved.")
    expect(page).to_have_url(at(GENERAL))
    audit.page(page, "general-no-js-saved")
    expect(page.locator(".org-name")).to_have_text(new_name)
    page.reload()
    expect(page.get_by_label("Display name")).to_have_value(new_name)
    expect(page.get_by_label("Description")).to_have_value(description)


def test_stale_form_is_refused_not_overwritten(stack, pages, audit):
    first = pages.new(stack)
    sign_in(first, OWNER)
    second = pages.tab(first)  # a second tab of the same person
    second.goto(GENERAL)

    first.get_by_label("Display name").fill("Demo Robotics, saved first")
    save(first)
    expect(flash(first)).to_have_text("General settings saved.")

    second.get_by_label("Display name").fill("Demo Robotics, from a stale form")
    save(second)
    audit.page(second, "general-stale", status=409)
    summary = second.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Someone else saved these settings")
    # Each field someone else changed: the stored value beside the typed one.
    row = second.locator("#conflict tr", has_text="Display name")
    expect(row).to_contain_text("Demo Robotics, saved first")
    expect(row).to_contain_text("Demo Robotics, from a stale form")
    expect(second.get_by_label("Display name")).to_have_value("Demo Robotics, from a stale form")
    # Saving again without saying so still overwrites nothing.
    save(second)
    audit.page(second, "general-stale-again", status=409)
    first.goto(GENERAL)
    expect(first.get_by_label("Display name")).to_have_value("Demo Robotics, saved first")
    # Ticking the box is the deliberate overwrite.
    second.get_by_label("Replace the stored values with mine").check()
    save(second)
    expect(flash(second)).to_have_text("General settings saved.")
    expect(second.get_by_label("Display name")).to_have_value("Demo Robotics, from a stale form")


def test_member_sees_values_read_only_and_is_refused_elsewhere(stack, pages, audit):
    page = pages.new(stack)
    sign_in(page, MEMBER)
    audit.page(page, "general-member")
    expect(page.get_by_role("heading", level=1)).to_have_text("General")
    expect(page.get_by_role("button", name="Save changes")).to_have_count(0)
    expect(page.locator("form.settings-form")).to_have_count(0)
    expect(page.get_by_text("Only Owners and Admins can change these settings.")).to_be_visible()
    readonly = page.locator("dl.readonly")
    expect(readonly.locator("dt")).to_have_text(["Display name", "Description", "Org key", "Member limit", "Time zone"])
    expect(readonly.locator("dd code")).to_have_text("demo")
    expect(nav_links(page)).to_have_text(["Overview", "General", "Members", "Teams", "Workspaces", "Secrets", "Chat models"])  # no Providers, Billing or Integrations for a Member
    expect(page.locator("details.org-switcher li")).to_have_count(2)  # one organization, and "New organization…"
    shown_name = readonly.locator("dd").first.inner_text()

    # A Member's POST is refused even with a valid CSRF token, and nothing changes.
    token = page.locator("input[name=_csrf]").first.input_value()
    refused = page.request.post(GENERAL, multipart={"_csrf": token, "version": "1", "display_name": "Hijacked",
                                                    "description": "", "member_limit": "50"},
                                max_redirects=0)
    assert refused.status == 403
    assert "You need the Admin role" in refused.text()

    response = page.goto(BILLING)
    assert response.status == 403
    audit.page(page, "billing-member-403", status=403)
    expect(page.get_by_role("heading", level=1)).to_have_text("You need the Admin role")

    response = page.goto("/orgs/nope/settings/general")
    assert response.status == 404
    audit.page(page, "unknown-org-404", status=404)
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")

    page.goto(GENERAL)
    expect(page.locator("dl.readonly dd").first).to_have_text(shown_name)
    assert shown_name != "Hijacked"


def test_billing_for_owner_and_admin(stack, pages, audit):
    owner = pages.new(stack)
    sign_in(owner, OWNER)
    nav_links(owner).filter(has_text="Billing").click()
    expect(owner).to_have_url(at(BILLING))
    audit.page(owner, "billing-owner")
    expect(owner.get_by_role("heading", level=1)).to_have_text("Billing")
    expect(nav_links(owner).filter(has_text="Billing")).to_have_attribute("aria-current", "page")
    expect(owner.get_by_text("Admins can view billing")).to_have_count(0)

    admin = pages.new(stack)
    sign_in(admin, ADMIN)
    expect(admin.get_by_role("button", name="Save changes")).to_be_visible()  # Admins edit General
    admin.goto(BILLING)
    audit.page(admin, "billing-admin")
    expect(admin.get_by_text("Admins can view billing; only Owners change it.")).to_be_visible()


def test_anonymous_visit_goes_to_login_and_back_and_sign_out(stack, pages, audit):
    page = pages.new(stack)
    page.goto(GENERAL)
    parts = urlsplit(page.url)
    assert parts.path == "/login"
    assert parse_qs(parts.query) == {"next": [GENERAL]}
    audit.page(page, "login-with-next")
    expect(page.locator("input[name=next]")).to_have_value(GENERAL)

    page.get_by_label("Email", exact=True).fill(ADMIN)
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in", exact=True).click()
    audit.page(page, "login-wrong-password", status=401)
    expect(page.locator("#error-summary")).to_contain_text("The email or password is incorrect.")
    expect(page.get_by_label("Email", exact=True)).to_have_value(ADMIN)
    expect(page.get_by_label("Password")).to_have_value("")

    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page).to_have_url(at(GENERAL))

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/login\?signed_out=1$"))
    audit.page(page, "login-signed-out")
    expect(flash(page)).to_have_text("You have been signed out.")
    page.goto(GENERAL)
    expect(page).to_have_url(re.compile(r"/login\?next="))


def test_form_without_csrf_token_changes_nothing(stack, pages, audit):
    page = pages.new(stack)
    sign_in(page, OWNER)
    before = page.get_by_label("Display name").input_value()
    version = page.locator("input[name=version]").input_value()
    refused = page.request.post(GENERAL, multipart={"version": version, "display_name": "No token",
                                                    "description": "", "member_limit": "50"},
                                max_redirects=0)
    assert refused.status == 403
    assert "Form expired" in refused.text()
    page.reload()
    expect(page.get_by_label("Display name")).to_have_value(before)


def test_enterprise_mode_has_no_billing_tab(enterprise_stack, pages, audit):
    page = pages.new(enterprise_stack)
    sign_in(page, OWNER)
    audit.page(page, "general-enterprise")
    expect(nav_links(page)).to_have_text(["Overview", "General", "Members", "Teams", "Workspaces", "Secrets", "Providers", "API keys", "Chat models", "Usage",
                                          "Audit log", "Privacy", "Compliance", "Integrations", "SSO"])
    expect(page.locator("footer")).to_contain_text("Enterprise mode")

    response = page.goto(BILLING)
    assert response.status == 200
    audit.page(page, "billing-enterprise")
    expect(page.get_by_text("Billing runs through your enterprise agreement.")).to_be_visible()
    # No WHEELHOUSE_ENTERPRISE_BILLING_URL in this stack: no placeholder link, a sentence instead.
    expect(page.get_by_role("link", name="Open the enterprise agreement")).to_have_count(0)
    expect(page.get_by_text("the person who manages your organization’s contract")).to_be_visible()
    assert "example.com" not in page.content()

    member = pages.new(enterprise_stack, color_scheme="dark")
    sign_in(member, MEMBER)
    response = member.goto(BILLING)
    assert response.status == 200
    audit.page(member, "billing-enterprise-member")
    expect(member.get_by_text("Billing runs through your enterprise agreement.")).to_be_visible()
