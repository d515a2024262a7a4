"""The JSON API as a server calls it: `curl` through nginx to the real responder, with a key an
Owner made on the API keys tab (the fixture below). `GET /api/v1/org` answers 200 with the
organization; `POST /api/v1/usage/events` answers 200 with one result per event, and the same
batch again is all duplicates; a 6 MB body is refused with 413 (by nginx's `client_max_body_size`
or by the responder, whichever comes first: only the status is asserted). No answer sets a
cookie or a CORS header, and each carries `X-Request-Id`. Rotating and revoking in the browser
are `test_api_keys.py`'s."""

from __future__ import annotations

import json
import re
import secrets
import subprocess
import tempfile
from pathlib import Path

import pytest

from conftest import OWNER
from test_general import sign_in

API_KEYS = "/orgs/demo/settings/api-keys"
KEY_SHAPE = re.compile(r"^whk_[0-9A-Za-z]{49}$")


@pytest.fixture(scope="module")
def api_key(stack, browser) -> str:
    """A key with `org:write` (which brings `org:read` and `usage:write`), made on the tab."""
    context = browser.new_context(base_url=stack.base_url)
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        sign_in(page, OWNER, lands_on=API_KEYS)
        page.get_by_label("Name").fill(f"curl {secrets.token_hex(3)}")
        page.locator("#scope-org-write").check()
        page.get_by_label("Expires").select_option("7")
        page.get_by_role("button", name="Create key").click()
        secret = page.locator("#api-key-secret").input_value()
    finally:
        context.close()
    assert KEY_SHAPE.match(secret), "the tab showed a key"
    stack.secrets.add(secret)
    return secret


