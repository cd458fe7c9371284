"""Read a docstring's summary and its numpy-style "Parameters" section.

The client's docstrings are the single source of tool descriptions: the text before "Parameters" becomes the
tool's description and each entry becomes that parameter's description in the input schema.
"""

from __future__ import annotations

import inspect
import re

__all__ = ["ParsedDoc", "parse_docstring"]

_SECTION = re.compile(r"^(Parameters|Returns|Raises|Examples)\n-+\n", re.MULTILINE)


class ParsedDoc:
    def __init__(self, summary: str, params: dict[str, str]) -> None:
        self.summary = summary
        self.params = params


def parse_docstring(doc: str | None) -> ParsedDoc:
    """Split `doc` into its summary and a {parameter: description} map (continuation lines joined)."""
    text = inspect.cleandoc(doc or "")
    sections = _SECTION.split(text)
    paragraphs = [" ".join(p.split()) for p in sections[0].strip().split("\n\n")]
    summary = "\n\n".join(p for p in paragraphs if p)
    params: dict[str, str] = {}
    for title, body in zip(sections[1::2], sections[2::2], strict=True):
        if title != "Parameters":
            continue
        name = None
        for line in body.splitlines():
            if line and not line[0].isspace():
                name = line.split(":")[0].strip().lstrip("*")
                params[name] = ""
            elif name and line.strip():
                params[name] = f"{params[name]} {line.strip()}".strip()
    return ParsedDoc(summary, params)
