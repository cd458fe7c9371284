"""`chatwoot-mcp demo`: a short scripted triage, through a real MCP client talking to the server over stdio.

The server runs as a subprocess on the embedded sandbox, so the demo needs no Chatwoot and changes nothing real.
"""

from __future__ import annotations

import base64
import json
import os
import sys
from typing import Any

from mcp import Client, StdioServerParameters
from mcp.client import ClientRequestContext
from mcp.types import ElicitRequestParams, ElicitResult

__all__ = ["run_demo"]


def _say(title: str) -> None:
    print(f"\n=== {title}", flush=True)


async def _answer(context: ClientRequestContext, params: ElicitRequestParams) -> ElicitResult:
    # A person at a real client would see this question; the demo plays someone who approves the reply they
    # read, and says no to replacing every label.
    approve = "to the CUSTOMER" in params.message
    print(f"[the server asks the user] {params.message}\n[the user answers] {'yes' if approve else 'no'}", flush=True)
    if approve:
        return ElicitResult(action="accept", content={"confirm": True})
    return ElicitResult(action="decline")


def _shown(block: Any) -> str:
    if getattr(block, "type", None) == "image":
        size = len(base64.b64decode(block.data))
        return f"[an image block follows: {block.mime_type}, {size} bytes; a multimodal model sees the picture]"
    return getattr(block, "text", "")


async def _call(client: Client, tool: str, arguments: dict[str, Any]) -> Any:
    # As `chatwoot-mcp call` takes them: the arguments are JSON, ready to paste.
    print(f"> {tool} {json.dumps(arguments, ensure_ascii=False)}", flush=True)
    result = await client.call_tool(tool, arguments)
    text = "\n".join(_shown(block) for block in result.content)
    lines = text.splitlines()
    shown = lines if len(lines) <= 14 else [*lines[:12], f"... ({len(lines) - 12} more lines)", lines[-1]]
    print(("ERROR (nothing written): " if result.is_error else "") + "\n".join(shown), flush=True)
    return result


async def run_demo() -> int:
    """Run the scripted triage; returns the exit code."""
    server = StdioServerParameters(
        command=sys.executable,
        args=["-m", "chatwoot_mcp", "serve", "--sandbox"],
        env={k: v for k, v in os.environ.items() if not k.startswith("CHATWOOT_")},
    )
    async with Client(server, elicitation_callback=_answer) as client:
        tools = (await client.list_tools()).tools
        _say(f"Connected over stdio to chatwoot-mcp on the sandbox: {len(tools)} tools")
        print(
            "Each step shows `> TOOL ARGUMENTS`; try one yourself with chatwoot-mcp call --sandbox TOOL 'ARGUMENTS'\n"
            "(each such call starts from fresh demo data).",
            flush=True,
        )

        _say("How big is the queue?")
        await _call(client, "get_counts", {"status": "open"})

        _say("Unassigned open conversations")
        page = await _call(client, "list_conversations", {"status": "open", "assignee_type": "unassigned"})
        conversations = (page.structured_content or {}).get("conversations") or []
        if not conversations:
            print("The sandbox has no unassigned open conversation; nothing to triage.")
            return 1
        target = conversations[0]["id"]

        _say(f"Read #{target}")
        await _call(client, "get_conversation", {"conversation_id": f"#{target}"})
        _say("Read its whole history, oldest first (customer text is marked <untrusted>)")
        await _call(client, "list_messages", {"conversation_id": target, "all_history": True})
        _say("Who is the customer? Their profile, labels and other conversations")
        await _call(client, "get_contact", {"conversation_id": target})
        _say("What has the team already written? A saved reply and the help center")
        await _call(client, "list_canned_responses", {"q": "refund"})
        await _call(client, "search_articles", {"q": "refund"})
        _say("Another customer attached a screenshot: it is shown to the model as an image")
        await _call(client, "get_attachment", {"conversation_id": 5, "attachment_id": 1})

        _say("Assign it by first name: ambiguous names are refused with the candidates")
        await _call(client, "assign_conversation", {"conversation_id": target, "agent": "Alex"})
        _say("Assign it by full name")
        await _call(client, "assign_conversation", {"conversation_id": target, "agent": "Alex Kim", "team": "billing"})

        _say("Add a label: the labels it already has are kept")
        await _call(client, "add_labels", {"conversation_id": target, "labels": ["urgent"]})
        _say("A label that is not in the account's list is refused, with close matches")
        await _call(client, "add_labels", {"conversation_id": target, "labels": ["urgnet"]})

        _say("Replacing all labels without proof is unsafe: the user is asked, says no, nothing is written")
        await _call(client, "set_labels", {"conversation_id": target, "labels": ["vip"]})
        _say("A stale expected_labels is refused too, showing the current set")
        await _call(client, "set_labels", {"conversation_id": target, "labels": ["vip"], "expected_labels": []})

        _say("A private note: only agents see it")
        await _call(client, "add_private_note", {"conversation_id": target, "content": "Checked billing; refund due."})
        _say("A saved reply to the customer: the user sees the final text, approves, and it is sent once")
        reply = {"conversation_id": target, "canned_response": "refund"}
        await _call(client, "send_reply", reply)
        _say("Sending the same reply again is refused as a duplicate, without asking")
        await _call(client, "send_reply", reply)

        _say("Resolve it")
        await _call(client, "toggle_status", {"conversation_id": target, "status": "resolved"})
        await _call(client, "get_conversation", {"conversation_id": target})
    print("\nDemo finished: every write above went to the in-process sandbox.", flush=True)
    return 0
