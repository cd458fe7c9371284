"""A canary API token, planted everywhere it could come back from, never leaves the server in any form.

The canary is the configured CHATWOOT_API_TOKEN (the sandbox's admin user is given it as her token, so every
call really works with it), and it is also written into everything a customer or an admin controls in the
sandbox (message text, a private note, an outgoing message, the contact's name, email, phone and attributes, the
conversation's custom and additional attributes, an agent's name, a team's description, an inbox's name, a
label's description) and into tool arguments (search text, a note, attribute keys and values, unknown argument
names, ids, links). Then every surface is read:

- tools/list, and every tool in it (each read tool's text and structuredContent, the write tools' results);
- error results: argument refusals that name the value's parameter, guard refusals, and Chatwoot failures
  whose bodies echo the canary (401, 422, a 500 page, a 2xx page);
- resources/list, resources/templates/list, every resource read (transcript, directories) and failing ones;
- prompts/list and every prompt;
- log output: what the CLI writes to stderr, and every log record as any handler gets it (caplog, DEBUG).

The canary must not appear raw, repr- or unicode-escaped, JSON-escaped or URL-encoded (either hex case, `+` or
`%20` for a space) anywhere. tests/server/test_secrets.py checks a selection of these; this file walks every
surface the server has, from its live lists, so a new tool, resource or prompt is covered without edits here.
"""

from __future__ import annotations

import base64
import io
import json
import logging
import re
import sys
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import quote, quote_plus

import pytest
from mcp import Client, MCPError
from mcp.types import CallToolResult

from chatwoot_mcp.cli import _setup_logging
from chatwoot_sandbox import ADMIN_TOKEN, SandboxState
from chatwoot_sandbox.actions import add_message
from chatwoot_sandbox.records import INCOMING, OUTGOING
from chatwoot_sandbox.seed import ESCALATE_MACRO_ID
from tests.server.conftest import SANDBOX_URL, connect, make_server, make_settings, text_of
from tests.server.hunt_support import without_retry_waits

pytestmark = pytest.mark.anyio

CANARY = "cw-CANARY-5e1f9a"
NASTY = 'cw-CANARY"5e\\1f/9a+b %c&d=e'
"""Legal in an HTTP header; written differently by repr, JSON, and each URL encoder."""
CONVERSATION = 12
LOGGERS = ("chatwoot_mcp", "chatwoot_client", "chatwoot_sandbox", "mcp", "httpx2", "httpcore2", "anyio")


def forms(secret: str) -> set[str]:
    """How `secret` is written when it is escaped for a repr, for JSON or for a URL (written here, not imported
    from the server's redaction, so the two do not share a blind spot)."""
    found = {
        secret,
        repr(secret)[1:-1],
        secret.encode("unicode_escape").decode("ascii"),
        json.dumps(secret)[1:-1],
        json.dumps(secret, ensure_ascii=False)[1:-1],
        quote(secret),
        quote(secret, safe=""),
        quote_plus(secret),
        quote_plus(secret, safe="/"),
        quote(secret, safe="").replace("%20", "+"),
    }
    return {form for form in found if form}


def leaks(text: str, secret: str) -> list[str]:
    """The forms of `secret` found in `text` (percent escapes compared in upper case)."""
    upper = re.sub("%[0-9a-fA-F]{2}", lambda escape: escape.group().upper(), text)
    return sorted(form for form in forms(secret) if form in text or form in upper)


