"""Helpers for the OAuth tests: an `--auth oauth` server on a loopback port (Chatwoot = the sandbox in-process), a
"browser" that goes through the consent page as a person would (reads the form, fills it, submits it), and the MCP
SDK's own OAuth client wired to that browser."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx2
from mcp import Client
from mcp.client.auth import OAuthClientProvider
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.auth import AuthorizationCodeResult, OAuthClientInformationFull, OAuthClientMetadata, OAuthToken
from pydantic import AnyUrl

from chatwoot_mcp.config import load_settings
from chatwoot_mcp.http.oauth.client_documents import ClientDocuments
from chatwoot_mcp.http.transports import http_app
from chatwoot_mcp.server import create_server
from chatwoot_sandbox import SandboxState, create_app

from .conftest import SANDBOX_URL, free_port
from .team_support import served

REDIRECT = "http://127.0.0.1:33418/callback"
LIST = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "tools/list",
    "params": {
        "_meta": {
            "io.modelcontextprotocol/protocolVersion": "2026-07-28",
            "io.modelcontextprotocol/clientCapabilities": {},
        }
    },
}
"""A whole 2026-07-28 request: answered 200 once the bearer check lets it through."""
OAUTH_ENV = {"CHATWOOT_BASE_URL": SANDBOX_URL, "CHATWOOT_ACCOUNT_ID": "1,2", "CHATWOOT_MCP_AUTH": "oauth"}


@dataclass
class OAuthServer:
    base: str
    state: SandboxState
    app: Any = None
    """The served ASGI app (for measuring it without a client), when the test started it."""

    @property
    def mcp(self) -> str:
        return f"{self.base}/mcp"


@asynccontextmanager
async def oauth_server(
    state: SandboxState,
    *,
    documents: ClientDocuments | None = None,
    port: int | None = None,
    env: Mapping[str, str] | None = None,
) -> AsyncIterator[OAuthServer]:
    """`serve --auth oauth --transport streamable-http` on a loopback port (free unless given); Chatwoot is `state`."""
    port = port or free_port()
    settings = load_settings({**OAUTH_ENV, **(env or {})}, transport="streamable-http", port=port)
    http = httpx2.AsyncClient(transport=httpx2.ASGITransport(app=create_app(state)))
    app = http_app(create_server(settings, shared_http=http), settings, http, oauth_documents=documents)
    async with http, served(app, port, lifespan="on") as base:
        yield OAuthServer(base, state, app)


class _Form(HTMLParser):
    """The first form of a page: its action and every input's name and value (checkboxes only when checked)."""

    def __init__(self) -> None:
        super().__init__()
        self.action: str | None = None
        self.fields: list[tuple[str, str]] = []
        self.checkboxes: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {key: value or "" for key, value in attrs}
        if tag == "form" and self.action is None:
            self.action = found.get("action", "")
        if tag == "input" and "name" in found:
            if found.get("type") == "checkbox":
                self.checkboxes.append(found.get("value", ""))
                if "checked" in found:
                    self.fields.append((found["name"], found.get("value", "")))
            elif found.get("type") == "hidden":
                self.fields.append((found["name"], found.get("value", "")))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def read_form(html: str) -> _Form:
    form = _Form()
    form.feed(html)
    return form


@dataclass
class Browser:
    """A person's browser: keeps cookies, follows nothing by itself, and fills the consent form as told."""

    fill: Mapping[str, str]
    """What the person types: token, or email and password (and code, for the second factor)."""
    client_redirect: str = REDIRECT
    untick: frozenset[str] = frozenset()
    action: str = "allow"
    pages: list[httpx2.Response] = field(default_factory=list)
    http: httpx2.AsyncClient = field(init=False)
    landed: str | None = None
    """Where the consent sent the browser back to (the client's redirect URI with code, state, iss)."""

    async def authorize(self, url: str) -> None:
        """Open the authorization URL, and answer the consent page (and the code page, if one follows)."""
        async with httpx2.AsyncClient(follow_redirects=False, timeout=20) as self.http:
            await self._consent(url)

    async def _consent(self, url: str) -> None:
        response = await self.http.get(url)
        while response.status_code in (302, 303) and not self._is_client(response.headers["location"]):
            response = await self.http.get(_absolute(url, response.headers["location"]))
        if response.status_code in (302, 303):
            self.pages.append(response)
            self.landed = response.headers["location"]
            return
        for _ in range(3):
            self.pages.append(response)
            if response.status_code != 200:
                return
            form = read_form(response.text)
            values = [(k, v) for k, v in form.fields if not (k == "scope" and v in self.untick)]
            typed = {k: v for k, v in self.fill.items() if k != "code"}
            if any(name == "code" for name in _input_names(response.text)):
                typed = {"code": self.fill.get("code", "")}
            data = [*values, *typed.items(), ("action", self.action)]
            response = await self.http.post(_absolute(url, form.action or ""), data=_encode(data))
            if response.status_code in (302, 303):
                self.pages.append(response)
                self.landed = response.headers["location"]
                return
        self.pages.append(response)

    def _is_client(self, location: str) -> bool:
        return location.startswith(self.client_redirect)

    def result(self) -> AuthorizationCodeResult:
        assert self.landed is not None, [page.text[:500] for page in self.pages]
        query = parse_qs(urlsplit(self.landed).query)
        return AuthorizationCodeResult(
            code=query["code"][0], state=query.get("state", [None])[0], iss=query.get("iss", [None])[0]
        )


