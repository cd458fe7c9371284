"""Hunting with generated arguments: every tool in the live tools/list, valid and hostile arguments, real calls.

For each tool, arguments are generated from its own inputSchema (as a real `mcp.Client` session lists it): valid
ones that do real work on the sandbox's conversations 1..100 (with `confirm: true` where the tool has it, so
writes happen), and invalid ones (unknown keys and near-misspellings, `account_id` on the pinned server, missing
keys, wrong types, booleans and non-ASCII digits as ids, 2**63, text past maxLength, NUL/zero-width/bidi/tag
characters, nested junk, conversation links to other hosts and accounts). Each call goes through a real client
session, in both protocol eras, with and without an elicitation-capable client. Every answer must be:

- a success whose structuredContent validates against the tool's outputSchema, or
- an error in plain words (see hunt_support), which for a write tool says nothing was written/sent/done, or that
  the change may have been (or WAS) applied;

never a protocol error. Arguments that break the schema are refused before any request reaches Chatwoot; a
refusal never follows an accepted write; read tools never write.

The run is seeded and bounded: HUNT_EXAMPLES examples per tool and client (default 10). For a bigger hunt:

    HUNT_EXAMPLES=1000 uv run --frozen pytest tests/server/test_hunt_arguments.py -s -p no:cacheprovider

and the summary table at the end shows the calls made and their outcomes per tool.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any

import anyio
import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mcp import Client
from mcp.types import CallToolResult, Tool

from chatwoot_mcp.guards.filters import CUSTOM_ATTRIBUTE_OPERATORS, STANDARD_KEYS
from chatwoot_sandbox import SandboxState
from chatwoot_sandbox.seed import AGENTS, LABELS, TEAMS
from tests.server.conftest import SANDBOX_URL, Asker, assert_refused, connect, make_server, text_of, writes
from tests.server.hunt_support import OUTCOMES, Tally, classify, portal, result_problems

HUNT_EXAMPLES = int(os.environ.get("HUNT_EXAMPLES", "10"))
TALLY = Tally(f"argument hunt: calls per tool and outcome (HUNT_EXAMPLES={HUNT_EXAMPLES})")

CLIENTS: dict[str, tuple[str, bool]] = {
    "auto": ("auto", False),
    "legacy+elicitation": ("legacy", True),
    "auto+elicitation": ("auto", True),
}
"""Client kinds: protocol era, and whether the client can be asked (elicitation; its answer is drawn per call)."""


@cache
def live_tools() -> dict[str, Tool]:
    """The tools as a real client session lists them (the schemas the hunt generates from)."""

    async def listing() -> list[Tool]:
        async with connect(make_server(SandboxState.empty()), "auto") as client:
            return (await client.list_tools()).tools

    return {tool.name: tool for tool in anyio.run(listing)}


def _cases() -> list[Any]:
    cases = []
    for name, tool in live_tools().items():
        kinds = ["auto", "legacy+elicitation"]
        if "confirm" in tool.input_schema.get("properties", {}):
            kinds.append("auto+elicitation")  # the tools that may ask the user, in the era where asking is a retry
        cases += [pytest.param(name, kind, id=f"{name}-{kind}") for kind in kinds]
    return cases


@pytest.fixture(scope="module", autouse=True)
def _summary() -> Iterator[None]:
    yield
    TALLY.print(("valid", "invalid", *OUTCOMES, "known-bug"))


# -- what a schema property accepts ---------------------------------------------------------------------------


def _types(schema: Mapping[str, Any]) -> list[str]:
    kind = schema.get("type")
    if isinstance(kind, list):
        return list(kind)
    return [kind] if isinstance(kind, str) else []


def _low(schema: Mapping[str, Any]) -> int | None:
    """The lower bound of an integer, whether written as JSON Schema's `minimum` or pydantic's stray `ge`."""
    value = schema.get("minimum", schema.get("ge"))
    return value if isinstance(value, int) else None


def _high(schema: Mapping[str, Any]) -> int | None:
    value = schema.get("maximum", schema.get("le"))
    return value if isinstance(value, int) else None


def _accepts(schema: Mapping[str, Any], value: Any) -> bool:
    """Whether `value` is valid for `schema` (ge/le read as minimum/maximum, as the server enforces them)."""
    return jsonschema.Draft202012Validator(_standard(schema)).is_valid(value)


def _standard(schema: Any) -> Any:
    """`schema` with pydantic's `ge`/`le` keys as JSON Schema's `minimum`/`maximum`."""
    if isinstance(schema, list):
        return [_standard(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    renamed = {"ge": "minimum", "le": "maximum", "gt": "exclusiveMinimum", "lt": "exclusiveMaximum"}
    return {renamed.get(key, key): _standard(value) for key, value in schema.items()}


# -- valid values -----------------------------------------------------------------------------------------------

VISIBLE = st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Cf", "Zl", "Zp"))
TEXT = st.text(VISIBLE, max_size=40)


def _iso_from_now(seconds: float) -> str:
    """The time `seconds` from now, ISO 8601 in UTC (drawn as an offset, so a seeded run draws the same choices)."""
    return datetime.fromtimestamp(time.time() + seconds, tz=UTC).isoformat().replace("+00:00", "Z")


def generic(schema: Mapping[str, Any]) -> st.SearchStrategy[Any]:
    """Values valid for `schema`, read from its own keywords (type, enum, bounds, maxLength, items...)."""
    if "anyOf" in schema:
        return st.one_of([generic(option) for option in schema["anyOf"]])
    types = _types(schema)
    if "enum" in schema:
        return st.sampled_from([*schema["enum"], *([None] if "null" in types else [])])
    options: list[st.SearchStrategy[Any]] = []
    for kind in types:
        if kind == "null":
            options.append(st.none())
        elif kind == "boolean":
            options.append(st.booleans())
        elif kind == "integer":
            low, high = _low(schema), _high(schema)
            start = low if low is not None else -5
            options.append(st.integers(start, min(start + 200, high) if high is not None else start + 200))
            options.append(st.integers(low, high))
        elif kind == "number":
            options.append(st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False))
        elif kind == "string":
            if schema.get("format") == "date-time":
                options.append(st.integers(600, 300 * 86400).map(_iso_from_now))
            else:
                options.append(st.text(VISIBLE, max_size=min(schema.get("maxLength", 40), 40)))
        elif kind == "array":
            items = generic(schema.get("items", {}))
            options.append(st.lists(items, max_size=min(schema.get("maxItems", 4), 4)))
        elif kind == "object":
            options.append(_object(schema))
    return st.one_of(options) if options else st.none()


def _object(schema: Mapping[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    properties = schema.get("properties")
    if properties:
        required = set(schema.get("required", []))
        return st.fixed_dictionaries(
            {name: generic(spec) for name, spec in properties.items() if name in required},
            optional={name: generic(spec) for name, spec in properties.items() if name not in required},
        )
    values = schema.get("additionalProperties")
    return st.dictionaries(st.text(VISIBLE, min_size=1, max_size=12), generic(values or {}), max_size=3)


REAL_CONVERSATION = st.integers(1, 100)
LABEL_NAMES = [title for title, *_ in LABELS]
AGENT_REFS: list[Any] = [
    *(name for _, name, *_ in AGENTS),
    *(email for _, _, email, *_ in AGENTS),
    *(agent_id for agent_id, *_ in AGENTS),
    "Alex",
    "ALEX KIM",
    "nobody",
    99,
]
TEAM_REFS: list[Any] = [
    *(name for _, name, *_ in TEAMS),
    *(team_id for team_id, *_ in TEAMS),
    "Billing",
    "research",
    4,
    9,
]
FILTER_KEYS = [*STANDARD_KEYS, "plan", "order_id", "nope"]
FILTER_OPERATORS = sorted({op for ops in STANDARD_KEYS.values() for op in ops} | set(CUSTOM_ATTRIBUTE_OPERATORS))


def _conversation_ref() -> st.SearchStrategy[Any]:
    """Mostly real conversations (so calls do real work), in every form agents write them; a few missing ones."""
    real = REAL_CONVERSATION
    return st.one_of(
        real,
        real,
        real,
        real.map(lambda n: f"#{n}"),
        real.map(str),
        real.map(lambda n: f"{SANDBOX_URL}/app/accounts/1/conversations/{n}"),
        real.map(lambda n: f"{SANDBOX_URL}/app/accounts/1/inbox/2/conversations/{n}/"),
        st.integers(101, 10**9),
    )


def _labels() -> st.SearchStrategy[list[str]]:
    item = st.one_of(
        st.sampled_from(LABEL_NAMES),
        st.sampled_from(LABEL_NAMES),
        st.sampled_from([" VIP ", "Billing", "urgnet", "nope", "a,b", ""]),
    )
    return st.lists(item, max_size=4)


_ATTRIBUTE_VALUE = st.one_of(
    st.text(VISIBLE, max_size=20), st.integers(-(10**6), 10**6), st.booleans(), st.none(), st.floats(-1e3, 1e3)
)
_ATTRIBUTE_KEY = st.one_of(
    st.sampled_from(["plan", "order_id", "refund_amount", "note"]), st.text(VISIBLE, min_size=1, max_size=10)
)

FILTER_VALUES: dict[str, list[Any]] = {
    "status": ["open", "resolved", "pending", "snoozed", "all"],
    "priority": ["low", "medium", "high", "urgent"],
    "labels": LABEL_NAMES,
    "assignee_id": [1, 2, 3, 99],
    "inbox_id": [1, 2, 3, 4],
    "team_id": [1, 2, 3],
    "created_at": ["2026-11-01", "2026-11-15"],
    "last_activity_at": ["2026-11-01", "2026-11-15"],
    "display_id": ["1", "12", "7"],
}


@st.composite
def _condition(draw: st.DrawFn) -> dict[str, Any]:
    """A filter condition: mostly a key with one of its operators and values, sometimes any mix."""
    key = draw(st.sampled_from(FILTER_KEYS))
    operators = list(STANDARD_KEYS.get(key, CUSTOM_ATTRIBUTE_OPERATORS))
    operator = draw(st.sampled_from(operators) | st.sampled_from(FILTER_OPERATORS))
    pool = FILTER_VALUES.get(key, ["pro", "starter", "ACM-1", 3])
    values = [] if operator in ("is_present", "is_not_present") else draw(st.lists(st.sampled_from(pool), max_size=2))
    condition: dict[str, Any] = {"attribute_key": key, "filter_operator": operator, "values": values}
    if draw(st.booleans()):
        condition["query_operator"] = draw(st.sampled_from(["AND", "OR", "and", None]))
    return condition


HINTS: dict[str, Callable[[], st.SearchStrategy[Any]]] = {
    "conversation_id": _conversation_ref,
    "inbox_id": lambda: st.one_of(st.integers(1, 4), st.integers(1, 4), st.integers(5, 50)),
    "contact_id": lambda: st.integers(1, 80),
    "assignee_id": lambda: st.integers(1, 10),
    "team_id": lambda: st.integers(1, 5),
    "before": lambda: st.integers(1, 40_000),
    "page": lambda: st.integers(1, 5),
    "max_messages": lambda: st.integers(1, 600),
    "max_bytes": lambda: st.integers(1000, 200_000),
    "agent": lambda: st.one_of(st.sampled_from(AGENT_REFS), st.none()),
    "team": lambda: st.one_of(st.sampled_from(TEAM_REFS), st.none()),
    "labels": _labels,
    "expected_labels": lambda: st.one_of(_labels(), st.none()),
    "remove_keys": lambda: st.one_of(st.lists(_ATTRIBUTE_KEY, max_size=3), st.none()),
    "attributes": lambda: st.one_of(st.dictionaries(_ATTRIBUTE_KEY, _ATTRIBUTE_VALUE, max_size=3), st.none()),
    "expected_attributes": lambda: st.one_of(st.dictionaries(_ATTRIBUTE_KEY, _ATTRIBUTE_VALUE, max_size=3), st.none()),
    "q": lambda: st.one_of(
        st.sampled_from(["refund", "order", "ACM", "invoice", "login", "password", "shipping", "thanks"]),
        st.text(VISIBLE, min_size=1, max_size=30),
    ),
    "content": lambda: st.one_of(
        st.sampled_from(["Thanks, we are looking into it.", "Refund issued.", "Could you send the order number?"]),
        st.text(VISIBLE, min_size=1, max_size=200).map(lambda text: f"Hello {text}"),
    ),
    "message": lambda: st.one_of(st.none(), st.text(VISIBLE, min_size=1, max_size=100).map(lambda t: f"Hi {t}")),
    "snoozed_until": lambda: st.one_of(
        st.none(),
        st.integers(3600, 300 * 86400).map(_iso_from_now),
        st.integers(3600, 300 * 86400).map(lambda offset: int(time.time()) + offset),
    ),
    "conditions": lambda: st.lists(_condition(), min_size=1, max_size=3),
    "confirm": lambda: st.sampled_from([True, True, True, False]),
    "dry_run": lambda: st.sampled_from([False, False, False, True]),
    "replace": lambda: st.sampled_from([False, False, False, True]),
    "wait_seconds": lambda: st.sampled_from([0, 0, 1]),  # list_events waits that long when nothing happens
}
"""Realistic values by parameter name, used whenever the schema offers the parameter (the generic values also
come from the schema, so every parameter of every tool is generated, hinted or not)."""


def value_for(name: str, schema: Mapping[str, Any]) -> st.SearchStrategy[Any]:
    hint = HINTS.get(name)
    if hint is None:
        return generic(schema)
    return st.one_of(hint(), hint(), hint(), generic(schema))


@st.composite
def valid_arguments(draw: st.DrawFn, tool: Tool) -> dict[str, Any]:
    """Arguments that satisfy `tool`'s inputSchema: every required parameter, each optional one half the time."""
    schema = tool.input_schema
    required = set(schema.get("required", []))
    arguments = {}
    for name, spec in schema.get("properties", {}).items():
        if name in required or name == "confirm" or draw(st.booleans()):
            arguments[name] = draw(value_for(name, spec))
    return arguments


