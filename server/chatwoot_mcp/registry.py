"""Tool declarations, and the machinery that turns each one into an MCP tool.

A tool is declared once, as a `ToolSpec` row pointing at an async client method (by its path on the client,
e.g. "conversations.get") or at a guard function of this package (by its import path,
"chatwoot_mcp.guards.labels:add_labels"). Everything else follows from that target: the input schema from its
signature, parameter descriptions from its docstring's "Parameters" section, the description from the
docstring's summary, the output schema from the view's (or target's) return type.

Targets and views are named, not imported: start-up lists tools from their checked-in wire forms
(`chatwoot_mcp.wire_cache`), so this module, the tool rows and the server import none of the client, the guards or
the views. They are imported when a tool is first built (its first call), which is also why the imports of
`build_tool` are inside it.
"""

from __future__ import annotations

import importlib
import inspect
import json
import logging
import types
import typing
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Annotated, Any

from mcp.server import MCPServer
from mcp.server.mcpserver import Context
from mcp.types import CallToolResult, TextContent, ToolAnnotations
from pydantic import BaseModel, BeforeValidator, Field, ValidationError, WithJsonSchema

from chatwoot_mcp.arguments import MAX_ID, not_bool, parse_conversation_id, whole_number
from chatwoot_mcp.config import ConfigError, Settings
from chatwoot_mcp.redaction import contains_secret, redact, redact_data

if TYPE_CHECKING:
    from chatwoot_mcp.context import ToolContext
    from chatwoot_mcp.outcomes import CallRecord
    from chatwoot_mcp.views import View

__all__ = ["ConversationRef", "ToolSpec", "build_tool", "register_tools", "select_tools"]

log = logging.getLogger("chatwoot_mcp")

CONVERSATION_DOC = "Conversation number"
"""Every tool's `conversation_id` says the same; docstrings describe it for their own readers."""
TEXT_LIMITS = {"content": 150_000, "message": 150_000}
"""Message text: Chatwoot's own cap (150,000 characters), so a refusal comes from us, before any request."""
SHORT_TEXT = 1_000
"""Any other text argument (search text, names): enough for a real value, far below a URL's limit."""
LIST_ITEMS = 100
ITEM_TEXT = 255

ConversationRef = Annotated[
    int,
    Field(ge=1, le=MAX_ID),
    BeforeValidator(parse_conversation_id),
    WithJsonSchema(
        # The schema shows the canonical form; "#123" and links are accepted too (the server's instructions say
        # so once, instead of every tool's schema saying it again).
        {"type": "integer", "minimum": 1},
        mode="validation",
    ),
]
"""A conversation id as agents write it: 123, "#123" or the conversation's link in Chatwoot (schema: integer).

Links are checked against the configured host and accounts before validation (see ChatwootServer.call_tool);
by the time this type sees a value it is a number or digits.
"""