def _encode(data: list[tuple[str, str]]) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for key, value in data:
        if key in merged:
            merged[key] = [*([merged[key]] if isinstance(merged[key], str) else merged[key]), value]
        else:
            merged[key] = value
    return merged


def _input_names(html: str) -> list[str]:
    return re.findall(r'<input[^>]*name="([^"]+)"', html)


def _absolute(base: str, location: str) -> str:
    if location.startswith("http"):
        return location
    parts = urlsplit(base)
    return f"{parts.scheme}://{parts.netloc}{location}"


class MemoryTokens:
    """The SDK client's TokenStorage, in memory."""

    def __init__(self) -> None:
        self.tokens: OAuthToken | None = None
        self.client: OAuthClientInformationFull | None = None

    async def get_tokens(self) -> OAuthToken | None:
        return self.tokens

    async def set_tokens(self, tokens: OAuthToken) -> None:
        self.tokens = tokens

    async def get_client_info(self) -> OAuthClientInformationFull | None:
        return self.client

    async def set_client_info(self, client_info: OAuthClientInformationFull) -> None:
        self.client = client_info


def sdk_oauth(
    server: OAuthServer,
    browser: Browser,
    storage: MemoryTokens | None = None,
    *,
    client_metadata_url: str | None = None,
    scope: str | None = None,
) -> OAuthClientProvider:
    """The MCP SDK's OAuth client, its redirect handled by `browser` (a person consenting)."""

    async def redirect_handler(url: str) -> None:
        await browser.authorize(url)

    async def callback_handler() -> AuthorizationCodeResult:
        return browser.result()

    metadata = OAuthClientMetadata(
        redirect_uris=[AnyUrl(REDIRECT)],
        token_endpoint_auth_method="none",
        grant_types=["authorization_code", "refresh_token"],
        client_name="Test Host",
        scope=scope,
    )
    return OAuthClientProvider(
        server.mcp,
        metadata,
        storage or MemoryTokens(),
        redirect_handler,
        callback_handler,
        client_metadata_url=client_metadata_url,
    )


@asynccontextmanager
async def connected(
    server: OAuthServer, auth: httpx2.Auth, mode: str = "auto", path: str = "/mcp"
) -> AsyncIterator[Client]:
    http = httpx2.AsyncClient(auth=auth, timeout=30)
    async with http, Client(streamable_http_client(server.base + path, http_client=http), mode=mode) as client:
        yield client


Check = Callable[[httpx2.Response], None]


def pkce() -> tuple[str, str]:
    """(verifier, S256 challenge)."""
    import base64
    import hashlib
    import secrets

    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


@dataclass
class RawClient:
    """A host speaking OAuth by hand (to send what the SDK's client never would)."""

    server: OAuthServer
    http: httpx2.AsyncClient
    client_id: str = ""
    redirect: str = REDIRECT

    async def register(self, name: str = "Raw Host", redirect: str = REDIRECT) -> str:
        answer = await self.http.post(
            f"{self.server.base}/register",
            json={
                "client_name": name,
                "redirect_uris": [redirect],
                "token_endpoint_auth_method": "none",
                "grant_types": ["authorization_code", "refresh_token"],
                "response_types": ["code"],
            },
        )
        assert answer.status_code == 201, answer.text
        self.client_id, self.redirect = answer.json()["client_id"], redirect
        return self.client_id

    def authorize_url(self, challenge: str, state: str | None = None, scope: str | None = None, **extra: str) -> str:
        import secrets
        from urllib.parse import urlencode

        state = state or secrets.token_urlsafe(8)
        query = {
            "response_type": "code",
            "client_id": self.client_id,
            "redirect_uri": self.redirect,
            "code_challenge": challenge,
            "code_challenge_method": "S256",
            "state": state,
            "resource": self.server.mcp,
            **({"scope": scope} if scope else {}),
            **extra,
        }
        return f"{self.server.base}/authorize?{urlencode(query)}"

    async def consent(self, fill: Mapping[str, str], challenge: str, **kwargs: Any) -> Browser:
        browser = Browser(fill, client_redirect=self.redirect, **kwargs.pop("browser", {}))
        await browser.authorize(self.authorize_url(challenge, **kwargs))
        return browser

    async def token(self, **form: str) -> httpx2.Response:
        return await self.http.post(f"{self.server.base}/token", data={"client_id": self.client_id, **form})

    async def exchange(self, code: str, verifier: str) -> httpx2.Response:
        return await self.token(
            grant_type="authorization_code", code=code, code_verifier=verifier, redirect_uri=self.redirect
        )

    async def signed_in(self, fill: Mapping[str, str], scope: str | None = None) -> dict[str, Any]:
        """The token answer of a whole flow (consent with `fill`)."""
        verifier, challenge = pkce()
        browser = await self.consent(fill, challenge, **({"scope": scope} if scope else {}))
        answer = await self.exchange(browser.result().code, verifier)
        assert answer.status_code == 200, answer.text
        return answer.json()

    async def mcp(self, access_token: str, body: Mapping[str, Any] | None = None, **headers: str) -> httpx2.Response:
        return await self.http.post(
            self.server.mcp,
            json=body or LIST,
            headers={
                "Authorization": f"Bearer {access_token}",
                "Accept": "application/json, text/event-stream",
                "MCP-Protocol-Version": "2026-07-28",
                **({} if body else {"Mcp-Method": "tools/list"}),
                **headers,
            },
        )
