"""`key=value` arguments typed by a model version's input schema.

    prompt=hello  steps=20  guidance=7.5  safe=false  sizes=[512,768]  image=@photo.png

Unknown keys and values that do not fit their type are errors that list the valid inputs,
raised before any prediction is created.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, List, Mapping

__all__ = ["InputError", "describe_inputs", "parse_inputs"]

_TRUE = {"true", "1", "yes", "y", "on"}
_FALSE = {"false", "0", "no", "n", "off"}


class InputError(ValueError):
    """A `key=value` argument the model's schema does not accept."""


def describe_inputs(schema: Mapping[str, Any]) -> str:
    """One line per input: name, type, default or `(required)`, description."""
    properties: Mapping[str, Any] = schema.get("properties", {})
    required = set(schema.get("required", []))
    lines: List[str] = []
    for name, spec in sorted(properties.items(), key=lambda item: item[1].get("x-order", 0)):
        kind = spec.get("type") or ("file" if spec.get("format") == "uri" else "any")
        if spec.get("format") == "uri":
            kind = "file (@path or URL)"
        if "enum" in spec:
            kind += " one of " + "|".join(str(v) for v in spec["enum"])
        extra = (
            " (required)"
            if name in required
            else f" (default: {json.dumps(spec['default'])})"
            if "default" in spec
            else ""
        )
        description = f" - {spec['description']}" if spec.get("description") else ""
        lines.append(f"  {name}: {kind}{extra}{description}")
    return "\n".join(lines) or "  (this model takes no inputs)"


def _convert(name: str, raw: str, spec: Mapping[str, Any]) -> Any:
    if raw.startswith("@"):
        path = Path(raw[1:]).expanduser()
        if not path.is_file():
            raise InputError(f"{name}: no such file {raw[1:]!r}")
        return path
    kind = spec.get("type")
    try:
        if kind == "integer":
            return int(raw)
        if kind == "number":
            return float(raw)
        if kind == "boolean":
            lowered = raw.lower()
            if lowered in _TRUE | _FALSE:
                return lowered in _TRUE
            raise ValueError(raw)
        if kind in ("array", "object"):
            value = json.loads(raw)
            if (kind == "array") != isinstance(value, list):
                raise ValueError(raw)
            return value
    except ValueError:
        raise InputError(f"{name}: {raw!r} is not a valid {kind}") from None
    if "enum" in spec and raw not in [str(v) for v in spec["enum"]]:
        raise InputError(f"{name}: {raw!r} is not one of {', '.join(str(v) for v in spec['enum'])}")
    return raw


def parse_inputs(pairs: List[str], schema: Mapping[str, Any]) -> Dict[str, Any]:
    """`["steps=20", ...]` → `{"steps": 20, ...}`, typed by `schema` (the version's Input)."""
    properties: Mapping[str, Any] = schema.get("properties", {})
    values: Dict[str, Any] = {}
    problems: List[str] = []
    for pair in pairs:
        name, sep, raw = pair.partition("=")
        if not sep or not name:
            problems.append(f"{pair!r} is not key=value")
            continue
        if properties and name not in properties and not schema.get("additionalProperties"):
            problems.append(f"{name}: not an input of this model")
            continue
        try:
            values[name] = _convert(name, raw, properties.get(name, {}))
        except InputError as error:
            problems.append(str(error))
    missing = [name for name in schema.get("required", []) if name not in values]
    problems += [f"{name}: required" for name in missing]
    if problems:
        raise InputError("; ".join(problems) + "\nValid inputs:\n" + describe_inputs(schema))
    return values