@dataclass(frozen=True)
class ToolSpec:
    """One MCP tool, declared once.

    `target` is either a dotted path on AsyncChatwootClient ("conversations.labels.list"), called as
    `method(account_id, **arguments)`, or a guard `async def guard(tools: ToolContext, account_id, ...)`, named by
    its import path ("module:function") or given as the function itself. `view(result, arguments)` turns the
    target's result into the View that is returned (`arguments` are the call's, with `account_id`), likewise an
    import path or the function; without a view the target must itself return a View.
    """

    name: str
    title: str
    target: str | Callable[..., Any]
    toolset: str
    read_only: bool
    destructive: bool = False
    idempotent: bool = False
    open_world: bool = True
    view: str | Callable[[Any, dict[str, Any]], View] | None = None
    verify_with: str = "get_conversation"
    """The read tool that shows whether a write whose outcome is unknown was applied."""
    output_schema: bool = True
    """False: results still carry structuredContent, but tools/list declares no output schema (the two dynamic-toolsets
    tools, whose text says everything, so that the first listing stays small)."""

    @cached_property
    def function(self) -> Callable[..., Any]:
        """The async callable the tool runs (an unbound client method, or the guard)."""
        if callable(self.target):
            return self.target
        if ":" in self.target:
            return _imported(self.target)
        from chatwoot_client import AsyncChatwootClient

        owner: Any = AsyncChatwootClient
        *resources, method = self.target.split(".")
        for attribute in resources:
            owner = typing.get_type_hints(getattr(owner, attribute).func)["return"]
        return getattr(owner, method)

    @property
    def is_guard(self) -> bool:
        return callable(self.target) or ":" in self.target

    @cached_property
    def view_function(self) -> Callable[[Any, dict[str, Any]], View] | None:
        """The view, imported if it is named by its import path."""
        return _imported(self.view) if isinstance(self.view, str) else self.view

    @cached_property
    def wants_context(self) -> bool:
        """Whether the guard takes the request's `ctx` (not a tool argument)."""
        return self.is_guard and "ctx" in inspect.signature(self.function).parameters

    @cached_property
    def output_model(self) -> type[View]:
        from chatwoot_mcp.views import View

        source = self.view_function or self.function
        model = typing.get_type_hints(source)["return"]
        if not (inspect.isclass(model) and issubclass(model, View)):
            raise TypeError(f"tool {self.name}: results must be a View, got {model!r}; declare a view")
        return model

    @cached_property
    def description(self) -> str:
        """What the model reads: a guard's whole summary (written for it), a client method's first paragraph.

        A client method's later paragraphs speak to Python callers (return types, retries), not to a model.
        """
        from chatwoot_mcp.docstrings import parse_docstring  # building a tool's schema only: not at start-up

        paragraphs = parse_docstring(self.function.__doc__).summary.split("\n\n")
        return " ".join(paragraphs if self.is_guard else paragraphs[:1])

    def annotations(self) -> ToolAnnotations:
        """All four hints, explicitly (hosts differ in what they assume for a missing one); the title is the tool's
        own `title`, not repeated here."""
        return ToolAnnotations(
            read_only_hint=self.read_only,
            destructive_hint=self.destructive,
            idempotent_hint=self.idempotent,
            open_world_hint=self.open_world,
        )

    def receiver(self, tools: ToolContext) -> Any:
        """What the target is called on: the guard's ToolContext, or the client resource that owns the method."""
        if self.is_guard:
            return tools
        assert isinstance(self.target, str)
        owner: Any = tools.client
        for attribute in self.target.split(".")[:-1]:
            owner = getattr(owner, attribute)
        return owner


def _imported(path: str) -> Callable[..., Any]:
    """The function at an import path such as "chatwoot_mcp.guards.labels:add_labels"."""
    module, _, name = path.partition(":")
    found: Any = importlib.import_module(module)
    for attribute in name.split("."):
        found = getattr(found, attribute)
    if not callable(found):
        raise TypeError(f"{path} is not a function")
    return found


def _tool_parameters(spec: ToolSpec, settings: Settings) -> list[inspect.Parameter]:
    """The tool's parameters: the target's, minus the receiver, with descriptions from its docstring."""
    function = spec.function
    hints = typing.get_type_hints(function, include_extras=True)
    from chatwoot_mcp.docstrings import parse_docstring

    docs = parse_docstring(function.__doc__).params
    parameters = [inspect.Parameter("ctx", inspect.Parameter.KEYWORD_ONLY, annotation=Context)]
    if not settings.pinned_account:
        allowed = ", ".join(map(str, settings.account_ids))
        parameters.append(
            inspect.Parameter(
                "account_id",
                inspect.Parameter.KEYWORD_ONLY,
                default=None,
                annotation=Annotated[
                    int | None,
                    Field(description=f"Account to act in, one of {allowed}; default {settings.default_account_id}."),
                ],
            )
        )
    for parameter in list(inspect.signature(function).parameters.values())[1:]:
        if parameter.name == "account_id" or parameter.kind in (parameter.VAR_KEYWORD, parameter.VAR_POSITIONAL):
            continue
        if parameter.name == "ctx":
            continue  # a guard that needs the request (to notify the client) gets run_tool's own ctx
        annotation = hints[parameter.name]
        if typing.get_origin(annotation) is not Annotated or not _is_resolved(annotation):
            if parameter.name not in docs:
                raise TypeError(f"tool {spec.name}: parameter {parameter.name!r} has no description in the docstring")
            if parameter.name == "conversation_id":
                annotation = Annotated[ConversationRef, Field(description=CONVERSATION_DOC)]
            else:
                annotation = Annotated[_bounded(parameter.name, annotation), Field(description=docs[parameter.name])]
        parameters.append(parameter.replace(kind=inspect.Parameter.KEYWORD_ONLY, annotation=annotation))
    return parameters


