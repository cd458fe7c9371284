"""The agent-framework examples (examples/) pass their own tests, so CI runs them with the rest.

examples/ is a uv project of its own, with its own lock: the frameworks bring their own `mcp` (v1), which must not
share an environment with the server's, and they start the server as a subprocess anyway. `uv run --frozen` syncs
that environment (from uv's cache once it is warm: seconds) and runs its tests; about a minute on an idle machine,
most of it the frameworks' imports and the servers starting.
"""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from .conftest import REPO

UV = shutil.which("uv")


def test_the_examples_pass_their_own_tests() -> None:
    if UV is None:
        if os.environ.get("CI"):
            pytest.fail("uv is not installed, and CI must run the examples' tests (examples/ is a uv project)")
        pytest.skip("uv is not installed (the examples are a uv project)")
    # Not this test run's environment or settings: the examples' project has its own, and configures the server.
    # Bytecode is written (gitignored __pycache__), so the dozen processes that import the frameworks or the server
    # do not each compile them again: that halves the time (57 s of CPU down to 33 s, a fresh clone).
    drop = ("CHATWOOT_", "PYTHONPATH", "VIRTUAL_ENV", "UV_PROJECT_ENVIRONMENT", "PYTHONDONTWRITEBYTECODE")
    env = {k: v for k, v in os.environ.items() if not k.startswith(drop)}
    command = [UV, "run", "--project", "examples", "--frozen", "pytest", "-q", "-p", "no:cacheprovider"]
    command.append("examples/tests")
    run = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=900, check=False)

    assert run.returncode == 0, f"{run.stdout[-6000:]}\n{run.stderr[-2000:]}"
    assert " passed" in run.stdout.splitlines()[-1]
