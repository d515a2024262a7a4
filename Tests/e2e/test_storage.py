"""When the storage under the database fails (issue 10, points 22 and 23), through nginx and the
real responder: a full disk keeps every page readable and answers saves with a clear 507 page,
and recovers without a restart; a database the responder cannot write stops it at start-up with
a message naming the file."""

from __future__ import annotations

import errno
import html
import http.cookiejar
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import BINARY, OWNER, PASSWORD, ROOT, Stack, free_port

GENERAL = "/orgs/demo/settings/general"


class Browserless:
    """A cookie-keeping HTTP client that does not follow redirects."""

    class _NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    def __init__(self, base: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), self._NoRedirect)

    def request(self, path: str, fields: dict[str, str] | None = None) -> tuple[int, str]:
        data = urllib.parse.urlencode(fields).encode() if fields is not None else None
        try:
            with self.opener.open(self.base + path, data=data, timeout=20) as response:
                return response.status, response.read().decode(errors="replace")
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(errors="replace")

    @staticmethod
    def field(page: str, name: str) -> str:
        found = re.search(rf'name="{re.escape(name)}"[^>]*value="([^"]*)"', page) or \
            re.search(rf'value="([^"]*)"[^>]*name="{re.escape(name)}"', page)
        assert found, f"no {name} field on the page"
        return html.unescape(found.group(1))

    def sign_in(self) -> int:
        _, form = self.request("/login")
        status, _ = self.request("/login", {"_csrf": self.field(form, "_csrf"), "email": OWNER,
                                            "password": PASSWORD, "next": GENERAL})
        return status

    def save_description(self, text: str) -> tuple[int, str]:
        _, form = self.request(GENERAL)
        fields = {name: self.field(form, name) for name in ("_csrf", "version", "display_name", "member_limit", "time_zone")}
        fields["description"] = text
        return self.request(GENERAL, fields)


@dataclass
class DatabaseElsewhere(Stack):
    """The console with its database file in a folder of its own (a small file system here)."""
    database: Path | None = None

    def environment(self) -> dict[str, str]:
        env = super().environment()
        if self.database:
            env["WHEELHOUSE_DATABASE"] = str(self.database)
        return env


@pytest.fixture
def small_disk():
    if os.geteuid() != 0:
        pytest.skip("mounting a small file system needs root")
    mount = Path(tempfile.mkdtemp(prefix="wh-e2e-disk-"))
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=48m,mode=0700", "tmpfs", str(mount)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)
    shutil.rmtree(mount, ignore_errors=True)


def fill(directory: Path) -> Path:
    """Writes a file until the disk is full; returns it."""
    filler = directory / "filler"
    chunk = b"\0" * (1 << 20)
    with open(filler, "wb", buffering=0) as out:
        try:
            while True:
                out.write(chunk)
        except OSError as error:
            assert error.errno == errno.ENOSPC, error
    # The last, smaller pieces too, so no block is left.
    with open(filler, "ab", buffering=0) as out:
        for size in (65536, 4096, 512, 1):
            try:
                while True:
                    out.write(b"\0" * size)
            except OSError:
                pass
    return filler


def test_a_full_disk_keeps_reads_and_refuses_saves_clearly_then_recovers(small_disk):
    data_dir = Path(tempfile.mkdtemp(prefix="wh-e2e-full-"))
    stack = DatabaseElsewhere(mode="saas", data_dir=data_dir, port=free_port(), database=small_disk / "wheelhouse.sqlite")
    try:
        stack.start()
        owner, late = Browserless(stack.base_url), Browserless(stack.base_url)
        assert owner.sign_in() == 303
        assert owner.request(GENERAL)[0] == 200
        # The owner's session was last seen a while ago: the next page notes it (a write).
        with sqlite3.connect(stack.database) as db:
            db.execute("UPDATE session SET lastSeenAt = datetime('now', '-10 minutes')")
        # A WAL grown earlier (the demo's seeding) keeps its size after a checkpoint, and new
        # frames reuse it: truncated first, the next save needs fresh blocks of the full disk.
        with sqlite3.connect(stack.database) as db:
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        filler = fill(small_disk)

        # Saves fail as soon as the database needs one more byte, each with the clear page.
        refused = None
        for attempt in range(60):
            status, page = owner.save_description(f"Attempt {attempt} " + "x" * 900)
            assert status in (303, 507), f"save answered {status}:\n{page[:2000]}"
            if status == 507:
                refused = page
                break
        assert refused is not None, "the disk never filled up"
        assert "Storage is full" in refused and "nothing was saved" in refused

        # Every page still reads, the owner's included (its last-seen note cannot be written).
        for path in (GENERAL, "/orgs/demo/settings/members", "/orgs/demo/settings/usage", "/orgs/demo/settings/teams"):
            status, page = owner.request(path)
            assert status == 200, f"{path} answered {status} on a full disk:\n{page[:1500]}"
        # Signing in writes a session: refused clearly, not a generic 500.
        status, page = late.request("/login")
        assert status == 200
        assert late.sign_in() == 507
        log = (data_dir / "wheelhouse.log").read_text(errors="replace")
        assert "storage is full" in log
        assert " 500 " not in log, "no request failed with a generic 500"

        # Space comes back: saving works again without a restart.
        filler.unlink()
        status, _ = owner.save_description("Saved after the disk had room again")
        assert status == 303
        status, page = owner.request(GENERAL)
        assert status == 200 and "Saved after the disk had room again" in page
        assert late.sign_in() == 303
    finally:
        stack.stop(check=False)
        shutil.rmtree(data_dir, ignore_errors=True)


def test_a_database_it_cannot_write_stops_the_responder_at_start():
    if os.geteuid() != 0:
        pytest.skip("switching to another user needs root")
    tmp_path = Path(tempfile.mkdtemp(prefix="wh-e2e-readonly-"))
    try:
        _start_on_a_read_only_database(tmp_path)
    finally:
        shutil.rmtree(tmp_path, ignore_errors=True)


def _start_on_a_read_only_database(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("WHEELHOUSE_")}
    env.update(WHEELHOUSE_DATA_DIR=str(data_dir), WHEELHOUSE_TEMPLATES=str(ROOT / "Templates"))
    subprocess.run([str(BINARY), "migrate"], env=env, check=True, capture_output=True)
    # Everything belongs to `nobody` but the database file, which it may read and not write.
    os.chmod(tmp_path, 0o755)
    subprocess.run(["chown", "-R", "nobody:nogroup", str(data_dir)], check=True)
    database = data_dir / "wheelhouse.sqlite"
    os.chown(database, 0, 0)
    os.chmod(database, 0o644)
    # A copy of the binary `nobody` can surely reach, wherever the checkout is.
    binary = tmp_path / "wheelhouse"
    shutil.copy(BINARY, binary)
    os.chmod(binary, 0o755)
    done = subprocess.run(["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", str(binary), "serve",
                           "--listen", str(data_dir / "test.sock"), "--workers", "1"],
                          env=env, capture_output=True, text=True, timeout=30)
    assert done.returncode != 0, f"the responder started on a read-only database:\n{done.stderr}"
    assert str(database) in done.stderr, done.stderr
    assert "cannot" in done.stderr
    assert not (data_dir / "test.sock").exists()