# -- invalid values ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Expect:
    """What an invalid call must get: a refusal (if `refused`), before any request (if `before_sending`), with
    `mentions` in its text."""

    kind: str
    before_sending: bool = True
    refused: bool = True
    mentions: tuple[str, ...] = ()


NON_ASCII_DIGITS = ["٣", "３", "#٣", "١٢", "１２", "۴۲", "߃", "½", "²"]
BAD_IDS: list[Any] = [
    *(True, False, *NON_ASCII_DIGITS, 2**63, -(2**63), 0, -1, "", "#", "1e3", "0x1F", "12abc", 1.5),
    *("9" * 600, "#" + "1" * 19, "x" * 600),
]
WEIRD_PIECES = [
    "\x00",
    "\u200b",
    "\u200d",
    "\u2060",
    "\ufeff",
    "\u202e",
    "\u2066",
    "\U000e0041",
    "\U000e007f",
    "\x1b[31m",
]
JUNK: list[Any] = [
    True,
    False,
    None,
    1.5,
    -0.25,
    2,
    2**63,
    -(2**63),
    "maybe",
    "٣",
    "３",
    "",
    [],
    [1, "x"],
    [[["deep"]]],
    {},
    {"a": {"b": [None, {"c": 1}]}},
    {"$ref": "#/x"},
]
BAD_URLS = [
    "https://evil.example/app/accounts/1/conversations/5",
    "http://sandbox.evil.example/app/accounts/1/conversations/5",
    "http://sandbox@evil.example/app/accounts/1/conversations/5",
    "http://evil.example/?next=http://sandbox/app/accounts/1/conversations/5",
    f"{SANDBOX_URL}/app/accounts/2/conversations/5",
    f"{SANDBOX_URL}/app/accounts/99/conversations/5",
    f"{SANDBOX_URL}/app/accounts/1/contacts/5",
    f"{SANDBOX_URL}/app/accounts/1/conversations/99999999999999999999",
    f"{SANDBOX_URL}/app/accounts/1/conversations/٣",
    "ftp://sandbox/app/accounts/1/conversations/5",
    "javascript://sandbox/app/accounts/1/conversations/5",
]
GENERIC_UNKNOWN = ["dryrun", "conversationid", "account", "verbose", "", " ", "__class__", "labels[]", "ｑ", "x" * 300]


