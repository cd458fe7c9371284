"""`python -m chatwoot_sandbox`: serves the demo world on a real socket and says where, as whom, in which accounts."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time

import httpx2

from chatwoot_sandbox import ADMIN_EMAIL, ADMIN_TOKEN, AGENT_TOKEN, DEMO_PASSWORD, MFA_CODE, MFA_EMAIL


def test_serves_the_demo_on_a_free_port() -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    process = subprocess.Popen(
        [sys.executable, "-m", "chatwoot_sandbox", "--host", "127.0.0.1", "--port", "0", "--request-log", "5"],
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert process.stderr is not None
        line = process.stderr.readline()
        match = re.search(r"(http://127\.0\.0\.1:\d+)", line)
        assert match, line
        assert ADMIN_TOKEN in line
        block = "".join(process.stderr.readline() for _ in range(8))
        assert "1 Acme Support" in block and "2 Acme Labs" in block, block
        assert AGENT_TOKEN in block and "keeps the last 5 requests" in block, block
        assert all(part in block for part in (DEMO_PASSWORD, ADMIN_EMAIL, MFA_EMAIL, MFA_CODE)), block
        with httpx2.Client(base_url=match.group(1), timeout=10) as http:
            response = http.get("/api/v1/profile", headers={"api_access_token": ADMIN_TOKEN})
        assert response.json()["name"] == "Dana Whitfield"
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stderr is not None:
            process.stderr.close()


def test_a_negative_request_log_is_refused() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "chatwoot_sandbox", "--request-log", "-1"], capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 2 and "--request-log" in result.stderr


def test_keeps_serving_when_the_reader_of_the_banner_leaves() -> None:
    """A script that reads the first line and closes the pipe must not take the server down with the rest."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    process = subprocess.Popen(
        [sys.executable, "-m", "chatwoot_sandbox", "--port", "0"], stderr=subprocess.PIPE, text=True, env=env
    )
    try:
        assert process.stderr is not None
        match = re.search(r"(http://127\.0\.0\.1:\d+)", process.stderr.readline())
        assert match
        process.stderr.close()
        time.sleep(0.5)
        assert process.poll() is None
        with httpx2.Client(base_url=match.group(1), timeout=10) as http:
            assert http.get("/api/v1/profile", headers={"api_access_token": ADMIN_TOKEN}).status_code == 200
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_a_webhook_url_gets_signed_deliveries_of_the_sandboxs_writes() -> None:
    """`--webhook-url` registers an account webhook and prints its secret; a write then reaches that URL, signed as
    Chatwoot signs (sha256 HMAC of "<timestamp>.<body>")."""
    import hashlib
    import hmac
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    received: list[tuple[dict[str, str], bytes]] = []

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append(({k.lower(): v for k, v in self.headers.items()}, body))
            self.send_response(200)
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass

    receiver = HTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{receiver.server_address[1]}/webhooks/chatwoot"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    process = subprocess.Popen(
        [sys.executable, "-m", "chatwoot_sandbox", "--port", "0", "--webhook-url", url],
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert process.stderr is not None
        base = re.search(r"(http://127\.0\.0\.1:\d+)", process.stderr.readline())
        assert base
        secret = None
        for _ in range(20):
            found = re.search(r"signing secret: (\S+)", process.stderr.readline())
            if found:
                secret = found.group(1)
                break
        assert secret, "the banner names the webhook's secret"
        with httpx2.Client(base_url=base.group(1), timeout=10) as http:
            response = http.post(
                "/api/v1/accounts/1/conversations/5/toggle_status",
                headers={"api_access_token": ADMIN_TOKEN},
                json={"status": "resolved"},
            )
            assert response.status_code == 200, response.text
        deadline = time.monotonic() + 10
        while not received and time.monotonic() < deadline:
            time.sleep(0.05)
        assert received, "no delivery reached the webhook URL"
        headers, body = received[0]
        signed = f"{headers['x-chatwoot-timestamp']}.".encode() + body
        expected = "sha256=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
        assert hmac.compare_digest(headers["x-chatwoot-signature"], expected)
        assert headers["x-chatwoot-delivery"]
    finally:
        process.terminate()
        process.wait(timeout=10)
        receiver.shutdown()
        receiver.server_close()
        if process.stderr is not None:
            process.stderr.close()


def test_an_invalid_webhook_url_is_refused() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "chatwoot_sandbox", "--port", "0", "--webhook-url", "not a url"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2 and "Url is invalid" in result.stderr
