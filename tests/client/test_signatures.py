"""The public surface: sync and async twins agree, the Chatwoot SDK's signatures survive, and docs are complete."""

from __future__ import annotations

import importlib
import inspect
import re
from collections.abc import Callable
from functools import cached_property
from typing import Any, Literal, Union, get_args, get_origin, get_type_hints

import pytest

import chatwoot_client
import chatwoot_client._exceptions
import chatwoot_client.types
from chatwoot_client import (
    AsyncCannedResponsesResource,
    AsyncChatwootClient,
    AsyncContactLabelsResource,
    AsyncContactsResource,
    AsyncConversationDraftResource,
    AsyncConversationLabelsResource,
    AsyncConversationParticipantsResource,
    AsyncConversationsResource,
    AsyncMacrosResource,
    AsyncMessagesResource,
    AsyncReportsResource,
    CannedResponsesResource,
    ChatwootClient,
    ContactLabelsResource,
    ContactsResource,
    ConversationDraftResource,
    ConversationLabelsResource,
    ConversationParticipantsResource,
    ConversationsResource,
    MacrosResource,
    MessagesResource,
    ReportsResource,
)
from chatwoot_client.resources import directory
from chatwoot_client.resources.attachments import AsyncAttachmentsResource, AttachmentsResource
from chatwoot_client.resources.auth import AsyncAuthResource, AuthResource
from chatwoot_client.resources.bulk_actions import AsyncBulkActionsResource, BulkActionsResource
from chatwoot_client.resources.help_center import (
    ArticlesResource,
    AsyncArticlesResource,
    AsyncPortalsResource,
    PortalsResource,
)
from chatwoot_client.resources.webhooks import AsyncWebhooksResource, WebhooksResource

_DIRECTORY_PAIRS = [
    (getattr(directory, name), getattr(directory, name.removeprefix("Async")))
    for name in directory.__all__
    if name.startswith("Async")
]
RESOURCE_PAIRS: list[tuple[type, type]] = [
    (AsyncConversationsResource, ConversationsResource),
    (AsyncConversationLabelsResource, ConversationLabelsResource),
    (AsyncMessagesResource, MessagesResource),
    (AsyncContactsResource, ContactsResource),
    (AsyncPortalsResource, PortalsResource),
    (AsyncAttachmentsResource, AttachmentsResource),
    (AsyncArticlesResource, ArticlesResource),
    (AsyncConversationParticipantsResource, ConversationParticipantsResource),
    (AsyncCannedResponsesResource, CannedResponsesResource),
    (AsyncContactLabelsResource, ContactLabelsResource),
    (AsyncAuthResource, AuthResource),
    (AsyncMacrosResource, MacrosResource),
    (AsyncBulkActionsResource, BulkActionsResource),
    (AsyncConversationDraftResource, ConversationDraftResource),
    (AsyncReportsResource, ReportsResource),
    (AsyncWebhooksResource, WebhooksResource),
    *_DIRECTORY_PAIRS,
]
ASYNC_RESOURCES = [pair[0] for pair in RESOURCE_PAIRS]


def _public_methods(cls: type) -> dict[str, Callable[..., Any]]:
    return {
        name: member
        for name, member in inspect.getmembers(cls, inspect.isfunction)
        if not name.startswith("_") and member.__qualname__.startswith(cls.__name__ + ".")
    }


def _public_properties(cls: type) -> set[str]:
    return {name for name, member in vars(cls).items() if isinstance(member, cached_property | property)}


def _shape(function: Callable[..., Any]) -> list[tuple[str, str, object, str]]:
    """Each parameter as (name, kind, default, annotation as written), plus the return annotation."""
    signature = inspect.signature(function)
    shape = [(p.name, p.kind.name, p.default, str(p.annotation)) for p in signature.parameters.values()]
    return [*shape, ("->", "return", None, str(signature.return_annotation))]


def test_directory_resources_all_come_in_async_sync_pairs() -> None:
    names = set(directory.__all__)
    assert {name for name in names if not name.startswith("Async")} == {
        name.removeprefix("Async") for name in names if name.startswith("Async")
    }
    assert len(_DIRECTORY_PAIRS) == 5


@pytest.mark.parametrize(("async_cls", "sync_cls"), RESOURCE_PAIRS, ids=lambda cls: cls.__name__)
def test_sync_resource_has_the_same_public_methods_as_its_async_twin(async_cls: type, sync_cls: type) -> None:
    async_methods = _public_methods(async_cls)
    assert async_methods, f"{async_cls.__name__} has no public methods"
    assert set(_public_methods(sync_cls)) == set(async_methods)
    assert _public_properties(sync_cls) == _public_properties(async_cls)


