"""`key=value` arguments made into a model's input, typed by its version's schema.

    prompt="a cat"  steps=20  guidance=7.5  safe=false  sizes=[512,768]  extra={"a":1}  image=@cat.png

    integer / number    int("20") / float("7.5")
    boolean             true false yes no on off 1 0
    array               a JSON array, or one item (typed by `items`); repeating the key adds items
    object              a JSON object
    string              as given; `@path` is the file's text, `@-` standard input (`@@x` is "@x")
    file (format: uri)  @path (uploaded by run()), `@-` (standard input's bytes), an existing
                        path, or a URL / data: URI
    enum                the value must be one of the choices (after typing)

A key given twice is an error, except an array's (repeating it adds items). Standard input
can be read by one `@-` only.

Every problem is found before any prediction is created, and reported together with the list
of the model's inputs (type, default, whether required). Without a schema (a bare version id),
values that read as JSON numbers, booleans, arrays or objects are typed that way.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Any, BinaryIO, Dict, List, Mapping, Optional, Tuple, cast

from ._args import UsageError

__all__ = ["InputSpec", "describe_inputs", "input_specs", "parse_inputs"]

_TRUE = ("true", "yes", "on", "1")
_FALSE = ("false", "no", "off", "0")


class InputSpec:
    """One input of a model, its schema flattened: `$ref`s followed, `allOf` merged."""

    def __init__(self, name: str, schema: Mapping[str, Any], required: bool) -> None:
        self.name = name
        self.schema = schema
        self.required = required

    @property
    def type(self) -> str:
        if self.schema.get("format") == "uri":
            return "file"
        kind = self.schema.get("type")
        return kind if isinstance(kind, str) else "any"

    @property
    def item(self) -> InputSpec:
        items = self.schema.get("items")
        return InputSpec(self.name, _mapping(items), False)

    @property
    def choices(self) -> Optional[List[Any]]:
        enum = self.schema.get("enum")
        return cast("List[Any]", enum) if isinstance(enum, list) else None

    def describe(self) -> Tuple[str, str, str]:
        """(name, type, note) for the table of valid inputs."""
        kind = self.type
        if kind == "array":
            kind = f"array of {self.item.type}"
        if self.choices is not None:
            kind += " (" + "|".join(str(choice) for choice in self.choices) + ")"
        if self.required:
            note = "required"
        elif "default" in self.schema:
            note = "default " + json.dumps(self.schema["default"])
        else:
            note = "optional"
        description = self.schema.get("description")
        if isinstance(description, str) and description.strip():
            note += " - " + " ".join(description.split())
        return self.name, kind, note


def _mapping(value: object) -> Mapping[str, Any]:
    return cast("Mapping[str, Any]", value) if isinstance(value, dict) else {}


def _flatten(schema: Mapping[str, Any], root: Mapping[str, Any], depth: int = 0) -> Dict[str, Any]:
    """`schema` with `$ref` followed and `allOf`/`anyOf` parts merged in (Cog puts enums there)."""
    flat: Dict[str, Any] = {}
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/") and depth < 20:
        node: Mapping[str, Any] = root
        for part in ref[2:].split("/"):
            node = _mapping(node.get(part))
        flat.update(_flatten(node, root, depth + 1))
    for combined in ("allOf", "anyOf", "oneOf"):
        parts = schema.get(combined)
        if isinstance(parts, list) and depth < 20:
            for part in cast("List[Any]", parts):
                flat.update(_flatten(_mapping(part), root, depth + 1))
    flat.update(
        {key: value for key, value in schema.items() if key not in ("$ref", "allOf", "anyOf", "oneOf")}
    )
    if "items" in flat:
        flat["items"] = _flatten(_mapping(flat["items"]), root, depth + 1)
    return flat


def input_specs(openapi: Optional[Mapping[str, Any]]) -> Optional[Dict[str, InputSpec]]:
    """The inputs a version's OpenAPI schema declares, in their `x-order`; None without a schema."""
    if not openapi:
        return None
    schemas = _mapping(_mapping(openapi.get("components")).get("schemas"))
    if "Input" not in schemas:
        return None
    inputs = _flatten(_mapping(schemas["Input"]), openapi)
    required = set(cast("List[str]", inputs.get("required") or []))
    properties = _mapping(inputs.get("properties"))
    ordered = sorted(properties.items(), key=lambda pair: _mapping(pair[1]).get("x-order", 1_000_000))
    return {
        name: InputSpec(name, _flatten(_mapping(schema), openapi), name in required)
        for name, schema in ordered
    }


def describe_inputs(specs: Mapping[str, InputSpec]) -> str:
    """The valid inputs, one aligned line each: name, type, required/default, description."""
    if not specs:
        return "  (this model takes no inputs)"
    rows = [spec.describe() for spec in specs.values()]
    name_width = max(len(row[0]) for row in rows)
    type_width = max(len(row[1]) for row in rows)
    return "\n".join(f"  {name:<{name_width}}  {kind:<{type_width}}  {note}" for name, kind, note in rows)


class Stdin:
    """Standard input for `@-`, which can be read once."""

    def __init__(self, stream: Optional[BinaryIO] = None) -> None:
        self._stream = stream
        self._used = False

    def read(self) -> bytes:
        if self._used:
            raise ValueError("@- (standard input) can be used for one input only")
        self._used = True
        stream = self._stream if self._stream is not None else sys.stdin.buffer
        return stream.read()


