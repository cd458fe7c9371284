"""The ui:// documents without a browser: valid-looking HTML5, self-contained (nothing from another origin), no
inline event handlers, no way for data to become markup or code; and the files ship in the wheel."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from chatwoot_mcp.apps import pages
from chatwoot_mcp.apps.pages import PAGES, page_html

from .conftest import REPO

STATIC = REPO / "server" / "chatwoot_mcp" / "apps" / "static"
EXTERNAL = re.compile(r"^\s*(https?:)?//", re.I)


class Document(HTMLParser):
    """Every start tag with its attributes, and the text of <script> and <style> elements."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.doctype: str | None = None
        self.inline: dict[str, list[str]] = {"script": [], "style": []}
        self._in: str | None = None

    def handle_decl(self, decl: str) -> None:
        self.doctype = decl

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in = tag if tag in self.inline else None

    def handle_endtag(self, tag: str) -> None:
        self._in = None

    def handle_data(self, data: str) -> None:
        if self._in:
            self.inline[self._in].append(data)


def parsed(uri: str) -> Document:
    document = Document()
    document.feed(page_html(uri))
    document.close()
    return document


@pytest.mark.parametrize("uri", list(PAGES))
def test_each_page_is_an_html5_document_with_one_inline_script_and_style(uri: str) -> None:
    html = page_html(uri)
    document = parsed(uri)
    assert document.doctype is not None and document.doctype.lower() == "doctype html"
    tags = [tag for tag, _ in document.tags]
    assert tags[:3] == ["html", "head", "meta"] and ("lang", "en") in document.tags[0][1].items()
    assert ("meta", {"charset": "utf-8"}) in document.tags
    assert tags.count("title") == 1 and f"<title>{PAGES[uri]}</title>" in html
    assert tags.count("script") == 1 and tags.count("style") == 1 and tags.count("body") == 1
    assert html.rstrip().endswith("</html>")
    assert "{{" not in html, "a template placeholder was left"


@pytest.mark.parametrize("uri", list(PAGES))
def test_nothing_comes_from_another_origin_and_no_markup_runs_code(uri: str) -> None:
    document = parsed(uri)
    for tag, attributes in document.tags:
        for name, value in attributes.items():
            assert not name.startswith("on"), f"<{tag} {name}>: an inline event handler"
            if name in {"src", "href", "action", "srcset", "poster", "data"}:
                pytest.fail(f"<{tag} {name}={value!r}>: the page loads nothing")
    style = "".join(document.inline["style"])
    for target in re.findall(r"url\(\s*['\"]?([^'\")]*)", style):
        assert not EXTERNAL.match(target), target
    assert "@import" not in style
    script = "".join(document.inline["script"])
    for banned in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function",
                   "fetch(", "XMLHttpRequest", "WebSocket", "EventSource", "sendBeacon", "localStorage",
                   "sessionStorage", "document.cookie", ".src = url", "importScripts"):  # fmt: skip
        assert banned not in script, banned
    # The only absolute URL in the code is the SVG namespace, an identifier (createElementNS) and never fetched.
    assert set(re.findall(r"https?://[^\s\"']+", script)) <= {"http://www.w3.org/2000/svg"}


def test_the_token_never_reaches_the_page() -> None:
    """The composer's token is read from `_meta` into a variable and sent back in tools/call arguments only."""
    script = (STATIC / "conversation.js").read_text(encoding="utf-8")
    uses = [line.strip() for line in script.splitlines() if re.search(r"\bsecret\b|\btoken\b", line)]
    for line in uses:
        assert not re.search(r"textContent|setAttribute|\.value\s*=|dataset|append\(|title", line), line


def test_pages_are_cached_and_built_from_the_static_files() -> None:
    for uri in PAGES:
        assert page_html(uri) is page_html(uri)
    for name in ("base.css", "bridge.js", "common.js", "queue.js", "conversation.js", "report.js", "page.html"):
        assert (STATIC / name).is_file(), name
    assert pages.QUEUE in PAGES and pages.CONVERSATION in PAGES and pages.REPORT in PAGES


def test_the_static_files_ship_in_the_wheel() -> None:
    """Hatchling puts every file under a listed package into the wheel unless .gitignore or an exclude drops it."""
    import subprocess
    import tomllib

    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    wheel = config["tool"]["hatch"]["build"]["targets"]["wheel"]
    assert "server/chatwoot_mcp" in wheel["packages"]
    assert not wheel.get("exclude") and not wheel.get("only-include")
    ignored = subprocess.run(
        ["git", "check-ignore", *(str(path) for path in STATIC.iterdir())], cwd=REPO, capture_output=True, text=True
    )
    assert ignored.stdout == "", f"ignored by git, so left out of the wheel: {ignored.stdout}"