def curl(stack, method: str, path: str, key: str | None, body: bytes | None = None,
         content_type: str = "application/json") -> tuple[int, dict[str, str], bytes]:
    """One request with curl: status, headers (names lower-cased), body."""
    with tempfile.TemporaryDirectory() as directory:
        headers_file = Path(directory) / "headers"
        command = ["curl", "-sS", "-X", method, "-D", str(headers_file), "-o", "-", "--max-time", "30",
                   "-w", "\n%{http_code}"]
        if key is not None:
            command += ["-H", f"Authorization: Bearer {key}"]
        if body is not None:
            body_file = Path(directory) / "body"
            body_file.write_bytes(body)
            command += ["-H", f"Content-Type: {content_type}", "--data-binary", f"@{body_file}"]
        done = subprocess.run(command + [stack.url(path)], capture_output=True, timeout=60)
        payload, _, status = done.stdout.rpartition(b"\n")
        # A refused upload may end with curl unable to send the rest (exit 55): the status still counts.
        assert status.strip().isdigit() and int(status) > 0, done.stderr.decode(errors="replace")
        # The last block of headers is the final answer's (a 100 Continue may come first).
        blocks = headers_file.read_text(errors="replace").strip().split("\r\n\r\n")
        headers = {}
        for line in blocks[-1].splitlines()[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        return int(status), headers, payload


def check_headers(headers: dict[str, str]) -> None:
    assert "set-cookie" not in headers, "the API never sets a cookie"
    assert not any(name.startswith("access-control-") for name in headers), "no CORS headers"
    assert headers.get("x-request-id"), "every answer carries a request id"


def events(prefix: str) -> bytes:
    batch = [
        {"time": "2026-01-15T10:00:00Z", "workspace": "research", "kind": "model_call", "status": "success",
         "provider": "openai", "model": "gpt-4o", "input_tokens": 10, "output_tokens": 5, "cost_micros": 1200,
         "byok": False, "idempotency_key": f"{prefix}-1"},
        {"time": "2026-01-15T10:01:00Z", "workspace": "no-such-workspace", "kind": "model_call", "status": "success",
         "idempotency_key": f"{prefix}-2"},
    ]
    return json.dumps({"events": batch}).encode()


def test_get_org_with_the_key(stack, api_key):
    status, headers, body = curl(stack, "GET", "/api/v1/org", api_key)
    assert status == 200, body
    assert headers.get("content-type", "").startswith("application/json")
    assert json.loads(body)["key"] == "demo"
    assert headers.get("api-scopes") == "org:write"
    check_headers(headers)

    status, headers, body = curl(stack, "GET", "/api/v1/org", None)
    assert status == 401, body
    assert headers.get("content-type") == "application/problem+json"
    assert json.loads(body)["type"].endswith("/problems/key_missing")
    check_headers(headers)


def test_post_usage_events_answers_per_event(stack, api_key):
    prefix = f"curl-{secrets.token_hex(4)}"
    status, headers, body = curl(stack, "POST", "/api/v1/usage/events", api_key, events(prefix))
    assert status == 200, body
    answer = json.loads(body)
    assert [r["status"] for r in answer["results"]] == ["accepted", "rejected"], answer
    assert answer["accepted"] == 1 and answer["rejected"] == 1
    assert answer["results"][1]["reason"]
    check_headers(headers)

    status, _, body = curl(stack, "POST", "/api/v1/usage/events", api_key, events(prefix))
    assert status == 200, body
    assert [r["status"] for r in json.loads(body)["results"]] == ["duplicate", "rejected"]

    status, headers, body = curl(stack, "GET", "/api/v1/usage/summary?month=2026-01", api_key)
    assert status == 200, body
    assert json.loads(body)["totals"]["events"] >= 1
    check_headers(headers)


def test_a_6_mb_body_is_refused(stack, api_key):
    before = curl(stack, "GET", "/api/v1/usage/summary?month=2026-01", api_key)[2]
    padding = b" " * (6 * 1024 * 1024)
    body = events(f"big-{secrets.token_hex(4)}")[:-1] + padding + b"}"
    status, _, _ = curl(stack, "POST", "/api/v1/usage/events", api_key, body)
    assert status == 413
    after = curl(stack, "GET", "/api/v1/usage/summary?month=2026-01", api_key)[2]
    assert json.loads(after)["totals"] == json.loads(before)["totals"], "nothing was recorded"


def test_wrong_content_type_and_bad_json(stack, api_key):
    status, headers, body = curl(stack, "POST", "/api/v1/usage/events", api_key, events("x"), content_type="text/plain")
    assert status == 415, body
    check_headers(headers)
    status, _, body = curl(stack, "POST", "/api/v1/usage/events", api_key, b'{"events": [')
    assert status == 400 and json.loads(body)["type"].endswith("/problems/invalid_json")


def test_answers_larger_than_a_record_arrive_whole(stack, api_key):
    """Answers over libfcgi's 8 KiB buffer leave the responder as FCGI_STDOUT records of up to
    64 KiB in one writev (FastCGIServer's StdoutRecords): the OpenAPI document (one record) and a
    full batch's 5 000 results (several records) arrive byte for byte, their lengths as announced."""
    document = Path(__file__).resolve().parents[2] / "api" / "openapi.json"
    status, headers, body = curl(stack, "GET", "/api/v1/openapi.json", None)
    assert status == 200 and body == document.read_bytes()
    prefix = f"big-answer-{secrets.token_hex(4)}"
    batch = [{"time": "2026-01-20T10:00:00Z", "workspace": "research", "kind": "model_call", "status": "success",
              "provider": "openai", "model": "gpt-4o", "input_tokens": 1, "output_tokens": 1, "cost_micros": 1,
              "byok": False, "idempotency_key": f"{prefix}-{n}"} for n in range(5_000)]
    status, headers, body = curl(stack, "POST", "/api/v1/usage/events", api_key, json.dumps({"events": batch}).encode())
    assert status == 200, body[:500]
    assert len(body) > 2 * 65_536, "the answer spans several records"
    answer = json.loads(body)
    assert answer["accepted"] == 5_000
    assert [r["index"] for r in answer["results"]] == list(range(5_000))
    check_headers(headers)
