"""The ASGI app: every request is recorded, may meet an injected fault, is authenticated, then handled.

Faults are checked before routing and authentication, the way rack-attack sits in front of Rails; a fault
`after_handling` lets the request be handled (a write is applied) and replaces only the answer. A path no
endpoint serves gets a 404 `{"error": "Resource could not be found"}` without authentication: the real server's
routing 404 is an HTML page, the JSON body here is a simplification.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from urllib.parse import quote

import anyio
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

import chatwoot_sandbox.blobs as blobs
from chatwoot_sandbox.actions import Actor
from chatwoot_sandbox.auth import authenticate, current_account
from chatwoot_sandbox.context import Context
from chatwoot_sandbox.errors import ApiError, ServerError, fault_response, not_found, rails_error_page
from chatwoot_sandbox.routes.table import ENDPOINTS, Endpoint
from chatwoot_sandbox.state import RecordedRequest, SandboxState, WriteRecord

ALL_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
Handle = Callable[[Request, object], Response]


def create_app(state: SandboxState | None = None) -> Starlette:
    """A Chatwoot-compatible app over `state` (by default a fresh `SandboxState.demo()`)."""
    world = state if state is not None else SandboxState.demo()
    routes = [
        Route(endpoint.path, _wrap(world, _handle_endpoint(world, endpoint)), methods=list(endpoint.methods))
        for endpoint in ENDPOINTS
    ]
    routes.append(
        Route(blobs.REDIRECT_PREFIX + "{key}/{filename}", _wrap(world, _blob_redirect(world)), methods=["GET"])
    )
    routes.append(Route(blobs.DISK_PREFIX + "{key}/{filename}", _wrap(world, _blob_file(world)), methods=["GET"]))
    routes.append(Route("/{path:path}", _wrap(world, _unrouted), methods=ALL_METHODS))
    app = Starlette(routes=routes)
    app.state.sandbox = world
    return app


def _wrap(state: SandboxState, handle: Handle) -> Callable[[Request], Awaitable[Response]]:
    """Record the request, apply a matching fault, and turn the server's error cases into responses."""

    async def endpoint(request: Request) -> Response:
        raw = await request.body()
        body = _parse_json(raw)
        url = request.url
        record = RecordedRequest.of(request.method, url.path, request.query_params, body, dict(request.headers), raw)
        malformed = False
        if request.headers.get("content-type", "").startswith("multipart/form-data"):
            try:
                body = await _parse_form(request)
            except (HTTPException, MultiPartException):
                malformed = True  # Rack cannot read it: ActionController::BadRequest, before any controller
        state.requests.append(record)
        state.run_due_jobs()  # what the workers would have done by the time this request arrives
        blobs.frontend_url.set(str(request.base_url).rstrip("/"))
        fault = state.take_fault(request.method, request.url.path)
        if fault is None and state.throttled(request.method, url.path, record.headers):
            response = fault_response(429, None)  # rack-attack's own answer, before Rails
        elif fault is None:
            response = rails_error_page(400) if malformed else _answer(handle, request, body)
        else:
            if fault.after_handling and not malformed:
                _answer(handle, request, body)  # applied; the fault replaces its answer
            await anyio.sleep(fault.delay)
            response = fault_response(fault.status, fault.retry_after, fault.body, fault.content_type)
        record.status = response.status_code
        return response

    return endpoint


def _answer(handle: Handle, request: Request, body: object) -> Response:
    """What the server answers, its error cases included."""
    try:
        return handle(request, body)
    except ApiError as error:
        return error.response()
    except ServerError:
        return rails_error_page(500)


def _handle_endpoint(state: SandboxState, endpoint: Endpoint) -> Handle:
    def handle(request: Request, body: object) -> Response:
        if endpoint.signs_in:
            actor = Actor()
        else:
            actor = authenticate(state, request.headers, bots_allowed=endpoint.bots_allowed)
        path_params = {key: str(value) for key, value in request.path_params.items()}
        account = current_account(state, actor, path_params["account_id"]) if "account_id" in path_params else None
        context = Context(state, actor, account, path_params, request.query_params, body, request.headers)
        response = endpoint.handler(context)
        if request.method != "GET" and actor.sender is not None and response.status_code < 400:
            kind, actor_id = actor.sender
            write = WriteRecord(
                state.clock(), kind, actor_id, account.id if account else None, request.method, request.url.path
            )
            state.writes.append(write)
        return response

    return handle


def _blob_redirect(state: SandboxState) -> Handle:
    """ActiveStorage::Blobs::RedirectController: 302 to the storage service (no API token needed)."""

    def handle(request: Request, body: object) -> Response:
        blob = state.blobs.get(str(request.path_params["key"]))
        if blob is None:
            return not_found().response()
        disposition = request.query_params.get("disposition")
        location = blobs.absolute(f"{blobs.DISK_PREFIX}{blob.key}/{quote(blob.filename)}")
        if disposition:
            location += f"?disposition={disposition}"
        return Response(status_code=302, headers={"location": location})

    return handle


def _blob_file(state: SandboxState) -> Handle:
    """ActiveStorage::DiskController#show: the bytes, with their type and length."""

    def handle(request: Request, body: object) -> Response:
        blob = state.blobs.get(str(request.path_params["key"]))
        if blob is None:
            return not_found().response()
        disposition = "inline" if request.query_params.get("disposition") == "inline" else "attachment"
        headers = {"content-disposition": f'{disposition}; filename="{blob.filename}"'}
        return Response(blob.data, media_type=blob.content_type, headers=headers)

    return handle


def _unrouted(request: Request, body: object) -> Response:
    return not_found().response()


async def _parse_form(request: Request) -> dict[str, object]:
    """A multipart body as Rails' params: fields as strings, file parts as `Upload`s; `key[]` parts make a list
    under `key`, a bare `key` file part is one Upload (which is what Chatwoot then fails on)."""
    params: dict[str, object] = {}
    async with request.form(max_files=100) as form:
        for key, value in form.multi_items():
            if isinstance(value, str):
                item: object = value
            else:
                item = blobs.Upload(value.filename or "", value.content_type or "", await value.read())
            if key.endswith("[]"):
                listed = params.setdefault(key[:-2], [])
                if isinstance(listed, list):
                    listed.append(item)
            else:
                params[key] = item
    return params


def _parse_json(raw: bytes) -> object:
    if not raw.strip():
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return None