def _near_misses(name: str) -> list[tuple[str, bool]]:
    """Misspellings of parameter `name`, each with whether a "did you mean" must name it."""
    camel = re.sub(r"_(\w)", lambda match: match.group(1).upper(), name)
    misses = [(name.replace("_", ""), True), (camel, True), (name + "s", len(name) > 3), (name.upper(), False)]
    if len(name) > 3:
        misses.append((name[1] + name[0] + name[2:], False))
    return [(miss, suggest and "_" in name) for miss, suggest in misses if miss != name]


def _string_specs(schema: Mapping[str, Any]) -> bool:
    return "string" in _types(schema) or any("string" in _types(option) for option in schema.get("anyOf", []))


def _bounded(schema: Mapping[str, Any]) -> bool:
    return _low(schema) is not None or _high(schema) is not None or "maxLength" in schema or "maxItems" in schema


@st.composite
def invalid_arguments(draw: st.DrawFn, tool: Tool) -> tuple[dict[str, Any], Expect]:
    """A valid call broken in one way, and what the server must answer to it."""
    schema = tool.input_schema
    properties: dict[str, Any] = schema.get("properties", {})
    required = list(schema.get("required", []))
    arguments = draw(valid_arguments(tool))
    kinds = ["unknown-key", "account-id"]
    if required:
        kinds.append("missing-required")
    if properties:
        kinds += ["wrong-type", "nested-junk"]
    if any(_bounded(spec) or _bounded(spec.get("items", {})) for spec in properties.values()):
        kinds.append("out-of-range")
    ids = [name for name in properties if name.endswith("_id") or name in ("before", "agent", "team")]
    if ids:
        kinds.append("bad-id")
    if any(_string_specs(spec) or _string_specs(spec.get("items", {})) for spec in properties.values()):
        kinds.append("weird-text")
    if "conversation_id" in properties:
        kinds.append("bad-url")
    kind = draw(st.sampled_from(kinds))

    if kind == "unknown-key":
        misses = [miss for name in properties for miss in _near_misses(name)]
        misses += [(name, name in ("dryrun", "conversationid")) for name in GENERIC_UNKNOWN]
        key, suggest = draw(st.sampled_from(misses).filter(lambda m: m[0] not in properties and m[0] != "account_id"))
        arguments[key] = draw(st.sampled_from(JUNK))
        original = {n.replace("_", ""): n for n in properties}.get(key.replace("_", "").lower())
        mentions = ("is not a parameter of",) + ((f"did you mean `{original}`?",) if suggest and original else ())
        return arguments, Expect(kind, mentions=mentions)
    if kind == "account-id":
        arguments["account_id"] = draw(st.sampled_from([1, 2, "1", None, True]))
        return arguments, Expect(kind, mentions=("`account_id` is not a parameter",))
    if kind == "missing-required":
        name = draw(st.sampled_from(required))
        arguments.pop(name, None)
        return arguments, Expect(kind, mentions=(f"`{name}` is required",))
    if kind == "wrong-type":
        name = draw(st.sampled_from(sorted(properties)))
        spec = properties[name]
        # null for an optional parameter is "not given" to most clients, whatever the schema's type says
        junk = [value for value in JUNK if not (value is None and name not in required)]
        arguments[name] = draw(st.sampled_from(junk).filter(lambda value: not _accepts(spec, value)))
        return arguments, Expect(kind, mentions=(f"`{name}`",))
    if kind == "nested-junk":
        name = draw(st.sampled_from(sorted(properties)))
        depth = draw(st.integers(2, 40))
        junk: Any = "\x00"
        for level in range(depth):
            junk = [junk] if level % 2 else {"k": junk}
        arguments[name] = junk
        return arguments, Expect(kind, mentions=(f"`{name}`",))
    if kind == "out-of-range":
        candidates = [n for n, spec in properties.items() if _bounded(spec) or _bounded(spec.get("items", {}))]
        name = draw(st.sampled_from(sorted(candidates)))
        arguments[name] = draw(_out_of_range(properties[name]))
        return arguments, Expect(kind, mentions=(f"`{name}`",))
    if kind == "bad-id":
        name = draw(st.sampled_from(sorted(ids)))
        value = draw(st.sampled_from(BAD_IDS).filter(lambda v: not _accepts(properties[name], v) or _looks_wrong(v)))
        arguments[name] = value
        if name in ("agent", "team"):  # a name is also text: "No agent '½'" after looking is the right refusal
            return arguments, Expect(kind, before_sending=False)
        return arguments, Expect(kind, mentions=(f"`{name}`",))
    if kind == "weird-text":
        names = [n for n, spec in properties.items() if _string_specs(spec) or _string_specs(spec.get("items", {}))]
        name = draw(st.sampled_from(sorted(names)))
        pieces = draw(st.lists(st.sampled_from(WEIRD_PIECES), min_size=1, max_size=4))
        base = draw(st.sampled_from(["", "billing", "Hello there", "7"]))
        weird = "".join(draw(st.permutations([base, *pieces])))
        spec = properties[name]
        arguments[name] = [weird] if "array" in _types(spec) else weird
        return arguments, Expect(kind, before_sending=False, refused=False)
    # bad-url
    arguments["conversation_id"] = draw(st.sampled_from(BAD_URLS))
    return arguments, Expect(kind, mentions=("`conversation_id`",))