def _bounded(name: str, annotation: Any) -> Any:
    """`annotation` with the bounds every tool argument gets: ids >= 1, text and lists of a sane size, and no
    true/false where a number is meant (pydantic would read true as 1: `agent=true` assigning agent 1).

    Bounds are what keeps a request within what a URL and Chatwoot accept, so a too-long value is refused with
    its parameter's name before any HTTP call (the schema says the same, so a model can see it).
    """
    shaped = _shaped(name, annotation)
    return Annotated[shaped, BeforeValidator(not_bool)] if _takes_int(annotation) else shaped


def _shaped(name: str, annotation: Any) -> Any:
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        options = typing.get_args(annotation)
        if type(None) in options:
            rest = tuple(option for option in options if option is not type(None))
            inner = rest[0] if len(rest) == 1 else typing.Union[rest]  # noqa: UP007 (a runtime-built union)
            return typing.Optional[_shaped(name, inner)]  # noqa: UP045 (a runtime-built union)
        return annotation
    if annotation is int:
        low = 1 if name.endswith("_id") or name in ("before", "page") else None
        # Constraints before the validator, so that the schema says "minimum" (after it, pydantic writes "ge").
        return Annotated[int, Field(ge=low), BeforeValidator(whole_number)]
    if annotation is str:
        return Annotated[str, Field(max_length=TEXT_LIMITS.get(name, SHORT_TEXT))]
    if typing.get_origin(annotation) is list and typing.get_args(annotation) == (str,):
        return Annotated[list[Annotated[str, Field(max_length=ITEM_TEXT)]], Field(max_length=LIST_ITEMS)]
    return annotation


def _takes_int(annotation: Any) -> bool:
    """Whether `annotation` accepts an integer somewhere (directly, in a union, under Annotated)."""
    if annotation is int:
        return True
    if typing.get_origin(annotation) is Annotated:
        return _takes_int(typing.get_args(annotation)[0])
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return any(_takes_int(option) for option in typing.get_args(annotation))
    return False


def _is_resolved(annotation: Any) -> bool:
    """Whether an Annotated parameter is filled by an MCP resolver (elicitation) rather than by the caller."""
    return any(type(meta).__name__ == "Resolve" for meta in typing.get_args(annotation)[1:])


def build_tool(spec: ToolSpec, settings: Settings) -> Callable[..., Any]:
    """The function registered with MCPServer for `spec`: validated arguments in, one compact result out."""
    from chatwoot_client import ChatwootError
    from chatwoot_mcp.context import tool_context
    from chatwoot_mcp.errors import Refusal, describe_error
    from chatwoot_mcp.outcomes import Unverified, recording, unknown_outcome, write_failure

    output_model = spec.output_model
    view_function = spec.view_function

    async def run_tool(ctx: Context, **arguments: Any) -> CallToolResult:
        tools = tool_context(ctx)
        if tools.startup is not None:
            try:
                await tools.startup.wait()
            except ConfigError as error:
                return _error(f"chatwoot-mcp cannot work: {error}", tools.settings.secrets)
        with recording() as record:
            try:
                account_id = tools.account(arguments.pop("account_id", None))
                if spec.wants_context:
                    arguments["ctx"] = ctx
                result = await spec.function(spec.receiver(tools), account_id, **arguments)
                view = view_function(result, arguments | {"account_id": account_id}) if view_function else result
            except Refusal as refusal:
                return _error(str(refusal), tools.settings.secrets)
            except Unverified as unverified:
                return _error(unknown_outcome(str(unverified), spec.verify_with), tools.settings.secrets)
            except ChatwootError as error:
                if spec.read_only:
                    return _error(describe_error(error), tools.settings.secrets)
                return _error(write_failure(error, record, spec.verify_with), tools.settings.secrets)
            except Exception as error:
                if isinstance(error, ValueError) and not isinstance(error, ValidationError) and not record.exchanges:
                    # The client's own checks of argument values (e.g. snoozed_until with a status other than
                    # snoozed), made before any request.
                    return _error(f"Invalid arguments: {error}. Nothing was done.", tools.settings.secrets)
                log.exception("tool %s failed", spec.name)
                return _error(_internal_failure(spec, record), tools.settings.secrets)
        structured = view.model_dump(mode="json", exclude_none=True)
        if contains_secret(json.dumps(structured, ensure_ascii=False), tools.settings.secrets):
            structured = redact_data(structured, tools.settings.secrets)
        return CallToolResult(
            content=[TextContent(type="text", text=redact(view.text(), tools.settings.secrets)), *view.media()],
            structured_content=structured,
        )

    parameters = _tool_parameters(spec, settings)
    return_annotation = Annotated[CallToolResult, output_model]
    run_tool.__signature__ = inspect.Signature(parameters, return_annotation=return_annotation)  # type: ignore[attr-defined]
    run_tool.__annotations__ = {p.name: p.annotation for p in parameters} | {"return": return_annotation}
    run_tool.__name__ = spec.name
    run_tool.__doc__ = spec.description
    return run_tool


