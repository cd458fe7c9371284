"""The API token never reaches tool output, resources, prompts, error text or logs, raw or escaped, even when echoed."""

from __future__ import annotations

import io
import json
import logging
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from typing import Any
from urllib.parse import quote

import pytest
from mcp import Client, MCPError

from chatwoot_mcp.cli import _setup_logging
from chatwoot_mcp.edges.redaction import secret_forms
from chatwoot_mcp.tools import ALL_TOOLS
from chatwoot_sandbox import ADMIN_TOKEN, DEMO_ACCOUNT_ID, PROMPT_INJECTION_CONVERSATION_ID, SandboxState
from chatwoot_sandbox.actions import add_message
from chatwoot_sandbox.records import INCOMING, OUTGOING

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


# -- a canary token planted everywhere: customer text, notes, attributes, arguments, errors, logs -----------------

PLAIN_CANARY = "CANARY-tok-9b1e-XYZ"
NASTY_CANARY = 'CANARY"tok\\9b1e/X+Y %Z'
"""Legal in an HTTP header, and written differently by repr, JSON and every URL encoder."""


def leaks(text: str, secret: str) -> list[str]:
    """The forms of `secret` (raw, escaped, percent-encoded in either hex case) found in `text`."""
    upper = re.sub("%[0-9a-fA-F]{2}", lambda escape: escape.group().upper(), text)
    return [form for form in secret_forms(secret) if form in text or form in upper]


def plant(state: SandboxState, canary: str) -> int:
    """The canary in a customer message, a private note, custom attributes and the contact; returns the id."""
    admin = next(user for user in state.users.values() if user.access_token == ADMIN_TOKEN)
    admin.access_token = canary
    conversation = state.conversation(DEMO_ACCOUNT_ID, PROMPT_INJECTION_CONVERSATION_ID)
    contact = state.contacts[conversation.contact_id]
    contact.name, contact.email = f"Eve {canary}", f"eve+{canary}@example.com"
    conversation.custom_attributes = {f"key-{canary}": f"value {canary}", "order": canary}
    customer = ("Contact", conversation.contact_id)
    add_message(state, conversation, content=f"my token is {canary} ok", message_type=INCOMING, sender=customer)
    add_message(
        state, conversation, content=f"note: {canary}", message_type=OUTGOING, sender=("User", admin.id), private=True
    )
    return conversation.display_id


async def read_everything(client: Client, conversation_id: int, canary: str) -> list[str]:
    """Tool results, resources and prompts that show the canary (or would, unredacted), as text."""
    calls: list[tuple[str, dict[str, Any]]] = [
        ("get_conversation", {"conversation_id": conversation_id}),
        ("list_messages", {"conversation_id": conversation_id, "all_history": True}),
        ("list_conversations", {}),
        ("search_conversations", {"q": canary}),
        ("add_private_note", {"conversation_id": conversation_id, "content": f"the token: {canary}"}),
        ("update_custom_attributes", {"conversation_id": conversation_id, "attributes": {canary: canary}}),
        ("get_conversation", {"conversation_id": canary}),
        ("list_labels", {"conversation_id": conversation_id, "token": canary}),
        ("list_messages", {"conversation_id": conversation_id, "before": canary}),
    ]
    seen = []
    for tool, arguments in calls:
        result = await client.call_tool(tool, arguments)
        seen += [text_of(result), json.dumps(result.model_dump(mode="json"))]
    for uri in (f"chatwoot://conversations/{conversation_id}", "chatwoot://agents", "chatwoot://labels"):
        seen.append(json.dumps((await client.read_resource(uri)).model_dump(mode="json")))
    for uri in (f"chatwoot://conversations/{quote(canary, safe='')}", "chatwoot://conversations/999999"):
        with pytest.raises(MCPError) as error:
            await client.read_resource(uri)
        seen.append(str(error.value))
    for prompt, arguments in (
        ("summarise_conversation", {"conversation_id": canary}),
        ("draft_reply", {"conversation_id": f"{conversation_id} {canary}"}),
        ("triage_queue", {}),
    ):
        seen.append(json.dumps((await client.get_prompt(prompt, arguments)).model_dump(mode="json")))
    return seen


@pytest.fixture
def cli_log(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[Sequence[str]], io.StringIO]]:
    """Install the CLI's stderr logging (DEBUG, with its redacting filter) into a buffer; undone after."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level

    def install(secrets: Sequence[str]) -> io.StringIO:
        buffer = io.StringIO()
        monkeypatch.setattr(sys, "stderr", buffer)
        _setup_logging("DEBUG", secrets)
        return buffer

    try:
        yield install
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)


@pytest.mark.anyio
@pytest.mark.parametrize("canary", [PLAIN_CANARY, NASTY_CANARY], ids=["plain", "nasty"])
async def test_a_canary_token_never_leaves_the_server(
    state: SandboxState, mode: str, canary: str, cli_log: Callable[[Sequence[str]], io.StringIO]
) -> None:
    conversation_id = plant(state, canary)
    settings = make_settings(CHATWOOT_API_TOKEN=canary)
    log = cli_log(settings.secrets)
    async with connect(make_server(state, settings), mode) as client:
        seen = await read_everything(client, conversation_id, canary)
    assert state.requests and all(r.headers.get("api_access_token") == canary for r in state.requests)
    logged = log.getvalue()
    assert "HTTP Request: GET" in logged, "the client's request log was captured"
    assert any("[redacted]" in text for text in seen), "the planted canary was shown, scrubbed"
    assert "[redacted]" in logged
    for text in [*seen, logged]:
        assert not leaks(text, canary), text


@pytest.mark.anyio
async def test_echoed_canary_in_resource_errors_is_redacted(state: SandboxState, mode: str) -> None:
    server = make_server(state, make_settings(CHATWOOT_API_TOKEN=NASTY_CANARY), wrap_app=echoing)
    async with connect(server, mode) as client:
        with pytest.raises(MCPError) as error:
            await client.read_resource("chatwoot://conversations/7")
    assert "refused access" in str(error.value)
    assert not leaks(str(error.value), NASTY_CANARY)