def _looks_wrong(value: Any) -> bool:
    """Ids the schema's string branch lets through but that are no id: other scripts' digits, blanks, fractions."""
    return isinstance(value, str) and not re.fullmatch(r"#?[0-9]{1,18}", value.strip())


def _out_of_range(spec: Mapping[str, Any]) -> st.SearchStrategy[Any]:
    options: list[st.SearchStrategy[Any]] = []
    specs = [spec, *spec.get("anyOf", [])]
    for part in specs:
        low, high = _low(part), _high(part)
        if low is not None and "integer" in _types(part):
            options.append(st.sampled_from([low - 1, low - 1000, -(2**63)]))
        if high is not None and "integer" in _types(part):
            options.append(st.sampled_from([high + 1, 2**63, 10**30]))
        if "maxLength" in part and "string" in _types(part):
            options.append(st.integers(1, 50).map(lambda extra, n=part["maxLength"]: "x" * (n + extra)))
        if "maxItems" in part:
            item = st.sampled_from(LABEL_NAMES)
            options.append(st.lists(item, min_size=part["maxItems"] + 1, max_size=part["maxItems"] + 3))
        items = part.get("items", {})
        if "maxLength" in items:
            options.append(st.just(["b" * (items["maxLength"] + 1)]))
    return st.one_of(options)


