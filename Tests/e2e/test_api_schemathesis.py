"""Schemathesis (PyPI) against the live JSON API through nginx: for every operation of
`api/openapi.json`, generated requests — valid and invalid — with a key of each scope set (and
with none). No answer may be a 5xx, and every answer must have a status, a media type and a body
that the document gives for its operation.

The run has its own stack (responder + nginx on a temporary data directory, demo data), since it
creates workspaces, invitations and usage events at random. Its keys are written straight into
the database, as the console would store them (only the SHA-256 of the secret). The seed is fixed
so a failure can be replayed: WHEELHOUSE_SCHEMATHESIS_SEED picks another one, and
WHEELHOUSE_SCHEMATHESIS_EXAMPLES more examples per operation."""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import zlib
from pathlib import Path

import jsonschema
import pytest

from conftest import ARTIFACTS, OWNER, ROOT, Stack, free_port
from test_openapi_document import DOCUMENT

CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"
MAX_EXAMPLES = int(os.environ.get("WHEELHOUSE_SCHEMATHESIS_EXAMPLES", "100"))
SEED = os.environ.get("WHEELHOUSE_SCHEMATHESIS_SEED", "20261130")
# Each scope set sees other answers: everything allowed, reads only (403 on writes and the audit
# log), one granular write scope, and no key at all (401 everywhere but the document).
KEY_SETS = {
    "everything": ["org:write", "members:write", "audit:read", "billing:read"],
    "read-only": ["org:read"],
    "usage-ingest": ["usage:write"],
    "no-key": None,
}
# CPython 3.11.7 (this machine's python3) can raise "SystemError: AST constructor recursion depth
# mismatch" from ast.parse, which Hypothesis calls to describe a lambda in a strategy's repr;
# Schemathesis's coverage phase builds such strategies. The description is cosmetic, so the
# runner falls back to Hypothesis's own "unknown" one instead of failing the run.
RUNNER = """
import sys
from hypothesis.internal import lambda_sources
describe = lambda_sources._lambda_description
def tolerant(f, *args, **kwargs):
    try:
        return describe(f, *args, **kwargs)
    except SystemError:
        return "lambda: <unknown>"
lambda_sources._lambda_description = tolerant
from schemathesis.cli import schemathesis
sys.argv[0] = "schemathesis"
sys.exit(schemathesis())
"""
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def base62(number: int, length: int) -> str:
    digits = []
    for _ in range(length):
        number, digit = divmod(number, 62)
        digits.append(ALPHABET[digit])
    return "".join(reversed(digits))


def new_secret() -> str:
    """A key in the platform's format: `whk_`, 43 base62 characters of 256 random bits, CRC32."""
    body = base62(int.from_bytes(secrets.token_bytes(32), "big"), 43)
    return "whk_" + body + base62(zlib.crc32(body.encode()), 6)


def make_key(stack: Stack, name: str, scopes: list[str]) -> str:
    secret = new_secret()
    db = sqlite3.connect(stack.data_dir / "wheelhouse.sqlite", timeout=30)
    try:
        with db:
            (org_id,) = db.execute("SELECT id FROM organization WHERE key = 'demo'").fetchone()
            (owner_id,) = db.execute("SELECT id FROM user WHERE email = ?", (OWNER,)).fetchone()
            now = time.strftime("%Y-%m-%d %H:%M:%S.000", time.gmtime())
            db.execute(
                "INSERT INTO apiKey (orgId, name, scopes, createdBy, createdAt, expiresAt, secretHash, displayPrefix, "
                "noticesSent) VALUES (?, ?, ?, ?, ?, NULL, ?, ?, 7)",
                (org_id, name, " ".join(scopes), owner_id, now, hashlib.sha256(secret.encode()).digest(), secret[:10]))
    finally:
        db.close()
    stack.secrets.add(secret)
    return secret


@pytest.fixture(scope="module")
def api_stack():
    data_dir = Path(tempfile.mkdtemp(prefix="wh-e2e-api-"))
    # Invitations to generated addresses are dropped into the data directory, never sent.
    stack = Stack(mode="saas", data_dir=data_dir, port=free_port(), sendmail=str(ROOT / "scripts" / "maildrop.sh"))
    try:
        stack.start()
        keys = {label: make_key(stack, f"Schemathesis {label}", scopes) if scopes else None
                for label, scopes in KEY_SETS.items()}
        yield stack, keys
        stack.stop(check=False)
        log = (data_dir / "wheelhouse.log").read_text(errors="replace")
        assert not [k for k in keys.values() if k and k in log], "an API key appears in the responder's log"
    finally:
        stack.stop(check=False)
        if not os.environ.get("WHEELHOUSE_E2E_KEEP"):
            shutil.rmtree(data_dir, ignore_errors=True)


