"""Every tool the server offers, in the order they are listed, grouped into toolsets."""

from chatwoot_mcp.registry import ToolSpec
from chatwoot_mcp.tools import conversations, labels

__all__ = ["ALL_TOOLS", "TOOLSETS"]

TOOLSETS = {
    "conversations": "list, read, create, assign and change the status of conversations",
    "labels": "read a conversation's labels and change them safely",
}

ALL_TOOLS: list[ToolSpec] = [*conversations.TOOLS, *labels.TOOLS]
