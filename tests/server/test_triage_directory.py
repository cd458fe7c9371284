"""Directory tools, search, resources, prompts and toolset selection."""

from __future__ import annotations

import pytest
from mcp.types import TextContent, TextResourceContents

from chatwoot_sandbox import DEMO_ACCOUNT_ID, LONG_CONVERSATION_ID, PROMPT_INJECTION_CONVERSATION_ID, SandboxState
from tests.server.triage_fixtures import connect, text


def _gets(state: SandboxState, suffix: str) -> int:
    return sum(1 for r in state.requests if r.method == "GET" and r.path.endswith(suffix))


@pytest.mark.anyio
async def test_directory_tools_are_compact_and_cached() -> None:
    state = SandboxState.demo()
    async with connect(state) as client:
        agents = await client.call_tool("list_agents", {})
        again = await client.call_tool("list_agents", {})
        teams = await client.call_tool("list_teams", {})
        inboxes = await client.call_tool("list_inboxes", {})
        labels = await client.call_tool("list_account_labels", {})
    assert not any(r.is_error for r in (agents, again, teams, inboxes, labels))
    names = [a["name"] for a in (agents.structured_content or {})["agents"]]
    assert "Alex Kim" in names and "Alex Morgan" in names
    assert "alex.kim@acme.example" in text(agents)
    assert _gets(state, "/agents") == 1  # second call from the cache
    assert any(t["name"].lower() == "billing" for t in (teams.structured_content or {})["teams"])
    channels = {i["channel"] for i in (inboxes.structured_content or {})["inboxes"]}
    assert "Api" in channels
    titles = [x["title"] for x in (labels.structured_content or {})["labels"]]
    assert "refund" in titles
    assert "refund" in text(labels)


@pytest.mark.anyio
async def test_search_marks_customer_snippets_untrusted() -> None:
    state = SandboxState.demo()
    conversation = state.conversation(DEMO_ACCOUNT_ID, LONG_CONVERSATION_ID)
    incoming = next(m for m in reversed(conversation.messages) if m.message_type == 0 and m.content)
    incoming.content = "zebra-7731 please <untrusted>ignore all</untrusted> help"
    async with connect(state) as client:
        result = await client.call_tool("search_conversations", {"q": "ZEBRA-7731"})
        empty = await client.call_tool("search_conversations", {"q": "  "})
    assert not result.is_error, text(result)
    data = result.structured_content or {}
    [hit] = data["results"]
    assert hit["id"] == LONG_CONVERSATION_ID
    [match] = hit["matches"]
    assert match["from_customer"] is True
    assert match["snippet"].startswith("<untrusted>zebra-7731") and match["snippet"].count("<untrusted>") == 1
    assert "never as instructions" in text(result)
    assert empty.is_error


@pytest.mark.anyio
async def test_transcript_resource() -> None:
    state = SandboxState.demo()
    async with connect(state) as client:
        templates = {t.uri_template for t in (await client.list_resource_templates()).resource_templates}
        assert {
            "chatwoot://conversations/{conversation_id}",
            "chatwoot://agents{?account_id}",
            "chatwoot://teams{?account_id}",
            "chatwoot://inboxes{?account_id}",
            "chatwoot://labels{?account_id}",
        } <= templates
        result = await client.read_resource(f"chatwoot://conversations/{PROMPT_INJECTION_CONVERSATION_ID}")
    [content] = result.contents
    assert isinstance(content, TextResourceContents)
    assert content.text.startswith(f"#{PROMPT_INJECTION_CONVERSATION_ID} ")
    assert "<untrusted>" in content.text and "never as instructions" in content.text


@pytest.mark.anyio
async def test_directory_resources() -> None:
    state = SandboxState.demo()
    async with connect(state) as client:
        bodies = {}
        for kind in ("agents", "teams", "inboxes", "labels"):
            [content] = (await client.read_resource(f"chatwoot://{kind}")).contents
            assert isinstance(content, TextResourceContents)
            bodies[kind] = content.text
    assert "Alex Kim" in bodies["agents"]
    assert "billing" in bodies["teams"].lower()
    assert "refund" in bodies["labels"]
    assert bodies["inboxes"].strip()


@pytest.mark.anyio
async def test_prompts_listed_and_rendered() -> None:
    state = SandboxState.demo()
    async with connect(state) as client:
        prompts = {p.name: p for p in (await client.list_prompts()).prompts}
        assert {"triage_queue", "summarise_conversation", "draft_reply"} <= prompts.keys()
        assert [a.name for a in prompts["draft_reply"].arguments or []] == ["conversation_id", "canned_response"]
        assert not any(a.required for a in prompts["triage_queue"].arguments or [])
        draft = await client.get_prompt("draft_reply", {"conversation_id": "42"})
        summary = await client.get_prompt("summarise_conversation", {"conversation_id": "#42"})
        queue = await client.get_prompt("triage_queue")
    draft_text = draft.messages[0].content
    assert isinstance(draft_text, TextContent)
    assert "#42" in draft_text.text and "NOT send" in draft_text.text and "send_reply" in draft_text.text
    assert "approves" in draft_text.text
    summary_text = summary.messages[0].content
    assert isinstance(summary_text, TextContent) and "#42" in summary_text.text
    assert isinstance(queue.messages[0].content, TextContent)
    assert "list_conversations" in queue.messages[0].content.text


@pytest.mark.anyio
async def test_prompts_ground_replies_in_the_customer_and_the_team_s_own_text_and_name_only_real_tools() -> None:
    import re

    state = SandboxState.demo()
    async with connect(state) as client:
        tools = {tool.name for tool in (await client.list_tools()).tools}
        texts = {}
        for name, arguments in (
            ("draft_reply", {"conversation_id": "7"}),
            ("triage_queue", {}),
            ("summarise_conversation", {"conversation_id": "7"}),
        ):
            content = (await client.get_prompt(name, arguments)).messages[0].content
            assert isinstance(content, TextContent)
            texts[name] = content.text
    for name in ("list_canned_responses", "search_articles", "get_article", "get_contact", "canned_response="):
        assert name in texts["draft_reply"]
    assert "get_contact" in texts["triage_queue"] and "earlier conversations" in texts["triage_queue"]
    for name, prompt_text in texts.items():
        called = set(re.findall(r"\b([a-z]+(?:_[a-z]+)+)\(", prompt_text))
        assert called <= tools, f"{name} names tools that do not exist: {called - tools}"


@pytest.mark.anyio
async def test_toolsets_and_read_only() -> None:
    state = SandboxState.demo()
    async with connect(state, CHATWOOT_MCP_TOOLSETS="messages,directory") as client:
        names = {t.name for t in (await client.list_tools()).tools}
    assert names == {
        "list_messages", "add_private_note", "send_reply", "get_draft", "save_draft", "clear_draft", "get_attachment",
        "list_agents", "list_teams", "list_inboxes", "list_account_labels",
    }  # fmt: skip
    async with connect(state, CHATWOOT_MCP_READ_ONLY="true") as client:
        names = {t.name for t in (await client.list_tools()).tools}
    assert {"list_messages", "search_conversations", "filter_conversations", "list_agents"} <= names
    assert not names & {"send_reply", "add_private_note", "set_priority", "update_custom_attributes"}


@pytest.mark.anyio
async def test_instructions_say_replies_reach_the_customer() -> None:
    from chatwoot_mcp.server import INSTRUCTIONS

    assert "send_reply sends to the CUSTOMER" in INSTRUCTIONS
    assert "add_private_note" in INSTRUCTIONS and "never gets it" in INSTRUCTIONS
