"""The consent page's two requests: GET shows it, POST signs the user in to Chatwoot and issues the code.

Nothing is issued until every check has passed: the form carries the pending request's CSRF token, which must
also be in a cookie only this browser has; the user is signed in to Chatwoot (token or password, and the second
factor when Chatwoot asks) and belongs to an account this server serves; at least one permission is ticked. A
failed sign-in shows the page again with one plain sentence (a few tries, then the request ends). The request is
taken from the store when the code is issued, so a form submitted twice issues one code.
"""

from __future__ import annotations

import hmac
import logging
import secrets
from dataclasses import replace
from urllib.parse import urlsplit

import httpx2
from mcp.server.auth.provider import construct_redirect_uri
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from chatwoot_mcp.config import Settings
from chatwoot_mcp.http.oauth.page import ConsentView, render_code_page, render_consent_page, render_message_page
from chatwoot_mcp.http.oauth.provider import CONSENT_PATH
from chatwoot_mcp.http.oauth.sealing import SealingError, token_hash
from chatwoot_mcp.http.oauth.signin import (
    NeedsCode,
    SignedIn,
    SignInFailed,
    check_token,
    sign_in,
    sign_in_with_code,
)
from chatwoot_mcp.http.oauth.store import GrantStore, Pending
from chatwoot_mcp.surface.scopes import SCOPES

__all__ = ["ConsentPage"]

log = logging.getLogger("chatwoot_mcp")

MAX_TRIES = 5
"""Failed sign-ins on one consent page before it ends (a host starts a new one)."""
MAX_FIELD = 4096


def _cookie_name(request_id: str, secure: bool) -> str:
    # One cookie per consent request, so two pages open side by side do not overwrite each other's token.
    return f"{'__Host-' if secure else ''}cwm_csrf_{token_hash(request_id)[:16]}"


