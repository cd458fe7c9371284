"""The MCP Apps views in a real browser (Debian's chromium via Playwright), framed by our own test host."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from playwright.async_api import Browser, FrameLocator, Page

from chatwoot_sandbox import SandboxState

from .app_support import AppHost, app_host
from .browser_support import (  # noqa: F401  (chromium_fixture, module_event_loop: fixtures, found by name)
    Visit,
    chromium_fixture,
    module_event_loop,
    visit,
)

pytestmark = pytest.mark.anyio

SEED_NOW = datetime(2026, 11, 20, 18, 0, tzinfo=UTC)


async def open_view(seen: Visit, host: AppHost, url: str) -> FrameLocator:
    await seen.page.clock.set_fixed_time(SEED_NOW)
    await seen.page.goto(url)
    return seen.page.frame_locator("iframe")


async def test_smoke(chromium: Browser) -> None:
    async with app_host(SandboxState.demo()) as host, visit(chromium, color_scheme="dark", timezone_id="UTC") as seen:
        url = await host.show("list_conversations", {}, theme="dark")
        view = await open_view(seen, host, url)
        await view.locator("table").wait_for()
        await seen.page.wait_for_timeout(300)
        await seen.page.screenshot(path="/tmp/queue.png", full_page=True)
        url = await host.show("get_report", {}, theme="light")
        await seen.page.goto(url)
        await view.locator("svg").wait_for()
        await seen.page.wait_for_timeout(300)
        await seen.page.screenshot(path="/tmp/report.png", full_page=True)
