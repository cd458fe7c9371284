"""The audit log: one JSON line per write call or refusal, naming the user, never a token, cutting customer text.

In-process servers over the sandbox (`--audit-log PATH`), and the Redis stream (`--audit-log redis`) against a real
redis-server. The canary is the server's own Chatwoot token, passed inside a message: it must not reach the log,
not even cut in half by the text limit.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import pytest
from redis import asyncio as aioredis

from chatwoot_mcp.audit import AUDIT_TEXT
from chatwoot_mcp.state.redis import AUDIT_STREAM
from chatwoot_sandbox import ADMIN_TOKEN, SandboxState
from chatwoot_sandbox.seed import ADMIN_USER_ID

from .conftest import ASGIApp, connect, make_server, make_settings, text_of
from .redis_support import RedisServer, redis_server

pytestmark = pytest.mark.anyio


def read_log(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def failing_messages(app: ASGIApp) -> ASGIApp:
    """Chatwoot behind a proxy that answers 502 to every new message (and never passes it on)."""

    async def wrapped(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["method"] == "POST" and scope["path"].endswith("/messages"):
            await send({"type": "http.response.start", "status": 502, "headers": [(b"content-type", b"text/plain")]})
            await send({"type": "http.response.body", "body": b"Bad Gateway"})
            return
        await app(scope, receive, send)

    return wrapped


async def test_a_write_a_refusal_and_an_unknown_outcome_each_leave_one_line(
    tmp_path: Path, state: SandboxState, anyio_backend: str
) -> None:
    log = tmp_path / "audit.jsonl"
    settings = make_settings(CHATWOOT_MCP_AUDIT_LOG=str(log))
    async with connect(make_server(state, settings), "auto") as client:
        done = await client.call_tool("add_labels", {"conversation_id": 7, "labels": ["billing"]})
        refused = await client.call_tool("add_labels", {"conversation_id": 7, "labels": ["no-such-label"]})
        listed = await client.call_tool("list_account_labels", {})
    async with connect(make_server(state, settings, wrap_app=failing_messages), "auto") as client:
        unknown = await client.call_tool("add_private_note", {"conversation_id": 7, "content": "Called the bank."})
    assert not done.is_error and refused.is_error and unknown.is_error and not listed.is_error

    lines = read_log(log)
    assert [(line["tool"], line["outcome"]) for line in lines] == [
        ("add_labels", "done"),
        ("add_labels", "refused"),
        ("add_private_note", "may have been applied"),
    ], "one line per write call, none for the read"
    write, refusal, lost = lines
    assert write["user"] == {"id": ADMIN_USER_ID, "name": write["user"]["name"]} and write["user"]["name"]
    assert write["account"] == 1 and write["arguments"] == {"conversation_id": 7, "labels": ["billing"]}
    assert "billing" in write["after"] and "billing" not in write["before"]
    assert write["time"].endswith("Z") and write["duration_ms"] >= 0
    assert "no-such-label" in refusal["reason"] and "before" not in refusal
    assert "Outcome unknown" in lost["reason"]


async def test_tokens_never_reach_the_log_and_customer_text_is_cut(
    tmp_path: Path, state: SandboxState, anyio_backend: str
) -> None:
    log = tmp_path / "audit.jsonl"
    # The token straddles the cut: cutting before scrubbing would leave half of it.
    note = "x" * (AUDIT_TEXT - 5) + f" {ADMIN_TOKEN} " + "y" * 500
    async with connect(make_server(state, make_settings(CHATWOOT_MCP_AUDIT_LOG=str(log))), "auto") as client:
        result = await client.call_tool("add_private_note", {"conversation_id": 7, "content": note})
    assert not result.is_error, text_of(result)
    text = log.read_text()
    assert ADMIN_TOKEN not in text and ADMIN_TOKEN[:8] not in text
    [line] = read_log(log)
    assert len(line["arguments"]["content"]) <= AUDIT_TEXT + 1 and "y" * 100 not in text


def test_an_audit_log_that_cannot_be_opened_is_a_configuration_error(tmp_path: Path) -> None:
    from chatwoot_mcp.config import ConfigError

    with pytest.raises(ConfigError, match="cannot be appended to"):
        make_settings(CHATWOOT_MCP_AUDIT_LOG=str(tmp_path / "missing-dir" / "audit.jsonl"))
    with pytest.raises(ConfigError, match="cannot be appended to"):
        make_settings(CHATWOOT_MCP_AUDIT_LOG=str(tmp_path))  # a directory
    assert make_settings(CHATWOOT_MCP_AUDIT_LOG=str(tmp_path / "audit.jsonl")).audit_log is not None


@pytest.fixture
def redis() -> Iterator[RedisServer]:
    with redis_server() as server:
        yield server


async def test_with_redis_state_the_audit_log_can_be_a_stream(
    redis: RedisServer, state: SandboxState, anyio_backend: str
) -> None:
    settings = make_settings(CHATWOOT_MCP_STATE=redis.url, CHATWOOT_MCP_AUDIT_LOG="redis")
    async with connect(make_server(state, settings), "auto") as client:
        await client.call_tool("add_labels", {"conversation_id": 7, "labels": ["billing"]})
    reader = aioredis.Redis.from_url(redis.url)
    try:
        with anyio.fail_after(5):
            entries: list[tuple[bytes, dict[bytes, bytes]]] = await reader.xrange(AUDIT_STREAM)  # type: ignore[assignment]
    finally:
        await reader.aclose()
    [(_, fields)] = entries
    line = json.loads(fields[b"line"])
    assert (line["tool"], line["outcome"], line["user"]["id"]) == ("add_labels", "done", ADMIN_USER_ID)


async def test_with_per_user_tokens_each_line_names_the_user_the_call_acted_as(tmp_path: Path) -> None:
    from chatwoot_sandbox import AGENT_TOKEN, AGENT_USER_ID

    from .test_team_http import as_user, in_inbox, team_server

    log = tmp_path / "audit.jsonl"
    state = SandboxState.demo()
    async with (
        team_server(state, CHATWOOT_MCP_AUDIT_LOG=str(log)) as team,
        as_user(team, AGENT_TOKEN) as agent,
        as_user(team, ADMIN_TOKEN) as admin,
    ):
        await agent.call_tool("add_private_note", {"conversation_id": in_inbox(state, 1, 1), "content": "a"})
        in_labs = in_inbox(state, 2)
        await admin.call_tool("add_private_note", {"account_id": 2, "conversation_id": in_labs, "content": "b"})
        await agent.call_tool("add_private_note", {"account_id": 2, "conversation_id": 1, "content": "c"})
    lines = read_log(log)
    assert [(line["user"]["id"], line["account"], line["outcome"]) for line in lines] == [
        (AGENT_USER_ID, 1, "done"),
        (ADMIN_USER_ID, 2, "done"),
        (AGENT_USER_ID, 2, "refused"),  # not a member of account 2: refused, and recorded
    ]
    text = log.read_text()
    assert AGENT_TOKEN not in text and ADMIN_TOKEN not in text


def test_files_are_recorded_as_their_name_type_and_size_not_their_content() -> None:
    from mcp.types import CallToolResult, TextContent

    from chatwoot_mcp.audit import audit_entry

    content = "QUJD" * 500_000  # 2 MB of base64
    entry = audit_entry(
        tool="send_reply",
        arguments={
            "conversation_id": 3,
            "content": "see attached",
            "attachments": [{"name": "invoice.pdf", "mime_type": "application/pdf", "content": content}],
        },
        result=CallToolResult(content=[TextContent(type="text", text="Sent.")]),
        identity=None,
        account_id=1,
        seconds=0.1,
        secrets=("sandbox-admin-token",),
    )
    assert entry["arguments"]["attachments"] == [
        {"name": "invoice.pdf", "mime_type": "application/pdf", "content": "<2000000 base64 characters>"}
    ]
    assert content not in json.dumps(entry)
