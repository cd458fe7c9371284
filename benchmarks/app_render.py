"""How long the conversation view takes to show a 100-message conversation, in headless Chromium.

Our test host (tests/server/app_support.py) frames the view as a web host does: the host page on one loopback
origin, the view on another under the default CSP, the host's MCP client talking to a real chatwoot-mcp server over
the sandbox in memory. Each run loads a fresh frame; the host calls get_conversation for the demo's long
conversation (300 messages; the view shows the latest 100), sends tool-result, and the view calls app_conversation
through the host and draws the messages. The view marks (performance.mark) when tool-result arrived, when it asked
for the conversation, when the data came back, and the frame after the messages are in the DOM (two
requestAnimationFrame callbacks: painted). Printed, median and p95 over the runs:

- total: tool-result received -> painted (the realistic flow, round trip included; target <= 300 ms);
- round trip: app_conversation asked -> answered (postMessage, the host's POST, the MCP call, the sandbox);
- render: data received -> painted (building 100 messages and painting them).

    uv run python benchmarks/app_render.py --runs 30
"""

from __future__ import annotations

import argparse
import logging
import shutil
import statistics
import sys
from pathlib import Path

import anyio
from playwright.async_api import async_playwright

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.server.app_support import app_host  # noqa: E402
from tests.server.browser_support import CHROMIUM_ARGS  # noqa: E402

from chatwoot_sandbox import LONG_CONVERSATION_ID, SandboxState  # noqa: E402

TARGET_MS = 300.0
MARKS = """
() => {
  const at = (name) => performance.getEntriesByName(name, "mark")[0].startTime;
  return {
    total: at("cw:painted") - at("cw:tool-result"),
    round_trip: at("cw:conversation-data") - at("cw:conversation-call"),
    render: at("cw:painted") - at("cw:conversation-data"),
    messages: document.querySelectorAll(".msg").length,
  };
}
"""


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


async def measure(runs: int, warmup: int) -> dict[str, list[float]]:
    chromium = shutil.which("chromium")
    if chromium is None:
        raise SystemExit("chromium is not installed (apt-get install chromium)")
    figures: dict[str, list[float]] = {"total": [], "round_trip": [], "render": []}
    async with app_host(SandboxState.demo()) as host, async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=chromium, headless=True, args=list(CHROMIUM_ARGS))
        page = await browser.new_page(viewport={"width": 800, "height": 720})
        for run in range(warmup + runs):
            url = await host.show("get_conversation", {"conversation_id": LONG_CONVERSATION_ID})
            await page.goto(url)
            view = next(f for f in page.frames if f.url.startswith(host.view_base)) if len(page.frames) > 1 else None
            while view is None:
                await anyio.sleep(0.01)
                view = next((f for f in page.frames if f.url.startswith(host.view_base)), None)
            await view.wait_for_function("() => performance.getEntriesByName('cw:painted').length > 0", timeout=10_000)
            marks = await view.evaluate(MARKS)
            if marks["messages"] != 100:
                raise SystemExit(f"the view shows {marks['messages']} messages, not 100")
            if run >= warmup:
                for key in figures:
                    figures[key].append(marks[key])
        await browser.close()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=3)
    args = parser.parse_args()
    logging.disable(logging.INFO)  # the host's web servers and the sandbox log every request
    figures = anyio.run(measure, args.runs, args.warmup)
    print(f"conversation view, 100 messages, headless Chromium, {args.runs} runs (after {args.warmup} warm-up)")
    print(f"{'part':<12} {'median ms':>10} {'p95 ms':>8}")
    for key, label in (("total", "total"), ("round_trip", "round trip"), ("render", "render")):
        values = figures[key]
        print(f"{label:<12} {statistics.median(values):>10.1f} {p95(values):>8.1f}")
    verdict = "within" if p95(figures["total"]) <= TARGET_MS else "OVER"
    print(f"target: total <= {TARGET_MS:.0f} ms: p95 {verdict}")


if __name__ == "__main__":
    main()
