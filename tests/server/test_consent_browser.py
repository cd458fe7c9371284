"""The consent page in a real browser (Debian's chromium, driven by Playwright): what a support agent sees, what
Allow and Cancel send back to the host, and what the page refuses to do (run a client's markup, load anything from
elsewhere, be framed, be cached, be hard to read in light or dark).

The host here is the test itself: it registers through `/register` as a public client with a loopback redirect URI
(a small listener that records what the browser brings back), sends the browser to `/authorize` with a real PKCE
S256 challenge, and exchanges the code at `/token`. With CHATWOOT_MCP_SCREENSHOTS=<folder> set, the light and dark
pages are saved there (docs/images/consent-light.png and consent-dark.png come from this).
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx2
import pytest
from playwright.async_api import Browser, expect

from chatwoot_mcp.surface.scopes import READ, SCOPES, SEND, WRITE
from chatwoot_sandbox import AGENT_TOKEN, SandboxState

from .browser_support import (  # noqa: F401  (chromium_fixture, module_event_loop: fixtures, found by name)
    LoopbackCallback,
    Visit,
    chromium_fixture,
    contrast,
    loopback_callback,
    loopback_page,
    module_event_loop,
    screenshot_folder,
    visit,
)
from .oauth_support import OAuthServer, oauth_server

pytestmark = pytest.mark.anyio

HOSTILE = '<img src="http://evil.invalid/x.png" onerror="window.__pwned=1"><script>window.__pwned=2</script>'
READABLE = 4.5
"""WCAG AA contrast for body text."""


class Host:
    """An MCP host as the consent page meets it: a public client registered through DCR, using PKCE."""

    def __init__(self, server: OAuthServer, callback: LoopbackCallback, client_id: str) -> None:
        self.server = server
        self.callback = callback
        self.client_id = client_id
        self.verifier = secrets.token_urlsafe(48)
        self.state = secrets.token_urlsafe(16)

    @classmethod
    async def register(cls, server: OAuthServer, callback: LoopbackCallback, name: str) -> Host:
        async with httpx2.AsyncClient() as http:
            registered = await http.post(
                server.base + "/register",
                json={
                    "client_name": name,
                    "redirect_uris": [callback.uri],
                    "token_endpoint_auth_method": "none",
                    "grant_types": ["authorization_code", "refresh_token"],
                    "response_types": ["code"],
                },
            )
        assert registered.status_code == 201, registered.text
        return cls(server, callback, registered.json()["client_id"])

    def authorize_url(self) -> str:
        challenge = base64.urlsafe_b64encode(hashlib.sha256(self.verifier.encode()).digest()).rstrip(b"=").decode()
        query = {
            "response_type": "code",
            "client_id": self.client_id,
            "redirect_uri": self.callback.uri,
            "code_challenge": challenge,
            "code_challenge_method": "S256",
            "state": self.state,
            "scope": " ".join(SCOPES),
            "resource": self.server.mcp,
        }
        return f"{self.server.base}/authorize?{urlencode(query)}"

    async def exchange(self, code: str) -> httpx2.Response:
        async with httpx2.AsyncClient() as http:
            return await http.post(
                self.server.base + "/token",
                data={
                    "grant_type": "authorization_code",
                    "code": code,
                    "redirect_uri": self.callback.uri,
                    "client_id": self.client_id,
                    "code_verifier": self.verifier,
                    "resource": self.server.mcp,
                },
            )

    def answer(self) -> dict[str, list[str]]:
        """The query the browser brought back to the redirect URI (it must have come back exactly once)."""
        assert len(self.callback.landed) == 1, self.callback.landed
        landed = self.callback.landed[0]
        assert landed.startswith(self.callback.uri + "?"), landed
        return parse_qs(urlsplit(landed).query)

    def back_at_host(self, url: str) -> bool:
        return url.startswith(self.callback.uri)

    def only_talked_to_us(self, seen: Visit) -> None:
        """The browser asked this server and, at the end, the host's redirect URI for things: nothing else, and
        nothing failed."""
        assert seen.origins() <= {self.server.base, _origin(self.callback.uri)}, seen.requests
        assert not seen.failed


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


@asynccontextmanager
async def a_host(name: str = "Support Assistant", **env: str) -> AsyncIterator[Host]:
    """An `--auth oauth` server over a demo sandbox, and a host registered with it under `name`."""
    async with oauth_server(SandboxState.demo(), env=env) as server, loopback_callback() as callback:
        yield await Host.register(server, callback, name)


async def test_a_person_allows_part_of_what_the_host_asks(chromium: Browser) -> None:
    async with a_host() as host, visit(chromium) as seen:
        page = seen.page
        shown = await page.goto(host.authorize_url())
        assert shown is not None and shown.status == 200
        assert shown.url.startswith(host.server.base + "/oauth/consent?")
        await expect(page.locator("h1")).to_have_text("Support Assistant wants to work in your Chatwoot")
        await expect(page.locator("#redirect-uri")).to_have_text(host.callback.uri)
        boxes = page.locator("input[type=checkbox][name=scope]")
        assert [await box.get_attribute("value") for box in await boxes.all()] == list(SCOPES)
        for scope, words in SCOPES.items():
            await expect(page.get_by_label(scope)).to_be_checked()
            await expect(page.locator("label.scope", has_text=scope)).to_contain_text(words)

        await page.get_by_label(SEND).uncheck()
        await page.get_by_label("Your access token").fill(AGENT_TOKEN)
        await page.get_by_role("button", name="Allow").click()
        await page.wait_for_url(host.back_at_host)
        await expect(page.locator("body")).to_have_text("You can close this window.")

        back = host.answer()
        assert set(back) == {"code", "state", "iss"}
        assert back["state"] == [host.state] and back["iss"] == [host.server.base]
        host.only_talked_to_us(seen)
        tokens = await host.exchange(back["code"][0])
        assert tokens.status_code == 200, tokens.text
        granted = tokens.json()
        assert set(granted["scope"].split()) == {READ, WRITE}
        assert granted["token_type"].lower() == "bearer" and AGENT_TOKEN not in tokens.text


async def test_enter_in_the_token_field_means_allow(chromium: Browser) -> None:
    """The form's default button is Allow: pasting the token and pressing Enter must not cancel."""
    async with a_host() as host, visit(chromium) as seen:
        await seen.page.goto(host.authorize_url())
        token = seen.page.get_by_label("Your access token")
        assert await token.get_attribute("type") == "text", "not a password field: managers would save the token"
        await token.fill(AGENT_TOKEN)
        await token.press("Enter")
        await seen.page.wait_for_url(host.back_at_host)
        assert set(host.answer()) == {"code", "state", "iss"}


