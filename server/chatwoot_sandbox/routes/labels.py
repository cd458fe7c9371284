"""A conversation's labels: read them, and replace the whole set (Chatwoot's only label write)."""

from __future__ import annotations

from starlette.responses import Response

import chatwoot_sandbox.actions as actions
from chatwoot_sandbox.context import Context
from chatwoot_sandbox.finders import split_labels
from chatwoot_sandbox.routes.common import ok


def list_conversation_labels(ctx: Context) -> Response:
    """conversations/labels#index."""
    return ok({"payload": list(ctx.conversation().labels)})


def replace_conversation_labels(ctx: Context) -> Response:
    """conversations/labels#create: REPLACES the label set; a missing or empty `labels` clears it."""
    conversation = ctx.conversation()
    raw = ctx.param("labels")
    values = [str(v) for v in raw if v is not None] if isinstance(raw, list) else [] if raw is None else [str(raw)]
    actions.replace_labels(ctx.state, conversation, split_labels(values), ctx.actor)
    return ok({"payload": list(conversation.labels)})