def strings(value: Any) -> Iterator[str]:
    """Every string in a JSON-like value, keys included."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from strings(item)


def plant(state: SandboxState, canary: str) -> None:
    """The canary as the admin's API token and in everything customers and admins write."""
    admin = next(user for user in state.users.values() if user.access_token == ADMIN_TOKEN)
    admin.access_token = canary
    conversation = state.conversation(1, CONVERSATION)
    contact = state.contacts[conversation.contact_id]
    contact.name, contact.email, contact.phone_number = f"Eve {canary}", f"eve+{canary}@example.com", f"+1{canary}"
    contact.additional_attributes = {"city": canary, "company_name": f"ACME {canary}"}
    contact.custom_attributes = {"tier": canary}
    conversation.custom_attributes = {"order_id": canary, f"note-{canary}": "x"}
    conversation.additional_attributes = {"browser": {"browser_name": canary}, "referer": f"https://shop/?t={canary}"}
    customer = ("Contact", conversation.contact_id)
    add_message(state, conversation, content=f"my token is {canary}", message_type=INCOMING, sender=customer)
    add_message(state, conversation, content=f"agent: {canary}", message_type=OUTGOING, sender=("User", admin.id))
    add_message(state, conversation, content=f"note {canary}", message_type=OUTGOING, sender=("User", 1), private=True)
    conversation.draft_message = f"draft by a colleague {canary}"
    other = state.users[2]
    other.name = f"Alex {canary}"
    next(team for team in state.teams.values() if team.account_id == 1).description = f"team {canary}"
    next(inbox for inbox in state.inboxes.values() if inbox.account_id == 1).name = f"Inbox {canary}"
    next(label for label in state.labels.values() if label.account_id == 1).description = f"label {canary}"
    state.macros[ESCALATE_MACRO_ID].actions.append({"action_name": "add_private_note", "action_params": [canary]})


def read_calls(canary: str) -> dict[str, list[dict[str, Any]]]:
    """Calls for every read tool, each showing planted data or taking the canary as an argument."""
    link = f"{SANDBOX_URL}/app/accounts/1/conversations/{CONVERSATION}"
    return {
        "list_conversations": [{}, {"status": "all"}, {"q": canary}, {"labels": [canary]}],
        "get_conversation": [{"conversation_id": CONVERSATION}, {"conversation_id": canary}, {"conversation_id": link}],
        "get_counts": [{"q": canary}, {"labels": [canary]}],
        "list_messages": [
            {"conversation_id": CONVERSATION, "all_history": True, "include_activity": True},
            {"conversation_id": CONVERSATION, "before": canary},
        ],
        "list_labels": [{"conversation_id": CONVERSATION}],
        "search_conversations": [{"q": canary}, {"q": "token"}],
        "filter_conversations": [
            {"conditions": [{"attribute_key": "order_id", "filter_operator": "equal_to", "values": [canary]}]},
            {"conditions": [{"attribute_key": canary, "filter_operator": canary, "values": [canary]}]},
        ],
        "list_agents": [{}],
        "list_teams": [{}],
        "list_inboxes": [{}],
        "list_account_labels": [{}],
        "search_contacts": [{"q": canary}, {"q": "Eve"}],
        "get_contact": [{"conversation_id": CONVERSATION}, {"contact_id": canary}],
        "list_canned_responses": [{}, {"q": canary}],
        "search_articles": [{"q": canary}],
        "list_participants": [{"conversation_id": CONVERSATION}],
        "list_macros": [{}],
        "get_article": [{"portal": canary, "article_id": 1}, {"portal": "acme-help", "article_id": 1}],
        "get_draft": [{"conversation_id": CONVERSATION}, {"conversation_id": canary}],
        "get_queue_metrics": [{}, {"team": canary}, {"group_by": "agent"}, {"group_by": "team"}],
        "get_report": [{}, {"kind": "agents", "since": "2026-11-01"}, {"kind": "teams", "until": canary}],
        "list_events": [{}, {"since": canary}, {"kinds": [canary]}, {"since": "0-0", "conversation_id": canary}],
        "get_attachment": [
            {"conversation_id": 5, "attachment_id": 1},
            {"conversation_id": 12, "attachment_id": 4},
            {"conversation_id": CONVERSATION, "attachment_id": canary},
        ],
    }


def _file(name: str, mime_type: str, text: str) -> dict[str, str]:
    return {"name": name, "mime_type": mime_type, "content": base64.b64encode(text.encode()).decode()}