def _text(raw: str, stdin: Stdin) -> str:
    """A string input: `@-` is standard input, `@path` the file's text, `@@x` the text "@x"."""
    if raw.startswith("@@") or not raw.startswith("@"):
        return raw[1:] if raw.startswith("@@") else raw
    try:
        data = stdin.read() if raw == "@-" else Path(raw[1:]).expanduser().read_bytes()
    except OSError as error:
        raise ValueError(f"cannot read {raw[1:]}: {error.strerror or error}") from None
    try:
        return data.decode()
    except UnicodeDecodeError:
        raise ValueError(f"{raw[1:]} is not UTF-8 text (for a file input, the model takes a file)") from None


def _file(raw: str, stdin: Stdin) -> Any:
    if raw == "@-":
        return stdin.read()
    if raw.startswith("@"):
        path = Path(raw[1:]).expanduser()
        if not path.is_file():
            raise ValueError(f"no such file: {raw[1:]}")
        return path
    if raw.startswith(("http://", "https://", "data:")):
        return raw
    if Path(raw).expanduser().is_file():
        return Path(raw).expanduser()
    raise ValueError(f"{raw!r} is not @path, an existing file or a URL")


def convert(raw: str, spec: InputSpec, stdin: Optional[Stdin] = None) -> Any:
    """`raw` as the type `spec` declares; ValueError says why it does not fit."""
    stdin = stdin if stdin is not None else Stdin()
    kind = spec.type
    value: Any
    if kind == "file":
        return _file(raw, stdin)
    if kind == "integer":
        try:
            value = int(raw)
        except ValueError:
            raise ValueError(f"{raw!r} is not an integer") from None
    elif kind == "number":
        try:
            value = float(raw)
        except ValueError:
            raise ValueError(f"{raw!r} is not a number") from None
        if not math.isfinite(value):
            raise ValueError(f"{raw!r} is not a finite number")
    elif kind == "boolean":
        if raw.lower() not in _TRUE + _FALSE:
            raise ValueError(f"{raw!r} is not a boolean (true or false)")
        value = raw.lower() in _TRUE
    elif kind == "array" and not raw.lstrip().startswith("["):
        value = [convert(raw, spec.item, stdin)]
    elif kind in ("array", "object"):
        try:
            value = json.loads(raw)
        except ValueError:
            raise ValueError(f"{raw!r} is not a JSON {kind}") from None
        if not isinstance(value, list if kind == "array" else dict):
            raise ValueError(f"{raw!r} is not a JSON {kind}")
    elif kind == "any" and raw == "@-":
        value = _text(raw, stdin)
    elif kind == "any" and raw.startswith("@") and not raw.startswith("@@"):
        value = _file(raw, stdin)
    else:
        value = _text(raw, stdin)
    choices = spec.choices
    if choices is not None and value not in choices:
        raise ValueError(f"{raw!r} is not one of {', '.join(str(choice) for choice in choices)}")
    return cast(Any, value)


def _untyped(raw: str, stdin: Stdin) -> Any:
    """A value for a model whose schema we do not have: JSON if it reads as JSON, else text."""
    if raw == "@-" or raw.startswith("@@"):
        return _text(raw, stdin)
    if raw.startswith("@"):
        return _file(raw, stdin)
    try:
        value: Any = json.loads(raw)
    except ValueError:
        return raw
    return cast(Any, value) if isinstance(value, (int, float, bool, list, dict)) else raw


def parse_inputs(
    pairs: List[str],
    specs: Optional[Mapping[str, InputSpec]],
    model: str = "the model",
    stdin: Optional[BinaryIO] = None,
) -> Dict[str, Any]:
    """`["steps=20", "image=@a.png"]` → `{"steps": 20, "image": Path("a.png")}`, or a UsageError
    listing every problem and the valid inputs."""
    values: Dict[str, Any] = {}
    problems: List[str] = []
    reader = Stdin(stdin)
    for pair in pairs:
        name, sep, raw = pair.partition("=")
        name = name.strip()
        if not sep or not name:
            problems.append(f"{pair!r} is not key=value")
            continue
        spec = specs.get(name) if specs is not None else None
        adds_items = spec is not None and spec.type == "array" and not raw.lstrip().startswith("[")
        if name in values and not adds_items:
            problems.append(f"{name}: given twice (give each input once)")
            continue
        if specs is None:
            try:
                values[name] = _untyped(raw, reader)
            except ValueError as error:
                problems.append(f"{name}: {error}")
            continue
        if spec is None:
            problems.append(f"{name}: not an input of {model}")
            continue
        try:
            value = convert(raw, spec, reader)
        except ValueError as error:
            problems.append(f"{name}: {error}")
            continue
        if adds_items and name in values:
            values[name] = [*values[name], *value]  # image=@a.png image=@b.png
        else:
            values[name] = value
    if specs is not None:
        problems += [
            f"{name}: required" for name, spec in specs.items() if spec.required and name not in values
        ]
    if problems:
        listing = f"\nValid inputs of {model}:\n{describe_inputs(specs)}" if specs is not None else ""
        raise UsageError("\n".join(problems) + listing)
    return values
