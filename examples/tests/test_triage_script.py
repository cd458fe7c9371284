"""The scripted model on its own: what it calls and when it stops, for the result shapes each framework hands it."""

from __future__ import annotations

import json

import pytest

from triage_script import NOTE, SERVER_TOOLSETS, Call, next_step, server_command, tool_text

ALL = ["list_conversations", "add_labels", "add_private_note"]
QUEUE_TEXT = "#14 open · <untrusted>Mia Brown</untrusted> · inbox 1\n#67 open/high · ..."


@pytest.mark.parametrize(
    ("output", "text"),
    [
        (QUEUE_TEXT, QUEUE_TEXT),  # LangChain: the text itself
        (json.dumps({"type": "text", "text": QUEUE_TEXT}), QUEUE_TEXT),  # an MCP content block as JSON
        ({"type": "input_text", "text": QUEUE_TEXT}, QUEUE_TEXT),  # the Agents SDK's input item
        ([{"type": "text", "text": "a"}, {"type": "text", "text": "b"}], "a\nb"),
        ({"conversations": [{"id": 14}]}, '{"conversations": [{"id": 14}]}'),  # pydantic-ai: structured content
    ],
)
def test_tool_text_reads_each_frameworks_shape(output: object, text: str) -> None:
    assert tool_text(output) == text


@pytest.mark.parametrize("queue", [QUEUE_TEXT, '{"conversations": [{"id": 14, "status": "open"}]}'])
def test_a_triage_is_read_label_note_then_answer(queue: str) -> None:
    assert next_step(ALL, []) == Call("list_conversations", {"status": "open", "assignee_type": "unassigned"})
    assert next_step(ALL, [queue]) == Call("add_labels", {"conversation_id": 14, "labels": ["urgent"]})
    assert next_step(ALL, [queue, "labelled"]) == Call("add_private_note", {"conversation_id": 14, "content": NOTE})
    assert next_step(ALL, [queue, "labelled", "noted"]) == "Triaged #14.\nlabelled\nnoted"


def test_without_write_tools_or_a_queue_it_stops_and_says_why() -> None:
    read_only = next_step(["list_conversations"], [QUEUE_TEXT])
    assert isinstance(read_only, str)
    assert read_only.startswith("Read-only: #14 is first in the queue, but no write tool is offered")
    empty = next_step(ALL, ["page 1, 0 shown of 0"])
    assert empty == "The queue has no unassigned open conversation: nothing to triage."
    assert next_step([], []) == "No list_conversations tool is offered: nothing to triage."


def test_the_server_command_carries_the_filters(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHATWOOT_MCP_COMMAND", "uvx chatwoot-mcp")
    assert server_command() == ["uvx", "chatwoot-mcp", "--toolsets", SERVER_TOOLSETS]
    assert server_command(read_only=True)[-1] == "--read-only"
    monkeypatch.delenv("CHATWOOT_MCP_COMMAND")
    assert server_command()[:2] == ["uv", "run"]
    assert "--sandbox" in server_command()