def write_calls(canary: str) -> dict[str, list[dict[str, Any]]]:
    """Calls for every write tool whose result or refusal could show the canary."""
    c = CONVERSATION
    return {
        "create_conversation": [{"inbox_id": 1, "contact_id": 20, "message": f"hello {canary}"}],
        "add_contact_labels": [{"contact_id": 1, "labels": [canary]}, {"contact_id": canary, "labels": ["vip"]}],
        "remove_contact_labels": [{"contact_id": 4, "labels": [canary, "vip"]}],
        "add_participants": [{"conversation_id": c, "agents": [canary]}],
        "update_conversation": [{"conversation_id": c, "status": canary}, {"conversation_id": c, "priority": "high"}],
        "assign_conversation": [{"conversation_id": c, "agent": canary}, {"conversation_id": c, "team": canary}],
        "toggle_status": [{"conversation_id": c, "status": "snoozed", "snoozed_until": canary}],
        "set_priority": [{"conversation_id": c, "priority": canary}, {"conversation_id": c, "priority": "low"}],
        "update_custom_attributes": [
            {"conversation_id": c, "attributes": {canary: canary, "plan": f"pro {canary}"}},
            {"conversation_id": c, "remove_keys": [canary], "dry_run": True},
            {"conversation_id": c, "attributes": {"x": 1}, "replace": True, "expected_attributes": {"k": canary}},
        ],
        "add_private_note": [
            {"conversation_id": c, "content": f"the token: {canary}"},
            {"conversation_id": c, "content": "a file", "attachments": [_file(f"{canary}.txt", "text/plain", canary)]},
            {"conversation_id": c, "content": "a file", "attachments": [_file("a.txt", canary, "x")]},
            {"conversation_id": c, "content": "a file", "attachments": [_file("a.pdf", "application/pdf", canary)]},
        ],
        "send_reply": [
            {"conversation_id": c, "content": f"Your code is {canary}", "confirm": True},
            {
                "conversation_id": c,
                "content": "file",
                "confirm": True,
                "attachments": [_file(canary, "text/plain", "x")],
            },
            {"conversation_id": c, "content": f"Your code is {canary}", "confirm": True},  # refused: a duplicate
            {"conversation_id": c, "canned_response": canary, "confirm": True},
        ],
        "save_draft": [
            {"conversation_id": c, "content": f"mine {canary}"},  # refused: the colleague's draft is shown
            {"conversation_id": c, "content": f"mine {canary}", "replace": True},
        ],
        "clear_draft": [{"conversation_id": c}, {"conversation_id": canary}],
        "add_labels": [{"conversation_id": c, "labels": [canary]}],
        "run_macro": [
            {"macro": canary, "conversation_ids": [c], "confirm": True},
            {"macro": "Route bug to technical", "conversation_ids": [c, canary], "confirm": True},
            {"macro": "Route bug to technical", "conversation_ids": [c], "confirm": True},
        ],
        "bulk_update_conversations": [
            {"conversation_ids": [c], "add_labels": [canary], "confirm": True},
            {"conversation_ids": [c], "team": canary, "confirm": True},
            {"conversation_ids": [c], "status": "pending", "confirm": True},
        ],
        "remove_labels": [{"conversation_id": c, "labels": [canary]}],
        "set_labels": [
            {"conversation_id": c, "labels": ["vip"], "expected_labels": [canary]},
            {"conversation_id": c, "labels": [canary], "confirm": True},
        ],
    }


def failing_calls(state: SandboxState, canary: str) -> list[tuple[Callable[[], object], str, dict[str, Any]]]:
    """Chatwoot failures whose bodies echo the canary: (plan the fault, tool, arguments)."""
    c = CONVERSATION
    page = f"<html><body><h1>We're sorry</h1><pre>token={canary}</pre></body></html>"
    return [
        (
            lambda: state.inject_fault(401, method="GET", body={"errors": [f"Invalid Access Token {canary}"]}),
            "get_conversation",
            {"conversation_id": c},
        ),
        (
            lambda: state.inject_fault(422, method="POST", body={"message": f"bad {canary}", "errors": [canary]}),
            "add_private_note",
            {"conversation_id": c, "content": "hi"},
        ),
        (
            lambda: state.inject_fault(500, method="GET", times=3, body=page, content_type="text/html"),
            "list_labels",
            {"conversation_id": c},
        ),
        (
            lambda: state.inject_fault(200, method="GET", body=page, content_type="text/html"),
            "list_messages",
            {"conversation_id": c},
        ),
        (
            lambda: state.inject_fault(200, method="POST", body={"error": canary}, after_handling=True),
            "add_private_note",
            {"conversation_id": c, "content": "hello again"},
        ),
        (
            lambda: state.inject_fault(403, method="POST", body={"error": f"denied for {canary}"}),
            "toggle_status",
            {"conversation_id": c, "status": "resolved"},
        ),
    ]


