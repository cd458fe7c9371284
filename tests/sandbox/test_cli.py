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
