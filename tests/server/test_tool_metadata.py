"""What tools/list tells a client: titles, explicit hints, portable input schemas, and the account parameter."""

from __future__ import annotations

from typing import Any

import pytest
from mcp import Client

from chatwoot_mcp.tools import ALL_TOOLS
from chatwoot_sandbox import SECOND_ACCOUNT_ID, SandboxState

from .conftest import connect, make_server, make_settings, structured, text_of

ISSUE_TOOLS = {
    "list_conversations",
    "get_conversation",
    "create_conversation",
    "update_conversation",
    "assign_conversation",
    "toggle_status",
    "get_counts",
    "list_labels",
    "add_labels",
    "remove_labels",
    "set_labels",
}
HINTS = ("readOnlyHint", "destructiveHint", "idempotentHint", "openWorldHint")


async def wire_tools(client: Client) -> dict[str, dict[str, Any]]:
    """tools/list as the wire JSON (camelCase), by name."""
    tools = (await client.list_tools()).tools
    return {tool.name: tool.model_dump(mode="json", by_alias=True, exclude_none=True) for tool in tools}


@pytest.mark.anyio
async def test_every_tool_is_listed(client: Client) -> None:
    names = set(await wire_tools(client))
    assert names >= ISSUE_TOOLS
    assert names == {spec.name for spec in ALL_TOOLS}


@pytest.mark.anyio
async def test_titles_and_explicit_hints(client: Client) -> None:
    for name, tool in (await wire_tools(client)).items():
        assert tool.get("title"), f"{name} has no title"
        annotations = tool.get("annotations", {})
        missing = [hint for hint in HINTS if not isinstance(annotations.get(hint), bool)]
        assert not missing, f"{name}: hints not explicit: {missing}"
        spec = next(s for s in ALL_TOOLS if s.name == name)
        assert annotations["readOnlyHint"] is spec.read_only
        if annotations["readOnlyHint"]:
            assert annotations["destructiveHint"] is False, name


@pytest.mark.anyio
async def test_hint_values_for_the_issue_tools(client: Client) -> None:
    tools = await wire_tools(client)
    read_only = {"list_conversations", "get_conversation", "get_counts", "list_labels"}
    for name in ISSUE_TOOLS:
        assert tools[name]["annotations"]["readOnlyHint"] is (name in read_only), name
    assert tools["set_labels"]["annotations"]["destructiveHint"] is True
    assert tools["add_labels"]["annotations"]["destructiveHint"] is False
    assert tools["add_labels"]["annotations"]["idempotentHint"] is True
    assert tools["create_conversation"]["annotations"]["idempotentHint"] is False


@pytest.mark.anyio
async def test_input_schemas_are_portable_and_described(client: Client) -> None:
    for name, tool in (await wire_tools(client)).items():
        schema = tool["inputSchema"]
        assert schema.get("type") == "object", name
        combinators = {"anyOf", "oneOf", "allOf"} & schema.keys()
        assert not combinators, f"{name}: top-level {combinators}"
        for prop, body in schema.get("properties", {}).items():
            assert body.get("description", "").strip(), f"{name}.{prop} has no description"


@pytest.mark.anyio
async def test_toggle_status_schema_and_description(client: Client) -> None:
    tool = (await wire_tools(client))["toggle_status"]
    schema = tool["inputSchema"]
    assert "status" in schema["required"]
    assert "snoozed_until" in schema["properties"]
    assert "snoozed_until" not in schema.get("required", [])
    description = tool["description"].lower()
    assert "agent" in description and "reopen" in description and "assign" in description


@pytest.mark.anyio
async def test_single_account_has_no_account_parameter(client: Client) -> None:
    for name, tool in (await wire_tools(client)).items():
        assert "account_id" not in tool["inputSchema"].get("properties", {}), name


@pytest.mark.anyio
async def test_account_allowlist(state: SandboxState, mode: str) -> None:
    server = make_server(state, make_settings(CHATWOOT_ACCOUNT_ID="1,2"))
    async with connect(server, mode) as client:
        for name, tool in (await wire_tools(client)).items():
            schema = tool["inputSchema"]
            assert "account_id" in schema["properties"], name
            assert "account_id" not in schema.get("required", []), name
            assert schema["properties"]["account_id"].get("description"), name

        default = structured(await client.call_tool("list_labels", {"conversation_id": 7}))
        assert default["labels"] == ["shipping", "urgent", "vip"]
        second = structured(
            await client.call_tool("list_labels", {"conversation_id": 1, "account_id": SECOND_ACCOUNT_ID})
        )
        assert second["labels"] == state.conversation(SECOND_ACCOUNT_ID, 1).labels
        assert all(r.path.startswith(f"/api/v1/accounts/{SECOND_ACCOUNT_ID}/") for r in state.requests[1:])

        seen = len(state.requests)
        for tool, arguments in [
            ("list_conversations", {}),
            ("add_labels", {"conversation_id": 1, "labels": ["vip"]}),
            ("set_labels", {"conversation_id": 1, "labels": [], "confirm": True}),
        ]:
            result = await client.call_tool(tool, arguments | {"account_id": 3})
            assert result.is_error, tool
            assert "Account 3 is not allowed" in text_of(result) and "1, 2" in text_of(result)
        assert len(state.requests) == seen, "nothing may be sent for a refused account"
