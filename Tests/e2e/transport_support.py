"""`make run` as a test fixture: scripts/run.sh on a free port and a temporary data directory,
with helpers to find its processes and to talk to the socket directly."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from conftest import BINARY, ROOT, free_port


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def fetch(url: str, method: str = "GET", timeout: float = 5) -> tuple[int, dict[str, str], bytes]:
    """Status, headers and body of one request (redirects not followed); error statuses are
    returned, not raised."""
    request = urllib.request.Request(url, method=method)
    try:
        with _opener.open(request, timeout=timeout) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def h1(body: bytes) -> str:
    found = re.search(rb"<h1>(.*?)</h1>", body)
    return found.group(1).decode() if found else ""


def children(pid: int) -> list[int]:
    done = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True)
    return [int(p) for p in done.stdout.split()]


def command(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except FileNotFoundError:
        return ""


@dataclass
class RunScript:
    """scripts/run.sh (what `make run` starts), in its own session so a test can signal it."""
    data_dir: Path
    port: int
    process: subprocess.Popen

    @classmethod
    def start(cls, **extra: str) -> "RunScript":
        assert BINARY.exists(), f"{BINARY} is missing: build it first (make e2e does)"
        data_dir = Path(tempfile.mkdtemp(prefix="wh-e2e-run-")) / "data"
        port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("WHEELHOUSE_")}
        env.update(PORT=str(port), WHEELHOUSE_DATA_DIR=str(data_dir), WHEELHOUSE_BIN=str(BINARY), **extra)
        log = open(data_dir.parent / "run.out", "wb")
        process = subprocess.Popen([str(ROOT / "scripts" / "run.sh")], cwd=ROOT, env=env, stdout=log,
                                   stderr=subprocess.STDOUT, start_new_session=True)
        run = cls(data_dir, port, process)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert process.poll() is None, f"run.sh exited with {process.returncode}:\n{run.output()}"
            try:
                if fetch(run.url("/login"), timeout=2)[0] == 200:
                    return run
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.1)
        run.stop()
        raise AssertionError(f"make run did not answer within 60 s:\n{run.output()}")

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    @property
    def socket_path(self) -> Path:
        return self.data_dir / "run" / "wheelhouse.sock"

    def output(self) -> str:
        return (self.data_dir.parent / "run.out").read_text(errors="replace")

    def supervisor(self) -> int:
        found = [p for p in children(self.process.pid) if "supervise.sh" in command(p)]
        assert len(found) == 1, f"expected one supervisor under run.sh, found {found}"
        return found[0]

    def responder(self) -> int:
        found = [p for p in children(self.supervisor()) if command(p).split(" ")[:2] == [str(BINARY), "serve"]]
        assert len(found) == 1, f"expected one responder under the supervisor, found {found}"
        return found[0]

    def all_pids(self) -> list[int]:
        pids, queue = [], [self.process.pid]
        while queue:
            pid = queue.pop()
            pids.append(pid)
            queue.extend(children(pid))
        return pids

    def stop(self) -> int:
        """Ctrl-C's equivalent for a script in the background: SIGTERM to run.sh; its exit code."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        return self.process.returncode

    def remove(self) -> None:
        if not os.environ.get("WHEELHOUSE_E2E_KEEP"):
            shutil.rmtree(self.data_dir.parent, ignore_errors=True)


def connect_as_nobody(path: Path) -> str:
    """What connecting to the unix socket `path` gives the user nobody: 'connected' or the error."""
    script = ("import socket,sys\ns=socket.socket(socket.AF_UNIX)\ntry:\n s.connect(sys.argv[1]); print('connected')\n"
              "except OSError as e:\n print(e.__class__.__name__, e.errno)")
    done = subprocess.run(["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
                           "/usr/bin/python3", "-c", script, str(path)], capture_output=True, text=True, timeout=20)
    return (done.stdout + done.stderr).strip()


def stall(path: Path, count: int) -> list[socket.socket]:
    """`count` connections to the responder's socket: half of them send nothing, half send the
    first 4 bytes of a record header."""
    opened = []
    for index in range(count):
        s = socket.socket(socket.AF_UNIX)
        s.connect(str(path))
        if index % 2:
            s.sendall(b"\x01\x01\x00\x01")
        opened.append(s)
    return opened