async def exercise(client: Client, state: SandboxState, canary: str) -> list[tuple[str, str]]:
    """Everything the client gets from the server, surface by surface, as (where, text)."""
    seen: list[tuple[str, str]] = []

    def result(where: str, outcome: CallToolResult) -> None:
        seen.append((where, text_of(outcome)))
        seen.extend((f"{where} (structured)", text) for text in strings(outcome.model_dump(mode="json")))

    tools = (await client.list_tools()).tools
    seen.extend(("tools/list", text) for text in strings([tool.model_dump(mode="json") for tool in tools]))
    names = {tool.name for tool in tools}
    reads = {tool.name for tool in tools if tool.annotations and tool.annotations.read_only_hint}
    calls = read_calls(canary) | write_calls(canary)
    assert reads <= read_calls(canary).keys(), f"read tools without canary calls: {reads - read_calls(canary).keys()}"
    assert names <= calls.keys(), f"tools without canary calls: {names - calls.keys()}"
    for name in sorted(names):
        for arguments in calls[name]:
            result(f"{name}({arguments})", await client.call_tool(name, arguments))
        result(f"{name} with an unknown argument", await client.call_tool(name, {canary: canary}))
    for plan, name, arguments in failing_calls(state, canary):
        plan()
        result(f"{name} under a fault echoing it", await client.call_tool(name, arguments))
    state.faults.clear()

    listed = await client.list_resources()
    templates = await client.list_resource_templates()
    seen.extend(("resources/list", text) for text in strings(listed.model_dump(mode="json")))
    seen.extend(("resources/templates/list", text) for text in strings(templates.model_dump(mode="json")))
    uris = [str(resource.uri) for resource in listed.resources]
    uris += [template.uri_template.split("{", 1)[0] for template in templates.resource_templates]
    uris += [f"chatwoot://conversations/{CONVERSATION}"]
    for uri in dict.fromkeys(uris):
        if "{" in uri or uri.endswith("/"):
            continue
        read = await client.read_resource(uri)
        seen.extend((f"resource {uri}", text) for text in strings(read.model_dump(mode="json")))
    state.inject_fault(401, method="GET", body={"errors": [f"Invalid Access Token {canary}"]})
    seen += await read_failing(client, [f"chatwoot://conversations/{CONVERSATION}"])
    state.faults.clear()

    prompts = (await client.list_prompts()).prompts
    seen.extend(("prompts/list", text) for text in strings([prompt.model_dump(mode="json") for prompt in prompts]))
    for prompt in prompts:
        for value in (canary, f"{CONVERSATION} {canary}", f"#{CONVERSATION}"):
            arguments = {argument.name: value for argument in prompt.arguments or []}
            try:
                got = await client.get_prompt(prompt.name, arguments)
            except MCPError as error:
                seen.append((f"prompt {prompt.name} (error)", str(error)))
            else:
                seen.extend((f"prompt {prompt.name}", text) for text in strings(got.model_dump(mode="json")))
    return seen


async def read_failing(client: Client, uris: list[str]) -> list[tuple[str, str]]:
    """What reading each of `uris` returns, or the error's message and data."""
    seen: list[tuple[str, str]] = []
    for uri in uris:
        try:
            read = await client.read_resource(uri)
        except MCPError as error:
            seen.append((f"resource {uri} (error)", str(error)))
            seen.extend((f"resource {uri} (error data)", text) for text in strings(error.error.model_dump(mode="json")))
        else:
            seen.extend((f"resource {uri}", text) for text in strings(read.model_dump(mode="json")))
    return seen