class ConsentPage:
    """GET and POST of the consent page, for one server (its settings, state and Chatwoot connection pool)."""

    def __init__(self, settings: Settings, store: GrantStore, http: httpx2.AsyncClient) -> None:
        self.settings = settings
        self.store = store
        self.http = http
        self.issuer = settings.issuer
        self.secure = self.issuer.startswith("https://")

    def _headers(self, redirect_uri: str | None = None) -> dict[str, str]:
        form_targets = "'self'"
        if redirect_uri:
            # After Allow/Cancel the browser follows a redirect to the client: CSP's form-action covers that hop.
            parts = urlsplit(redirect_uri)
            target = f"{parts.scheme}://{parts.netloc}" if parts.netloc else f"{parts.scheme}:"
            if all(c not in target for c in " ;,'\""):
                form_targets += " " + target
        return {
            "Content-Security-Policy": (
                f"default-src 'none'; style-src 'unsafe-inline'; img-src 'none'; form-action {form_targets}; "
                "frame-ancestors 'none'; base-uri 'none'"
            ),
            "X-Frame-Options": "DENY",
            "Cache-Control": "no-store",
            "Pragma": "no-cache",
            "Referrer-Policy": "no-referrer",
            "X-Content-Type-Options": "nosniff",
        }

    def _message(self, status: int, title: str, text: str) -> Response:
        return HTMLResponse(render_message_page(title, text), status_code=status, headers=self._headers())

    def _view(self, request_id: str, pending: Pending, checked: frozenset[str], **extra: str | None) -> ConsentView:
        return ConsentView(
            request_id=request_id,
            csrf=pending.csrf,
            client_name=pending.client_name,
            client_id=pending.client_id,
            redirect_uri=pending.redirect_uri,
            chatwoot_url=self.settings.base_url,
            scopes={scope: words for scope, words in SCOPES.items() if scope in pending.scopes},
            checked=checked,
            email=extra.get("email") or "",
            error=extra.get("error"),
        )

    def _page(self, view: ConsentView, status: int = 200, code_step: bool = False) -> Response:
        render = render_code_page if code_step else render_consent_page
        response = HTMLResponse(
            render(view, CONSENT_PATH), status_code=status, headers=self._headers(view.redirect_uri)
        )
        response.set_cookie(
            _cookie_name(view.request_id, self.secure),
            view.csrf,
            max_age=600,
            path="/",
            secure=self.secure,
            httponly=True,
            samesite="strict",
        )
        return response

    async def show(self, request: Request) -> Response:
        request_id = request.query_params.get("request", "")
        pending = await self.store.pending(request_id) if 0 < len(request_id) <= 100 else None
        if pending is None:
            return self._expired()
        view = self._view(request_id, pending, frozenset(pending.scopes))
        return self._page(view, code_step=pending.mfa_token is not None)

    def _expired(self) -> Response:
        return self._message(
            400, "This sign-in link has ended", "It was used already or is too old. Start again from your app."
        )

    async def submit(self, request: Request) -> Response:
        try:
            form = await request.form(max_files=0, max_fields=20, max_part_size=MAX_FIELD)
        except Exception:  # a malformed or oversized body: nothing is read from it
            return self._message(400, "The form could not be read", "Start again from your app.")
        field = {key: str(value)[:MAX_FIELD] for key, value in form.items() if isinstance(value, str)}
        request_id = field.get("request", "")
        pending = await self.store.pending(request_id) if 0 < len(request_id) <= 100 else None
        if pending is None:
            return self._expired()
        cookie = request.cookies.get(_cookie_name(request_id, self.secure), "")
        sent = field.get("csrf", "")
        if not (
            sent and cookie and hmac.compare_digest(sent, pending.csrf) and hmac.compare_digest(cookie, pending.csrf)
        ):
            log.warning("refused a consent form without its CSRF token (request %s)", token_hash(request_id)[:12])
            return self._message(403, "This form cannot be used", "Open the sign-in again from your app.")
        if field.get("action") == "cancel":
            if await self.store.take_pending(request_id) is None:
                return self._expired()
            return self._back(pending, error="access_denied")
        granted = [scope for scope in pending.scopes if scope in form.getlist("scope")]
        checked = frozenset(granted)
        try:
            signed = await self._sign_in(request_id, pending, field)
        except SignInFailed as failed:
            return await self._again(request_id, pending, checked, str(failed), field)
        if isinstance(signed, NeedsCode):
            sealed = self.store.sealer.seal(signed.mfa_token, request_id)
            pending = replace(pending, mfa_token=sealed, csrf=secrets.token_urlsafe(24))
            await self.store.update_pending(request_id, pending)
            return self._page(self._view(request_id, pending, checked), code_step=True)
        if not granted:
            return await self._again(
                request_id, pending, checked, "Tick at least one permission, or choose Cancel.", field, count=False
            )
        member_of = {account.id for account in signed.profile.accounts}
        if not member_of & set(self.settings.account_ids):
            served = ", ".join(map(str, self.settings.account_ids))
            return await self._again(
                request_id,
                pending,
                checked,
                f"Your Chatwoot user is not in an account this server serves ({served}).",
                field,
            )
        if await self.store.take_pending(request_id) is None:
            return self._expired()
        code = await self.store.grant(
            client_id=pending.client_id,
            user_id=signed.profile.id,
            scopes=granted,
            chatwoot_token=signed.token,
            pending=pending,
        )
        log.info("issued an authorization code to %r for Chatwoot user %s", pending.client_name, signed.profile.id)
        return self._back(pending, code=code)

    async def _sign_in(self, request_id: str, pending: Pending, field: dict[str, str]) -> SignedIn | NeedsCode:
        base, http = self.settings.base_url, self.http
        if pending.mfa_token is not None:
            try:
                mfa_token = self.store.sealer.open(pending.mfa_token, request_id)
            except SealingError:
                raise SignInFailed("The sign-in took too long. Start again from your app.") from None
            return await sign_in_with_code(base, http, mfa_token, field.get("code", ""))
        if field.get("token", "").strip():
            return await check_token(base, http, field["token"])
        return await sign_in(base, http, field.get("email", ""), field.get("password", ""))

    async def _again(
        self,
        request_id: str,
        pending: Pending,
        checked: frozenset[str],
        error: str,
        field: dict[str, str],
        *,
        count: bool = True,
    ) -> Response:
        """The page again with the reason; after MAX_TRIES failed sign-ins the request ends."""
        if count:
            pending = replace(pending, tries=pending.tries + 1)
            if pending.tries >= MAX_TRIES:
                await self.store.take_pending(request_id)
                return self._message(400, "Too many tries", "Start the sign-in again from your app.")
            await self.store.update_pending(request_id, pending)
        view = self._view(request_id, pending, checked, email=field.get("email"), error=error)
        return self._page(view, status=400, code_step=pending.mfa_token is not None)

    def _back(self, pending: Pending, **result: str) -> Response:
        """The redirect to the client (303: the browser follows it with GET), with `state` and our issuer."""
        target = construct_redirect_uri(pending.redirect_uri, state=pending.state, iss=self.issuer, **result)
        return RedirectResponse(target, status_code=303, headers=self._headers())