def _without_text_only_fields(schema: dict[str, Any], model: type[BaseModel]) -> dict[str, Any]:
    """`schema` without the fields of `model` (and of the models inside it) declared `exclude=True`.

    Such fields feed the text block only, so structuredContent never has them.
    """
    properties = {}
    for name, sub in schema.get("properties", {}).items():
        info = model.model_fields.get(name)
        if info is not None and info.exclude:
            continue
        inner = _inner_model(info.annotation) if info is not None else None
        if inner is not None and isinstance(sub, dict):
            if "items" in sub and isinstance(sub["items"], dict):
                sub = {**sub, "items": _without_text_only_fields(sub["items"], inner)}
            elif "properties" in sub:
                sub = _without_text_only_fields(sub, inner)
        properties[name] = sub
    return {**schema, "properties": properties}


def _inner_model(annotation: Any) -> type[BaseModel] | None:
    """The model inside `Model`, `Model | None` or `list[Model]`, if there is one."""
    if inspect.isclass(annotation) and issubclass(annotation, BaseModel):
        return annotation
    for argument in typing.get_args(annotation):
        found = _inner_model(argument)
        if found is not None:
            return found
    return None


def _internal_failure(spec: ToolSpec, record: CallRecord) -> str:
    """The truthful words for a failure of our own making (a bug), which the log records in full."""
    from chatwoot_mcp.outcomes import unknown_outcome

    cause = f"{spec.name} failed on an internal error of chatwoot-mcp (logged on the server)."
    if spec.read_only:
        return f"{cause} Nothing was changed."
    if record.accepted_writes or record.writes_sent:
        return unknown_outcome(cause, spec.verify_with)
    return f"{cause} Nothing was written."


def _error(text: str, secrets: tuple[str, ...]) -> CallToolResult:
    return CallToolResult(content=[TextContent(type="text", text=redact(text, secrets))], is_error=True)


def select_tools(specs: Iterable[ToolSpec], settings: Settings) -> list[ToolSpec]:
    """The tools this configuration exposes.

    Included: every tool when neither toolsets nor tools are configured, else the tools of the named toolsets
    plus the named tools. Exclude wins over include, and read-only wins over everything.
    """
    everything = settings.toolsets is None and settings.tools is None
    chosen = []
    for spec in specs:
        if settings.read_only and not spec.read_only:
            continue
        if spec.name in settings.exclude_tools:
            continue
        if everything or spec.toolset in (settings.toolsets or ()) or spec.name in (settings.tools or ()):
            chosen.append(spec)
    return chosen


def register_tools(server: MCPServer, specs: Iterable[ToolSpec], settings: Settings) -> None:
    """Add each spec to `server` as a tool."""
    for spec in specs:
        server.add_tool(
            build_tool(spec, settings),
            name=spec.name,
            title=spec.title,
            description=spec.description,
            annotations=spec.annotations(),
            structured_output=spec.output_schema,
        )
        tool = server._tool_manager.get_tool(spec.name)  # the SDK has no public handle on a registered tool
        assert tool is not None
        # Closed: an argument the tool does not have is refused (see ChatwootServer.call_tool), not ignored.
        from chatwoot_mcp.schema_diet import slim_input_schema, slim_output_schema

        tool.parameters = slim_input_schema(tool.parameters) | {"additionalProperties": False}
        if tool.fn_metadata.output_schema is not None:
            tool.fn_metadata.output_schema = _without_text_only_fields(
                slim_output_schema(tool.fn_metadata.output_schema), spec.output_model
            )
            # The result is a dump of a View pydantic already validated; the SDK checking that dump against the
            # same model again would only cost time on every call.
            tool.fn_metadata.output_model = None
