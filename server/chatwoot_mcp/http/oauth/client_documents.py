"""Client ID metadata documents: a client whose `client_id` is an https URL describes itself at that URL.

Fetching a URL a stranger chose is a server-side request forgery risk, so the fetch is narrow: https only, a
host whose every address is public (checked before connecting, and the connection made to the checked address,
so a second DNS answer cannot point it inward), no redirects, a few seconds and a few kilobytes at most. The
document must name itself (`client_id` equal to its URL) and its redirect URIs. Answers are cached.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import socket
import time
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import anyio
import httpx2
from mcp.shared.auth import OAuthClientInformationFull

from chatwoot_mcp.state.memory import TtlCache
from chatwoot_mcp.surface.scopes import SCOPES, scopes_text

__all__ = ["ClientDocuments", "DocumentRefused", "is_document_url"]

log = logging.getLogger("chatwoot_mcp")

MAX_BYTES = 16 * 1024
TIMEOUT = 5.0
CACHE_TTL = 3600.0
FAILURE_TTL = 60.0


class DocumentRefused(Exception):
    """Why a client ID metadata document was not used (said to the user on the authorization error)."""


def is_document_url(client_id: str) -> bool:
    return client_id.startswith("https://")


def _checked_url(url: str) -> tuple[str, int, str]:
    """(host, port, path) of an acceptable document URL; raises DocumentRefused."""
    parts = urlsplit(url)
    if parts.scheme != "https":
        raise DocumentRefused("a client ID URL must use https")
    if parts.username or parts.password or parts.fragment:
        raise DocumentRefused("a client ID URL may not carry credentials or a fragment")
    if not parts.hostname or parts.path in ("", "/"):
        raise DocumentRefused("a client ID URL needs a host and a path")
    try:
        port = parts.port or 443
    except ValueError:
        raise DocumentRefused("a client ID URL has an invalid port") from None
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    return parts.hostname, port, path


def _public(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


class ClientDocuments:
    """Fetches and caches client ID metadata documents.

    `allow_private` (tests only) accepts loopback and private addresses; `transport` (tests only) replaces the
    network, so the checks run without a public https host.
    """

    def __init__(self, *, allow_private: bool = False, transport: httpx2.AsyncBaseTransport | None = None) -> None:
        self.allow_private = allow_private
        self.transport = transport
        self._cache = TtlCache(max_entries=1000)

    async def client(self, url: str) -> OAuthClientInformationFull | None:
        """The client the document at `url` describes, or None (logged) when it cannot be used."""
        cached = await self._cache.cache_get(url)
        if cached is not None:
            return OAuthClientInformationFull.model_validate(cached) if cached else None
        try:
            client = self._client(url, await self._fetch(url))
        except DocumentRefused as refused:
            log.warning("refused the client ID metadata document at %r: %s", url[:200], refused)
            await self._cache.cache_set(url, {}, FAILURE_TTL)
            return None
        await self._cache.cache_set(url, client.model_dump(mode="json", exclude_none=True), CACHE_TTL)
        return client

    async def _address(self, host: str, port: int) -> str:
        try:
            literal = ipaddress.ip_address(host)
        except ValueError:
            literal = None
        if literal is not None:
            addresses = [str(literal)]
        else:
            try:
                with anyio.fail_after(TIMEOUT):
                    found = await anyio.getaddrinfo(host, port, type=socket.SOCK_STREAM)
            except (OSError, TimeoutError):
                raise DocumentRefused(f"the host {host} could not be resolved") from None
            addresses = [str(info[4][0]) for info in found]
        if not addresses:
            raise DocumentRefused(f"the host {host} has no address")
        if not self.allow_private and not all(_public(address) for address in addresses):
            raise DocumentRefused(f"the host {host} resolves to a private, loopback or reserved address")
        return addresses[0]

    async def _fetch(self, url: str) -> dict[str, Any]:
        host, port, path = _checked_url(url)
        address = await self._address(host, port)
        # Connect to the address just checked; TLS still verifies the certificate against the host name.
        netloc = f"[{address}]" if ":" in address else address
        target = urlunsplit(("https", f"{netloc}:{port}", path, "", ""))
        started = time.monotonic()
        async with httpx2.AsyncClient(transport=self.transport, follow_redirects=False, timeout=TIMEOUT) as http:
            try:
                with anyio.fail_after(TIMEOUT):
                    async with http.stream(
                        "GET",
                        target,
                        headers={"Host": host if port == 443 else f"{host}:{port}", "Accept": "application/json"},
                        extensions={"sni_hostname": host},
                    ) as response:
                        if response.status_code != 200:
                            raise DocumentRefused(f"the document answered HTTP {response.status_code}")
                        body = b""
                        async for chunk in response.aiter_bytes():
                            body += chunk
                            if len(body) > MAX_BYTES:
                                raise DocumentRefused(f"the document is larger than {MAX_BYTES} bytes")
            except TimeoutError:
                raise DocumentRefused(f"the document did not arrive within {TIMEOUT:.0f} s") from None
            except httpx2.HTTPError as error:
                raise DocumentRefused(f"the document could not be fetched ({type(error).__name__})") from None
        log.info("fetched a client ID metadata document from %s in %.0f ms", host, (time.monotonic() - started) * 1000)
        try:
            document = json.loads(body)
        except ValueError:
            raise DocumentRefused("the document is not JSON") from None
        if not isinstance(document, dict):
            raise DocumentRefused("the document is not a JSON object")
        return document

    def _client(self, url: str, document: dict[str, Any]) -> OAuthClientInformationFull:
        if document.get("client_id") != url:
            raise DocumentRefused("the document's client_id is not its own URL")
        redirects = document.get("redirect_uris")
        if not isinstance(redirects, list) or not redirects or not all(isinstance(r, str) for r in redirects):
            raise DocumentRefused("the document lists no redirect_uris")
        method = document.get("token_endpoint_auth_method", "none")
        if method != "none":
            raise DocumentRefused(
                "a client ID metadata document client must be public (token_endpoint_auth_method none)"
            )
        name = document.get("client_name")
        try:
            return OAuthClientInformationFull(
                client_id=url,
                client_name=name if isinstance(name, str) and name.strip() else None,
                redirect_uris=redirects,  # type: ignore[arg-type]  (pydantic parses the strings)
                token_endpoint_auth_method="none",
                grant_types=["authorization_code", "refresh_token"],
                response_types=["code"],
                scope=scopes_text(SCOPES),
            )
        except ValueError:
            raise DocumentRefused("the document's redirect_uris are not URLs") from None
