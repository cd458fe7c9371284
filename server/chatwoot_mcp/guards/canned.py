"""Canned responses in a reply: finding one by its short code, and previewing what Chatwoot will send.

Chatwoot stores a canned response with its Liquid placeholders (`{{contact.name}}`) unrendered and fills them
in when an outgoing message is created (`Liquidable`, a `before_create` on Message, for outgoing messages that
have content). So a reply is sent as the canned text itself; the server renders it, and the message Chatwoot
answers with carries the final text. Before sending, the user is shown a preview with the placeholders this
server can know (the contact, the conversation, the acting agent) filled in the same way.
"""

from __future__ import annotations

import re

from chatwoot_client.types import CannedResponse, Conversation
from chatwoot_mcp.context import ToolContext
from chatwoot_mcp.edges.errors import Refusal

__all__ = ["find_canned_response", "preview", "same_reply"]

_PLACEHOLDER = re.compile(r"\{\{.*?\}\}", re.DOTALL)
_OUTPUT = re.compile(r"\{\{\s*([a-z_]+)\.([a-z_]+)\s*(?:\|\s*default:\s*(?:'([^']*)'|\"([^\"]*)\")\s*)?\}\}")
_CODE = re.compile(r"`.*?`", re.DOTALL)


async def find_canned_response(tools: ToolContext, account_id: int, short_code: str) -> CannedResponse:
    """The canned response with this short code (exact, else the one case-insensitive match), or a Refusal."""
    wanted = short_code.strip().lstrip("/")
    if not wanted:
        raise Refusal("canned_response is empty. Nothing was sent. Pass a short code from list_canned_responses.")
    cached = await tools.directory.cached_canned_responses(account_id, wanted)
    if cached is not None and (match := _with_short_code(cached, wanted)) is not None:
        return match
    # Not looked up lately, or not found then (it may have been created since): ask Chatwoot.
    found = await tools.directory.canned_responses(account_id, wanted)
    if (match := _with_short_code(found, wanted)) is not None:
        return match
    similar = ", ".join(c.short_code for c in found[:5])
    hint = f" Similar short codes: {similar}." if similar else " See list_canned_responses."
    raise Refusal(f"No canned response has the short code {wanted!r}. Nothing was sent.{hint}")


def _with_short_code(found: list[CannedResponse], wanted: str) -> CannedResponse | None:
    """The one with exactly this short code, else the one whose short code matches it ignoring case."""
    exact = [c for c in found if c.short_code == wanted]
    folded = [c for c in found if c.short_code.casefold() == wanted.casefold()]
    return (exact or folded)[0] if exact or len(folded) == 1 else None


def preview(template: str, conversation: Conversation | None, agent_name: str | None) -> str:
    """`template` with the placeholders filled in as Chatwoot will fill them; unknown ones stay as written."""
    if conversation is None:
        return template
    sender = conversation.meta.sender
    name = (sender.name if sender else None) or ""
    words = name.split()
    drops = {
        "contact": {
            "name": name,
            "first_name": words[0] if words else "",
            "last_name": words[-1] if len(words) > 1 else "",
            "email": (sender.email if sender else None) or "",
            "phone_number": (sender.phone_number if sender else None) or "",
        },
        "conversation": {"id": str(conversation.id), "display_id": str(conversation.id)},
    }
    if agent_name:
        agent_words = agent_name.split()
        drops["agent"] = {
            "name": agent_name,
            "first_name": agent_words[0] if agent_words else "",
            "last_name": agent_words[-1] if len(agent_words) > 1 else "",
        }

    def fill(match: re.Match[str]) -> str:
        values = drops.get(match.group(1))
        if values is None or match.group(2) not in values:
            return match.group(0)
        return values[match.group(2)] or match.group(3) or match.group(4) or ""

    pieces = _CODE.split(template)
    codes = _CODE.findall(template)
    out = [_OUTPUT.sub(fill, piece) for piece in pieces]
    return "".join(part for pair in zip(out, [*codes, ""], strict=True) for part in pair)


def same_reply(sent: str, stored: str) -> bool:
    """Whether `stored` is the reply `sent` (both normalised), a placeholder in `sent` matching whatever filled it."""
    if "{{" not in sent:
        return sent == stored
    pattern = ".*?".join(re.escape(part) for part in _PLACEHOLDER.split(sent))
    return re.fullmatch(pattern, stored, re.DOTALL) is not None
