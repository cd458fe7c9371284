"""The examples, run offline: each framework's scripted agent triages through chatwoot-mcp, over stdio.

The triage tests point the server at a sandbox served over HTTP (`python -m chatwoot_sandbox`), so the sandbox
outlives the server and the test reads back what the agent wrote, through Chatwoot's API. The read-only tests run
each file as a user would (`python pydantic_ai_triage.py --read-only`), on the server's embedded sandbox.

`CHATWOOT_MCP_PROJECT` names the chatwoot-mcp checkout to run (default: the one these examples are in).
"""

from __future__ import annotations

import asyncio
import os
import re
import shlex
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest

import langchain_triage
import openai_agents_triage
import pydantic_ai_triage
from triage_script import NOTE, REPOSITORY

PROJECT = Path(os.environ.get("CHATWOOT_MCP_PROJECT", REPOSITORY))
UV_RUN = ["uv", "run", "--project", str(PROJECT), "--frozen", "--quiet"]
EXAMPLES = [pydantic_ai_triage, openai_agents_triage, langchain_triage]
ACCOUNT = 1


@dataclass(frozen=True)
class Sandbox:
    """A sandbox served over HTTP, and Chatwoot's API on it."""

    url: str
    token: str

    def get(self, path: str) -> Any:
        response = httpx.get(f"{self.url}/api/v1/accounts/{ACCOUNT}{path}", headers={"api_access_token": self.token})
        response.raise_for_status()
        return response.json()

    def labels(self, conversation: int) -> list[str]:
        return self.get(f"/conversations/{conversation}/labels")["payload"]

    def private_notes(self, conversation: int) -> list[str]:
        messages = self.get(f"/conversations/{conversation}/messages")["payload"]
        return [message["content"] for message in messages if message.get("private")]


@pytest.fixture
def sandbox(monkeypatch: pytest.MonkeyPatch) -> Iterator[Sandbox]:
    """A fresh sandbox over HTTP; the examples' server is configured for it through CHATWOOT_* variables."""
    process = subprocess.Popen(
        [*UV_RUN, "python", "-m", "chatwoot_sandbox", "--port", "0"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stderr is not None
        first_line = process.stderr.readline()  # "chatwoot_sandbox serving URL (api_access_token: TOKEN)"
        served = re.match(r"chatwoot_sandbox serving (\S+) \(api_access_token: (\S+)\)", first_line)
        assert served, f"the sandbox did not start: {first_line!r}"
        url, token = served.groups()
        monkeypatch.setenv("CHATWOOT_MCP_COMMAND", shlex.join([*UV_RUN, "chatwoot-mcp"]))
        monkeypatch.setenv("CHATWOOT_BASE_URL", url)
        monkeypatch.setenv("CHATWOOT_API_TOKEN", token)
        monkeypatch.setenv("CHATWOOT_ACCOUNT_ID", str(ACCOUNT))
        yield Sandbox(url, token)
    finally:
        process.terminate()
        process.communicate(timeout=30)  # also closes its stderr


def first_unassigned(sandbox: Sandbox) -> int:
    """What the agent should pick: the newest open conversation without an agent."""
    page = sandbox.get("/conversations?status=open&assignee_type=unassigned")
    return page["data"]["payload"][0]["id"]


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda example: example.__name__)
def test_the_agent_labels_the_first_unassigned_conversation_and_leaves_a_private_note(
    example: ModuleType, sandbox: Sandbox
) -> None:
    target = first_unassigned(sandbox)
    labels_before = sandbox.labels(target)
    assert "urgent" not in labels_before

    answer = asyncio.run(example.triage())

    assert answer.startswith(f"Triaged #{target}."), answer
    assert set(sandbox.labels(target)) == {*labels_before, "urgent"}  # added; the others kept
    assert sandbox.private_notes(target)[-1] == NOTE
    assert NOTE in answer  # the server's answer to the write reached the agent


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda example: example.__name__)
def test_read_only_run_as_a_user_runs_it_offers_the_agent_no_write_tool(example: ModuleType) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHATWOOT_")}  # the default: the embedded sandbox
    if PROJECT != REPOSITORY:
        env["CHATWOOT_MCP_COMMAND"] = shlex.join([*UV_RUN, "chatwoot-mcp", "--sandbox"])
    assert example.__file__
    run = subprocess.run(
        [sys.executable, example.__file__, "--read-only"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    assert run.returncode == 0, run.stderr[-3000:]
    # The server listed no write tool, though the agent's own filter allows add_labels and add_private_note.
    assert re.fullmatch(r"Read-only: #\d+ is first in the queue, but no write tool is offered, .*\n", run.stdout)


def test_a_server_that_cannot_start_is_an_error_message_not_a_traceback() -> None:
    env = os.environ | {"CHATWOOT_MCP_COMMAND": "/nonexistent/chatwoot-mcp"}
    assert pydantic_ai_triage.__file__
    run = subprocess.run(
        [sys.executable, pydantic_ai_triage.__file__], env=env, capture_output=True, text=True, timeout=300, check=False
    )

    assert run.returncode == 1
    assert run.stderr.startswith("error: the triage through `/nonexistent/chatwoot-mcp --toolsets ")
    assert "No such file or directory" in run.stderr
    assert "Traceback" not in run.stderr
    assert "Set CHATWOOT_MCP_COMMAND" in run.stderr