@pytest.mark.parametrize(("async_cls", "sync_cls"), RESOURCE_PAIRS, ids=lambda cls: cls.__name__)
def test_sync_methods_have_exactly_the_async_signatures(async_cls: type, sync_cls: type) -> None:
    sync_methods = _public_methods(sync_cls)
    for name, async_method in _public_methods(async_cls).items():
        sync_method = sync_methods[name]
        assert inspect.iscoroutinefunction(async_method), f"{async_cls.__name__}.{name} is not async"
        assert not inspect.iscoroutinefunction(sync_method), f"{sync_cls.__name__}.{name} is async"
        assert _shape(sync_method) == _shape(async_method), f"{sync_cls.__name__}.{name} differs from its async twin"
        assert sync_method.__doc__ == async_method.__doc__, f"{sync_cls.__name__}.{name} has a different docstring"


def test_both_clients_expose_the_same_resources_as_twins() -> None:
    sync_resources = {
        name: get_type_hints(prop.func)["return"]
        for name, prop in vars(ChatwootClient).items()
        if isinstance(prop, cached_property)
    }
    async_resources = {
        name: get_type_hints(prop.func)["return"]
        for name, prop in vars(AsyncChatwootClient).items()
        if isinstance(prop, cached_property)
    }
    assert set(sync_resources) == set(async_resources)
    assert set(async_resources) == {
        "conversations",
        "messages",
        "profile",
        "agents",
        "teams",
        "inboxes",
        "labels",
        "contacts",
        "canned_responses",
        "portals",
        "articles",
        "attachments",
        "auth",
        "macros",
        "bulk_actions",
        "reports",
        "webhooks",
    }
    twins = dict(RESOURCE_PAIRS)
    for name, async_cls in async_resources.items():
        assert twins[async_cls] is sync_resources[name], name
    sync_init = {row[0]: row for row in _shape(ChatwootClient.__init__)}
    async_init = {row[0]: row for row in _shape(AsyncChatwootClient.__init__)}
    assert sync_init.pop("http_client")[3] == "httpx2.Client | None"
    assert async_init.pop("http_client")[3] == "httpx2.AsyncClient | None"
    assert sync_init == async_init


# --- the Chatwoot SDK contract (shared/seed/chatwoot-sdk-conversations.txt) ------------------------------------

_REQUIRED = inspect.Parameter.empty
SEED_SIGNATURES: dict[tuple[str, str], list[tuple[str, object]]] = {
    ("conversations", "list"): [
        ("account_id", _REQUIRED),
        ("status", "open"),
        ("assignee_type", "all"),
        ("page", 1),
        ("inbox_id", None),
        ("team_id", None),
        ("labels", None),
        ("q", None),
    ],
    ("conversations", "get"): [("account_id", _REQUIRED), ("conversation_id", _REQUIRED)],
    ("conversations", "create"): [
        ("account_id", _REQUIRED),
        ("source_id", _REQUIRED),
        ("inbox_id", _REQUIRED),
        ("contact_id", None),
        ("**kwargs", _REQUIRED),
    ],
    ("conversations", "update"): [
        ("account_id", _REQUIRED),
        ("conversation_id", _REQUIRED),
        ("status", None),
        ("assignee_id", None),
        ("team_id", None),
        ("**kwargs", _REQUIRED),
    ],
    ("conversations", "assign"): [
        ("account_id", _REQUIRED),
        ("conversation_id", _REQUIRED),
        ("assignee_id", _REQUIRED),
    ],
    ("conversations", "toggle_status"): [
        ("account_id", _REQUIRED),
        ("conversation_id", _REQUIRED),
        ("status", _REQUIRED),
    ],
    ("conversations", "get_counts"): [("account_id", _REQUIRED), ("status", "open"), ("**filters", _REQUIRED)],
    ("labels", "list"): [("account_id", _REQUIRED), ("conversation_id", _REQUIRED)],
    ("labels", "add"): [("account_id", _REQUIRED), ("conversation_id", _REQUIRED), ("labels", _REQUIRED)],
}
SEED_CLASSES: dict[str, list[type]] = {
    "conversations": [ConversationsResource, AsyncConversationsResource],
    "labels": [ConversationLabelsResource, AsyncConversationLabelsResource],
}
SEED_CASES = [
    pytest.param(cls, method, expected, id=f"{cls.__name__}.{method}")
    for (group, method), expected in SEED_SIGNATURES.items()
    for cls in SEED_CLASSES[group]
]


@pytest.mark.parametrize(("cls", "method", "expected"), SEED_CASES)
def test_seed_sdk_parameters_keep_their_names_order_and_defaults(
    cls: type, method: str, expected: list[tuple[str, object]]
) -> None:
    params = list(inspect.signature(getattr(cls, method)).parameters.values())
    assert params[0].name == "self"
    params = params[1:]
    seed_positional = [(name, default) for name, default in expected if not name.startswith("**")]
    seed_var_keyword = [name.removeprefix("**") for name, _ in expected if name.startswith("**")]

    ours = [(p.name, p.default) for p in params[: len(seed_positional)]]
    assert ours == seed_positional
    assert all(p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD for p in params[: len(seed_positional)])

    # Anything we added comes after the SDK's parameters and can only be passed by keyword, so every call
    # written for the SDK means the same thing here.
    added = params[len(seed_positional) :]
    if seed_var_keyword:
        assert added, "the SDK's **kwargs is gone"
        assert added[-1].kind is inspect.Parameter.VAR_KEYWORD
        assert added[-1].name == seed_var_keyword[0]
        added = added[:-1]
    assert [p.name for p in added if p.kind is not inspect.Parameter.KEYWORD_ONLY] == []


