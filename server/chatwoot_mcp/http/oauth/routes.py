"""The OAuth endpoints, in front of the MCP app: discovery metadata, authorize, token, register, revoke, consent.

The MCP SDK's handlers serve `/authorize`, `/token` and `/register` (they parse and check requests, and ask our
provider); the metadata documents, `/revoke` (the SDK's refuses public clients, which every MCP host is) and the
consent page are ours. Discovery says what the SDK's own metadata leaves out: public clients (`none`), client ID
metadata documents, and the `iss` parameter on every answer from `/authorize`, errors included.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx2
from mcp.server.auth.handlers.authorize import AuthorizationHandler
from mcp.server.auth.handlers.metadata import MetadataHandler, ProtectedResourceMetadataHandler
from mcp.server.auth.handlers.register import RegistrationHandler
from mcp.server.auth.handlers.token import TokenHandler
from mcp.server.auth.middleware.client_auth import AuthenticationError, ClientAuthenticator
from mcp.server.auth.routes import cors_middleware
from mcp.server.auth.settings import ClientRegistrationOptions
from mcp.shared.auth import OAuthMetadata, ProtectedResourceMetadata
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, Router, request_response

from chatwoot_mcp.config import Settings
from chatwoot_mcp.http.oauth.client_documents import ClientDocuments
from chatwoot_mcp.http.oauth.consent import ConsentPage
from chatwoot_mcp.http.oauth.provider import CONSENT_PATH, ChatwootAuthorizationServer
from chatwoot_mcp.http.oauth.store import GrantStore
from chatwoot_mcp.surface.scopes import SCOPES

__all__ = ["MCP_PATH", "OAuthRoutes", "protected_resource_metadata_url"]

log = logging.getLogger("chatwoot_mcp")

MCP_PATH = "/mcp"
PRM_PATH = "/.well-known/oauth-protected-resource"
MAX_BODY = 64 * 1024


def protected_resource_metadata_url(issuer: str) -> str:
    return f"{issuer}{PRM_PATH}{MCP_PATH}"


def _authorization_metadata(issuer: str) -> OAuthMetadata:
    # Validated from strings, not built from AnyHttpUrl objects: those append "/" to a bare origin, and hosts
    # compare the issuer with the `iss` they are sent back as exact strings (RFC 9207).
    public_and_secret = ["none", "client_secret_post", "client_secret_basic"]
    return OAuthMetadata.model_validate(
        {
            "issuer": issuer,
            "authorization_endpoint": f"{issuer}/authorize",
            "token_endpoint": f"{issuer}/token",
            "registration_endpoint": f"{issuer}/register",
            "revocation_endpoint": f"{issuer}/revoke",
            "scopes_supported": list(SCOPES),
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code", "refresh_token"],
            "token_endpoint_auth_methods_supported": public_and_secret,
            "revocation_endpoint_auth_methods_supported": public_and_secret,
            "code_challenge_methods_supported": ["S256"],
            "client_id_metadata_document_supported": True,
            "authorization_response_iss_parameter_supported": True,
        }
    )


def _resource_metadata(issuer: str, base_url: str) -> ProtectedResourceMetadata:
    return ProtectedResourceMetadata.model_validate(
        {
            "resource": issuer + MCP_PATH,
            "authorization_servers": [issuer],
            "scopes_supported": list(SCOPES),
            "bearer_methods_supported": ["header"],
            "resource_name": f"chatwoot-mcp for {base_url}",
        }
    )


class _IssOnAuthorizeErrors:
    """RFC 9207: every authorization response names its issuer, errors the SDK's handler redirects with included."""

    def __init__(self, app: Any, issuer: str) -> None:
        self.app = app
        self.issuer = issuer

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        async def sending(message: Any) -> None:
            if message["type"] == "http.response.start" and message["status"] in (302, 303):
                headers = []
                for name, value in message.get("headers", []):
                    if name == b"location":
                        value = self._with_iss(value.decode("latin-1")).encode("latin-1")
                    headers.append((name, value))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, sending)

    def _with_iss(self, location: str) -> str:
        parts = urlsplit(location)
        query = parse_qsl(parts.query, keep_blank_values=True)
        if location.startswith(self.issuer + CONSENT_PATH) or "error" not in dict(query) or "iss" in dict(query):
            return location
        return urlunsplit(parts._replace(query=urlencode([*query, ("iss", self.issuer)])))


