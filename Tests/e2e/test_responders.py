"""Issue 10, point 21: three responders behind one nginx; one is killed and started again in a
loop while GETs run. nginx must pass every request to a live responder: no 502."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from conftest import BINARY, ROOT, free_port
from transport_support import fetch


def test_restarting_one_of_three_responders_never_gives_502():
    data = Path(tempfile.mkdtemp(prefix="wh-e2e-three-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("WHEELHOUSE_")}
    env.update(WHEELHOUSE_DATA_DIR=str(data), WHEELHOUSE_TEMPLATES=str(ROOT / "Templates"))
    subprocess.run([str(BINARY), "migrate"], env=env, check=True, capture_output=True)
    sockets = [data / "run" / f"responder-{n}.sock" for n in range(3)]
    log = open(data / "responders.log", "ab")

    def start(n: int) -> subprocess.Popen:
        return subprocess.Popen([str(BINARY), "serve", "--listen", str(sockets[n]), "--workers", "2"],
                                env=env, stdout=log, stderr=subprocess.STDOUT)

    responders = [start(n) for n in range(3)]
    port = free_port()
    subprocess.run([str(ROOT / "scripts" / "nginx-config.sh"), str(data), str(port),
                    " ".join(f"unix:{s}" for s in sockets)], check=True, env=env)
    nginx = subprocess.Popen(["nginx", "-c", str(data / "nginx.conf"), "-p", str(data)])
    url = f"http://127.0.0.1:{port}/login"
    try:
        for _ in range(200):
            if all(s.exists() for s in sockets):
                try:
                    if fetch(url)[0] == 200:
                        break
                except OSError:
                    pass
            time.sleep(0.05)
        statuses: dict[int, int] = {}
        lock = threading.Lock()
        stop = threading.Event()

        def load() -> None:
            while not stop.is_set():
                status = fetch(url, timeout=10)[0]
                with lock:
                    statuses[status] = statuses.get(status, 0) + 1

        clients = [threading.Thread(target=load) for _ in range(6)]
        for client in clients:
            client.start()
        for round in range(15):
            n = round % 3
            responders[n].send_signal(signal.SIGKILL)
            responders[n].wait()
            time.sleep(0.2)  # down a moment, its socket file left behind
            responders[n] = start(n)
            time.sleep(0.2)
        stop.set()
        for client in clients:
            client.join()
        assert statuses.get(200, 0) > 200, statuses
        assert set(statuses) == {200}, f"answers while one of three responders restarted: {statuses}"
    finally:
        nginx.terminate()
        nginx.wait(timeout=20)
        for responder in responders:
            responder.terminate()
            responder.wait(timeout=20)
        shutil.rmtree(data, ignore_errors=True)
