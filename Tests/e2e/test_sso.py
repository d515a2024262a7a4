"""Single sign-on end to end: nginx, the real responder and its SSO worker, Chromium, and a real
OpenID Connect provider from PyPI (oidc-provider-mock, run as its own process on a loopback port;
the stack allows outbound calls to 127.0.0.0/8).

Each test makes its own organization with `wheelhouse create-owner`, whose Owner's address is in a
domain of that test's own (so no test's enforcement reaches another test's people). The SSO
configuration is entered through the browser. The domain's verification is a set-up step: DNS
TXT lookups need a resolver the e2e stack does not run, so the test writes the verified
`ssoDomain` row into the stack's SQLite file (what `AppDatabase.seedSSODomain` does for the demo).

The provider's authorize page takes any subject; its claims (email, email_verified) are put
beforehand through its `PUT /users/{sub}`.
"""

from __future__ import annotations

import json
import re
import secrets
import sqlite3
import subprocess
import sys
import time
import urllib.request
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import parse_qs, quote, urlencode, urlsplit, urlunsplit

import pytest
from playwright.sync_api import Page, expect

from conftest import PASSWORD, free_port
from test_general import at, flash

STARTUP_SECONDS = 30


class Provider:
    """oidc-provider-mock on 127.0.0.1:<free port>, started with the venv's Python."""

    def __init__(self, log: Path):
        self.port = free_port()
        self.log = open(log, "ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "oidc_provider_mock", "--host", "127.0.0.1", "--port", str(self.port)],
            stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"the OIDC provider exited at start; see {log}"
            try:
                with urllib.request.urlopen(self.issuer + "/.well-known/openid-configuration", timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.1)
        pytest.fail(f"the OIDC provider did not answer within {STARTUP_SECONDS}s; see {log}")

    @property
    def issuer(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def person(self, email: str) -> None:
        """The claims the provider puts in the ID token for the subject `email`."""
        body = json.dumps({"email": email, "email_verified": True, "name": email.split("@")[0].title()}).encode()
        request = urllib.request.Request(f"{self.issuer}/users/{quote(email, safe='')}", data=body, method="PUT",
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=5) as r:
            assert r.status == 204

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


@pytest.fixture(scope="module")
def provider(artifacts_dir):
    started = Provider(artifacts_dir / "logs" / "oidc-provider.log")
    yield started
    started.stop()


def sso_org(stack, key: str) -> tuple[str, str]:
    """A fresh organization whose Owner is owner@<key>.sso.test, that domain verified: (email, domain)."""
    domain = f"{key}.sso.test"
    email = f"owner@{domain}"
    stack.run_cli("create-owner", "--email", email, "--name", "Olive Owner", "--password", PASSWORD,
                  "--org-key", key, "--org-name", f"Org {key}")
    now = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.000")
    with sqlite3.connect(stack.data_dir / "wheelhouse.sqlite", timeout=10) as db:
        (org_id,) = db.execute("SELECT id FROM organization WHERE key = ?", (key,)).fetchone()
        db.execute("INSERT INTO ssoDomain (orgId, domain, token, state, lastAnswer, lastCheckedAt, verifiedAt, createdAt) "
                   "VALUES (?, ?, ?, 'verified', 'verified by the e2e set-up', ?, ?, ?)",
                   (org_id, domain, secrets.token_hex(16), now, now, now))
    db.close()
    return email, domain


def password_sign_in(page: Page, email: str, lands_on: str) -> None:
    page.goto("/login?next=" + quote(lands_on, safe=""))
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page).to_have_url(at(lands_on))


def configure(page: Page, key: str, provider: Provider, audit, jit: bool = False) -> None:
    """Enters the provider on the SSO page (signed in as the Owner) and waits for its discovery."""
    sso = f"/orgs/{key}/settings/sso"
    page.goto(sso)
    page.get_by_label("Issuer URL", exact=True).fill(provider.issuer)
    page.get_by_label("Client ID", exact=True).fill(f"wheelhouse-{key}")
    page.get_by_label("Client secret", exact=True).fill("e2e-client-secret-" + key)
    if jit:
        page.get_by_label("Just-in-time joining", exact=True).select_option("on")
    page.get_by_role("button", name="Save configuration", exact=True).click()
    expect(flash(page)).to_contain_text("SSO configuration saved.")
    deadline = time.monotonic() + 20
    while not page.get_by_text("Discovery succeeded").is_visible():
        assert time.monotonic() < deadline, "the discovery did not succeed within 20s"
        time.sleep(0.3)
        page.goto(sso)
    expect(page.locator(".sso-discovery dd").last).to_contain_text("RS256")
    audit.page(page, "sso-configured")


def authorize(page: Page, provider: Provider, email: str) -> None:
    """On the provider's page: authenticate as `email`."""
    expect(page).to_have_url(re.compile(r"^" + re.escape(provider.issuer) + r"/oauth2/authorize\?"))
    page.get_by_placeholder("sub").fill(email)
    page.get_by_role("button", name="Authorize", exact=True).click()


def callback_url(page: Page, provider: Provider, email: str) -> str:
    """Authorizes as `email` without following the provider's redirect: the callback URL it names."""
    expect(page).to_have_url(re.compile(r"^" + re.escape(provider.issuer) + r"/oauth2/authorize\?"))
    answer = page.request.post(page.url, form={"sub": email}, max_redirects=0)
    assert answer.status == 302, f"the provider answered {answer.status}"
    location = answer.headers["location"]
    assert re.match(r"^http://127\.0\.0\.1:\d+/sso/callback\?", location), location
    return location


def start_sso(page: Page, who: str) -> None:
    """The sign-in page's "Sign in with SSO" form."""
    page.goto("/login")
    page.get_by_label("Work email or organization key", exact=True).fill(who)
    page.get_by_role("button", name="Sign in with SSO", exact=True).click()


def problem(page: Page):
    return page.locator("p.sso-problem")


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_a_member_of_a_verified_domain_signs_in_with_sso(stack, provider, pages, audit, javascript):
    key = f"ssohappy-{'js' if javascript else 'nojs'}"
    email, _ = sso_org(stack, key)
    admin = pages.new(stack)
    password_sign_in(admin, email, f"/orgs/{key}/settings/general")
    configure(admin, key, provider, audit)

    provider.person(email)
    page = pages.new(stack, javascript=javascript)
    start_sso(page, email)
    authorize(page, provider, email)
    # The wait page refreshes by itself (meta refresh, no script) until the worker is done.
    expect(page).to_have_url(re.compile(rf"^http://127\.0\.0\.1:\d+/orgs/{key}(/.*)?$"), timeout=20_000)
    expect(page.locator("header .whoami")).to_contain_text("Signed in as Olive Owner")
    audit.page(page, "signed-in")


def test_a_tampered_state_is_refused(stack, provider, pages, audit):
    key = "ssostate"
    email, _ = sso_org(stack, key)
    admin = pages.new(stack)
    password_sign_in(admin, email, f"/orgs/{key}/settings/general")
    configure(admin, key, provider, audit)

    provider.person(email)
    page = pages.new(stack)
    start_sso(page, key)
    url = urlsplit(callback_url(page, provider, email))
    query = parse_qs(url.query)
    query["state"] = ["X" + query["state"][0][1:]]
    page.goto(urlunsplit(url._replace(query=urlencode(query, doseq=True))))
    expect(problem(page)).to_have_text(re.compile(r"^This sign-in is unknown \(wrong or forged state\)"))
    audit.page(page, "wrong-state", status=400)
    page.goto(f"/orgs/{key}/settings/general")
    expect(page).to_have_url(re.compile(r"^http://127\.0\.0\.1:\d+/login(\?.*)?$"))


def test_a_replayed_callback_is_refused(stack, provider, pages, audit):
    key = "ssoreplay"
    email, _ = sso_org(stack, key)
    admin = pages.new(stack)
    password_sign_in(admin, email, f"/orgs/{key}/settings/general")
    configure(admin, key, provider, audit)

    provider.person(email)
    page = pages.new(stack)
    start_sso(page, key)
    callback = callback_url(page, provider, email)
    page.goto(callback)
    expect(page).to_have_url(re.compile(rf"^http://127\.0\.0\.1:\d+/orgs/{key}(/.*)?$"), timeout=20_000)
    page.goto(callback)
    expect(problem(page)).to_have_text(re.compile(r"^This sign-in (was already used|is unknown)"))
    audit.page(page, "replayed", status=400)


def test_an_email_outside_the_verified_domains_is_refused(stack, provider, pages, audit):
    key = "ssostranger"
    email, _ = sso_org(stack, key)
    admin = pages.new(stack)
    password_sign_in(admin, email, f"/orgs/{key}/settings/general")
    configure(admin, key, provider, audit, jit=True)

    stranger = "stranger@elsewhere.test"
    provider.person(stranger)
    page = pages.new(stack)
    start_sso(page, key)
    authorize(page, provider, stranger)
    expect(problem(page)).to_have_text(
        re.compile(r"^stranger@elsewhere\.test is not in a verified domain of Org ssostranger"), timeout=20_000)
    audit.page(page, "outside-domain", status=403)
    page.goto(f"/orgs/{key}/settings/general")
    expect(page).to_have_url(re.compile(r"^http://127\.0\.0\.1:\d+/login(\?.*)?$"))


def save_enforcement(page: Page, enforce: str, break_glass: str = "Nobody") -> None:
    page.get_by_role("combobox", name="Enforce SSO", exact=True).select_option(enforce)
    page.get_by_label("Break-glass Owner 1", exact=True).select_option(label=break_glass)
    page.get_by_role("button", name="Save enforcement", exact=True).click()


def test_enforcement_needs_a_test_sign_in_then_refuses_passwords_and_audits_break_glass(stack, provider, pages, audit):
    key = "ssoenforce"
    email, _ = sso_org(stack, key)
    sso = f"/orgs/{key}/settings/sso"
    owner = pages.new(stack)
    password_sign_in(owner, email, f"/orgs/{key}/settings/general")
    configure(owner, key, provider, audit)

    save_enforcement(owner, "on")
    expect(owner.locator("#error-summary")).to_contain_text("Run a successful test sign-in first")
    audit.page(owner, "enforce-refused", status=422)

    provider.person(email)
    owner.goto(sso)
    owner.get_by_role("button", name="Test sign-in", exact=True).click()
    authorize(owner, provider, email)
    expect(owner).to_have_url(at(sso), timeout=20_000)
    expect(flash(owner)).to_have_text(f"Test sign-in succeeded as {email}. You may enforce SSO within the hour.")

    save_enforcement(owner, "on")
    expect(flash(owner)).to_have_text("SSO is enforced: verified-domain addresses sign in through the provider.")
    audit.page(owner, "enforced")

    other = pages.new(stack)
    other.goto("/login")
    other.get_by_label("Email", exact=True).fill(email)
    other.get_by_label("Password", exact=True).fill(PASSWORD)
    other.get_by_role("button", name="Sign in", exact=True).click()
    expect(other.locator("#error-summary")).to_contain_text(
        f"Org {key} signs in with single sign-on for this address: use “Sign in with SSO” below")
    expect(other.locator("#error-summary")).to_contain_text(f"/sso/start?who={key}")
    audit.page(other, "password-refused", status=403)

    owner.goto(sso)
    save_enforcement(owner, "on", break_glass=f"Olive Owner ({email}) — no two-factor")
    expect(flash(owner)).to_have_text("SSO is enforced: verified-domain addresses sign in through the provider.")

    rescuer = pages.new(stack)
    password_sign_in(rescuer, email, f"/orgs/{key}/settings/general")
    rescuer.goto(f"/orgs/{key}/settings/audit?action=sso.breakGlass")
    expect(rescuer.locator("main")).to_contain_text(f"{email} signed in with a password while SSO is enforced (break-glass)")
    audit.page(rescuer, "break-glass-audited")


def test_the_demo_config_command_points_an_organization_at_the_provider(stack, provider, pages, audit):
    """`wheelhouse sso demo-config` (what `make run SSO=demo` runs): saved as on the page, JIT on,
    so a new address of the verified domain joins as Member at its first sign-in."""
    key = "ssocli"
    email, domain = sso_org(stack, key)
    out = stack.run_cli("sso", "demo-config", "--org", key, "--as", email, "--issuer", provider.issuer,
                        "--client-id", "wheelhouse-cli", "--client-secret", "cli-client-secret")
    assert f"SSO of {key} points at {provider.issuer} (client wheelhouse-cli)" in out

    newcomer = f"newcomer@{domain}"
    provider.person(newcomer)
    page = pages.new(stack)
    deadline = time.monotonic() + 20
    while True:  # the discovery is fetched by serve's worker after the command queued it
        start_sso(page, newcomer)
        if re.match(re.escape(provider.issuer), page.url) or time.monotonic() > deadline:
            break
        time.sleep(0.3)
    authorize(page, provider, newcomer)
    expect(page).to_have_url(re.compile(rf"^http://127\.0\.0\.1:\d+/orgs/{key}(/.*)?$"), timeout=20_000)
    expect(page.locator("header .whoami")).to_contain_text("Signed in as Newcomer")
    audit.page(page, "joined")
