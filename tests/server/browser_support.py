"""Real-browser tests: Debian's chromium driven by Playwright (async API), one browser for a whole test module.

Playwright never downloads a browser here: it starts Debian's /usr/bin/chromium (`executable_path`), headless,
with a fresh temporary profile (Playwright's own, removed on close) and the flags this machine needs. Locally the
browser tests are skipped when chromium is absent; in CI (`CI` set) that is a failure, so they can never silently
stop running there (`.ci/run` installs Debian's chromium).

A test module gets the browser by importing the two fixtures (pytest finds fixtures among a module's names):

    from .browser_support import chromium_fixture, module_event_loop  # noqa: F401  (fixtures, found by name)

`module_event_loop` makes `anyio_backend` module-scoped in that module, so its tests and the browser share one
event loop (a Playwright browser belongs to the loop that started it).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, Page, async_playwright

from .team_support import served

__all__ = [
    "CHROMIUM",
    "CHROMIUM_ARGS",
    "SCREENSHOTS_ENV",
    "LoopbackCallback",
    "Visit",
    "chromium_fixture",
    "contrast",
    "loopback_callback",
    "loopback_page",
    "module_event_loop",
    "screenshot_folder",
    "visit",
]

CHROMIUM = "chromium"
"""Debian's package (`apt-get install chromium`: /usr/bin/chromium), found on PATH as `.ci/run` checks for it."""
CHROMIUM_ARGS = (
    "--no-sandbox",  # no user namespaces in this container
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
SCREENSHOTS_ENV = "CHATWOOT_MCP_SCREENSHOTS"
"""A folder to save the browser tests' screenshots in (for the docs: docs/images); unset, none are taken."""
TIMEOUT_MS = 10_000
"""Every wait in a page: a local server answers in milliseconds, so a stuck test fails in seconds, not 30."""


def chromium_path() -> str:
    """Where chromium is; skips the test (locally) or fails it (in CI) when it is not installed."""
    found = shutil.which(CHROMIUM)
    if found is not None:
        return found
    if os.environ.get("CI"):
        pytest.fail("chromium is not installed, and CI must run the browser tests (apt-get install chromium)")
    pytest.skip("chromium is not installed (apt-get install chromium; Playwright's own browser download is not used)")


@pytest.fixture(scope="module", name="anyio_backend")
def module_event_loop() -> str:
    """`anyio_backend` for a browser test module: module-scoped, so one event loop serves the module's tests."""
    return "asyncio"


@pytest.fixture(scope="module", name="chromium")
async def chromium_fixture(anyio_backend: str) -> AsyncIterator[Browser]:
    """One headless chromium for the test module; each test opens its own context (cookies, storage) in it."""
    executable = chromium_path()
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=executable, headless=True, args=list(CHROMIUM_ARGS))
        try:
            yield browser
        finally:
            await browser.close()


@dataclass
class Visit:
    """A page in a fresh browser context, and every request the context made."""

    page: Page
    requests: list[str] = field(default_factory=list)
    """Every URL requested, in order (redirect hops and form posts included)."""
    failed: list[str] = field(default_factory=list)
    """"URL error" for each request that failed (refused, blocked, ...)."""

    def origins(self) -> set[str]:
        return {_origin(url) for url in self.requests}


@asynccontextmanager
async def visit(chromium: Browser, *, width: int = 800, height: int = 720, **options: Any) -> AsyncIterator[Visit]:
    """A page in a new context of `chromium` (`options`: color_scheme, bypass_csp, ...), closed after the block."""
    context = await chromium.new_context(viewport={"width": width, "height": height}, **options)
    context.set_default_timeout(TIMEOUT_MS)
    try:
        seen = Visit(await context.new_page())
        context.on("request", lambda request: seen.requests.append(request.url))
        context.on("requestfailed", lambda request: seen.failed.append(f"{request.url} {request.failure}"))
        yield seen
    finally:
        await context.close()


@dataclass
class LoopbackCallback:
    """A host's loopback listener for the OAuth redirect: it answers any GET and records the URLs sent to `uri`.

    A real one, not Playwright routing: a route never sees a redirect's next hop (the browser's network stack
    follows redirects), and the consent page's answer reaches the client through one.
    """

    uri: str
    landed: list[str] = field(default_factory=list)


@asynccontextmanager
async def loopback_callback(path: str = "/callback") -> AsyncIterator[LoopbackCallback]:
    """`http://127.0.0.1:PORT/callback` on a free port for the block."""
    landed: list[str] = []

    def answer(scope: Any) -> str:
        if scope["path"] == path:
            query = scope["query_string"].decode("latin-1")
            landed.append(f"{callback.uri}?{query}" if query else callback.uri)
        return "<p>You can close this window.</p>"

    async with served(_html_app(answer), lifespan="off") as base:
        callback = LoopbackCallback(base + path, landed)
        yield callback


@asynccontextmanager
async def loopback_page(html: str) -> AsyncIterator[str]:
    """Another site on this machine (a loopback origin of its own) serving `html` at every path; its URL."""
    async with served(_html_app(lambda scope: html), lifespan="off") as base:
        yield base + "/"


def _html_app(page: Callable[[Any], str]) -> Any:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        body = page(scope).encode()
        headers = [(b"content-type", b"text/html; charset=utf-8"), (b"cache-control", b"no-store")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    return app


def _origin(url: str) -> str:
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{rest.split('/', 1)[0].split('?', 1)[0]}"


def screenshot_folder() -> Path | None:
    """The folder SCREENSHOTS_ENV names (created), or None when screenshots are not wanted."""
    folder = os.environ.get(SCREENSHOTS_ENV)
    if not folder:
        return None
    path = Path(folder)
    path.mkdir(parents=True, exist_ok=True)
    return path


_COLORS_JS = """
(element) => {
  const rgba = (text) => (text.match(/[\\d.]+/g) || []).map(Number);
  const over = (top, bottom) => {
    const alpha = top.length > 3 ? top[3] : 1;
    return [0, 1, 2].map((i) => top[i] * alpha + bottom[i] * (1 - alpha));
  };
  const layers = [];
  for (let node = element; node; node = node.parentElement) {
    const color = rgba(getComputedStyle(node).backgroundColor);
    if (color.length && (color.length < 4 || color[3] > 0)) layers.push(color);
  }
  let background = [255, 255, 255];
  for (const layer of layers.reverse()) background = over(layer, background);
  return {color: over(rgba(getComputedStyle(element).color), background), background};
}
"""


async def contrast(page: Page, selector: str) -> float:
    """WCAG contrast ratio between the text of the first element matching `selector` and what is behind it (its
    own background and its ancestors', composed; no background images on our pages)."""
    colors = await page.locator(selector).first.evaluate(_COLORS_JS)
    light, dark = sorted((_luminance(colors["color"]), _luminance(colors["background"])), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def _luminance(rgb: list[float]) -> float:
    def channel(value: float) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b
