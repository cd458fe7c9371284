"""Contacts: list, search, filter, read one, its conversations, and its labels."""

from __future__ import annotations

from starlette.responses import Response

import chatwoot_sandbox.contact_filters as contact_filters
import chatwoot_sandbox.render as render
from chatwoot_sandbox.context import Context
from chatwoot_sandbox.errors import ServerError, not_found, unprocessable
from chatwoot_sandbox.finders import (
    CONTACT_CONVERSATIONS_LIMIT,
    CONTACTS_PER_PAGE,
    account_contacts,
    kaminari_page,
    paginate,
    ruby_to_i,
    search_contacts,
    sort_contacts,
    split_labels,
)
from chatwoot_sandbox.records import Contact
from chatwoot_sandbox.routes.common import conversation_json, current_page, ok
from chatwoot_sandbox.webhooks import contact_save


def _with_contact_inboxes(ctx: Context) -> bool:
    """`include_contact_inboxes`: on when absent; when present, only the exact string "true" keeps it on."""
    return not ctx.has("include_contact_inboxes") or ctx.param("include_contact_inboxes") in ("true", True)


def _contacts_json(ctx: Context, contacts: list[Contact]) -> list[object]:
    inboxes = _with_contact_inboxes(ctx)
    return [render.contact(ctx.state, c, with_contact_inboxes=inboxes) for c in contacts]


def _sort_param(ctx: Context) -> str | None:
    sort = ctx.param("sort")
    return sort if isinstance(sort, str) else None


def _resolved_contacts(ctx: Context) -> list[Contact]:
    return [c for c in account_contacts(ctx.state, ctx.account_id) if c.resolved]


def list_contacts(ctx: Context) -> Response:
    """contacts#index: resolved contacts only, 15 per page, `meta.count` the total; `labels` is any-of."""
    contacts = _resolved_contacts(ctx)
    wanted = split_labels(
        [str(v) for v in ctx.query.getlist("labels[]")] + [str(v) for v in ctx.query.getlist("labels")]
    )
    if wanted:
        lowered = {w.lower() for w in wanted}
        contacts = [c for c in contacts if any(label.lower() in lowered for label in c.labels)]
    contacts = sort_contacts(contacts, _sort_param(ctx))
    page = paginate(contacts, kaminari_page(ctx.param("page")), CONTACTS_PER_PAGE)
    meta = {"count": len(contacts), "current_page": current_page(ctx)}
    return ok({"meta": meta, "payload": _contacts_json(ctx, page)})


def search_contacts_endpoint(ctx: Context) -> Response:
    """contacts#search (≥4.11): all contacts; 15 per page by offset; `meta.count` is this page's rows + has_more."""
    raw_q = ctx.param("q")
    q = str(raw_q).strip() if raw_q is not None else ""
    if not q:
        if ctx.state.blank_contact_search_is_422:
            raise unprocessable("Specify search string with parameter q")
        return ok({"meta": {"count": None, "current_page": 1, "has_more": None}, "payload": []})
    page = ruby_to_i(ctx.param("page")) if ctx.has("page") else 1
    if page < 1:
        raise ServerError("PG::InvalidRowCountInResultOffsetClause: OFFSET must not be negative")
    found = sort_contacts(search_contacts(account_contacts(ctx.state, ctx.account_id), q), _sort_param(ctx))
    rows = found[(page - 1) * CONTACTS_PER_PAGE : page * CONTACTS_PER_PAGE + 1]
    shown = rows[:CONTACTS_PER_PAGE]
    meta = {"count": len(shown), "current_page": current_page(ctx), "has_more": len(rows) > CONTACTS_PER_PAGE}
    return ok({"meta": meta, "payload": _contacts_json(ctx, shown)})


def filter_contacts(ctx: Context) -> Response:
    """contacts#filter: validated conditions over resolved contacts, 15 per page, `meta.count` the total."""
    conditions = contact_filters.parse_payload(ctx.body)
    contact_filters.validate(ctx.state, ctx.account_id, conditions)
    matching = contact_filters.apply(_resolved_contacts(ctx), conditions, ctx.now)
    matching = sort_contacts(matching, _sort_param(ctx))
    page = paginate(matching, kaminari_page(ctx.param("page")), CONTACTS_PER_PAGE)
    meta = {"count": len(matching), "current_page": current_page(ctx)}
    return ok({"meta": meta, "payload": _contacts_json(ctx, page)})


def _contact(ctx: Context) -> Contact:
    """`Current.account.contacts.find(id)`: 404 for an unknown id or another account's contact. No policy check."""
    found = ctx.state.contacts.get(ruby_to_i(ctx.path_params["contact_id"]))
    if found is None or found.account_id != ctx.account_id:
        raise not_found()
    return found


def show_contact(ctx: Context) -> Response:
    """contacts#show: `{"payload": contact}`; any member may read any contact."""
    return ok({"payload": render.contact(ctx.state, _contact(ctx), with_contact_inboxes=_with_contact_inboxes(ctx))})


def contact_conversations(ctx: Context) -> Response:
    """contacts/conversations#index: at most 20 by last activity, no meta, `page` ignored.

    Agents see only conversations in inboxes they are members of (team membership does not count here).
    """
    contact = _contact(ctx)
    conversations = [c for c in ctx.state.account_conversations(ctx.account_id) if c.contact_id == contact.id]
    user = ctx.actor.user
    if user is not None and user.role_in(ctx.account_id) != "administrator":
        conversations = [c for c in conversations if user.id in ctx.state.inboxes[c.inbox_id].member_ids]
    conversations.sort(key=lambda c: c.last_activity_at, reverse=True)
    return ok({"payload": [conversation_json(ctx, c) for c in conversations[:CONTACT_CONVERSATIONS_LIMIT]]})


def list_contact_labels(ctx: Context) -> Response:
    """contacts/labels#index."""
    return ok({"payload": list(_contact(ctx).labels)})


def replace_contact_labels(ctx: Context) -> Response:
    """contacts/labels#create: REPLACES the set; missing or empty `labels` clears it; labels are not validated."""
    contact = _contact(ctx)
    raw = ctx.param("labels")
    values = [str(v) for v in raw if v is not None] if isinstance(raw, list) else [] if raw is None else [str(raw)]
    with contact_save(ctx.state, contact):
        contact.labels = split_labels(values)
    return ok({"payload": list(contact.labels)})
