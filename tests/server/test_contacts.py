"""The contacts toolset: finding a customer, reading them whole, and labelling them without losing labels."""

from __future__ import annotations

import pytest
from mcp import Client

from chatwoot_sandbox import SandboxState

from .conftest import assert_refused, structured, text_of, writes


@pytest.mark.anyio
async def test_search_finds_every_contact_sharing_a_first_name(client: Client) -> None:
    result = await client.call_tool("search_contacts", {"q": "ethan"})
    page = structured(result)
    assert {contact["id"] for contact in page["contacts"]} >= {1, 31, 61, 102, 103}
    assert all(contact["name"].startswith("<untrusted>") for contact in page["contacts"])
    assert "contact 103:" in text_of(result)


@pytest.mark.anyio
async def test_a_blocked_contact_says_so(client: Client) -> None:
    page = structured(await client.call_tool("search_contacts", {"q": "Victor Crane"}))
    assert page["contacts"][0]["blocked"] is True


@pytest.mark.anyio
async def test_get_contact_by_conversation_shows_who_the_customer_is(client: Client, state: SandboxState) -> None:
    detail = structured(await client.call_tool("get_contact", {"conversation_id": 12}))
    assert detail["contact"]["id"] == 20
    assert detail["contact"]["name"] == "<untrusted>Nina Johnson</untrusted>"
    assert 12 in [conversation["id"] for conversation in detail["conversations"]]
    by_id = structured(await client.call_tool("get_contact", {"contact_id": 68}))
    assert by_id["labels"] == ["vip", "billing"]


@pytest.mark.anyio
@pytest.mark.parametrize("arguments", [{}, {"contact_id": 20, "conversation_id": 12}])
async def test_get_contact_needs_exactly_one_reference(client: Client, arguments: dict[str, int]) -> None:
    assert_refused(await client.call_tool("get_contact", arguments), "contact_id or conversation_id")


@pytest.mark.anyio
async def test_adding_a_contact_label_keeps_the_others(client: Client, state: SandboxState) -> None:
    change = structured(await client.call_tool("add_contact_labels", {"contact_id": 68, "labels": ["refund"]}))
    assert change["added"] == ["refund"]
    assert state.contacts[68].labels == ["vip", "billing", "refund"]
    again = structured(await client.call_tool("add_contact_labels", {"contact_id": 68, "labels": ["refund"]}))
    assert again["written"] is False


@pytest.mark.anyio
async def test_removing_a_contact_label_keeps_the_others(client: Client, state: SandboxState) -> None:
    change = structured(await client.call_tool("remove_contact_labels", {"contact_id": 68, "labels": ["VIP"]}))
    assert change["removed"] == ["vip"]
    assert state.contacts[68].labels == ["billing"]


@pytest.mark.anyio
async def test_unknown_contact_labels_are_refused_before_writing(client: Client, state: SandboxState) -> None:
    result = await client.call_tool("add_contact_labels", {"contact_id": 68, "labels": ["billng"]})
    assert_refused(result, "billing")
    assert writes(state) == []


@pytest.mark.anyio
async def test_a_contact_resource_reads_like_get_contact(client: Client) -> None:
    from mcp.types import TextResourceContents

    templates = (await client.list_resource_templates()).resource_templates
    assert "chatwoot://contacts/{contact_id}" in {t.uri_template for t in templates}
    read = await client.read_resource("chatwoot://contacts/103")
    [contents] = read.contents
    assert isinstance(contents, TextResourceContents)
    tool = text_of(await client.call_tool("get_contact", {"contact_id": 103}))
    assert contents.text == tool
    assert "CRM-Park-77" in contents.text and "<untrusted>" in contents.text


@pytest.mark.anyio
@pytest.mark.parametrize("uri", ["chatwoot://contacts/abc", "chatwoot://contacts/0", "chatwoot://contacts/999999"])
async def test_a_bad_contact_resource_says_what_is_wrong(client: Client, uri: str) -> None:
    from mcp.shared.exceptions import MCPError

    with pytest.raises(MCPError) as raised:
        await client.read_resource(uri)
    message = str(raised.value)
    assert "contact" in message.lower() and "Traceback" not in message


@pytest.mark.anyio
async def test_an_unknown_contact_is_not_found_in_plain_words(client: Client) -> None:
    # The three reads run together and all fail: the answer is the one Chatwoot error, not an internal error.
    result = await client.call_tool("get_contact", {"contact_id": 999_999})
    assert result.is_error
    assert "could not find" in text_of(result) and "internal error" not in text_of(result)
