"""The MCP Apps views (the ui:// pages) in a real browser: Debian's chromium via Playwright, framed by our own
test host (`app_support`): the host page on one loopback origin, the view on another under the host's default CSP,
every tools/call proxied to a real chatwoot-mcp server over the sandbox.

What a person sees (each view in light and dark, compared with the screenshots checked in under app_screenshots/;
`CHATWOOT_MCP_RECORD_APP_SCREENSHOTS=1` records them again, `CHATWOOT_MCP_SCREENSHOTS=docs/images` also saves them
for the README), what customer text cannot do (markup shows as text and runs nothing), that nothing leaves the frame,
and the composer: one click sends exactly one message with the text shown, an edited text is shown frozen and sent
only on a second click, a replayed or altered confirmation sends nothing, a refusal is shown and never retried.
"""

from __future__ import annotations

import base64
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx2
import pytest
from playwright.async_api import Browser, Dialog, Frame, FrameLocator, Page, expect

from chatwoot_mcp.apps.pages import CONVERSATION, QUEUE, REPORT
from chatwoot_sandbox import ADMIN_TOKEN, DEMO_ACCOUNT_ID, SCREENSHOT_CONVERSATION_ID, SandboxState, create_app
from chatwoot_sandbox.records import OUTGOING

from .app_support import AppHost, app_host
from .browser_support import (  # noqa: F401  (chromium_fixture, module_event_loop: fixtures, found by name)
    Visit,
    chromium_fixture,
    module_event_loop,
    screenshot_folder,
    visit,
)

pytestmark = pytest.mark.anyio