# -- the hunt ---------------------------------------------------------------------------------------------------


def _shown(arguments: Mapping[str, Any]) -> str:
    text = repr(dict(arguments))
    return text if len(text) < 600 else text[:600] + "…"


READ_POSTS = ("/conversations/filter",)
"""Chatwoot's reads that are POSTs (the filter takes its conditions as a body)."""


@dataclass(frozen=True)
class KnownBug:
    """A bug the hunt keeps finding, reproduced by the xfail(strict=True) test `test`.

    The hunt counts a call that shows it in the "known-bug" column instead of failing, so it keeps hunting for
    new problems; once the bug is fixed its test XPASSes (which fails the run) and its entry here goes too.
    """

    test: str
    matches: Callable[[str, Mapping[str, Any], str, list[str]], bool]
    """(tool, arguments, result text, problems found) -> whether this call shows the bug."""


KNOWN_BUGS: tuple[KnownBug, ...] = ()
"""Empty now: the six bugs the hunt found are fixed, and their tests below assert the right behaviour."""


def check(
    tool: Tool,
    arguments: Mapping[str, Any],
    expect: Expect | None,
    result: CallToolResult,
    state: SandboxState,
    since: int,
) -> list[str]:
    """Every promise a tool result breaks, whatever the arguments were (empty when it keeps them all)."""
    writes = not (tool.annotations and tool.annotations.read_only_hint)
    text = text_of(result)
    problems = result_problems(result, tool.output_schema, writes=writes)
    requests = state.requests[since:]
    sent_writes = [r for r in requests if r.method != "GET" and not r.path.endswith(READ_POSTS)]
    if not writes and sent_writes:
        problems.append(f"a read tool wrote {[f'{r.method} {r.path}' for r in sent_writes]}")
    if classify(result) == "refused":
        applied = [f"{r.method} {r.path}" for r in sent_writes if r.status is not None and 200 <= r.status < 300]
        if applied:
            problems.append(f"told 'nothing was written' after Chatwoot accepted {applied}")
    if expect is not None and expect.refused:
        if not result.is_error:
            problems.append(f"{expect.kind} arguments were accepted")
        elif classify(result) != "refused":
            problems.append(f"{expect.kind} arguments were not refused as such")
    if expect is not None and expect.before_sending:
        if requests:
            problems.append(f"{expect.kind} arguments reached Chatwoot: {[f'{r.method} {r.path}' for r in requests]}")
        problems += [f"{needle!r} is missing" for needle in expect.mentions if result.is_error and needle not in text]
    return problems


