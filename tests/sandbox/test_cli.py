"""`python -m chatwoot_sandbox`: serves the demo world on a real socket and says where."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import httpx2

from chatwoot_sandbox import ADMIN_TOKEN


def test_serves_the_demo_on_a_free_port() -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    process = subprocess.Popen(
        [sys.executable, "-m", "chatwoot_sandbox", "--host", "127.0.0.1", "--port", "0"],
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
        with httpx2.Client(base_url=match.group(1), timeout=10) as http:
            response = http.get("/api/v1/profile", headers={"api_access_token": ADMIN_TOKEN})
        assert response.json()["name"] == "Dana Whitfield"
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stderr is not None:
            process.stderr.close()
