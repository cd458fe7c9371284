"""The authorization server's decisions, as the MCP SDK's OAuth handlers ask for them.

The SDK's handlers parse and check `/authorize`, `/token` and `/register` requests (PKCE S256, exact redirect URIs,
scopes within the client's); this provider answers what they ask: which clients exist, where the user consents,
and what codes and tokens are worth. What the SDK leaves to a provider is done here: a code is exchanged once (a
replay revokes its grant), a refresh token is rotated (reusing an old one revokes its grant), every token is minted
for this server's own `/mcp` URL, and `state` is single-use.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from mcp.server.auth.provider import (
    AccessToken,
    AuthorizationCode,
    AuthorizationParams,
    AuthorizeError,
    IdentityAssertionParams,
    RefreshToken,
    RegistrationError,
    TokenError,
)
from mcp.shared.auth import OAuthClientInformationFull, OAuthToken

from chatwoot_mcp.http.oauth.client_documents import ClientDocuments, is_document_url
from chatwoot_mcp.http.oauth.store import GrantStore, Pending
from chatwoot_mcp.surface.scopes import SCOPES, scopes_text

__all__ = ["ChatwootAuthorizationServer", "subject_of"]

CONSENT_PATH = "/oauth/consent"
MAX_NAME = 120
"""The most of a client's self-chosen name a consent page shows (and the pending request keeps)."""


def subject_of(user_id: int) -> str:
    """The resource owner as tokens name them (never a token or an email)."""
    return f"chatwoot-user:{user_id}"


def _redirect_problem(uri: str) -> str | None:
    """Why a redirect URI cannot be registered (https anywhere, http only to this machine; no fragment)."""
    parts = urlsplit(uri)
    if parts.fragment:
        return f"redirect URI {uri!r} has a fragment"
    if parts.scheme == "https":
        return None
    if parts.scheme == "http" and parts.hostname in ("127.0.0.1", "localhost", "::1"):
        return None
    if parts.scheme in ("http", "https", "javascript", "data", "file") or not parts.scheme:
        return f"redirect URI {uri!r} must be https (or http on 127.0.0.1/localhost)"
    return None  # a native app's private-use scheme (com.example.app:/callback)