@pytest.mark.parametrize(("tool_name", "client_kind"), _cases())
def test_every_argument_gets_a_truthful_plain_answer(tool_name: str, client_kind: str) -> None:
    state = SandboxState.demo()
    mode, elicits = CLIENTS[client_kind]
    asker = Asker("accept") if elicits else None
    failure: BaseException | None = None
    with portal() as loop, loop.wrap_async_context_manager(connect(make_server(state), mode, asker)) as client:
        tool = {tool.name: tool for tool in loop.call(client.list_tools).tools}[tool_name]

        @settings(
            max_examples=HUNT_EXAMPLES,
            derandomize=True,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
        )
        @given(st.data())
        def hunt(data: st.DataObject) -> None:
            expect: Expect | None = None
            if data.draw(st.integers(0, 9), label="valid?") < 4:
                arguments = data.draw(valid_arguments(tool), label="valid arguments")
            else:
                arguments, expect = data.draw(invalid_arguments(tool), label="invalid arguments")
            if asker is not None:
                asker.answer = data.draw(st.sampled_from(["accept", "accept", "decline", "cancel"]), label="user")
            since = len(state.requests)
            try:
                result = loop.call(client.call_tool, tool_name, arguments)
            except Exception as error:
                raise AssertionError(f"{tool_name}({_shown(arguments)}) raised a protocol error: {error!r}") from error
            TALLY.count(tool_name, classify(result), "valid" if expect is None else "invalid")
            problems = check(tool, arguments, expect, result, state, since)
            if problems and any(bug.matches(tool_name, arguments, text_of(result), problems) for bug in KNOWN_BUGS):
                TALLY.flag(tool_name, "known-bug")
                return
            kind = "valid" if expect is None else expect.kind
            assert not problems, f"{tool_name}({_shown(arguments)}) [{kind}] -> {text_of(result)[:800]!r}: {problems}"

        try:
            hunt()
        except BaseException as error:  # raised after the session closes, not wrapped in its task group's errors
            failure = error
    if failure is not None:
        raise failure


