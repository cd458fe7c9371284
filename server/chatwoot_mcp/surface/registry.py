"""The machinery that turns each tool declaration (`chatwoot_mcp.surface.spec.ToolSpec`) into an MCP tool.

Everything follows from a row's target: the input schema from its signature, parameter descriptions from its
docstring's "Parameters" section, the description from the docstring's summary, the output schema from the view's
(or target's) return type.

Targets and views are named, not imported: start-up lists tools from their checked-in wire forms
(`chatwoot_mcp.surface.wire_cache`), so this module, the tool rows and the server import none of the client, the
guards or the views. They are imported when a tool is first built (its first call), which is also why the imports
of `build_tool` are inside it.
"""

from __future__ import annotations

import inspect
import json
import logging
import types
import typing
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Annotated, Any

from mcp.server import MCPServer
from mcp.server.mcpserver import Context
from mcp.types import CallToolResult, TextContent
from pydantic import BaseModel, BeforeValidator, Field, ValidationError, WithJsonSchema

from chatwoot_mcp.config import ConfigError, Settings
from chatwoot_mcp.edges.arguments import MAX_ID, not_bool, parse_conversation_id, whole_number
from chatwoot_mcp.edges.redaction import contains_secret, redact, redact_data
from chatwoot_mcp.surface.spec import ToolSpec

if TYPE_CHECKING:
    from chatwoot_mcp.context import ToolContext
    from chatwoot_mcp.edges.outcomes import CallRecord

__all__ = ["ConversationRef", "ToolSpec", "build_tool", "register_tools", "select_tools"]

log = logging.getLogger("chatwoot_mcp")

CONVERSATION_DOC = "The #number"
"""Every tool's `conversation_id` says the same; docstrings describe it for their own readers."""
TEXT_LIMITS = {"content": 150_000, "message": 150_000, "draft": 150_000}
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


def _receiver(spec: ToolSpec, tools: ToolContext) -> Any:
    """What the target is called on: the guard's ToolContext, or the client resource that owns the method."""
    if spec.is_guard:
        return tools
    assert isinstance(spec.target, str)
    owner: Any = tools.client
    for attribute in spec.target.split(".")[:-1]:
        owner = getattr(owner, attribute)
    return owner


def _tool_parameters(spec: ToolSpec, settings: Settings) -> list[inspect.Parameter]:
    """The tool's parameters: the target's, minus the receiver, with descriptions from its docstring."""
    function = spec.function
    hints = typing.get_type_hints(function, include_extras=True)
    from chatwoot_mcp.surface.docstrings import parse_docstring

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
    from chatwoot_client import ChatwootAuthError, ChatwootError
    from chatwoot_mcp.context import tool_context
    from chatwoot_mcp.edges.errors import Refusal, describe_error
    from chatwoot_mcp.edges.outcomes import Unverified, recording, unknown_outcome, write_failure

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
                result = await spec.function(_receiver(spec, tools), account_id, **arguments)
                view = view_function(result, arguments | {"account_id": account_id}) if view_function else result
            except Refusal as refusal:
                return _error(str(refusal), tools.settings.secrets)
            except Unverified as unverified:
                return _error(unknown_outcome(str(unverified), spec.verify_with), tools.settings.secrets)
            except ChatwootError as error:
                if isinstance(error, ChatwootAuthError) and tools.recheck_user is not None:
                    await tools.recheck_user()  # a reset token: the next request is refused, and OAuth signs in again
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
            _meta=view.meta(),
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
    from chatwoot_mcp.edges.outcomes import unknown_outcome

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
        from chatwoot_mcp.surface.schema_diet import slim_input_schema, slim_output_schema

        tool.parameters = slim_input_schema(tool.parameters) | {"additionalProperties": False}
        if tool.fn_metadata.output_schema is not None:
            tool.fn_metadata.output_schema = _without_text_only_fields(
                slim_output_schema(tool.fn_metadata.output_schema), spec.output_model
            )
            # The result is a dump of a View pydantic already validated; the SDK checking that dump against the
            # same model again would only cost time on every call.
            tool.fn_metadata.output_model = None