class ChatwootAuthorizationServer:
    """`OAuthAuthorizationServerProvider` for chatwoot-mcp: users consent on our page with their Chatwoot sign-in."""

    def __init__(self, issuer: str, resource: str, store: GrantStore, documents: ClientDocuments) -> None:
        self.issuer = issuer
        self.resource = resource
        self.store = store
        self.documents = documents

    # -- clients ----------------------------------------------------------------------------------------------------

    async def get_client(self, client_id: str) -> OAuthClientInformationFull | None:
        if is_document_url(client_id):
            return await self.documents.client(client_id)
        found = await self.store.client(client_id)
        return OAuthClientInformationFull.model_validate(found) if found is not None else None

    async def register_client(self, client_info: OAuthClientInformationFull) -> None:
        for uri in client_info.redirect_uris or []:
            problem = _redirect_problem(str(uri))
            if problem:
                raise RegistrationError("invalid_redirect_uri", problem)
        if not client_info.redirect_uris:
            raise RegistrationError("invalid_redirect_uri", "at least one redirect URI is required")
        # Every client may ask for every scope; the user decides on the consent page what it gets.
        client_info.scope = scopes_text(SCOPES)
        await self.store.save_client(client_info.client_id, client_info.model_dump(mode="json", exclude_none=True))

    # -- authorization ----------------------------------------------------------------------------------------------

    async def authorize(self, client: OAuthClientInformationFull, params: AuthorizationParams) -> str:
        if params.resource is not None and params.resource.rstrip("/") != self.resource:
            raise AuthorizeError("invalid_request", f"this server issues tokens only for {self.resource}")
        if params.state is not None and not await self.store.claim_state(client.client_id, params.state):
            raise AuthorizeError("invalid_request", "this state was already used: start the sign-in again")
        scopes = [scope for scope in SCOPES if scope in (params.scopes or SCOPES)]
        pending = Pending(
            client_id=client.client_id,
            client_name=(client.client_name or client.client_id)[:MAX_NAME],
            redirect_uri=str(params.redirect_uri),
            redirect_uri_provided_explicitly=params.redirect_uri_provided_explicitly,
            state=params.state,
            code_challenge=params.code_challenge,
            scopes=scopes,
            resource=self.resource,
        )
        request_id = await self.store.open_pending(pending)
        return f"{self.issuer}{CONSENT_PATH}?request={request_id}"

    async def load_authorization_code(
        self, client: OAuthClientInformationFull, authorization_code: str
    ) -> AuthorizationCode | None:
        record = await self.store.code(authorization_code)
        if record is None or record.client_id != client.client_id:
            return None
        return AuthorizationCode(
            code=authorization_code,
            scopes=record.scopes,
            expires_at=record.expires_at,
            client_id=record.client_id,
            code_challenge=record.code_challenge,
            redirect_uri=record.redirect_uri,  # type: ignore[arg-type]  (pydantic parses the string)
            redirect_uri_provided_explicitly=record.redirect_uri_provided_explicitly,
            resource=record.resource,
            subject=subject_of(record.user_id),
        )

    async def exchange_authorization_code(
        self, client: OAuthClientInformationFull, authorization_code: AuthorizationCode
    ) -> OAuthToken:
        record = await self.store.take_code(authorization_code.code)
        if record is None or record.client_id != client.client_id:
            raise TokenError("invalid_grant", "this authorization code was already used or has expired")
        return await self._tokens(record.grant_id, client.client_id, record.scopes)

    # -- tokens -----------------------------------------------------------------------------------------------------

    async def load_refresh_token(self, client: OAuthClientInformationFull, refresh_token: str) -> RefreshToken | None:
        record = await self.store.refresh(refresh_token)
        if record is None or record.client_id != client.client_id:
            return None
        return RefreshToken(
            token=refresh_token,
            client_id=record.client_id,
            scopes=record.scopes,
            expires_at=record.expires_at,
            resource=record.resource,
            subject=subject_of(record.user_id),
        )

    async def exchange_refresh_token(
        self, client: OAuthClientInformationFull, refresh_token: RefreshToken, scopes: list[str]
    ) -> OAuthToken:
        record = await self.store.take_refresh(refresh_token.token)
        if record is None or record.client_id != client.client_id:
            raise TokenError("invalid_grant", "this refresh token was already used or has expired")
        narrowed = [scope for scope in record.scopes if scope in scopes] if scopes else record.scopes
        return await self._tokens(record.grant_id, client.client_id, narrowed)

    async def _tokens(self, grant_id: str, client_id: str, scopes: list[str]) -> OAuthToken:
        try:
            access, refresh, lifetime = await self.store.mint(grant_id, client_id, scopes, self.resource)
        except LookupError:
            raise TokenError("invalid_grant", "this grant was revoked: sign in again") from None
        return OAuthToken(
            access_token=access,
            token_type="Bearer",
            expires_in=lifetime,
            scope=scopes_text(scopes),
            refresh_token=refresh,
        )

    async def load_access_token(self, token: str) -> AccessToken | None:
        record = await self.store.access(token)
        if record is None:
            return None
        return AccessToken(
            token=token,
            client_id=record.client_id,
            scopes=record.scopes,
            expires_at=record.expires_at,
            resource=record.resource,
            subject=subject_of(record.user_id),
            claims={"iss": self.issuer},
        )

    async def exchange_identity_assertion(
        self, client: OAuthClientInformationFull, params: IdentityAssertionParams
    ) -> OAuthToken:
        raise TokenError("unsupported_grant_type", "sign in through the consent page instead")

    async def revoke_token(self, token: AccessToken | RefreshToken) -> None:
        record = await self.store.access(token.token) or await self.store.refresh(token.token)
        if record is not None:
            await self.store.revoke_grant(record.grant_id)