# -- the schemas the hunt reads ----------------------------------------------------------------------------------

KEYWORDS = frozenset({
    "$schema", "$id", "$ref", "$defs", "$comment", "type", "enum", "const", "title", "description", "default",
    "examples", "deprecated", "readOnly", "writeOnly", "properties", "patternProperties", "additionalProperties",
    "propertyNames", "required", "minProperties", "maxProperties", "dependentRequired", "dependentSchemas", "items",
    "prefixItems", "contains", "minItems", "maxItems", "uniqueItems", "minimum", "maximum", "exclusiveMinimum",
    "exclusiveMaximum", "multipleOf", "minLength", "maxLength", "pattern", "format", "contentMediaType",
    "contentEncoding", "anyOf", "oneOf", "allOf", "not", "if", "then", "else",
})  # fmt: skip
_MAPS = ("properties", "patternProperties", "$defs", "dependentSchemas")


def _unknown_keywords(schema: Any, where: str) -> Iterator[str]:
    """Keys of `schema` (and its subschemas) that are no JSON Schema keyword, such as pydantic's `ge`/`le`."""
    if isinstance(schema, list):
        for index, item in enumerate(schema):
            yield from _unknown_keywords(item, f"{where}[{index}]")
        return
    if not isinstance(schema, dict):
        return
    for key, value in schema.items():
        if key not in KEYWORDS:
            yield f"{where}: {key}"
        elif key in _MAPS and isinstance(value, dict):
            for name, sub in value.items():
                yield from _unknown_keywords(sub, f"{where}.{name}")
        elif key not in ("enum", "const", "default", "examples", "required") and isinstance(value, dict | list):
            yield from _unknown_keywords(value, f"{where}.{key}")


