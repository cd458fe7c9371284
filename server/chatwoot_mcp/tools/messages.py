"""The messages toolset: reading a conversation's history, private notes, and confirmed replies."""

from __future__ import annotations

from chatwoot_mcp.guards.messages import list_messages
from chatwoot_mcp.guards.replies import add_private_note, send_reply
from chatwoot_mcp.registry import ToolSpec

TOOLS = [
    ToolSpec(
        "list_messages", "Read messages", list_messages, "messages", read_only=True, idempotent=True,
    ),
    ToolSpec(
        "add_private_note", "Add private note", add_private_note, "messages",
        read_only=False, verify_with="list_messages",
    ),
    ToolSpec(
        "send_reply", "Send a reply", send_reply, "messages",
        read_only=False, verify_with="list_messages",
    ),
]  # fmt: skip
