"""Tool schemas as a model reads them: every constraint and description kept, what nobody reads dropped.

pydantic writes schemas for validators and code generators: a `title` on every property ("Conversation Id" next to
`conversation_id`), `anyOf [T, {"type": "null"}]` for optional values, shared models under `$defs` reached by
`$ref`, and `"default": null` on every optional parameter. All of that is in the model's context on every turn.
These functions rewrite a schema into the same meaning with fewer bytes:

- `title` keys go (a property *named* "title" stays);
- `anyOf [T, null]` becomes `T` with `"type": [T, "null"]`, and an `anyOf` of bare types one type list;
- `$ref`s are inlined and `$defs` dropped (a model reads one schema top to bottom);
- a list item's description goes when the list has its own;
- `"default": null` and `"default": false` go (not being required already says it may be left out, and left
  out, a flag is off);

Output schemas also lose their prose, defaults, `required` lists and `additionalProperties` (the tool
description says what a result means, the output schema only its shape), and optional fields are typed without
"null": results leave empty fields out rather than sending null. A text field is listed without a type (`{}`):
more than half of every output schema was `"type": "string"`, which no host shows a model and which only loosens
what a client checks of a result the server already checked against its model; every other type stays, so ids,
counts and flags are still typed.
"""

from __future__ import annotations

from typing import Any

__all__ = ["slim_input_schema", "slim_output_schema"]

_SCHEMA_MAPS = ("properties", "patternProperties", "$defs", "definitions")
_SCHEMA_LISTS = ("anyOf", "oneOf", "allOf", "prefixItems")
_SCHEMA_VALUES = ("items", "additionalProperties", "not")


def slim_input_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """`schema` (a tool's inputSchema) without titles, null-unions, `$defs` or null defaults.

    An optional parameter whose default is null is typed without "null": leaving it out says the same.
    """
    slim = _slim(_inlined(schema), prose=True)
    if slim.get("properties") == {}:
        del slim["properties"]  # a tool without parameters: {"type": "object"} says it
    required = set(slim.get("required", ()))
    for name, parameter in slim.get("properties", {}).items():
        kinds = parameter.get("type")
        if name not in required and "default" not in parameter and isinstance(kinds, list) and "null" in kinds:
            kinds = [kind for kind in kinds if kind != "null"]
            parameter["type"] = kinds[0] if len(kinds) == 1 else kinds
    return slim


def slim_output_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """Like `slim_input_schema`, and only the shape: no descriptions, defaults, `required`, extra-key rules or null
    types.

    Only for results dumped with `exclude_none=True`, which never contain a null.
    """
    return {"type": "object", **_shape_only(_slim(_inlined(schema), prose=False))}


_IMPLIED_TYPES = {("object", "properties"), ("array", "items")}
"""A type that its sibling keyword already implies: "properties" describes an object, "items" an array."""
_TEXT_KEYWORDS = {"type", "description", "default", "enum", "const", "format", "maxLength", "minLength", "pattern"}
"""What a text field's output schema may say besides its type: such a field is listed without "type": "string"."""


def _shape_only(schema: dict[str, Any]) -> dict[str, Any]:
    """An output (sub)schema without what does not describe the shape of a result as it is sent."""
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key in ("default", "additionalProperties", "required") and not isinstance(value, dict):
            continue  # results are checked against their model before they are sent; the schema shows the shape
        if key == "type":
            if isinstance(value, list) and "null" in value and len(value) == 2:
                value = next(kind for kind in value if kind != "null")
            if any((value, implied) in _IMPLIED_TYPES for implied in schema):
                continue
            if value == "string" and set(schema) <= _TEXT_KEYWORDS:
                continue  # a text field: an untyped field is text (see the module's docstring)
        if key in _SCHEMA_MAPS and isinstance(value, dict):
            value = {name: _shape_only(sub) for name, sub in value.items()}
        elif key in _SCHEMA_LISTS and isinstance(value, list):
            value = [_shape_only(sub) for sub in value]
        elif key in _SCHEMA_VALUES and isinstance(value, dict):
            value = _shape_only(value)
        out[key] = value
    return out


def _inlined(schema: dict[str, Any]) -> dict[str, Any]:
    defs = schema.get("$defs", {})
    inlined = _inline(schema, defs)
    if defs and _has_ref(inlined):  # a recursive model: its references still need their definitions
        inlined["$defs"] = defs
    return inlined