def status_of(stack: Stack, path: str, key: str | None) -> int:
    request = urllib.request.Request(stack.url(path))
    if key:
        request.add_header("Authorization", f"Bearer {key}")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_openapi_document_is_served_as_it_is_in_the_repository(api_stack):
    stack, _ = api_stack
    with urllib.request.urlopen(stack.url("/api/v1/openapi.json"), timeout=10) as response:
        assert response.status == 200
        assert response.headers["Content-Type"] == "application/json"
        assert response.headers["X-Request-Id"], "every answer carries X-Request-Id"
        served = json.loads(response.read())
    assert served == json.loads(DOCUMENT.read_text(encoding="utf-8"))


def test_openapi_413_from_nginx_is_a_problem_document_too(api_stack):
    """nginx refuses a body over 4 MiB before the responder sees it: the API's answer is still
    `application/problem+json` with the document's Problem schema; a console form's is the page."""
    stack, keys = api_stack
    document = json.loads(DOCUMENT.read_text(encoding="utf-8"))
    problem = dict(document["components"]["schemas"]["Problem"], components=document["components"])
    body = b'{"events": ["' + b"x" * (5 * 1024 * 1024) + b'"]}'
    request = urllib.request.Request(stack.url("/api/v1/usage/events"), data=body, method="POST", headers={
        "Authorization": f"Bearer {keys['everything']}", "Content-Type": "application/json"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=30)
    assert refused.value.code == 413
    assert refused.value.headers["Content-Type"] == "application/problem+json"
    answer = json.loads(refused.value.read())
    jsonschema.validate(answer, problem)
    assert answer["requestId"] == refused.value.headers["X-Request-Id"]
    page = urllib.request.Request(stack.url("/orgs/demo/settings/general"), data=body[:5 * 1024 * 1024], method="POST")
    with pytest.raises(urllib.error.HTTPError) as console:
        urllib.request.urlopen(page, timeout=30)
    assert console.value.code == 413 and console.value.headers["Content-Type"].startswith("text/html")


@pytest.mark.parametrize("label", list(KEY_SETS))
def test_schemathesis_finds_no_5xx_and_no_answer_outside_the_document(api_stack, label):
    stack, keys = api_stack
    key = keys[label]
    # The fixture's key works (or, without one, is asked for) before anything is generated.
    expected = 401 if key is None else 403 if label == "usage-ingest" else 200
    assert status_of(stack, "/api/v1/org", key) == expected
    report = ARTIFACTS / "schemathesis" / label
    shutil.rmtree(report, ignore_errors=True)
    report.mkdir(parents=True)
    command = [sys.executable, "-c", RUNNER, "run", stack.url("/api/v1/openapi.json"),
               "--url", stack.url("/api/v1"), "--checks", CHECKS, "--max-examples", str(MAX_EXAMPLES),
               "--seed", SEED, "--phases", "examples,coverage,fuzzing,stateful", "--workers", "2", "--request-timeout", "10",
               "--report", "ndjson", "--report-dir", str(report), "--output-truncate", "true",
               "--generation-database", ":memory:"]
    if key:
        command += ["--header", f"Authorization: Bearer {key}"]
    started = time.monotonic()
    # Run from the report folder: Schemathesis keeps a crash cache in `.schemathesis/` of its
    # working directory, which must neither land in the repository nor replay an old run.
    done = subprocess.run(command, capture_output=True, text=True, timeout=240, cwd=report,
                          env=dict(os.environ, NO_COLOR="1"))
    output = (done.stdout + done.stderr).replace(key or "\0", "whk_…")
    (ARTIFACTS / "schemathesis" / f"{label}.txt").write_text(output)
    assert done.returncode == 0, f"schemathesis ({label}) found problems:\n{output[-12000:]}"
    lines = [line.strip() for line in output.splitlines()]
    figures = [lines[i + 1] for i, line in enumerate(lines[:-1]) if line in ("Tested:", "Test cases:")]
    figures = [line for i, line in enumerate(lines) if line.startswith("Tested:")] + [
        lines[i + 1] for i, line in enumerate(lines[:-1]) if line == "Test cases:"]
    print(f"schemathesis {label}: {'; '.join(figures)} in {time.monotonic() - started:.0f}s")
    assert figures and figures[0] == "Tested: 11", output[-3000:]