def _literal_values(hint: object) -> set[object]:
    """The values of a Literal, or of `Literal[...] | None`."""
    if get_origin(hint) is Union:
        (hint,) = [arg for arg in get_args(hint) if arg is not type(None)]
    assert get_origin(hint) is Literal, f"{hint!r} is not a Literal"
    return set(get_args(hint))


STATUSES = {"open", "resolved", "pending", "snoozed"}
ANNOTATED_ENUMS = [
    ("list", "status", STATUSES | {"all"}),
    ("list", "assignee_type", {"all", "me", "unassigned", "assigned"}),
    ("get_counts", "status", STATUSES | {"all"}),
    ("update", "status", STATUSES),
    ("toggle_status", "status", STATUSES),
]


@pytest.mark.parametrize("cls", [ConversationsResource, AsyncConversationsResource], ids=lambda c: c.__name__)
@pytest.mark.parametrize(("method", "param", "values"), ANNOTATED_ENUMS, ids=lambda v: v if isinstance(v, str) else "")
def test_status_and_assignee_type_are_literals_of_the_documented_values(
    cls: type, method: str, param: str, values: set[str]
) -> None:
    hints = get_type_hints(getattr(cls, method))
    assert _literal_values(hints[param]) == values


# --- docstrings become MCP tool descriptions -------------------------------------------------------------------

ASYNC_METHODS = [
    pytest.param(method, id=f"{cls.__name__}.{name}")
    for cls in ASYNC_RESOURCES
    for name, method in _public_methods(cls).items()
]


def _documented_parameters(doc: str) -> dict[str, str]:
    """Names and descriptions from a numpydoc "Parameters" section."""
    lines = inspect.cleandoc(doc).splitlines()
    start = lines.index("Parameters") + 2
    assert re.fullmatch(r"-{3,}", lines[start - 1]), "the Parameters heading needs an underline"
    documented: dict[str, str] = {}
    name = ""
    for line in lines[start:]:
        if not line.strip():
            break
        if not line.startswith(" "):
            name = line.strip()
            documented[name] = ""
        else:
            documented[name] = (documented[name] + " " + line.strip()).strip()
    return documented


@pytest.mark.parametrize("method", ASYNC_METHODS)
def test_async_docstrings_document_every_parameter(method: Callable[..., Any]) -> None:
    doc = method.__doc__
    assert doc and doc.strip(), "no docstring"
    summary = inspect.cleandoc(doc).splitlines()[0]
    assert summary.strip(), "the docstring needs a one-line summary first"
    params = [
        p.name
        for p in inspect.signature(method).parameters.values()
        if p.name != "self" and p.kind is not inspect.Parameter.VAR_KEYWORD
    ]
    if not params:
        return
    assert "Parameters" in inspect.cleandoc(doc).splitlines(), "no Parameters section"
    documented = _documented_parameters(doc)
    missing = [name for name in params if name not in documented]
    assert missing == [], f"undocumented parameters: {missing}"
    var_keyword = {f"**{p.name}" for p in inspect.signature(method).parameters.values() if p.kind is p.VAR_KEYWORD}
    stale = set(documented) - set(params) - var_keyword
    assert stale == set(), f"documented parameters that do not exist: {stale}"
    empty = [name for name, text in documented.items() if not text]
    assert empty == [], f"parameters without a description: {empty}"


# --- exports ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "module_name",
    [
        "chatwoot_client",
        "chatwoot_client.types",
        "chatwoot_client.resources.conversations",
        "chatwoot_client.resources.directory",
        "chatwoot_client.resources.contacts",
        "chatwoot_client.resources.canned_responses",
        "chatwoot_client.resources.help_center",
        "chatwoot_client.resources.attachments",
        "chatwoot_client.resources.participants",
        "chatwoot_client.resources.macros",
        "chatwoot_client.resources.bulk_actions",
        "chatwoot_client.resources.webhooks",
    ],
)
def test_all_is_sorted_unique_and_every_name_resolves(module_name: str) -> None:
    module = importlib.import_module(module_name)
    exported: list[str] = module.__all__
    assert exported == sorted(exported)
    assert len(set(exported)) == len(exported)
    for name in exported:
        assert getattr(module, name) is not None, name


def test_package_exports_every_error_and_both_clients() -> None:
    errors = {
        name
        for name, value in vars(chatwoot_client._exceptions).items()
        if isinstance(value, type) and issubclass(value, Exception)
    }
    assert errors <= set(chatwoot_client.__all__)
    assert {"ChatwootClient", "AsyncChatwootClient"} <= set(chatwoot_client.__all__)
    assert "Conversation" in chatwoot_client.types.__all__
