"""Bulk actions (`bulk_actions_controller.rb`): an empty 200 at once, the change a moment later in the background.

Conversations outside the caller's inboxes are skipped in silence by the job; contacts can be labelled (merges) or
deleted (administrators only; anyone else: 401 before anything is queued).
"""

from __future__ import annotations

from starlette.responses import JSONResponse, Response

from chatwoot_sandbox.automation import bulk_update_conversations
from chatwoot_sandbox.context import Context
from chatwoot_sandbox.errors import NOT_AUTHORIZED, unauthorized
from chatwoot_sandbox.finders import account_contacts
from chatwoot_sandbox.state import SandboxState
from chatwoot_sandbox.webhooks import contact_save


def bulk_actions(ctx: Context) -> Response:
    """bulk_actions#create: `type` must camelize to Conversation or Contact, else 422 `{"success": false}`."""
    kind = str(ctx.param("type") or "")
    kind = kind[:1].upper() + kind[1:]
    user = ctx.actor.user
    assert user is not None  # bot tokens are refused before the handler
    state, account_id, ids = ctx.state, ctx.account_id, ctx.param("ids")
    if kind == "Conversation":
        fields, labels, snoozed_until = ctx.param("fields"), ctx.param("labels"), ctx.param("snoozed_until")
        state.enqueue_job(
            "bulk conversations",
            lambda: bulk_update_conversations(
                state,
                account_id,
                user,
                ids,
                fields if isinstance(fields, dict) else None,
                snoozed_until,
                labels if isinstance(labels, dict) else None,
            ),
        )
        return Response(status_code=200)
    if kind == "Contact":
        labels = ctx.param("labels")
        if ctx.param("action_name") == "delete":
            if user.role_in(account_id) != "administrator":
                raise unauthorized(NOT_AUTHORIZED)
            state.enqueue_job("bulk delete contacts", lambda: _delete_contacts(state, account_id, ids))
        elif isinstance(labels, dict):
            state.enqueue_job("bulk contact labels", lambda: _label_contacts(state, account_id, ids, labels))
        return Response(status_code=200)
    return JSONResponse({"success": False}, status_code=422)


def _contacts(state: SandboxState, account_id: int, ids: object) -> list[int]:
    wanted = {value for value in ids if isinstance(value, int)} if isinstance(ids, list) else set()
    return [contact.id for contact in account_contacts(state, account_id) if contact.id in wanted]


def _label_contacts(state: SandboxState, account_id: int, ids: object, labels: dict[str, object]) -> None:
    raw_add, raw_remove = labels.get("add"), labels.get("remove")
    add = [str(label) for label in raw_add] if isinstance(raw_add, list) else []
    remove = {str(label) for label in raw_remove} if isinstance(raw_remove, list) else set()
    for contact_id in _contacts(state, account_id, ids):
        contact = state.contacts[contact_id]
        merged = [*contact.labels, *(label for label in add if label not in contact.labels)]
        with contact_save(state, contact):
            contact.labels = [label for label in merged if label not in remove]


def _delete_contacts(state: SandboxState, account_id: int, ids: object) -> None:
    """`contact.destroy!`: its conversations go with it (`dependent: :destroy_async`)."""
    for contact_id in _contacts(state, account_id, ids):
        for conversation in state.account_conversations(account_id):
            if conversation.contact_id == contact_id:
                del state.conversations[conversation.id]
        del state.contacts[contact_id]
