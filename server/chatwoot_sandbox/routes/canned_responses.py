"""Canned responses (saved replies): the account's list, searched by short code and content."""

from __future__ import annotations

from starlette.responses import Response

import chatwoot_sandbox.render as render
from chatwoot_sandbox.context import Context
from chatwoot_sandbox.finders import ilike, ilike_starts
from chatwoot_sandbox.records import CannedResponse
from chatwoot_sandbox.routes.common import ok


def _canned_relevance(canned: CannedResponse, search: str) -> float:
    """canned_responses#index's ORDER BY CASE: short_code starts with > short_code contains > content contains."""
    if ilike_starts(search, canned.short_code):
        return 1.0
    if ilike(search, canned.short_code):
        return 0.5
    return 0.2


def list_canned_responses(ctx: Context) -> Response:
    """canned_responses#index: a bare array, unpaginated, no role check; `search` (not `q`) on short_code/content."""
    canned = [c for c in ctx.state.canned_responses.values() if c.account_id == ctx.account_id]
    search = ctx.param("search")
    if search is not None:
        text = str(search)
        canned = [c for c in canned if ilike(text, c.short_code) or ilike(text, c.content)]
        canned.sort(key=lambda c: _canned_relevance(c, text), reverse=True)
    return ok([render.canned_response(c) for c in canned])
