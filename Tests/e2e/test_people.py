"""People through nginx and the real responder, in Chromium: the solo-organization banner, an
invitation delivered by real mail (msmtp into an aiosmtpd sink) and accepted from the email's
link, member controls, teams and workspace access, with and without JavaScript."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from conftest import ADMIN, MEMBER, OWNER, PASSWORD
from test_general import at, flash, sign_in

MEMBERS = "/orgs/demo/settings/members"


def invite_banner(page: Page):
    return page.get_by_role("link", name="Invite team")


def test_solo_owner_invites_by_email_and_the_invitee_accepts(stack, mail_sink, pages, audit):
    stack.run_cli("create-owner", "--email", "solo@e2e.test", "--name", "Solo Owner", "--password", PASSWORD,
                  "--org-key", "solo-e2e", "--org-name", "Solo E2E")
    general = "/orgs/solo-e2e/settings/general"
    owner = pages.new(stack)
    sign_in(owner, "solo@e2e.test", lands_on=general)
    audit.page(owner, "solo-general")
    expect(invite_banner(owner)).to_be_visible()

    invite_banner(owner).click()
    # `autofocus` puts the cursor in the field without JavaScript; a URL fragment would stop
    # browsers from honouring it, so the banner links to `?invite=1` (app.js also handles `#invite`).
    expect(owner).to_have_url(re.compile(r"/orgs/solo-e2e/settings/members\?invite=1$"))
    expect(owner.get_by_label("Email addresses")).to_be_focused()
    audit.page(owner, "solo-members-invite")
    owner.get_by_label("Email addresses").fill("friend@e2e.test")
    owner.get_by_role("button", name="Send invitations").click()
    expect(flash(owner)).to_have_text("Invitation sent to friend@e2e.test.")
    audit.page(owner, "solo-members-invited")
    expect(invite_banner(owner)).to_have_count(0)

    message = mail_sink.wait_for("friend@e2e.test")
    assert "Subject: You are invited to join Solo E2E on Wheelhouse" in message
    link = re.search(r"(http://127\.0\.0\.1:\d+/invitations/[A-Za-z0-9_-]+)", message).group(1)
    stack.secrets.add(link.rsplit("/", 1)[1])  # the token must never reach the responder's log
    stored = owner.locator("input.copy-source").input_value()
    assert stored == link, "the link an admin can copy is the one in the email"

    guest = pages.new(stack)  # a clean session: nobody signed in
    guest.goto(link)
    audit.page(guest, "invitation-new-account")
    guest.get_by_label("Your name").fill("Fran Friend")
    guest.get_by_label("Choose a password").fill("a long enough password")
    guest.get_by_role("button", name="Create account and join").click()
    # The account is usable only once the address is confirmed from a second emailed link.
    expect(guest.get_by_role("heading", name="Check your email")).to_be_visible()
    audit.page(guest, "invitation-check-email")
    confirmation = mail_sink.wait_for("friend@e2e.test", subject="Confirm your email address")
    confirm_link = re.search(r"(http://127\.0\.0\.1:\d+/confirm/[A-Za-z0-9_-]+)", confirmation).group(1)
    stack.secrets.add(confirm_link.rsplit("/", 1)[1])
    guest.goto(confirm_link)
    audit.page(guest, "confirmation")
    guest.get_by_label("Password", exact=True).fill("a long enough password")
    guest.get_by_role("button", name="Confirm and sign in").click()
    expect(guest).to_have_url(at(general))
    expect(flash(guest)).to_have_text("Email address confirmed. Welcome!")
    audit.page(guest, "invitation-joined")

    owner.goto(general)
    audit.page(owner, "solo-general-after")
    expect(invite_banner(owner)).to_have_count(0)
    owner.goto("/orgs/solo-e2e/settings/members")
    expect(owner.locator("table.members")).to_contain_text("Fran Friend")

    guest.goto(link)
    expect(guest.get_by_text("You have already joined.")).to_be_visible()
    stranger = pages.new(stack)
    stranger.goto(link)
    audit.page(stranger, "invitation-used", status=410)


def assert_error_summary_in_view(page: Page, target: str) -> None:
    """The refused page starts with the error summary: focused, inside the first viewport, and
    its link leads to the control in error."""
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    box = summary.bounding_box()
    viewport = page.viewport_size
    assert box is not None and viewport is not None
    assert -1 <= box["y"] and box["y"] + box["height"] <= viewport["height"], f"summary at {box}, viewport {viewport}"
    link = summary.locator(f'a[href="{target}"]')
    expect(link).to_have_count(1)
    link.click()
    expect(page.locator(target)).to_be_in_viewport()


def test_last_owner_leave_without_javascript_shows_the_summary_first(stack, pages, audit):
    page = pages.new(stack, javascript=False)
    sign_in(page, OWNER, lands_on="/orgs/demo/settings/members?page=1")
    page.get_by_role("button", name=re.compile(r"^Leave ")).click()
    audit.page(page, "members-last-owner-no-js", status=422)
    assert_error_summary_in_view(page, "#problem-leave")


def test_invite_without_javascript_reports_each_bad_address(stack, pages, audit):
    page = pages.new(stack, javascript=False)
    sign_in(page, ADMIN, lands_on=MEMBERS)
    audit.page(page, "members-no-js")
    page.get_by_label("Email addresses").fill("nojs@e2e.test, not-an-email\nmember@demo.test")
    page.get_by_role("button", name="Send invitations").click()
    audit.page(page, "members-no-js-refused", status=422)
    expect(page.locator("#emails-error")).to_contain_text("not-an-email is not a valid email address.")
    expect(page.locator("#emails-error")).to_contain_text("member@demo.test is already a member.")
    expect(page.get_by_label("Email addresses")).to_have_value("not-an-email\nmember@demo.test")
    expect(page.get_by_text("Invited: nojs@e2e.test.")).to_be_visible()


def test_owner_changes_a_role_and_an_admin_is_refused_on_the_owner(stack, pages, audit):
    owner = pages.new(stack)
    sign_in(owner, OWNER, lands_on=MEMBERS + "?q=support")
    audit.page(owner, "members-search")
    expect(owner.locator("table.members tbody tr")).to_have_count(1)
    owner.get_by_label("Role of Sam Support").select_option("admin")
    owner.get_by_role("button", name="Change role").click()
    expect(flash(owner)).to_have_text("Role changed to Admin.")
    owner.get_by_role("button", name=re.compile(r"^Leave ")).click()
    audit.page(owner, "members-last-owner", status=422)
    expect(owner.locator("#problem-leave")).to_have_text(re.compile("The last Owner cannot be removed, demoted or leave."))
    assert_error_summary_in_view(owner, "#problem-leave")

    admin = pages.new(stack)
    sign_in(admin, ADMIN, lands_on=MEMBERS)
    expect(admin.get_by_label("Role of Olivia Owner")).to_have_count(0)


def test_teams_and_workspace_access(stack, pages, audit):
    owner = pages.new(stack)
    sign_in(owner, OWNER, lands_on="/orgs/demo/settings/teams")
    audit.page(owner, "teams")
    expect(owner.locator("main table")).to_contain_text("Engineering")
    owner.get_by_label("Team name").fill("Evaluation")
    owner.get_by_role("button", name="Create team").click()
    expect(flash(owner)).to_have_text("Team “Evaluation” created.")
    audit.page(owner, "team-new")
    owner.get_by_label("Add member").select_option(label="Dana Developer (dev@demo.test)")
    owner.get_by_role("button", name="Add", exact=True).click()
    expect(owner.locator("main ul.plain-list").first).to_contain_text("Dana Developer")

    owner.goto("/orgs/demo/settings/workspaces")
    audit.page(owner, "workspaces")
    expect(owner.locator("ul.cards > li")).to_have_count(4)  # her default workspace, two shared and an archived one
    expect(owner.locator("ul.cards > li", has_text="Pilot 2025")).to_contain_text("Archived")
    owner.get_by_role("link", name="Research").click()
    audit.page(owner, "workspace-research")
    owner.get_by_label("Grant access to").select_option(label="Team Evaluation")
    owner.get_by_label("Level", exact=True).select_option("read")
    owner.get_by_role("button", name="Grant").click()
    expect(flash(owner)).to_have_text("Access updated.")
    expect(owner.locator("main table")).to_contain_text("Evaluation")

    # Mia Member administers Support bots: she manages its access, and sees no Research controls.
    member = pages.new(stack, javascript=False)
    sign_in(member, MEMBER, lands_on="/orgs/demo/settings/workspaces/support-bots")
    audit.page(member, "workspace-admin-member")
    expect(member.get_by_role("button", name="Grant")).to_be_visible()
    member.goto("/orgs/demo/settings/workspaces/research")
    audit.page(member, "workspace-hidden-from-member", status=404)
