"""A conversation's draft (`conversations/draft_messages`): one text per conversation, shared by all its agents.

Chatwoot keeps it in Redis under `CONVERSATION::<id>::DRAFT_MESSAGE` with no expiry and no author; the sandbox
keeps it on the conversation record (`Conversation.draft_message`). Access is the conversation's `show?`.
"""

from __future__ import annotations

from starlette.responses import Response

from chatwoot_sandbox.context import Context
from chatwoot_sandbox.routes.common import ok


def show_draft(ctx: Context) -> Response:
    """draft_messages#show: `{"has_draft": false}` or `{"has_draft": true, "message": "…"}`."""
    conversation = ctx.conversation()
    if conversation.draft_message is None:
        return ok({"has_draft": False})
    return ok({"has_draft": True, "message": conversation.draft_message})


def update_draft(ctx: Context) -> Response:
    """draft_messages#update: store `draft_message.message` (missing: an empty string); 200, empty body."""
    conversation = ctx.conversation()
    draft = ctx.param("draft_message")
    message = draft.get("message") if isinstance(draft, dict) else None
    conversation.draft_message = message if isinstance(message, str) else "" if message is None else str(message)
    return Response(status_code=200)


def destroy_draft(ctx: Context) -> Response:
    """draft_messages#destroy: remove it (none is fine); 200, empty body."""
    ctx.conversation().draft_message = None
    return Response(status_code=200)