def _has_ref(node: Any) -> bool:
    if isinstance(node, dict):
        return "$ref" in node or any(_has_ref(value) for value in node.values())
    return isinstance(node, list) and any(_has_ref(item) for item in node)


def _inline(node: Any, defs: dict[str, Any], seen: tuple[str, ...] = ()) -> Any:
    """`node` with every local `$ref` replaced by its definition (a recursive one stays a `$ref`)."""
    if isinstance(node, list):
        return [_inline(item, defs, seen) for item in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        name = ref.removeprefix("#/$defs/")
        if name in defs and name not in seen:
            siblings = {k: v for k, v in node.items() if k != "$ref"}
            return _inline({**defs[name], **siblings}, defs, (*seen, name))
    return {key: _inline(value, defs, seen) for key, value in node.items() if not (key == "$defs" and not seen)}


def _slim(schema: Any, *, prose: bool) -> Any:
    if not isinstance(schema, dict):
        return schema
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key == "title" and isinstance(value, str):
            continue
        if key == "description" and not prose:
            continue
        if key == "default" and (value is None or value is False):
            continue
        if key in _SCHEMA_MAPS and isinstance(value, dict):
            out[key] = {name: _slim(sub, prose=prose) for name, sub in value.items()}
        elif key in _SCHEMA_LISTS and isinstance(value, list):
            out[key] = [_slim(sub, prose=prose) for sub in value]
        elif key in _SCHEMA_VALUES and isinstance(value, dict):
            out[key] = _slim(value, prose=prose)
            if key == "items" and "description" in schema:
                out[key].pop("description", None)  # the list's own description says what its items are
        else:
            out[key] = value
    merged = _merge_null(_merge_types(out))
    items = merged.get("items")
    if "description" in merged and isinstance(items, dict) and "description" in items:
        # An optional list's description sat beside `anyOf` until the merge above, out of the items' sight.
        merged["items"] = {k: v for k, v in items.items() if k != "description"}
    return merged


_TYPE_KEYWORDS = {
    "string": {"format", "maxLength", "minLength", "pattern"},
    "integer": {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"},
    "number": {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"},
    "array": {"items", "maxItems", "minItems"},
    "boolean": set(),
    "null": set(),
}


def _merge_types(schema: dict[str, Any]) -> dict[str, Any]:
    """An `anyOf` of options of different single types as one object with a type list.

    `{"anyOf": [{"type": "string", "format": "date-time"}, {"type": "integer"}]}` says the same as
    `{"type": ["string", "integer"], "format": "date-time"}`, because JSON Schema applies each such keyword only
    to values of its own type. Merged only when no two options could share a keyword.
    """
    options = schema.get("anyOf")
    if not isinstance(options, list) or not all(_single_typed(option) for option in options):
        return schema
    kinds = [option["type"] for option in options]
    if "number" in kinds and {"type": "integer"} in options:
        kinds.remove("integer")  # every integer is a number
        options = [option for option in options if option != {"type": "integer"}]
    if len(set(kinds)) != len(kinds) or ("number" in kinds and "integer" in kinds):
        return schema
    merged: dict[str, Any] = {}
    for option in options:
        for key, value in option.items():
            if key != "type":
                if key in merged:
                    return schema
                merged[key] = value
    rest = {k: v for k, v in schema.items() if k != "anyOf"}
    if set(rest) & set(merged):
        return schema
    return {"type": kinds[0] if len(kinds) == 1 else kinds, **merged, **rest}


def _single_typed(option: Any) -> bool:
    if not isinstance(option, dict) or not isinstance(option.get("type"), str):
        return False
    allowed = _TYPE_KEYWORDS.get(option["type"])
    return allowed is not None and set(option) - {"type"} <= allowed


def _merge_null(schema: dict[str, Any]) -> dict[str, Any]:
    """`{"anyOf": [T, {"type": "null"}], ...}` as `{**T, "type": [T's type, "null"], ...}` when T has one type."""
    options = schema.get("anyOf")
    if not isinstance(options, list) or len(options) != 2 or {"type": "null"} not in options:
        return schema
    other = options[0] if options[1] == {"type": "null"} else options[1]
    kind = other.get("type")
    if not isinstance(kind, str) or "anyOf" in other or set(other) & set(schema) - {"anyOf"}:
        return schema
    rest = {k: v for k, v in schema.items() if k != "anyOf"}
    return {**other, "type": [kind, "null"], **rest}
