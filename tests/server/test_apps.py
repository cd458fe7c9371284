"""MCP Apps (`io.modelcontextprotocol/ui`), the server's side: the capability, the ui:// views, which tools link to
them and for whom, the app-only tools, and the composer's one-time token ("the click is the confirmation, and only a
click can confirm").

Every test talks to the real server through `mcp.Client` in memory, in both protocol eras, as a client that supports
apps (it advertises the extension) or one that does not; Chatwoot is the sandbox.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx2
import pytest
from mcp import Client
from mcp.client.extension import advertise
from mcp.client.streamable_http import streamable_http_client
from mcp.server import apps as sdk_apps
from mcp.server.apps import APP_MIME_TYPE, EXTENSION_ID
from mcp.types import CallToolResult

from chatwoot_mcp.apps import extension, pages
from chatwoot_mcp.config import Settings
from chatwoot_mcp.surface.schemas import SCHEMA_DIR
from chatwoot_mcp.tools import apps as app_tools
from chatwoot_sandbox import ADMIN_TOKEN, AGENT_TOKEN, AGENT_USER_ID, DEMO_ACCOUNT_ID, SandboxState
from chatwoot_sandbox.actions import add_message
from chatwoot_sandbox.records import INCOMING

from .conftest import REPO, assert_refused, make_server, make_settings, structured, text_of, writes
from .test_team_http import Team, in_inbox, team_server

pytestmark = pytest.mark.anyio

APPS = [advertise(EXTENSION_ID, {"mimeTypes": [APP_MIME_TYPE]})]
COMPOSER = "chatwoot-mcp/composer"
LINKS = {
    "list_conversations": pages.QUEUE,
    "filter_conversations": pages.QUEUE,
    "search_conversations": pages.QUEUE,
    "get_conversation": pages.CONVERSATION,
    "list_messages": pages.CONVERSATION,
    "get_report": pages.REPORT,
    "get_queue_metrics": pages.REPORT,
}
APP_ONLY = ["app_queue_page", "app_conversation", "app_review_reply", "app_send_reply"]


@asynccontextmanager
async def session(
    state: SandboxState, mode: str, *, apps: bool, settings: Settings | None = None
) -> AsyncIterator[Client]:
    server = make_server(state, settings)
    async with Client(server, mode=mode, cache=None, extensions=APPS if apps else []) as client:
        yield client


@pytest.fixture
async def app_client(state: SandboxState, mode: str, anyio_backend: str) -> AsyncIterator[Client]:
    """A client that supports apps, in each era, on the default server over `state`."""
    async with session(state, mode, apps=True) as client:
        yield client


def token_of(result: CallToolResult) -> str:
    assert not result.is_error, text_of(result)
    assert result.meta is not None and COMPOSER in result.meta, result.meta
    return result.meta[COMPOSER]["token"]


def sent(state: SandboxState, conversation_id: int, content: str) -> list[Any]:
    conversation = state.conversation(DEMO_ACCOUNT_ID, conversation_id)
    return [m for m in conversation.messages if m.content == content and not m.private]


def other_conversation(state: SandboxState, than: int) -> int:
    return next(c.display_id for c in state.account_conversations(DEMO_ACCOUNT_ID) if c.display_id != than)


def customer_says(state: SandboxState, conversation_id: int, content: str) -> None:
    conversation = state.conversation(DEMO_ACCOUNT_ID, conversation_id)
    add_message(
        state, conversation, content=content, message_type=INCOMING, sender=("Contact", conversation.contact_id)
    )


def wire(tools: list[Any]) -> list[dict[str, Any]]:
    return [tool.model_dump(mode="json", by_alias=True, exclude_none=True) for tool in tools]


# -- the capability and the listing --------------------------------------------------------------------------------


@pytest.mark.parametrize("apps", [False, True])
async def test_the_server_declares_the_extension(state: SandboxState, mode: str, apps: bool) -> None:
    """In both eras: a 2025-era handshake's `initialize` keeps the declaration the SDK's sieve would drop."""
    async with session(state, mode, apps=apps) as client:
        extensions = client.server_capabilities.extensions if client.server_capabilities else None
        assert extensions is not None and EXTENSION_ID in extensions


def test_our_spelling_of_the_sdk_constants_and_the_view_uris() -> None:
    assert (extension.EXTENSION_ID, extension.APP_MIME_TYPE) == (sdk_apps.EXTENSION_ID, sdk_apps.APP_MIME_TYPE)
    assert set(app_tools.VIEWS) == set(pages.PAGES)
    assert all(uri.startswith("ui://") for uri in pages.PAGES)


async def test_linked_tools_carry_their_view_only_for_clients_with_apps(client: Client, app_client: Client) -> None:
    plain = (await client.list_tools()).tools
    listed = (await app_client.list_tools()).tools
    assert all(tool.meta is None for tool in plain)
    assert not [tool.name for tool in plain if tool.name.startswith("app_")]
    by_name = {tool.name: tool for tool in listed}
    for name, uri in LINKS.items():
        assert by_name[name].meta == {"ui": {"resourceUri": uri}}
    for name in APP_ONLY:
        ui = (by_name[name].meta or {})["ui"]
        assert ui["visibility"] == ["app"] and ui["resourceUri"] in pages.PAGES
    # The fixed order, the app-only tools after every tool a model sees; nothing else differs.
    assert [tool.name for tool in listed] == [tool.name for tool in plain] + APP_ONLY
    assert [{k: v for k, v in tool.items() if k != "_meta"} for tool in wire(listed[: len(plain)])] == wire(plain)
    for tool in wire(listed):
        assert "ui/resourceUri" not in tool.get("_meta", {}), "the deprecated flat key"


async def test_a_client_without_apps_is_listed_exactly_the_checked_in_tools(client: Client) -> None:
    """tool_schemas/ holds what every client is shown (no `_meta`); a client without apps gets exactly that."""
    for tool in wire((await client.list_tools()).tools):
        on_disk = json.loads((REPO / SCHEMA_DIR / f"{tool['name']}.json").read_text(encoding="utf-8"))
        assert tool == on_disk


async def test_app_only_tools_are_refused_to_a_client_without_apps(client: Client, state: SandboxState) -> None:
    arguments = {
        "app_queue_page": {"source": "list_conversations", "arguments": {}, "page": 2},
        "app_conversation": {"conversation_id": 7},
        "app_review_reply": {"conversation_id": 7, "content": "hi", "token": "x"},
        "app_send_reply": {"conversation_id": 7, "content": "hi", "token": "x"},
    }
    before = len(state.requests)
    for name in APP_ONLY:
        assert_refused(await client.call_tool(name, arguments[name]), "only the app view calls this")
    assert state.requests[before:] == []


async def test_results_are_the_same_with_and_without_apps(state: SandboxState, mode: str) -> None:
    """A linked tool's text stays what the model reads, and its structuredContent is the view's data either way."""
    calls = [("list_conversations", {}), ("get_conversation", {"conversation_id": 7})]
    results = []
    for apps in (False, True):
        async with session(state, mode, apps=apps) as each:
            results.append([await each.call_tool(name, arguments) for name, arguments in calls])
    for plain, linked in zip(*results, strict=True):
        assert text_of(plain) and text_of(plain) == text_of(linked)
        assert plain.structured_content == linked.structured_content
        assert COMPOSER not in (plain.meta or {}) and COMPOSER not in (linked.meta or {})


# -- the ui:// resources -------------------------------------------------------------------------------------------


async def test_the_views_are_app_resources(client: Client, app_client: Client) -> None:
    listed = {str(r.uri): r for r in (await app_client.list_resources()).resources}
    assert set(pages.PAGES) <= set(listed)
    for uri in pages.PAGES:
        assert listed[uri].mime_type == APP_MIME_TYPE
        assert listed[uri].meta == {"ui": {"prefersBorder": True}}  # no csp: the host's default allows no network
        read = (await app_client.read_resource(uri)).contents
        assert len(read) == 1 and read[0].mime_type == APP_MIME_TYPE
        assert read[0].meta == {"ui": {"prefersBorder": True}}
        html = getattr(read[0], "text", "")
        assert html.lower().startswith("<!doctype html") and html == pages.page_html(uri)
    # To a client without apps they are HTML nobody renders: not listed.
    assert not [r for r in (await client.list_resources()).resources if str(r.uri).startswith("ui://")]


async def test_the_pages_hold_no_token_credentials_or_conversation(app_client: Client, state: SandboxState) -> None:
    token = token_of(await app_client.call_tool("app_conversation", {"conversation_id": 7, "draft": "Hello"}))
    for uri in pages.PAGES:
        html = getattr((await app_client.read_resource(uri)).contents[0], "text", "")
        for secret in (token, ADMIN_TOKEN, "http://sandbox", "Hello"):
            assert secret not in html


# -- get_conversation's draft --------------------------------------------------------------------------------------


async def test_get_conversation_takes_a_draft_and_sends_nothing(app_client: Client, state: SandboxState) -> None:
    draft = "Thanks for waiting, your refund is on its way."
    result = await app_client.call_tool("get_conversation", {"conversation_id": 7, "draft": draft})
    assert "draft (" in text_of(result) and "not sent" in text_of(result)
    assert draft not in text_of(result)  # the model wrote it: it need not read it back
    assert "draft" not in structured(result)
    assert writes(state) == []


# -- the views' data -----------------------------------------------------------------------------------------------


async def test_app_conversation_gives_the_view_raw_text_the_contact_a_clean_link_and_the_draft(
    app_client: Client, state: SandboxState
) -> None:
    customer_says(state, 7, "Is it <b>shipped</b>?\u202e\u200bgnirts")
    result = await app_client.call_tool("app_conversation", {"conversation_id": 7, "draft": "Yes, today."})
    data = structured(result)
    assert data["conversation"]["id"] == 7
    messages = data["messages"]
    assert len(messages) <= 100 and [m["id"] for m in messages] == sorted(m["id"] for m in messages)
    newest = messages[-1]
    assert newest["from_customer"] and newest["type"] == "incoming"
    assert newest["content"] == "Is it <b>shipped</b>?gnirts"  # raw for textContent; the invisible characters gone
    assert data["contact"]["from_customer"] is True and data["contact"]["name"]
    assert data["link"] == "http://sandbox/app/accounts/1/conversations/7"
    assert data["draft"] == "Yes, today." and data["can_send"] is True
    assert result.meta is not None and set(result.meta[COMPOSER]) == {"token", "expires_at"}
    assert result.meta[COMPOSER]["expires_at"].endswith("Z")
    assert "Yes, today." not in text_of(result) and "<b>" not in text_of(result)


async def test_app_queue_page_runs_the_source_tool_again_with_the_page(app_client: Client) -> None:
    model = await app_client.call_tool("list_conversations", {"status": "open", "page": 2})
    view = await app_client.call_tool(
        "app_queue_page", {"source": "list_conversations", "arguments": {"status": "open"}, "page": 2}
    )
    assert structured(view) == structured(model)
    rows = structured(model)["conversations"]
    assert any("waiting_since" in row for row in rows) and "waiting_since" not in text_of(model)
    search = await app_client.call_tool(
        "app_queue_page", {"source": "search_conversations", "arguments": {"q": "order"}, "page": 1}
    )
    assert "results" in structured(search)
    # The arguments are checked as the tool checks them.
    bad = await app_client.call_tool(
        "app_queue_page", {"source": "list_conversations", "arguments": {"status": "bogus"}, "page": 1}
    )
    assert bad.is_error and "status" in text_of(bad)
    other = await app_client.call_tool("app_queue_page", {"source": "send_reply", "arguments": {}, "page": 1})
    assert other.is_error


# -- the composer's token ------------------------------------------------------------------------------------------


async def test_send_works_once_with_the_text_shown(app_client: Client, state: SandboxState) -> None:
    text = "Your parcel left the warehouse this morning."
    shown = await app_client.call_tool("app_conversation", {"conversation_id": 7, "draft": text})
    token = token_of(shown)
    result = await app_client.call_tool("app_send_reply", {"conversation_id": 7, "content": text, "token": token})
    data = structured(result)
    assert data["status"] == "sent" and data["conversation_id"] == 7 and "SENT" in text_of(result)
    assert len(sent(state, 7, text)) == 1 and data["message_id"] == sent(state, 7, text)[0].id
    again = await app_client.call_tool("app_send_reply", {"conversation_id": 7, "content": text, "token": token})
    assert_refused(again, "already", "Nothing was sent")
    assert again.structured_content == {"conversation_id": 7, "status": "refused"}
    assert len(sent(state, 7, text)) == 1
    for each in (shown, result, again):
        assert token not in text_of(each) and token not in json.dumps(each.structured_content or {})


async def test_a_token_for_other_text_or_another_conversation_sends_nothing(
    app_client: Client, state: SandboxState
) -> None:
    before = len(writes(state))
    token = token_of(await app_client.call_tool("app_conversation", {"conversation_id": 7, "draft": "A"}))
    changed = await app_client.call_tool("app_send_reply", {"conversation_id": 7, "content": "B", "token": token})
    assert_refused(changed, "text differs", "Nothing was sent")
    other = other_conversation(state, 7)
    token = token_of(await app_client.call_tool("app_conversation", {"conversation_id": 7, "draft": "A"}))
    moved = await app_client.call_tool("app_send_reply", {"conversation_id": other, "content": "A", "token": token})
    assert_refused(moved, "conversation #7", f"not #{other}", "Nothing was sent")
    made_up = await app_client.call_tool("app_send_reply", {"conversation_id": 7, "content": "A", "token": "x" * 43})
    assert_refused(made_up, "not known", "Nothing was sent")
    assert len(writes(state)) == before


async def test_a_new_message_since_the_view_rendered_is_named_and_nothing_is_sent(
    app_client: Client, state: SandboxState
) -> None:
    token = token_of(await app_client.call_tool("app_conversation", {"conversation_id": 7, "draft": "On it."}))
    customer_says(state, 7, "Actually, cancel the order please")
    newest = state.conversation(DEMO_ACCOUNT_ID, 7).messages[-1].id
    result = await app_client.call_tool("app_send_reply", {"conversation_id": 7, "content": "On it.", "token": token})
    assert_refused(result, "new message", f"message {newest}", "from the customer", "Nothing was sent")
    assert sent(state, 7, "On it.") == []


async def test_a_private_note_from_the_view_does_not_void_its_send(app_client: Client, state: SandboxState) -> None:
    token = token_of(await app_client.call_tool("app_conversation", {"conversation_id": 7, "draft": "Done."}))
    note = await app_client.call_tool("add_private_note", {"conversation_id": 7, "content": "refund approved"})
    assert not note.is_error, text_of(note)
    result = await app_client.call_tool("app_send_reply", {"conversation_id": 7, "content": "Done.", "token": token})
    assert structured(result)["status"] == "sent"


async def test_review_rebinds_the_token_to_the_edited_text(app_client: Client, state: SandboxState) -> None:
    first = token_of(await app_client.call_tool("app_conversation", {"conversation_id": 7, "draft": "Hi"}))
    edited = "Hi Nina, the refund is on its way."
    reviewed = await app_client.call_tool("app_review_reply", {"conversation_id": 7, "content": edited, "token": first})
    assert structured(reviewed) == {"conversation_id": 7, "content": edited}
    second = token_of(reviewed)
    assert second != first and second not in text_of(reviewed)
    dead = await app_client.call_tool("app_send_reply", {"conversation_id": 7, "content": "Hi", "token": first})
    assert_refused(dead, "already", "Nothing was sent")
    old_text = await app_client.call_tool("app_review_reply", {"conversation_id": 7, "content": "Hi", "token": first})
    assert old_text.is_error
    done = await app_client.call_tool("app_send_reply", {"conversation_id": 7, "content": edited, "token": second})
    assert structured(done)["status"] == "sent"
    assert sent(state, 7, "Hi") == [] and len(sent(state, 7, edited)) == 1


async def test_a_read_only_server_offers_no_send(state: SandboxState, mode: str) -> None:
    async with session(state, mode, apps=True, settings=make_settings(CHATWOOT_MCP_READ_ONLY="1")) as client:
        names = [tool.name for tool in (await client.list_tools()).tools]
        assert "app_conversation" in names and "app_send_reply" not in names and "app_review_reply" not in names
        result = await client.call_tool("app_conversation", {"conversation_id": 7, "draft": "x"})
        assert structured(result)["can_send"] is False and COMPOSER not in (result.meta or {})
        assert "read-only" in structured(result)["why_not"] or "not" in structured(result)["why_not"]
        refused = await client.call_tool("app_send_reply", {"conversation_id": 7, "content": "x", "token": "y"})
        assert_refused(refused, "read-only")


# -- another user ----------------------------------------------------------------------------------------------------


@asynccontextmanager
async def app_user(team: Team, token: str, mode: str) -> AsyncIterator[Client]:
    http = httpx2.AsyncClient(headers={"Authorization": f"Bearer {token}"}, timeout=20)
    transport = streamable_http_client(f"{team.base}/mcp", http_client=http)
    async with http, Client(transport, mode=mode, cache=None, extensions=APPS) as client:
        yield client


@pytest.mark.parametrize("mode", ["auto", "legacy"])
async def test_a_token_works_only_for_the_user_it_was_shown_to(mode: str) -> None:
    state = SandboxState.demo()
    async with team_server(state, CHATWOOT_ACCOUNT_ID="1") as team:
        conversation = in_inbox(state, 1, 1)
        text = "We have found your order."
        async with app_user(team, AGENT_TOKEN, mode) as agent, app_user(team, ADMIN_TOKEN, mode) as admin:
            names = [tool.name for tool in (await agent.list_tools()).tools]
            assert "app_send_reply" in names  # over HTTP too, in each era: the capability is read per request
            shown = await agent.call_tool("app_conversation", {"conversation_id": conversation, "draft": text})
            stolen = await admin.call_tool(
                "app_send_reply", {"conversation_id": conversation, "content": text, "token": token_of(shown)}
            )
            assert_refused(stolen, "another Chatwoot user", "Nothing was sent")
            assert sent(state, conversation, text) == []
            again = await agent.call_tool("app_conversation", {"conversation_id": conversation, "draft": text})
            result = await agent.call_tool(
                "app_send_reply", {"conversation_id": conversation, "content": text, "token": token_of(again)}
            )
            assert structured(result)["status"] == "sent"
    [message] = sent(state, conversation, text)
    assert (message.sender_type, message.sender_id) == ("User", AGENT_USER_ID)


def test_the_link_carries_no_credentials_query_or_fragment() -> None:
    from chatwoot_mcp.guards.screens import conversation_link

    link = conversation_link("https://agent:s3cret@chat.example:8443/support/?x=1#y", 2, 7)
    assert link == "https://chat.example:8443/support/app/accounts/2/conversations/7"


async def test_an_expired_token_is_refused(app_client: Client, state: SandboxState, monkeypatch: Any) -> None:
    import time

    from chatwoot_mcp.apps import tokens

    token = token_of(await app_client.call_tool("app_conversation", {"conversation_id": 7, "draft": "Late"}))
    later = time.time() + tokens.TOKEN_TTL + 60
    monkeypatch.setattr(tokens, "_now", lambda: later)
    result = await app_client.call_tool("app_send_reply", {"conversation_id": 7, "content": "Late", "token": token})
    assert_refused(result, "expired", "Nothing was sent")
    assert sent(state, 7, "Late") == []


def test_app_only_tools_follow_the_request_scopes_narrowing_and_linked_tools() -> None:
    from chatwoot_mcp.surface.scopes import READ, SEND, WRITE
    from chatwoot_mcp.surface.visibility import Narrowing, RequestView, refusal, visible_tools

    settings = make_settings()

    def app_tools_for(request: RequestView) -> list[str]:
        return [name for name in visible_tools(settings, request) if name.startswith("app_")]

    assert app_tools_for(RequestView()) == []
    assert app_tools_for(RequestView(apps=True)) == APP_ONLY
    assert app_tools_for(RequestView(apps=True, scopes=frozenset({READ, WRITE}))) == APP_ONLY[:2]
    assert app_tools_for(RequestView(apps=True, scopes=frozenset({READ, WRITE, SEND}))) == APP_ONLY
    assert app_tools_for(RequestView(narrowings=(Narrowing(read_only=True),), apps=True)) == APP_ONLY[:2]
    # A connection narrowed to the labels toolset has no tool that opens a view: no app-only tool either.
    assert app_tools_for(RequestView(narrowings=(Narrowing(toolsets=frozenset({"labels"})),), apps=True)) == []
    # Narrowed to search only, the queue view still opens (search_conversations, filter_conversations).
    only_search = RequestView(narrowings=(Narrowing(toolsets=frozenset({"search"})),), apps=True)
    assert app_tools_for(only_search) == ["app_queue_page"]
    why = refusal(settings, RequestView(apps=True, scopes=frozenset({READ})), "app_send_reply")
    assert why is not None and "chatwoot:send" in why


async def test_a_send_whose_answer_is_lost_and_not_found_is_reported_unknown(
    app_client: Client, state: SandboxState
) -> None:
    text = "Your replacement ships tomorrow."
    token = token_of(await app_client.call_tool("app_conversation", {"conversation_id": 7, "draft": text}))
    state.inject_fault(502, method="POST", path_contains="/conversations/7/messages")
    result = await app_client.call_tool("app_send_reply", {"conversation_id": 7, "content": text, "token": token})
    assert result.is_error and "may have been applied" in text_of(result), text_of(result)
    assert result.structured_content == {"conversation_id": 7, "status": "unknown"}


async def test_a_send_whose_answer_is_lost_but_stored_is_read_back_as_sent(
    app_client: Client, state: SandboxState
) -> None:
    text = "We have refunded the difference."
    token = token_of(await app_client.call_tool("app_conversation", {"conversation_id": 7, "draft": text}))
    state.inject_fault(502, method="POST", path_contains="/conversations/7/messages", after_handling=True)
    result = await app_client.call_tool("app_send_reply", {"conversation_id": 7, "content": text, "token": token})
    assert structured(result)["status"] == "sent" and "answer was lost" in text_of(result)
    assert len(sent(state, 7, text)) == 1
