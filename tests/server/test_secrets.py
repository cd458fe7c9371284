"""The API token never reaches tool output, error text or logs, even when Chatwoot echoes it back."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from mcp import Client

from chatwoot_mcp.tools import ALL_TOOLS
from chatwoot_sandbox import SandboxState

from .conftest import ASGIApp, Asker, connect, make_server, make_settings, text_of

CANARY = "canary-SECRET-token-5b1f"

CALLS: dict[str, dict[str, Any]] = {
    "list_conversations": {},
    "get_conversation": {"conversation_id": 7},
    "get_counts": {},
    "create_conversation": {"inbox_id": 1, "contact_id": 20, "message": "hello"},
    "update_conversation": {"conversation_id": 7, "status": "pending"},
    "assign_conversation": {"conversation_id": 7, "agent": "Alex Kim"},
    "toggle_status": {"conversation_id": 7, "status": "resolved"},
    "list_labels": {"conversation_id": 7},
    "add_labels": {"conversation_id": 7, "labels": ["billing"]},
    "remove_labels": {"conversation_id": 7, "labels": ["vip"]},
    "set_labels": {"conversation_id": 7, "labels": ["vip"], "confirm": True},
    "set_labels#asked": {"conversation_id": 7, "labels": ["vip"]},
}


async def call_everything(client: Client) -> list[str]:
    """Call every issue tool; return everything the client received, as text."""
    seen = [json.dumps([t.model_dump(mode="json") for t in (await client.list_tools()).tools])]
    for tool, arguments in CALLS.items():
        result = await client.call_tool(tool.partition("#")[0], arguments)
        assert result.is_error, f"{tool} should fail: the token is not valid"
        seen.append(text_of(result))
        seen.append(json.dumps(result.model_dump(mode="json")))
    return seen


@pytest.mark.anyio
@pytest.mark.parametrize("elicits", [False, True], ids=["no-elicitation", "elicitation"])
async def test_wrong_token_errors_do_not_contain_it(
    state: SandboxState, mode: str, caplog: pytest.LogCaptureFixture, elicits: bool
) -> None:
    assert {name.partition("#")[0] for name in CALLS} <= {spec.name for spec in ALL_TOOLS}
    caplog.set_level(logging.DEBUG)
    server = make_server(state, make_settings(CHATWOOT_API_TOKEN=CANARY))
    async with connect(server, mode, elicitation=Asker("accept") if elicits else None) as client:
        seen = await call_everything(client)
    assert all("refused access" in text for text in seen[1::2]), seen
    assert state.requests, "the calls reached the sandbox"
    assert all(r.headers.get("api_access_token") == CANARY for r in state.requests)
    for text in seen:
        assert CANARY not in text
    assert CANARY not in caplog.text


def echoing(app: ASGIApp) -> ASGIApp:
    """A Chatwoot that puts the caller's token into its error bodies (as a misbehaving proxy might)."""

    async def wrapped(scope: Any, receive: Any, send: Any) -> None:
        headers = dict(scope.get("headers") or [])
        token = headers.get(b"api_access_token", b"").decode()
        status = 401 if scope["method"] == "GET" else 422
        body = json.dumps(
            {"error": f"token {token} rejected", "message": f"bad token {token}", "errors": [f"token={token}"]}
        ).encode()
        await send(
            {"type": "http.response.start", "status": status, "headers": [(b"content-type", b"application/json")]}
        )
        await send({"type": "http.response.body", "body": body})

    return wrapped


@pytest.mark.anyio
async def test_echoed_token_is_redacted(state: SandboxState, mode: str, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    server = make_server(state, make_settings(CHATWOOT_API_TOKEN=CANARY), wrap_app=echoing)
    async with connect(server, mode) as client:
        seen = await call_everything(client)
    assert any("[redacted]" in text for text in seen), "the echoed token should have been scrubbed"
    for text in seen:
        assert CANARY not in text
    assert CANARY not in caplog.text
