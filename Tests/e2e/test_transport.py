"""Issue 10, transport and operations: who may reach the FastCGI socket, a responder that dies
comes back while nginx answers a branded 502, stalled connections never starve the workers,
data files are the owner's alone, nginx's own pages, HEAD, and a request log that stays bounded.
Each test drives scripts/run.sh, which is what `make run` starts."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import time
from pathlib import Path

import pytest

from transport_support import RunScript, connect_as_nobody, fetch, h1, stall

LOG_LIMIT = 200_000


@pytest.fixture(scope="module")
def run():
    started = RunScript.start(WHEELHOUSE_LOG_MAX_BYTES=str(LOG_LIMIT), WHEELHOUSE_IO_TIMEOUT="2")
    yield started
    started.stop()
    started.remove()


def test_only_the_owner_and_nginx_reach_the_socket(run):
    info = run.socket_path.stat()
    assert stat.S_ISSOCK(info.st_mode)
    assert stat.S_IMODE(info.st_mode) == 0o660, oct(info.st_mode)
    assert info.st_uid == os.getuid()
    directory = run.socket_path.parent.stat()
    assert stat.S_IMODE(directory.st_mode) == 0o700 and directory.st_uid == os.getuid()
    # Any other local user (nobody) is refused; nginx's workers (this user) get through.
    assert connect_as_nobody(run.socket_path) == "PermissionError 13"
    assert fetch(run.url("/login"))[0] == 200


def test_data_directory_and_every_file_are_the_owners_alone(run):
    assert stat.S_IMODE(run.data_dir.stat().st_mode) == 0o700
    assert list((run.data_dir / "mail").glob("*.eml")), "the demo invitation's mail should be in mail/"
    wide = []
    for path in [run.data_dir, *run.data_dir.rglob("*")]:
        mode = stat.S_IMODE(path.lstat().st_mode)
        allowed = 0o660 if path == run.socket_path else 0o700 if path.is_dir() else 0o600
        if mode & ~allowed:
            wide.append(f"{oct(mode)} {path}")
    assert not wide, "readable by others:\n" + "\n".join(wide)


def test_stalled_connections_do_not_hold_the_workers(run):
    stalled = stall(run.socket_path, 12)  # three times the 4 workers
    try:
        started = time.monotonic()
        status, _, _ = fetch(run.url("/login"), timeout=10)
        assert status == 200
        assert time.monotonic() - started < 1.5, "a request waited behind stalled connections"
        time.sleep(3)  # WHEELHOUSE_IO_TIMEOUT=2
        for s in stalled:
            s.settimeout(1)
            try:
                assert s.recv(16) == b"", "a stalled connection got an answer"
            except ConnectionResetError:
                pass  # closed with unread bytes: also closed
    finally:
        for s in stalled:
            s.close()


def test_nginx_pages_head_and_server_tokens(run):
    status, headers, body = fetch(run.url("/login"), method="HEAD")
    assert status == 200 and body == b""
    assert int(headers["Content-Length"]) > 1000
    assert headers["Server"] == "nginx", "no version in the Server header"
    status, headers, body = fetch(run.url("/static/missing.css"))
    assert status == 404 and h1(body) == "Page not found" and headers["Server"] == "nginx"
    status, _, body = fetch(run.url("/" + "a" * 9000))
    assert status == 414 and h1(body) == "Address too long"
    status, _, body = fetch(run.url("/orgs/demo/settings/general?x=" + "b" * 100), method="HEAD")
    assert status == 303 and body == b""


def test_request_log_stays_bounded_and_reopens_on_sighup(run):
    log = run.data_dir / "wheelhouse.log"
    for _ in range(2500):  # about 100 bytes of log each: past the limit
        fetch(run.url("/login"), method="HEAD")
    rotated = run.data_dir / "wheelhouse.log.1"
    assert rotated.exists(), "the log never moved to wheelhouse.log.1"
    assert log.stat().st_size < LOG_LIMIT + 1000 and rotated.stat().st_size < LOG_LIMIT + 1000
    # logrotate's way: move the file, then SIGHUP; the responder writes a new one.
    moved = run.data_dir / "wheelhouse.log.moved"
    log.rename(moved)
    os.kill(run.responder(), signal.SIGHUP)
    time.sleep(0.3)
    fetch(run.url("/login?after=hup"))
    assert "GET /login 200" in log.read_text(), "no new log after SIGHUP"
    assert run.process.poll() is None


def test_a_killed_responder_comes_back_while_nginx_answers_502(run):
    first = run.responder()
    os.kill(first, signal.SIGKILL)
    seen, started = [], time.monotonic()
    while time.monotonic() - started < 10:
        status, _, body = fetch(run.url("/login"))
        seen.append(status)
        if status == 502:
            assert h1(body) == "The console is restarting"
        if status == 200 and len(seen) > 1:
            break
        time.sleep(0.02)
    assert 502 in seen, f"nginx should have answered 502 while the responder was down: {seen}"
    assert seen[-1] == 200, f"the console did not come back within 10 s: {seen[-5:]}"
    assert time.monotonic() - started < 5, "the responder took more than 5 s to come back"
    assert run.responder() != first


def test_interrupt_stops_everything_cleanly():
    started = RunScript.start()
    try:
        pids = started.all_pids()
        assert len(pids) >= 4, f"run.sh, supervisor, responder, nginx: {pids}"
        assert started.stop() == 0, started.output()
        time.sleep(0.3)
        left = [p for p in pids if Path(f"/proc/{p}").exists()]
        assert not left, f"still running after run.sh stopped: {left}"
        assert "Stopped." in started.output()
    finally:
        started.stop()
        started.remove()


def test_hsts_on_nginx_pages_when_the_address_is_https(tmp_path: Path):
    from conftest import ROOT, free_port
    port = free_port()
    env = dict(os.environ, WHEELHOUSE_BASE_URL=f"https://127.0.0.1:{port}")
    subprocess.run([str(ROOT / "scripts" / "nginx-config.sh"), str(tmp_path), str(port),
                    f"unix:{tmp_path}/nobody-listens.sock"], check=True, env=env)
    nginx = subprocess.Popen(["nginx", "-c", str(tmp_path / "nginx.conf"), "-p", str(tmp_path)])
    try:
        for _ in range(100):
            try:
                status, headers, _ = fetch(f"http://127.0.0.1:{port}/static/app.css")
                break
            except OSError:
                time.sleep(0.05)
        assert status == 200 and headers.get("Strict-Transport-Security") == "max-age=31536000"
        status, headers, body = fetch(f"http://127.0.0.1:{port}/login")
        assert status == 502 and h1(body) == "The console is restarting"
        assert headers.get("Strict-Transport-Security") == "max-age=31536000"
    finally:
        nginx.terminate()
        nginx.wait(timeout=20)
