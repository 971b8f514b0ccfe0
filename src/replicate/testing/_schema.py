"""A Python function's signature as a Cog model schema (the version's `openapi_schema`).

    def echo(text: str = "x", n: int = 1) -> str
      → components.schemas.Input  {properties: {text: {type: string, default: "x", title: "Text",
                                   x-order: 0}, n: {...}}, required: [...]}
        components.schemas.Output {type: string}

Generators become iterator outputs (`x-cog-array-type: iterator`; `concatenate` for text),
`pathlib.Path` and `bytes` become `format: uri` strings, `Literal[...]` an `enum`.
"""

from __future__ import annotations

import collections.abc
import inspect
import typing
from pathlib import Path
from typing import Any, Callable, Dict, List

__all__ = ["derive_schema", "is_file_type"]

_SCALARS: Dict[Any, Dict[str, Any]] = {
    str: {"type": "string"},
    int: {"type": "integer"},
    float: {"type": "number"},
    bool: {"type": "boolean"},
    Path: {"type": "string", "format": "uri"},
    bytes: {"type": "string", "format": "uri"},
    dict: {"type": "object"},
}


def is_file_type(tp: Any) -> bool:
    return tp in (Path, bytes)


def type_schema(tp: Any) -> Dict[str, Any]:
    """The JSON schema of one annotation; `{}` (anything) when it cannot say."""
    if tp in _SCALARS:
        return dict(_SCALARS[tp])
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin is typing.Union:
        present = [a for a in args if a is not type(None)]
        schema = type_schema(present[0]) if len(present) == 1 else {}
        return {**schema, "nullable": True} if type(None) in args else schema
    if origin is typing.Literal:
        values = list(args)
        schema = type_schema(type(values[0])) if values else {}
        return {**schema, "enum": values}
    if origin in (list, List, collections.abc.Sequence):
        return {"type": "array", "items": type_schema(args[0]) if args else {}}
    if origin in (dict, Dict):
        return {"type": "object"}
    return {}


def _output_schema(fn: Callable[..., Any], hints: Dict[str, Any]) -> Dict[str, Any]:
    returns = hints.get("return", inspect.Signature.empty)
    origin = typing.get_origin(returns)
    iterating = inspect.isgeneratorfunction(fn) or origin in (
        collections.abc.Iterator,
        collections.abc.Generator,
        collections.abc.Iterable,
    )
    if iterating:
        args = typing.get_args(returns)
        item = type_schema(args[0]) if args else {}
        schema: Dict[str, Any] = {"type": "array", "items": item, "x-cog-array-type": "iterator"}
        if item.get("type") == "string" and "format" not in item:
            schema["x-cog-array-display"] = "concatenate"
        return {"title": "Output", **schema}
    if returns in (inspect.Signature.empty, None, type(None), Any):
        return {"title": "Output"}
    return {"title": "Output", **type_schema(returns)}


def derive_schema(fn: Callable[..., Any]) -> Dict[str, Any]:
    """The OpenAPI document Cog would publish for a `predict` function like `fn`."""
    try:
        hints = typing.get_type_hints(fn)
    except Exception:  # unresolvable annotations: fall back to untyped inputs
        hints = {}
    properties: Dict[str, Any] = {}
    required: List[str] = []
    for order, param in enumerate(inspect.signature(fn).parameters.values()):
        if param.kind in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD):
            continue
        schema = type_schema(hints.get(param.name, Any))
        schema["title"] = param.name.replace("_", " ").title()
        schema["x-order"] = order
        if param.default is inspect.Parameter.empty:
            required.append(param.name)
        else:
            default: Any = param.default
            if isinstance(default, (str, int, float, bool, list)):
                schema["default"] = default
        properties[param.name] = schema
    accepts_anything = any(
        p.kind is inspect.Parameter.VAR_KEYWORD for p in inspect.signature(fn).parameters.values()
    )
    input_schema: Dict[str, Any] = {"type": "object", "title": "Input", "properties": properties}
    if required:
        input_schema["required"] = required
    if accepts_anything:
        input_schema["additionalProperties"] = True
    return {
        "openapi": "3.0.2",
        "info": {"title": "Cog", "version": "0.1.0"},
        "paths": {},
        "components": {"schemas": {"Input": input_schema, "Output": _output_schema(fn, hints)}},
    }