class OAuthRoutes:
    """ASGI: the OAuth endpoints answered here; every other request goes on to `app` (the protected MCP endpoint)."""

    def __init__(
        self,
        app: Any,
        settings: Settings,
        store: GrantStore,
        http: httpx2.AsyncClient,
        documents: ClientDocuments | None = None,
        allowed_hosts: list[str] | None = None,
    ) -> None:
        """`allowed_hosts`: the Host names (`name`, or `name:*` for any port) the MCP endpoint accepts; the OAuth
        endpoints accept the same, so a page that rebinds its DNS name to this server reaches neither."""
        self.app = app
        self.allowed_hosts = allowed_hosts
        issuer = settings.issuer
        self.provider = ChatwootAuthorizationServer(issuer, issuer + MCP_PATH, store, documents or ClientDocuments())
        self.store = store
        consent = ConsentPage(settings, store, http)
        registration = ClientRegistrationOptions(enabled=True, valid_scopes=list(SCOPES), default_scopes=list(SCOPES))
        resource = _resource_metadata(issuer, settings.base_url)
        authenticator = ClientAuthenticator(self.provider)
        self.authenticator = authenticator
        get, post = ["GET", "OPTIONS"], ["POST", "OPTIONS"]
        self.router = Router(
            routes=[
                Route(
                    "/.well-known/oauth-authorization-server",
                    cors_middleware(MetadataHandler(_authorization_metadata(issuer)).handle, get),
                    methods=get,
                ),
                Route(PRM_PATH, cors_middleware(ProtectedResourceMetadataHandler(resource).handle, get), methods=get),
                Route(
                    PRM_PATH + MCP_PATH,
                    cors_middleware(ProtectedResourceMetadataHandler(resource).handle, get),
                    methods=get,
                ),
                Route(
                    "/authorize",
                    _IssOnAuthorizeErrors(request_response(AuthorizationHandler(self.provider).handle), issuer),
                    methods=["GET", "POST"],
                ),
                Route("/token", cors_middleware(TokenHandler(self.provider, authenticator).handle, post), methods=post),
                Route(
                    "/register",
                    cors_middleware(RegistrationHandler(self.provider, options=registration).handle, post),
                    methods=post,
                ),
                Route("/revoke", cors_middleware(self.revoke, post), methods=post),
                Route(CONSENT_PATH, consent.show, methods=["GET"]),
                Route(CONSENT_PATH, consent.submit, methods=["POST"]),
            ]
        )
        self.paths = {route.path for route in self.router.routes if isinstance(route, Route)}

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["path"] in self.paths:
            headers = dict(scope.get("headers") or [])
            host = headers.get(b"host", b"").decode("latin-1")
            if self.allowed_hosts is not None and not _host_allowed(host, self.allowed_hosts):
                await JSONResponse({"error": "invalid_request", "error_description": "Invalid Host header"}, 421)(
                    scope, receive, send
                )
                return
            length = headers.get(b"content-length", b"0")
            if scope["method"] == "POST" and (not length.isdigit() or int(length) > MAX_BODY):
                await JSONResponse({"error": "invalid_request", "error_description": "body too large"}, 413)(
                    scope, receive, send
                )
                return
            await self.router(scope, receive, send)
            return
        await self.app(scope, receive, send)

    async def revoke(self, request: Request) -> Response:
        """RFC 7009: revoke a token (its whole grant); 200 whether or not it was known, so nothing is learnt."""
        try:
            client = await self.authenticator.authenticate_request(request)
        except AuthenticationError as error:
            return JSONResponse({"error": "invalid_client", "error_description": error.message}, 401)
        form = await request.form()
        token = form.get("token")
        if not isinstance(token, str) or not token:
            return JSONResponse({"error": "invalid_request", "error_description": "token is required"}, 400)
        record = await self.store.access(token) or await self.store.refresh(token)
        if record is not None and record.client_id == client.client_id:
            await self.store.revoke_grant(record.grant_id)
            log.info("revoked a grant of client %r at its request", client.client_name or client.client_id)
        return Response(status_code=200, headers={"Cache-Control": "no-store"})


def _host_allowed(host: str, allowed: list[str]) -> bool:
    """The MCP SDK's Host rule (DNS-rebinding protection): an exact name, or `name:*` for that name on any port."""
    return bool(host) and (
        host in allowed or any(host.startswith(name[:-1]) for name in allowed if name.endswith(":*"))
    )