async def test_cancel_sends_the_host_access_denied_and_no_code(chromium: Browser) -> None:
    async with a_host() as host, visit(chromium) as seen:
        await seen.page.goto(host.authorize_url())
        await seen.page.get_by_role("button", name="Cancel").click()
        await seen.page.wait_for_url(host.back_at_host)

        assert host.answer() == {"error": ["access_denied"], "state": [host.state], "iss": [host.server.base]}
        host.only_talked_to_us(seen)


async def test_a_hostile_client_name_is_shown_as_text_and_runs_nothing(chromium: Browser) -> None:
    """The name is whatever the registering party chose; escaping alone must keep it inert, so the page's CSP is
    bypassed here (the next test checks the CSP is sent)."""
    async with a_host(HOSTILE) as host, visit(chromium, bypass_csp=True) as seen:
        page = seen.page
        await page.goto(host.authorize_url(), wait_until="load")
        heading = page.locator("h1")
        await expect(heading).to_have_text(f"{HOSTILE} wants to work in your Chatwoot")
        await expect(heading).to_be_visible()
        assert await page.title() == f"Allow {HOSTILE}?"
        assert await page.locator("img, script, iframe, object, embed, link, base").count() == 0
        assert await page.evaluate("typeof window.__pwned") == "undefined"
        host.only_talked_to_us(seen)
        assert not host.callback.landed


async def test_the_page_cannot_be_framed_or_cached(chromium: Browser) -> None:
    async with a_host() as host, visit(chromium) as seen:
        page = seen.page
        shown = await page.goto(host.authorize_url())
        assert shown is not None
        headers = await shown.all_headers()
        assert headers["x-frame-options"] == "DENY"
        assert "frame-ancestors 'none'" in headers["content-security-policy"]
        assert "no-store" in headers["cache-control"]
        consent = page.url

        # Another site putting the page in a frame of its own: the browser refuses to show it there.
        async with loopback_page(f'<iframe src="{consent}"></iframe>') as framer:
            await page.goto(framer, wait_until="load")
            assert len(page.frames) == 2
            assert "wants to work" not in await page.frames[1].content()
        assert seen.failed == [f"{consent} net::ERR_BLOCKED_BY_RESPONSE"]


@pytest.mark.parametrize("scheme", ["light", "dark"])
async def test_the_page_reads_well_in_light_and_dark(chromium: Browser, scheme: str) -> None:
    """Every kind of text on the page, a sign-in error too, meets WCAG AA contrast in the person's color scheme.
    The screenshots for the docs are taken here."""
    async with (
        a_host(CHATWOOT_BASE_URL="https://chatwoot.example.com") as host,
        visit(chromium, color_scheme=scheme) as seen,
    ):
        page = seen.page
        await page.goto(host.authorize_url())
        dark = await page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches")
        assert dark is (scheme == "dark")
        texts = ["h1", ".server", "#redirect-uri", "legend", ".scope b", ".scope .words", ".hint", "label.field"]
        texts += ["button[value=cancel]", "button.allow", ".or"]
        for selector in texts:
            assert await contrast(page, selector) >= READABLE, (scheme, selector)
        folder = screenshot_folder()
        if folder is not None:
            await page.screenshot(path=folder / f"consent-{scheme}.png", full_page=True)

        await page.get_by_label("Your access token").fill("not-a-token")
        await page.get_by_role("button", name="Allow").click()
        await expect(page.get_by_role("alert")).to_be_visible()
        assert await contrast(page, ".error") >= READABLE, (scheme, ".error")
        host.only_talked_to_us(seen)