def found(seen: list[tuple[str, str]], canary: str) -> list[str]:
    return [
        f"{where}: {leaked} in {text[:300]!r}" for where, text in seen for leaked in [leaks(text, canary)] if leaked
    ]


@pytest.fixture(autouse=True)
def no_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    without_retry_waits(monkeypatch)


@pytest.fixture
def cli_stderr(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[tuple[str, ...]], io.StringIO]]:
    """The CLI's own logging (a redacting stderr handler at DEBUG) into a buffer; the root logger restored after."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level

    def install(secrets: tuple[str, ...]) -> io.StringIO:
        buffer = io.StringIO()
        monkeypatch.setattr(sys, "stderr", buffer)
        _setup_logging("DEBUG", secrets)
        return buffer

    try:
        yield install
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)


@pytest.mark.parametrize("canary", [CANARY, NASTY], ids=["plain", "nasty"])
async def test_the_canary_never_leaves_through_any_surface(
    mode: str, canary: str, cli_stderr: Callable[[tuple[str, ...]], io.StringIO]
) -> None:
    state = SandboxState.demo()
    plant(state, canary)
    settings = make_settings(CHATWOOT_API_TOKEN=canary)
    stderr = cli_stderr(settings.secrets)
    async with connect(make_server(state, settings), mode) as client:
        seen = await exercise(client, state, canary)
    logged = stderr.getvalue()

    api = [r for r in state.requests if r.path.startswith("/api/")]
    files = [r for r in state.requests if r.path.startswith("/rails/")]
    assert api and all(r.headers.get("api_access_token") == canary for r in api)
    assert files and all("api_access_token" not in r.headers for r in files)  # a file's signed URL is its key
    assert len(api) + len(files) == len(state.requests)
    assert "HTTP Request:" in logged, "the request log was captured"
    shown = "\n".join(text for _, text in seen)
    for planted in ("get_conversation", "list_messages", "resource chatwoot://conversations", "list_agents"):
        assert any(where.startswith(planted) and "[redacted]" in text for where, text in seen), (
            f"{planted} showed no scrubbed canary: was it planted?"
        )
    assert "Invalid arguments" in shown and "refused access" in shown, "refusals and Chatwoot failures were seen"
    assert not found(seen, canary)
    assert not leaks(logged, canary), [line for line in logged.splitlines() if leaks(line, canary)][:5]


@pytest.mark.parametrize("canary", [CANARY, NASTY], ids=["plain", "nasty"])
async def test_resource_errors_do_not_echo_the_canary(mode: str, canary: str) -> None:
    state = SandboxState.demo()
    plant(state, canary)
    settings = make_settings(CHATWOOT_API_TOKEN=canary)
    encoded = quote(canary, safe="")
    uris = [f"chatwoot://conversations/{encoded}", f"chatwoot://agents?account_id={encoded}", f"chatwoot://{encoded}"]
    async with connect(make_server(state, settings), mode) as client:
        seen = await read_failing(client, uris)
    assert len(seen) >= len(uris), seen
    assert not found(seen, canary)


async def test_log_records_never_carry_the_canary(mode: str, caplog: pytest.LogCaptureFixture) -> None:
    state = SandboxState.demo()
    plant(state, CANARY)
    settings = make_settings(CHATWOOT_API_TOKEN=CANARY)
    caplog.set_level(logging.DEBUG)
    for name in LOGGERS:
        caplog.set_level(logging.DEBUG, logger=name)
    async with connect(make_server(state, settings), mode) as client:
        await exercise(client, state, CANARY)
    assert any(record.name.startswith("httpx2") for record in caplog.records), "the request log was captured"
    leaked = [
        f"{record.name}: {record.getMessage()[:300]}"
        for record in caplog.records
        if leaks(record.getMessage(), CANARY) or leaks(str(record.exc_text or ""), CANARY)
    ]
    assert not leaked, leaked[:5]
    assert not leaks(caplog.text, CANARY)
