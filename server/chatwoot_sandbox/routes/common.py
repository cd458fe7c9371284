"""What the endpoints of every area share: the JSON answer, a conversation as the caller sees it, the page echoed."""

from __future__ import annotations

from starlette.responses import JSONResponse, Response

import chatwoot_sandbox.render as render
from chatwoot_sandbox.context import Context
from chatwoot_sandbox.records import Conversation


def ok(body: object) -> Response:
    return JSONResponse(body)


def conversation_json(ctx: Context, conversation: Conversation) -> dict[str, object]:
    return render.conversation(ctx.state, conversation, ctx.actor.user_id, ctx.now)


def current_page(ctx: Context) -> object:
    """`params[:page] || 1`: the raw string when `page` was sent, else the integer 1."""
    page = ctx.param("page")
    return page if page is not None else 1