def test_input_schemas_speak_json_schema() -> None:
    """A bound written in a key clients do not know (pydantic's `ge` after a validator) is a bound nobody sees."""
    unknown = [found for name, tool in live_tools().items() for found in _unknown_keywords(tool.input_schema, name)]
    assert not unknown, unknown


# -- the bugs the hunt found, each as the behaviour it should have (KNOWN_BUGS above points here) ---------------


@pytest.mark.anyio
async def test_agent_and_team_refusals_say_nothing_was_written(client: Client, state: SandboxState) -> None:
    calls: list[tuple[str, dict[str, Any]]] = [
        ("assign_conversation", {"conversation_id": 1, "agent": "nobody"}),
        ("assign_conversation", {"conversation_id": 1, "team": "nope"}),
        ("assign_conversation", {"conversation_id": 1, "agent": 2, "unassign_agent": True}),
        ("update_conversation", {"conversation_id": 1, "assignee_id": 99}),
        ("create_conversation", {"inbox_id": 1, "contact_id": 1, "team_id": 4}),
    ]
    for tool, arguments in calls:
        assert_refused(await client.call_tool(tool, arguments), "Nothing was written.")
    assert writes(state) == []


@pytest.mark.anyio
async def test_empty_updates_say_nothing_was_written(client: Client, state: SandboxState) -> None:
    for tool in ("assign_conversation", "update_conversation"):
        assert_refused(await client.call_tool(tool, {"conversation_id": 1}), "Nothing was written.")
    assert writes(state) == []


@pytest.mark.anyio
async def test_an_unconfirmed_reply_says_nothing_was_sent(client: Client, state: SandboxState) -> None:
    assert_refused(await client.call_tool("send_reply", {"conversation_id": 1, "content": "Hi"}), "Nothing was sent.")
    assert writes(state) == []


@pytest.mark.anyio
async def test_a_boolean_is_not_an_agent_or_team(client: Client, state: SandboxState) -> None:
    conversation = state.conversation(1, 2)
    before = (conversation.assignee_id, conversation.team_id)
    for name in ("agent", "team"):
        for value in (True, False):
            result = await client.call_tool("assign_conversation", {"conversation_id": 2, name: value})
            assert_refused(result, f"`{name}`", "Nothing was written.")
    assert writes(state) == []
    assert (conversation.assignee_id, conversation.team_id) == before


@pytest.mark.anyio
async def test_a_boolean_is_not_a_number(client: Client, state: SandboxState) -> None:
    calls: list[tuple[str, dict[str, Any], str]] = [
        ("list_messages", {"conversation_id": 1, "max_messages": True}, "max_messages"),
        ("toggle_status", {"conversation_id": 1, "status": "snoozed", "snoozed_until": True}, "snoozed_until"),
    ]
    for tool, arguments, name in calls:
        since = len(state.requests)
        result = await client.call_tool(tool, arguments)
        assert_refused(result, f"`{name}`", "Invalid arguments")
        assert state.requests[since:] == [], f"{tool}: a boolean {name} reached Chatwoot"


@pytest.mark.anyio
async def test_other_scripts_digits_are_not_agent_or_team_ids(client: Client, state: SandboxState) -> None:
    conversation = state.conversation(1, 2)
    before = (conversation.assignee_id, conversation.team_id)
    for name, value in (("agent", "٣"), ("agent", "３"), ("team", "３"), ("team", "#٢"), ("agent", "²")):
        text = assert_refused(await client.call_tool("assign_conversation", {"conversation_id": 2, name: value}))
        assert "int()" not in text, text
    assert writes(state) == []
    assert (conversation.assignee_id, conversation.team_id) == before
