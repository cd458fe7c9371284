"""The Liquid placeholders Chatwoot renders in a message when it is created (`Liquidable`, a `before_create`).

The Rails source (`app/models/concerns/liquidable.rb`; not covered by chatwoot-api-contacts.md, which only says
canned responses are returned unrendered) renders `content` of **outgoing and template** messages that have
content, private notes included (they are outgoing), with the drops `contact`, `agent` (the sender, else the
assignee), `conversation`, `inbox` and `account`. Text inside backticks is left alone ({% raw %}), an unknown
variable renders as the empty string (non-strict Liquid), and a Liquid syntax error keeps the content as written
(rescued). The sandbox mirrors that for `{{ object.attribute }}` with an optional `| default: '...'`; it does not
run tags ({% if %}...), which a canned response rarely holds. Drop formatting is approximated: `name` is as
stored, `first_name`/`last_name` are its first and last words.
"""

from __future__ import annotations

import re

from chatwoot_sandbox.records import Conversation
from chatwoot_sandbox.state import SandboxState

_CODE = re.compile(r"`.*?`", re.DOTALL)
_OUTPUT = re.compile(r"\{\{\s*([a-z_]+)\.([a-z_]+)\s*(?:\|\s*default:\s*(?:'([^']*)'|\"([^\"]*)\")\s*)?\}\}")


def _words(name: str | None) -> list[str]:
    return (name or "").split()


def _drops(state: SandboxState, conversation: Conversation, sender_user_id: int | None) -> dict[str, dict[str, str]]:
    contact = state.contacts[conversation.contact_id]
    words = _words(contact.name)
    agent_id = sender_user_id if sender_user_id is not None else conversation.assignee_id
    agent = state.users.get(agent_id) if agent_id is not None else None
    agent_words = _words(agent.name if agent else None)
    inbox = state.inboxes[conversation.inbox_id]
    return {
        "contact": {
            "name": contact.name,
            "first_name": words[0] if words else "",
            "last_name": words[-1] if len(words) > 1 else "",
            "email": contact.email or "",
            "phone_number": contact.phone_number or "",
            "id": str(contact.id),
        },
        "agent": {
            "name": agent.name if agent else "",
            "first_name": agent_words[0] if agent_words else "",
            "last_name": agent_words[-1] if len(agent_words) > 1 else "",
            "email": agent.email if agent else "",
            "available_name": agent.available_name if agent else "",
        },
        "conversation": {"display_id": str(conversation.display_id), "id": str(conversation.display_id)},
        "inbox": {"name": inbox.name, "id": str(inbox.id)},
        "account": {"name": state.accounts[conversation.account_id].name, "id": str(conversation.account_id)},
    }


def render(state: SandboxState, conversation: Conversation, content: str, sender_user_id: int | None) -> str:
    """`content` with its placeholders filled in, code spans untouched."""
    if content.count("{{") != content.count("}}"):
        return content  # Liquid::SyntaxError, rescued: the content stays as written
    drops = _drops(state, conversation, sender_user_id)

    def fill(match: re.Match[str]) -> str:
        value = drops.get(match.group(1), {}).get(match.group(2), "")
        fallback = match.group(3) if match.group(3) is not None else match.group(4)
        return value if value or fallback is None else fallback

    parts: list[str] = []
    last = 0
    for code in _CODE.finditer(content):
        parts.append(_OUTPUT.sub(fill, content[last : code.start()]))
        parts.append(code.group())
        last = code.end()
    parts.append(_OUTPUT.sub(fill, content[last:]))
    return "".join(parts)
