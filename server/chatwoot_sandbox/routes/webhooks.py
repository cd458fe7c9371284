"""Account webhooks (`webhooks_controller.rb`, `webhook_policy.rb`): list, create, update, delete; administrators only.

`params.require(:webhook).permit(:inbox_id, :name, :url, subscriptions: [])`, with Rails' `wrap_parameters` putting
a flat JSON body's Webhook attributes under `webhook` (unless the body already has a `webhook` key). Validation
failures are the RecordInvalid 422 `{"message": "Url is invalid", "attributes": ["url"]}`; no wrappable key at all
is 422 `{"error": "param is missing or the value is empty: webhook"}`. There is no show and no secret reset; the
secret is in every answer, since only administrators get one.
"""

from __future__ import annotations

from starlette.responses import Response

from chatwoot_sandbox.context import Context
from chatwoot_sandbox.errors import NOT_AUTHORIZED, ApiError, ServerError, not_found, unauthorized
from chatwoot_sandbox.finders import ruby_to_i
from chatwoot_sandbox.records import Webhook
from chatwoot_sandbox.routes.common import ok
from chatwoot_sandbox.webhook_delivery import DEFAULT_SUBSCRIPTIONS, new_secret
from chatwoot_sandbox.webhooks import validation_errors

WEBHOOK_ATTRIBUTES = (
    "id",
    "account_id",
    "inbox_id",
    "url",
    "created_at",
    "updated_at",
    "webhook_type",
    "subscriptions",
    "name",
    "secret",
)
"""`Webhook.attribute_names`: the keys `wrap_parameters` moves under `webhook`."""
PERMITTED = ("inbox_id", "name", "url", "subscriptions")
_SCALARS = (str, int, float, bool, type(None))


def webhook_json(ctx: Context, webhook: Webhook) -> dict[str, object]:
    """`api/v1/accounts/webhooks/_webhook`: `inbox` only when the id names an existing inbox."""
    body: dict[str, object] = {
        "id": webhook.id,
        "name": webhook.name,
        "url": webhook.url,
        "account_id": webhook.account_id,
        "subscriptions": list(webhook.subscriptions),
        "secret": webhook.secret,
    }
    inbox = ctx.state.inboxes.get(webhook.inbox_id) if webhook.inbox_id is not None else None
    if inbox is not None:
        body["inbox"] = {"id": inbox.id, "name": inbox.name}
    return body


def _authorize(ctx: Context) -> None:
    """`authorize(Webhook)` runs before the record is looked up: an agent never learns whether an id exists."""
    user = ctx.actor.user
    if user is None or user.role_in(ctx.account_id) != "administrator":
        raise unauthorized(NOT_AUTHORIZED)


def _permitted(ctx: Context) -> dict[str, object]:
    """The `webhook` params after require and permit (unpermitted or non-scalar values dropped)."""
    body = ctx.body if isinstance(ctx.body, dict) else {}
    if "webhook" in body:
        given = body["webhook"]
    else:
        given = {key: value for key, value in body.items() if key in WEBHOOK_ATTRIBUTES}
    if given in (None, "", {}, []) or given is False:
        raise ApiError(422, {"error": "param is missing or the value is empty: webhook"})
    if not isinstance(given, dict):
        raise ServerError("undefined method `permit'")  # require returned a scalar or an array
    permitted: dict[str, object] = {}
    for key in PERMITTED:
        if key not in given:
            continue
        value = given[key]
        if key == "subscriptions":
            if isinstance(value, list) and all(isinstance(item, _SCALARS) for item in value):
                permitted[key] = [str(item) if not isinstance(item, str) else item for item in value]
        elif isinstance(value, _SCALARS):
            permitted[key] = value
    return permitted


def _text(value: object) -> str | None:
    """A scalar as a text column stores it."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _inbox_id(value: object) -> int | None:
    """An integer column's cast: numbers and numeric strings; anything else nil."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return int(value)
    text = str(value).strip()
    return ruby_to_i(text) if text[:1].isdigit() or (text[:1] in "+-" and text[1:2].isdigit()) else None


def _validate(ctx: Context, url: object, subscriptions: object, webhook_id: int | None = None) -> None:
    errors = validation_errors(ctx.state, ctx.account_id, url, subscriptions, webhook_id)
    if errors:
        message = ", ".join(f"{attribute.capitalize()} {text}" for attribute, text in errors)
        attributes = list(dict.fromkeys(attribute for attribute, _ in errors))
        raise ApiError(422, {"message": message, "attributes": attributes})


def list_webhooks(ctx: Context) -> Response:
    """webhooks#index: every webhook of the account, in id order, no paging."""
    _authorize(ctx)
    hooks = sorted((h for h in ctx.state.webhooks.values() if h.account_id == ctx.account_id), key=lambda h: h.id)
    return ok({"payload": {"webhooks": [webhook_json(ctx, hook) for hook in hooks]}})


def create_webhook(ctx: Context) -> Response:
    """webhooks#create: omitted (or null) `subscriptions` take the column default, the 8 non-typing, non-inbox
    events; a new 24-character base58 secret."""
    _authorize(ctx)
    params = _permitted(ctx)
    url = _text(params.get("url"))
    subscriptions = params.get("subscriptions")
    if subscriptions is None:
        subscriptions = list(DEFAULT_SUBSCRIPTIONS)
    _validate(ctx, url, subscriptions)
    assert url is not None and isinstance(subscriptions, list)
    webhook = Webhook(
        id=ctx.state.next_id(ctx.state.webhooks),
        account_id=ctx.account_id,
        url=url,
        subscriptions=[str(event) for event in subscriptions],
        secret=new_secret(),
        name=_text(params.get("name")),
        inbox_id=_inbox_id(params.get("inbox_id")),
    )
    ctx.state.webhooks[webhook.id] = webhook
    return ok({"payload": {"webhook": webhook_json(ctx, webhook)}})


def _found(ctx: Context) -> Webhook:
    """`Current.account.webhooks.find(params[:id])`."""
    webhook = ctx.state.webhooks.get(ruby_to_i(ctx.path_params["webhook_id"]))
    if webhook is None or webhook.account_id != ctx.account_id:
        raise not_found()
    return webhook


def update_webhook(ctx: Context) -> Response:
    """webhooks#update (PATCH or PUT): only the keys given change; the secret stays."""
    _authorize(ctx)
    webhook = _found(ctx)
    params = _permitted(ctx)
    url = _text(params["url"]) if "url" in params else webhook.url
    subscriptions = params.get("subscriptions", webhook.subscriptions)
    _validate(ctx, url, subscriptions, webhook.id)
    assert url is not None and isinstance(subscriptions, list)
    webhook.url = url
    webhook.subscriptions = [str(event) for event in subscriptions]
    if "name" in params:
        webhook.name = _text(params["name"])
    if "inbox_id" in params:
        webhook.inbox_id = _inbox_id(params["inbox_id"])
    return ok({"payload": {"webhook": webhook_json(ctx, webhook)}})


def delete_webhook(ctx: Context) -> Response:
    """webhooks#destroy: an empty 200."""
    _authorize(ctx)
    webhook = _found(ctx)
    del ctx.state.webhooks[webhook.id]
    return Response(status_code=200)