SEED_NOW = datetime(2026, 11, 20, 18, 0, tzinfo=UTC)
"""The sandbox's demo data is laid out in the days before this; the browser's clock stands still at it."""
API_CONVERSATION_ID = 8
"""An open conversation in the demo's API inbox (a customer message can be posted to it through the API)."""
GOLDEN = Path(__file__).parent / "app_screenshots"
RECORD_ENV = "CHATWOOT_MCP_RECORD_APP_SCREENSHOTS"
TOLERANCE = 0.01
"""Share of pixels that may differ (by more than CHANNEL_SLACK in some channel) from the checked-in screenshot."""
CHANNEL_SLACK = 48
HOSTILE = '<img src=x onerror="window.__pwned=1;alert(1)"> and <script>window.__pwned=2;alert(2)</script> end'
DRAFT = "Hi! I've refunded the duplicate charge; you'll see it in 3-5 days."
WATCH = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__violations.push(e.violatedDirective + " " + e.blockedURI);
});
"""

VIEWS = {
    "queue": ("list_conversations", {}),
    "conversation": ("get_conversation", {"conversation_id": SCREENSHOT_CONVERSATION_ID, "draft": DRAFT}),
    "report": ("get_report", {"kind": "agents", "since": "2026-11-06", "until": "2026-11-20"}),
}
READY = {"queue": "table", "conversation": ".msg", "report": "svg.chart"}


@dataclass
class Shown:
    """A view framed by the host in a browser page."""

    seen: Visit
    host: AppHost
    url: str
    dialogs: list[str] = field(default_factory=list)

    @property
    def page(self) -> Page:
        return self.seen.page

    @property
    def view(self) -> FrameLocator:
        return self.page.frame_locator("iframe")

    def frame(self) -> Frame:
        (frame,) = [f for f in self.page.frames if f.url.startswith(self.host.view_base)]
        return frame

    @property
    def session(self) -> Any:
        return self.host.sessions[self.url.rsplit("=", 1)[1]]

    async def host_eval(self, script: str) -> Any:
        return await self.page.evaluate(script)


@asynccontextmanager
async def shown(
    chromium: Browser,
    tool: str,
    arguments: dict[str, Any],
    *,
    theme: str = "light",
    state: SandboxState | None = None,
    **options: Any,
) -> AsyncIterator[Shown]:
    """`tool` called by the host and its view framed in a fresh page (clock at SEED_NOW, UTC, en-US)."""
    async with (
        app_host(state or SandboxState.demo()) as host,
        visit(chromium, color_scheme=theme, timezone_id="UTC", locale="en-US") as seen,  # type: ignore[arg-type]
    ):
        url = await host.show(tool, arguments, theme=theme, **options)
        result = Shown(seen, host, url)

        async def on_dialog(dialog: Dialog) -> None:
            result.dialogs.append(dialog.message)
            await dialog.dismiss()

        seen.page.on("dialog", on_dialog)
        await seen.page.context.add_init_script(WATCH)
        await seen.page.clock.set_fixed_time(SEED_NOW)
        await seen.page.goto(url)
        yield result


def only_the_document(shown: Shown) -> None:
    """The view asked for nothing but its own document; nothing failed, no CSP violation happened (asserted by the
    caller through `violations`)."""
    from_view = [url for url in shown.seen.requests if url.startswith(shown.host.view_base)]
    assert from_view == [f"{shown.host.view_base}/view/{shown.session.id}"], shown.seen.requests
    assert {url.split("/", 3)[2] for url in shown.seen.requests} <= {
        shown.host.host_base.split("/")[2],
        shown.host.view_base.split("/")[2],
    }, shown.seen.requests
    assert not shown.seen.failed, shown.seen.failed


async def settled(shown: Shown, name: str) -> None:
    """The view has drawn its data, its images are in, and the frame has its final height."""
    await shown.view.locator(READY[name]).first.wait_for()
    frame = shown.frame()
    await frame.wait_for_function("() => Array.from(document.images).every((i) => i.hidden || i.complete)")
    await frame.evaluate(
        "document.fonts.ready.then(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))))"
    )
    await shown.page.wait_for_function("window.sizes.length > 0")
    await shown.page.wait_for_timeout(150)


_COMPARE_JS = """
async ([before, after, slack]) => {
  const load = async (data) => {
    const img = new Image();
    img.src = "data:image/png;base64," + data;
    await img.decode();
    return img;
  };
  const [a, b] = [await load(before), await load(after)];
  if (a.width !== b.width || a.height !== b.height) return {size: [a.width, a.height, b.width, b.height], ratio: 1};
  const pixels = (img) => {
    const canvas = document.createElement("canvas");
    canvas.width = img.width; canvas.height = img.height;
    const context = canvas.getContext("2d");
    context.drawImage(img, 0, 0);
    return context.getImageData(0, 0, img.width, img.height).data;
  };
  const [p, q] = [pixels(a), pixels(b)];
  let differ = 0;
  for (let i = 0; i < p.length; i += 4) {
    const far = (k) => Math.abs(p[i + k] - q[i + k]) > slack;
    if (far(0) || far(1) || far(2)) differ++;
  }
  return {size: null, ratio: differ / (p.length / 4)};
}
"""


async def compare(chromium: Browser, golden: Path, picture: bytes) -> None:
    """`picture` looks like `golden` (decoded and compared pixel by pixel in a blank page's canvas); recorded
    instead when RECORD_ENV is set or there is no golden yet."""
    if os.environ.get(RECORD_ENV) or not golden.exists():
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_bytes(picture)
        if not os.environ.get(RECORD_ENV):
            pytest.fail(f"{golden.name} was missing and is now recorded: check it in")
        return
    async with visit(chromium) as blank:
        answer = await blank.page.evaluate(
            _COMPARE_JS,
            [base64.b64encode(golden.read_bytes()).decode(), base64.b64encode(picture).decode(), CHANNEL_SLACK],
        )
    if answer["size"] or answer["ratio"] > TOLERANCE:
        failed = golden.with_name(golden.stem + ".actual.png")
        failed.write_bytes(picture)
        pytest.fail(f"{golden.name} differs: {answer} (this run's picture: {failed}; {RECORD_ENV}=1 records it)")


# -- each view, light and dark ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize("name", list(VIEWS))
async def test_each_view_renders_in_light_and_dark(chromium: Browser, name: str, theme: str) -> None:
    tool, arguments = VIEWS[name]
    async with shown(chromium, tool, arguments, theme=theme) as view:
        await settled(view, name)
        frame = view.frame()
        assert await frame.evaluate("document.documentElement.dataset.theme") == theme
        assert await frame.evaluate("getComputedStyle(document.body).backgroundColor") == "rgba(0, 0, 0, 0)"
        assert await frame.evaluate("window.__violations") == []
        only_the_document(view)
        picture = await view.page.locator("iframe").screenshot(animations="disabled")
        folder = screenshot_folder()
        if folder is not None:
            (folder / f"app-{name}-{theme}.png").write_bytes(picture)
    await compare(chromium, GOLDEN / f"{name}-{theme}.png", picture)


async def test_the_views_get_their_documents_from_the_server(chromium: Browser) -> None:
    """The host reads each linked tool's ui:// resource from the server (resources/read), as a real host does."""
    async with app_host(SandboxState.demo()) as host:
        tools = await host.tools()
        for tool, uri in [("list_conversations", QUEUE), ("get_conversation", CONVERSATION), ("get_report", REPORT)]:
            assert tools[tool].get("resourceUri") == uri, tools[tool]
            assert (await host.resource(uri)).startswith("<!DOCTYPE html>")
        assert tools["app_send_reply"].get("visibility") == ["app"]


# -- the queue -------------------------------------------------------------------------------------------------------


async def test_queue_sorts_pages_and_opens_a_conversation_and_back(chromium: Browser) -> None:
    async with shown(chromium, "list_conversations", {}) as view:
        rows = view.view.locator("tbody tr")
        await expect(rows).to_have_count(25)
        first_ids = await rows.evaluate_all("(rows) => rows.map((r) => Number(r.dataset.id))")
        await view.view.get_by_role("button", name="#", exact=True).click()
        sorted_ids = await rows.evaluate_all("(rows) => rows.map((r) => Number(r.dataset.id))")
        assert sorted_ids == sorted(first_ids)
        await expect(view.view.locator("th[aria-sort=ascending]")).to_have_count(1)

        await view.view.get_by_role("button", name="Next ›").click()
        await expect(view.view.get_by_text("page 2 ·")).to_be_visible()
        ((arguments, result),) = view.session.called("app_queue_page")
        assert arguments == {"source": "list_conversations", "arguments": {}, "page": 2}
        assert not result.get("isError"), result

        target = await rows.first.get_attribute("data-id")
        await rows.first.click()
        await expect(view.view.get_by_role("heading", name=f"Conversation #{target}")).to_be_visible()
        assert [a for a, _ in view.session.called("app_conversation")] == [{"conversation_id": int(target or 0)}]
        await view.view.get_by_role("button", name="‹ Queue").click()
        await expect(view.view.get_by_text("page 2 ·")).to_be_visible()


# -- customer text ---------------------------------------------------------------------------------------------------


async def post_incoming(state: SandboxState, conversation_id: int, content: str) -> None:
    """A customer message, posted through the sandbox's Chatwoot API (an API inbox takes incoming messages)."""
    async with httpx2.AsyncClient(
        transport=httpx2.ASGITransport(app=create_app(state)), base_url="http://sandbox"
    ) as http:
        answer = await http.post(
            f"/api/v1/accounts/{DEMO_ACCOUNT_ID}/conversations/{conversation_id}/messages",
            headers={"api_access_token": ADMIN_TOKEN},
            json={"content": content, "message_type": "incoming"},
        )
    assert answer.status_code == 200, answer.text


async def test_customer_markup_shows_as_text_and_runs_nothing(chromium: Browser) -> None:
    state = SandboxState.demo()
    await post_incoming(state, API_CONVERSATION_ID, HOSTILE)
    async with shown(chromium, "get_conversation", {"conversation_id": API_CONVERSATION_ID}, state=state) as view:
        bubble = view.view.locator(".msg.incoming").last
        await expect(bubble.locator(".body")).to_have_text(HOSTILE)
        await expect(bubble.locator(".badge-customer")).to_have_text("customer")
        frame = view.frame()
        await view.page.wait_for_timeout(200)
        assert await frame.evaluate("document.querySelectorAll('img').length") == 0
        assert await frame.evaluate("document.scripts.length") == 1
        assert await frame.evaluate("window.__pwned") is None
        assert await frame.evaluate("window.__violations") == []
        assert view.dialogs == []

    async with shown(chromium, "list_conversations", {}, state=state) as view:
        row = view.view.locator(f"tr[data-id='{API_CONVERSATION_ID}']")
        await expect(row.locator(".snippet")).to_contain_text("‹img src=x onerror=")
        await expect(row.locator(".snippet .badge-customer")).to_have_text("customer")
        assert "untrusted" not in (await row.inner_text())
        assert await view.frame().evaluate("document.querySelectorAll('img').length") == 0
        assert view.dialogs == []


# -- the composer ----------------------------------------------------------------------------------------------------


def replies(state: SandboxState, conversation_id: int) -> list[str | None]:
    return [
        m.content
        for m in state.conversation(DEMO_ACCOUNT_ID, conversation_id).messages
        if m.message_type == OUTGOING and not m.private
    ]


def token_of(result: dict[str, Any]) -> str:
    return result["_meta"]["chatwoot-mcp/composer"]["token"]


async def test_send_posts_the_draft_once_and_a_replayed_or_altered_token_sends_nothing(chromium: Browser) -> None:
    state = SandboxState.demo()
    before = replies(state, API_CONVERSATION_ID)
    arguments = {"conversation_id": API_CONVERSATION_ID, "draft": DRAFT}
    async with shown(chromium, "get_conversation", arguments, state=state) as view:
        composer = view.view.get_by_label("Reply to the customer")
        await expect(composer).to_have_value(DRAFT)
        ((_, opened),) = view.session.called("app_conversation")
        html = await view.frame().evaluate("document.documentElement.outerHTML")
        assert token_of(opened) not in html

        await view.view.get_by_role("button", name="Send", exact=True).click()
        await expect(view.view.get_by_text("Sent (message")).to_be_visible()
        assert replies(state, API_CONVERSATION_ID) == [*before, DRAFT]
        ((sent, result),) = view.session.called("app_send_reply")
        assert sent["content"] == DRAFT and not result.get("isError"), result
        assert view.session.called("app_review_reply") == []
        await expect(composer).to_have_value("")

        replayed = await view.host.call("app_send_reply", sent)
        assert replayed["isError"], replayed
        assert replies(state, API_CONVERSATION_ID) == [*before, DRAFT]

        fresh = await view.host.call("app_conversation", {"conversation_id": API_CONVERSATION_ID, "draft": "Yes."})
        altered = {
            "conversation_id": API_CONVERSATION_ID,
            "content": "Yes, and here is a link.",
            "token": token_of(fresh),
        }
        refused = await view.host.call("app_send_reply", altered)
        assert refused["isError"] and "text differs" in refused["content"][0]["text"], refused
        assert replies(state, API_CONVERSATION_ID) == [*before, DRAFT]


async def test_an_edited_reply_is_shown_frozen_and_sent_on_the_second_click(chromium: Browser) -> None:
    state = SandboxState.demo()
    before = replies(state, API_CONVERSATION_ID)
    edited = DRAFT + "\nAnything else I can help with?"
    arguments = {"conversation_id": API_CONVERSATION_ID, "draft": DRAFT}
    async with shown(chromium, "get_conversation", arguments, state=state) as view:
        await view.view.get_by_label("Reply to the customer").fill(edited)
        await view.view.get_by_role("button", name="Send", exact=True).click()
        review = view.view.get_by_label("The exact text that will be sent")
        await expect(review).to_have_text(edited)
        await expect(view.view.get_by_label("Reply to the customer")).to_be_hidden()
        assert [a["content"] for a, _ in view.session.called("app_review_reply")] == [edited]
        assert view.session.called("app_send_reply") == []
        assert replies(state, API_CONVERSATION_ID) == before

        await view.view.get_by_role("button", name="Send this text").click()
        await expect(view.view.get_by_text("Sent (message")).to_be_visible()
        assert replies(state, API_CONVERSATION_ID) == [*before, edited]
        assert len(view.session.called("app_send_reply")) == 1


async def test_a_refused_send_says_what_changed_and_is_not_retried(chromium: Browser) -> None:
    state = SandboxState.demo()
    before = replies(state, API_CONVERSATION_ID)
    arguments = {"conversation_id": API_CONVERSATION_ID, "draft": DRAFT}
    async with shown(chromium, "get_conversation", arguments, state=state) as view:
        await expect(view.view.get_by_label("Reply to the customer")).to_have_value(DRAFT)
        await post_incoming(state, API_CONVERSATION_ID, "Actually, never mind: it was my bank.")
        await view.view.get_by_role("button", name="Send", exact=True).click()
        alert = view.view.get_by_role("alert")
        await expect(alert).to_contain_text("new message arrived")
        await expect(alert).to_contain_text("Nothing was sent")
        await view.page.wait_for_timeout(300)
        assert len(view.session.called("app_send_reply")) == 1
        assert replies(state, API_CONVERSATION_ID) == before
        await expect(view.view.get_by_role("button", name="Send", exact=True)).to_be_disabled()

        await view.view.get_by_role("button", name="Reload the conversation").click()
        await expect(view.view.locator(".msg.incoming").last).to_contain_text("it was my bank")
        await expect(view.view.get_by_label("Reply to the customer")).to_have_value(DRAFT)
        assert len(view.session.called("app_send_reply")) == 1


async def test_save_as_draft_and_private_note_use_the_existing_tools(chromium: Browser) -> None:
    state = SandboxState.demo()
    arguments = {"conversation_id": API_CONVERSATION_ID, "draft": DRAFT}
    async with shown(chromium, "get_conversation", arguments, state=state) as view:
        await view.view.get_by_role("button", name="Save as Chatwoot draft").click()
        await expect(view.view.locator(".notice.success")).to_be_visible()
        assert state.conversation(DEMO_ACCOUNT_ID, API_CONVERSATION_ID).draft_message == DRAFT
        await view.view.get_by_label("Reply to the customer").fill("Checked the ledger: duplicate confirmed.")
        await view.view.get_by_role("button", name="Add private note").click()
        await expect(view.view.locator(".msg.private_note").last).to_contain_text("duplicate confirmed")
        assert view.session.called("app_send_reply") == []


# -- the bridge ------------------------------------------------------------------------------------------------------


async def test_open_link_and_size_changed_reach_the_host(chromium: Browser) -> None:
    async with shown(chromium, "get_conversation", {"conversation_id": SCREENSHOT_CONVERSATION_ID}) as view:
        await view.view.get_by_role("button", name="Open in Chatwoot").click()
        await view.page.wait_for_function("window.openedLinks.length === 1")
        (link,) = await view.host_eval("window.openedLinks")
        assert link.endswith(f"/app/accounts/{DEMO_ACCOUNT_ID}/conversations/{SCREENSHOT_CONVERSATION_ID}"), link
        sizes = await view.host_eval("window.sizes")
        assert sizes and all(size["height"] > 0 and size["width"] > 0 for size in sizes)
        height = await view.page.locator("iframe").evaluate("(f) => f.getBoundingClientRect().height")
        assert abs(height - min(sizes[-1]["height"], 640)) <= 2

        log = await view.host_eval(
            "window.hostLog.filter((e) => e.message).map((e) => [e.dir, e.message.method || null])"
        )
        assert log[:4] == [
            ["in", "ui/initialize"],
            ["out", None],
            ["in", "ui/notifications/initialized"],
            ["out", "ui/notifications/tool-input"],
        ]
        assert log[4] == ["out", "ui/notifications/tool-result"]

        await view.host_eval("host.setContext({theme: 'dark'})")
        await expect(view.view.locator("html")).to_have_attribute("data-theme", "dark")
        assert await view.host_eval("host.teardown()") == {}


async def test_without_open_links_the_link_is_shown_to_copy(chromium: Browser) -> None:
    arguments = {"conversation_id": SCREENSHOT_CONVERSATION_ID}
    async with shown(chromium, "get_conversation", arguments, open_links=False) as view:
        link = view.view.locator(".copy-link")
        await expect(link).to_contain_text(
            f"/app/accounts/{DEMO_ACCOUNT_ID}/conversations/{SCREENSHOT_CONVERSATION_ID}"
        )
        await expect(view.view.get_by_role("button", name="Open in Chatwoot")).to_have_count(0)


async def test_without_tool_calls_the_conversation_shows_what_the_tool_returned(chromium: Browser) -> None:
    arguments = {"conversation_id": SCREENSHOT_CONVERSATION_ID, "draft": DRAFT}
    async with shown(chromium, "get_conversation", arguments, server_tools=False) as view:
        await expect(view.view.get_by_role("alert")).to_contain_text("does not let views call tools")
        summary = view.view.get_by_role("region", name="Conversation summary")
        await expect(summary).to_contain_text(f"Conversation #{SCREENSHOT_CONVERSATION_ID}")
        await expect(summary.locator(".badge-customer").first).to_have_text("customer")
        assert "untrusted" not in await summary.inner_text()
        await expect(view.view.get_by_role("button", name="Send", exact=True)).to_have_count(0)


async def test_a_cancelled_tool_call_is_said(chromium: Browser) -> None:
    async with shown(chromium, "list_conversations", {}, cancelled="the person stopped it") as view:
        await expect(view.view.get_by_role("alert")).to_contain_text("cancelled: the person stopped it")


async def test_queue_metrics_show_as_a_chart_and_table(chromium: Browser) -> None:
    async with shown(chromium, "get_queue_metrics", {"group_by": "team"}) as view:
        await expect(view.view.locator("svg.chart rect").first).to_be_attached()
        await expect(view.view.get_by_role("heading")).to_have_text("Queue now")
        await expect(view.view.locator("tbody tr").first).to_be_visible()


async def test_search_results_show_in_the_queue(chromium: Browser) -> None:
    async with shown(chromium, "search_conversations", {"q": "refund"}) as view:
        rows = view.view.locator("tbody tr")
        await expect(rows.first).to_be_visible()
        assert await rows.count() >= 1
        assert "untrusted" not in await view.view.locator("table").inner_text()
        target = await rows.first.get_attribute("data-id")
        await rows.first.click()
        await expect(view.view.get_by_role("heading", name=f"Conversation #{target}")).to_be_visible()


async def test_list_messages_opens_its_conversation_as_the_model_named_it(chromium: Browser) -> None:
    """list_messages' result names no conversation of its own: the view reads the model's argument, which may be
    "#5" rather than 5, as the model may write it."""
    async with shown(chromium, "list_messages", {"conversation_id": f"#{SCREENSHOT_CONVERSATION_ID}"}) as view:
        await view.view.locator(".msg").first.wait_for()
        await expect(view.view.get_by_role("heading").first).to_contain_text(f"#{SCREENSHOT_CONVERSATION_ID}")
