"""Downloading message attachments, bounded by size and never from another host.

An attachment's `data_url` is an Active Storage redirect URL on the Chatwoot host; it answers 302 to the storage
service. Only the configured base URL's scheme, host and port are fetched, redirects included: a URL elsewhere is
refused before any request, and a redirect elsewhere (e.g. to an S3 bucket) is refused, not followed. Decision:
this keeps the client from being turned into a fetcher of arbitrary URLs (SSRF), at the price of not reading
files from installations whose storage lives on another host. The API token is not sent: the signed URL is
the credential, and the file server need not see it.
"""

from __future__ import annotations

import re

import httpx2

from chatwoot_client._base_client import USER_AGENT
from chatwoot_client._exceptions import ChatwootAttachmentError, ChatwootAttachmentTooLargeError
from chatwoot_client._request import APIRequest, error_from_response
from chatwoot_client.resources._base import AsyncResource, SyncResource, docs_from
from chatwoot_client.types import DownloadedAttachment

__all__ = ["AsyncAttachmentsResource", "AttachmentsResource"]

MAX_REDIRECTS = 3
_ERROR_BODY_LIMIT = 64 * 1024
_FILENAME = re.compile(r"""filename\*?=(?:UTF-8'')?"?([^";]+)"?""", re.IGNORECASE)


def _origin(url: httpx2.URL) -> tuple[str, str, int | None]:
    default = {"http": 80, "https": 443}.get(url.scheme)
    return url.scheme, url.host.lower(), url.port or default


def checked_url(base_url: str, url: str, *, redirected: bool = False) -> httpx2.URL:
    """`url` if it is on the Chatwoot host (scheme, host and port of `base_url`); otherwise nothing is fetched."""
    try:
        target = httpx2.URL(url)
    except (httpx2.InvalidURL, TypeError, ValueError):
        raise ValueError(f"not an attachment URL: {url!r}") from None
    if target.scheme not in ("http", "https") or not target.host:
        raise ValueError(f"not an http(s) attachment URL: {url!r}")
    if _origin(target) != _origin(httpx2.URL(base_url)):
        if redirected:
            raise ChatwootAttachmentError(
                f"the attachment redirects to another host ({target.host}); it was not followed",
                method="GET",
                path=target.path,
            )
        raise ValueError(f"attachment URLs must be on the Chatwoot host {httpx2.URL(base_url).host}, not {target.host}")
    return target


def _check_length(response: httpx2.Response, max_bytes: int, path: str) -> None:
    declared = response.headers.get("content-length")
    if declared is not None and declared.strip().isdigit() and int(declared) > max_bytes:
        raise ChatwootAttachmentTooLargeError(
            f"the attachment is {int(declared)} bytes, more than the limit of {max_bytes}",
            size=int(declared),
            max_bytes=max_bytes,
            method="GET",
            path=path,
        )


def _too_large(max_bytes: int, path: str) -> ChatwootAttachmentTooLargeError:
    return ChatwootAttachmentTooLargeError(
        f"the attachment is larger than the limit of {max_bytes} bytes (stopped reading)",
        size=None,
        max_bytes=max_bytes,
        method="GET",
        path=path,
    )


def _filename(response: httpx2.Response, url: httpx2.URL) -> str | None:
    match = _FILENAME.search(response.headers.get("content-disposition", ""))
    if match:
        return match.group(1)
    last = url.path.rsplit("/", 1)[-1]
    return last or None


def _result(original: str, response: httpx2.Response, url: httpx2.URL, content: bytes) -> DownloadedAttachment:
    content_type = response.headers.get("content-type")
    return DownloadedAttachment(
        url=original,
        content=content,
        content_type=content_type.split(";")[0].strip() if content_type else None,
        filename=_filename(response, url),
    )


def _error(response: httpx2.Response, url: httpx2.URL, body: bytes) -> Exception:
    complete = httpx2.Response(response.status_code, headers=response.headers, content=body, request=response.request)
    return error_from_response(APIRequest("GET", url.path), complete)


def _check_limit(max_bytes: int) -> int:
    if isinstance(max_bytes, bool) or not isinstance(max_bytes, int) or max_bytes < 1:
        raise ValueError(f"max_bytes must be a positive integer, got {max_bytes!r}")
    return max_bytes


def _headers() -> dict[str, str]:
    """No API token: only the user agent."""
    return {"user-agent": USER_AGENT}


class AsyncAttachmentsResource(AsyncResource):
    """Attachment files (async)."""

    async def download(self, url: str, *, max_bytes: int) -> DownloadedAttachment:
        """Download an attachment's file (its data_url) from the Chatwoot host, refusing files over max_bytes.

        Parameters
        ----------
        url
            The attachment's data_url; must be on the configured Chatwoot host.
        max_bytes
            Largest file to read; larger ones raise ChatwootAttachmentTooLargeError without being read.
        """
        limit = _check_limit(max_bytes)
        client = self._client
        target = checked_url(client.base_url, url)
        http = client._http
        for _ in range(MAX_REDIRECTS + 1):
            request = APIRequest("GET", target.path)
            try:
                async with http.stream("GET", target, headers=_headers(), timeout=client.timeout) as response:
                    if response.is_redirect:
                        location = response.headers.get("location", "")
                        target = checked_url(client.base_url, str(target.join(location)), redirected=True)
                        continue
                    if not response.is_success:
                        raise _error(response, target, await _read_async(response, _ERROR_BODY_LIMIT, None))
                    _check_length(response, limit, target.path)
                    content = await _read_async(response, limit, target.path)
                    return _result(url, response, target, content)
            except httpx2.TransportError as exc:
                raise client._transport_error(request, exc) from None
        raise ChatwootAttachmentError(f"the attachment redirects more than {MAX_REDIRECTS} times", method="GET")


async def _read_async(response: httpx2.Response, limit: int, path: str | None) -> bytes:
    """At most `limit` bytes; beyond that, the too-large error (`path` given) or the bytes so far (None)."""
    chunks = bytearray()
    async for chunk in response.aiter_bytes():
        chunks += chunk
        if len(chunks) > limit:
            if path is None:
                return bytes(chunks[:limit])
            raise _too_large(limit, path)
    return bytes(chunks)


def _read_sync(response: httpx2.Response, limit: int, path: str | None) -> bytes:
    chunks = bytearray()
    for chunk in response.iter_bytes():
        chunks += chunk
        if len(chunks) > limit:
            if path is None:
                return bytes(chunks[:limit])
            raise _too_large(limit, path)
    return bytes(chunks)


class AttachmentsResource(SyncResource):
    """Attachment files."""

    @docs_from(AsyncAttachmentsResource.download)
    def download(self, url: str, *, max_bytes: int) -> DownloadedAttachment:
        limit = _check_limit(max_bytes)
        client = self._client
        target = checked_url(client.base_url, url)
        http = client._http
        for _ in range(MAX_REDIRECTS + 1):
            request = APIRequest("GET", target.path)
            try:
                with http.stream("GET", target, headers=_headers(), timeout=client.timeout) as response:
                    if response.is_redirect:
                        location = response.headers.get("location", "")
                        target = checked_url(client.base_url, str(target.join(location)), redirected=True)
                        continue
                    if not response.is_success:
                        raise _error(response, target, _read_sync(response, _ERROR_BODY_LIMIT, None))
                    _check_length(response, limit, target.path)
                    content = _read_sync(response, limit, target.path)
                    return _result(url, response, target, content)
            except httpx2.TransportError as exc:
                raise client._transport_error(request, exc) from None
        raise ChatwootAttachmentError(f"the attachment redirects more than {MAX_REDIRECTS} times", method="GET")
