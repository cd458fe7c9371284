"""The sandbox against Chatwoot's published swagger: where the real server agrees with the spec, so must the sandbox.

Responses are validated with jsonschema against the swagger's own response schemas (OpenAPI `nullable` turned into
JSON Schema's null type, `$ref`s resolved in `#/components/schemas`). Every validation error must be explained by a
row of KNOWN_DIFFERENCES, and every row must be seen at least once, so a difference is never silently assumed.
Differences a schema cannot catch (the spec's schemas are open and have no `required` lists) are in
STRUCTURAL_DIFFERENCES, each with a check that shows what the server does instead.
The source for "what the server does" is shared/docs/chatwoot-api.md (§3 and §6).
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx2
import jsonschema
import pytest

from chatwoot_sandbox import (
    CSAT_CONVERSATION_ID,
    DEMO_ACCOUNT_ID,
    EMAIL_CONVERSATION_ID,
    LONG_CONVERSATION_ID,
    PROMPT_INJECTION_CONVERSATION_ID,
    SNOOZED_CONVERSATION_ID,
)

pytestmark = pytest.mark.anyio

SWAGGER: Any = json.loads((Path(__file__).parent / "swagger" / "application_swagger.json").read_text())
ACCOUNT = "/api/v1/accounts/{account_id}"
CONVERSATION = ACCOUNT + "/conversations/{conversation_id}"
BASE = f"/api/v1/accounts/{DEMO_ACCOUNT_ID}/conversations"


def _nullable_to_json_schema(node: Any) -> Any:
    if isinstance(node, dict):
        converted = {key: _nullable_to_json_schema(value) for key, value in node.items()}
        if converted.pop("nullable", False) and "type" in converted:
            converted["type"] = [converted["type"], "null"]
        return converted
    if isinstance(node, list):
        return [_nullable_to_json_schema(item) for item in node]
    return node


COMPONENTS = _nullable_to_json_schema(SWAGGER["components"])


def response_schema(method: str, path: str) -> Any:
    """The 200 response schema of an operation, with a top-level `$ref` followed."""
    operation = SWAGGER["paths"][path][method]
    schema = _nullable_to_json_schema(operation["responses"]["200"]["content"]["application/json"]["schema"])
    if "$ref" in schema:
        schema = COMPONENTS["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


# -- the table ------------------------------------------------------------------------------------------------

MESSAGE_IN_CONVERSATION = r"(messages/\*|last_non_activity_message)/"
"""Conversation JSON embeds messages as `Message#push_event_data`; the swagger validates them as `message`."""


@dataclass(frozen=True)
class Difference:
    cases: str
    """Regex over the case names it applies to."""
    path: str
    """Regex over the failing location inside the validated body (array indexes written as `*`)."""
    keyword: str
    """Regex over the failing JSON Schema keyword (type, enum)."""
    swagger: str
    server: str


KNOWN_DIFFERENCES: tuple[Difference, ...] = (
    Difference("profile", "inviter_id", "type", "number", "null for a user nobody invited (the first admin)"),
    Difference(
        "agents|messages index",
        r"(\*|meta/assignee)/availability_status",
        "enum",
        "available|busy|offline",
        "online|busy|offline (the User availability enum)",
    ),
    Difference("conversation.*", "snoozed_until", "type", "number", "ISO-8601 string with milliseconds, or null"),
    Difference("conversation.*", "timestamp", "type", "string", "int seconds (last_activity_at)"),
    Difference("conversation.*", "status", "enum", "open|resolved|pending", "also snoozed"),
    Difference("conversation.*", "priority", "type", "string", "null when no priority is set"),
    Difference("conversation.*", "sla_policy_id", "type", "number", "null without an SLA policy"),
    Difference(
        "conversation.*", "meta/sender/(phone_number|identifier)", "type", "string", "null when the contact has none"
    ),
    Difference("conversation.*", MESSAGE_IN_CONVERSATION + "updated_at", "type", "integer", "ISO-8601 string"),
    Difference(
        "conversation.*",
        MESSAGE_IN_CONVERSATION + "sender_type",
        "enum|type",
        "contact|agent|agent_bot",
        "the Rails class name (Contact, User, AgentBot); null for activity messages",
    ),
    Difference("conversation.*", MESSAGE_IN_CONVERSATION + "sender_id", "type", "number", "null for activity messages"),
    Difference(
        "conversation.*|messages.*",
        rf"({MESSAGE_IN_CONVERSATION}|payload/\*/|)source_id",
        "type",
        "string",
        "null unless the channel supplied an id",
    ),
    Difference(
        "conversation.*|messages.*",
        rf"({MESSAGE_IN_CONVERSATION}|payload/\*/)content_type",
        "enum",
        "text|input_select|cards|form",
        "13 content types, e.g. incoming_email and input_csat",
    ),
    Difference(
        "conversation.*|messages.*",
        rf"({MESSAGE_IN_CONVERSATION}|payload/\*/)message_type",
        "enum",
        "0|1|2",
        "also 3 (template, e.g. the CSAT survey)",
    ),
    Difference("assignments unassign", "", "type", "user object", "the JSON literal null"),
)


@dataclass(frozen=True)
class Case:
    name: str
    method: str
    swagger_path: str
    request: Callable[[httpx2.AsyncClient], Awaitable[httpx2.Response]]
    select: Callable[[Any], list[Any]] = lambda body: [body]
    """The instances to validate (the filter response is validated item by item, see STRUCTURAL_DIFFERENCES)."""
    schema: Callable[[Any], Any] = lambda schema: schema
    root: str = ""
    """A location prefix the table's paths are relative to (the list's `data/payload/*/`)."""


def _filter_items(schema: Any) -> Any:
    return schema["properties"]["data"]["properties"]["payload"]["items"]


CASES: tuple[Case, ...] = (
    Case("profile", "get", "/api/v1/profile", lambda c: c.get("/api/v1/profile")),
    Case("agents", "get", ACCOUNT + "/agents", lambda c: c.get(f"/api/v1/accounts/{DEMO_ACCOUNT_ID}/agents")),
    Case("teams", "get", ACCOUNT + "/teams", lambda c: c.get(f"/api/v1/accounts/{DEMO_ACCOUNT_ID}/teams")),
    Case("inboxes", "get", ACCOUNT + "/inboxes", lambda c: c.get(f"/api/v1/accounts/{DEMO_ACCOUNT_ID}/inboxes")),
    Case(
        "conversation list",
        "get",
        ACCOUNT + "/conversations",
        lambda c: c.get(BASE, params={"status": "all"}),
        root="data/payload/*/",
    ),
    Case("conversation show csat", "get", CONVERSATION, lambda c: c.get(f"{BASE}/{CSAT_CONVERSATION_ID}")),
    Case("conversation show email", "get", CONVERSATION, lambda c: c.get(f"{BASE}/{EMAIL_CONVERSATION_ID}")),
    Case("conversation show snoozed", "get", CONVERSATION, lambda c: c.get(f"{BASE}/{SNOOZED_CONVERSATION_ID}")),
    Case(
        "conversation filter items",
        "post",
        ACCOUNT + "/conversations/filter",
        lambda c: c.post(f"{BASE}/filter", json={"payload": [_all_statuses()]}),
        select=lambda body: body["payload"],
        schema=_filter_items,
    ),
    Case("meta", "get", ACCOUNT + "/conversations/meta", lambda c: c.get(f"{BASE}/meta")),
    Case(
        "messages index",
        "get",
        CONVERSATION + "/messages",
        lambda c: c.get(f"{BASE}/{CSAT_CONVERSATION_ID}/messages"),
    ),
    Case(
        "messages create",
        "post",
        CONVERSATION + "/messages",
        lambda c: c.post(f"{BASE}/{LONG_CONVERSATION_ID}/messages", json={"content": "On it!"}),
    ),
    Case("labels index", "get", CONVERSATION + "/labels", lambda c: c.get(f"{BASE}/{LONG_CONVERSATION_ID}/labels")),
    Case(
        "labels create",
        "post",
        CONVERSATION + "/labels",
        lambda c: c.post(f"{BASE}/{LONG_CONVERSATION_ID}/labels", json={"labels": ["vip"]}),
    ),
    Case(
        "toggle status",
        "post",
        CONVERSATION + "/toggle_status",
        lambda c: c.post(f"{BASE}/{LONG_CONVERSATION_ID}/toggle_status", json={"status": "snoozed"}),
    ),
    Case(
        "custom attributes",
        "post",
        CONVERSATION + "/custom_attributes",
        lambda c: c.post(f"{BASE}/{LONG_CONVERSATION_ID}/custom_attributes", json={"custom_attributes": {"a": 1}}),
    ),
    Case(
        "assignments agent",
        "post",
        CONVERSATION + "/assignments",
        lambda c: c.post(f"{BASE}/{PROMPT_INJECTION_CONVERSATION_ID}/assignments", json={"assignee_id": 2}),
    ),
    Case(
        "assignments unassign",
        "post",
        CONVERSATION + "/assignments",
        lambda c: c.post(f"{BASE}/{LONG_CONVERSATION_ID}/assignments", json={"assignee_id": None}),
    ),
    Case(
        "create",
        "post",
        ACCOUNT + "/conversations",
        lambda c: c.post(BASE, json={"inbox_id": 1, "contact_id": 3}),
    ),
)


def _all_statuses() -> dict[str, object]:
    return {"attribute_key": "status", "filter_operator": "equal_to", "values": ["all"], "query_operator": None}


def _location(error: jsonschema.ValidationError) -> str:
    return "/".join("*" if isinstance(part, int) else str(part) for part in error.absolute_path)


def _explain(case: Case, error: jsonschema.ValidationError) -> Difference | None:
    location = _location(error).removeprefix(case.root)
    for difference in KNOWN_DIFFERENCES:
        if (
            re.fullmatch(difference.cases, case.name)
            and re.fullmatch(difference.path, location)
            and re.fullmatch(difference.keyword, str(error.validator))
        ):
            return difference
    return None


async def test_sandbox_matches_swagger_except_known_differences(client: httpx2.AsyncClient) -> None:
    unexplained: list[str] = []
    seen: set[Difference] = set()
    for case in CASES:
        response = await case.request(client)
        assert response.status_code == 200, (case.name, response.text)
        schema = case.schema(response_schema(case.method, case.swagger_path))
        validator = jsonschema.Draft4Validator({"allOf": [schema], "components": COMPONENTS})
        for instance in case.select(response.json()):
            for error in validator.iter_errors(instance):
                difference = _explain(case, error)
                if difference is None:
                    unexplained.append(f"{case.name}: {_location(error)}: {error.message}")
                else:
                    seen.add(difference)
    assert unexplained == []
    never_seen = [f"{d.cases}: {d.path}" for d in KNOWN_DIFFERENCES if d not in seen]
    assert never_seen == [], "a known difference no longer shows: the sandbox or the table is wrong"


# -- what the schemas cannot catch ------------------------------------------------------------------------------


async def _filter_has_no_data_wrapper(client: httpx2.AsyncClient) -> None:
    body = (await client.post(f"{BASE}/filter", json={"payload": [_all_statuses()]})).json()
    assert "data" in response_schema("post", ACCOUNT + "/conversations/filter")["properties"]
    assert set(body) == {"meta", "payload"}
    assert set(body["meta"]) == {"mine_count", "unassigned_count", "all_count"}


async def _create_returns_the_full_conversation(client: httpx2.AsyncClient) -> None:
    spec = set(response_schema("post", ACCOUNT + "/conversations")["properties"])
    body = (await client.post(BASE, json={"inbox_id": 1, "contact_id": 3})).json()
    assert spec == {"id", "account_id", "inbox_id"}
    assert {"meta", "messages", "status", "labels"} <= set(body)


async def _patch_returns_the_conversation(client: httpx2.AsyncClient) -> None:
    assert "content" not in SWAGGER["paths"][CONVERSATION]["patch"]["responses"]["200"]
    body = (await client.patch(f"{BASE}/{LONG_CONVERSATION_ID}", json={"priority": "low"})).json()
    assert body["id"] == LONG_CONVERSATION_ID and body["priority"] == "low"


async def _priority_none_is_a_server_error(client: httpx2.AsyncClient) -> None:
    body = SWAGGER["paths"][CONVERSATION]["patch"]["requestBody"]["content"]["application/json"]["schema"]
    assert "none" in body["properties"]["priority"]["enum"]
    response = await client.patch(f"{BASE}/{LONG_CONVERSATION_ID}", json={"priority": "none"})
    assert response.status_code == 500


async def _toggle_status_adds_snoozed_until(client: httpx2.AsyncClient) -> None:
    spec = response_schema("post", CONVERSATION + "/toggle_status")["properties"]["payload"]["properties"]
    body = (await client.post(f"{BASE}/{LONG_CONVERSATION_ID}/toggle_status", json={"status": "open"})).json()
    assert "snoozed_until" not in spec and "snoozed_until" in body["payload"]


async def _assigning_a_team_returns_the_team_record(client: httpx2.AsyncClient) -> None:
    assert response_schema("post", CONVERSATION + "/assignments") == COMPONENTS["schemas"]["user"]
    body = (await client.post(f"{BASE}/{LONG_CONVERSATION_ID}/assignments", json={"team_id": 2})).json()
    assert "role" not in body and body["name"] == "technical" and body["created_at"].endswith("Z")


async def _messages_meta_contact_is_an_object(client: httpx2.AsyncClient) -> None:
    assert "payload" in COMPONENTS["schemas"]["contact"]["properties"]  # the spec's `contact` is a list wrapper
    body = (await client.get(f"{BASE}/{LONG_CONVERSATION_ID}/messages")).json()
    assert "payload" not in body["meta"]["contact"] and body["meta"]["contact"]["type"] == "contact"


async def _search_exists(client: httpx2.AsyncClient) -> None:
    assert ACCOUNT + "/conversations/search" not in SWAGGER["paths"]
    assert (await client.get(f"{BASE}/search", params={"q": "refund"})).status_code == 200


async def _errors_use_the_error_key(client: httpx2.AsyncClient) -> None:
    assert "description" in COMPONENTS["schemas"]["bad_request_error"]["properties"]
    response = await client.get(f"{BASE}/99999")
    assert (response.status_code, response.json()) == (404, {"error": "Resource could not be found"})


STRUCTURAL_DIFFERENCES: tuple[tuple[str, str, Callable[[httpx2.AsyncClient], Awaitable[None]]], ...] = (
    ("filter: conversation_list with a data wrapper", "{meta (3 counts), payload}", _filter_has_no_data_wrapper),
    ("create: {id, account_id, inbox_id}", "the full Conversation", _create_returns_the_full_conversation),
    ("PATCH: no body", "the full Conversation", _patch_returns_the_conversation),
    ("PATCH priority enum has none", '"none" is a 500; null clears', _priority_none_is_a_server_error),
    ("toggle_status: {success,current_status,conversation_id}", "+ snoozed_until", _toggle_status_adds_snoozed_until),
    (
        "assignments: user",
        "a team record for team_id (passes only because the schema is open)",
        _assigning_a_team_returns_the_team_record,
    ),
    (
        "messages meta.contact: `contact` ({payload: [...]})",
        "a contact object; the schema is too odd to check",
        _messages_meta_contact_is_an_object,
    ),
    ("/conversations/search: absent", "exists", _search_exists),
    ("errors: bad_request_error {description, errors}", '{"error": "..."}', _errors_use_the_error_key),
)
"""(swagger says, server does, check). Also: no swagger schema has `required`, so absent keys (meta.assignee,
meta.team for unassigned conversations) always pass; the shape tests in test_conversation_writes.py cover them."""


@pytest.mark.parametrize(
    "check", [row[2] for row in STRUCTURAL_DIFFERENCES], ids=[row[0] for row in STRUCTURAL_DIFFERENCES]
)
async def test_structural_difference(
    client: httpx2.AsyncClient, check: Callable[[httpx2.AsyncClient], Awaitable[None]]
) -> None:
    await check(client)
