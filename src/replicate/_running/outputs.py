"""The shapes `use()` gives a model's output: `TextOutput` for a language model's answer, path
outputs where the schema says `format: uri`, and chunks an async caller may await first.
"""

from __future__ import annotations

from typing import (
    Any,
    AsyncIterator,
    Callable,
    Generator,
    Generic,
    Iterable,
    Iterator,
    List,
    Mapping,
    Tuple,
    TypeVar,
    cast,
)

T = TypeVar("T")


class TextOutput(str):
    """A language model's whole answer: a `str` (it prints, compares and slices as the text) whose
    iteration gives the chunks the model produced, as often as you like."""

    chunks: Tuple[str, ...]

    def __new__(cls, chunks: Iterable[str]) -> TextOutput:
        pieces = tuple(chunks)
        text = super().__new__(cls, "".join(pieces))
        text.chunks = pieces
        return text

    def __iter__(self) -> Iterator[str]:
        return iter(self.chunks)

    def __reduce__(self) -> Tuple[Any, Tuple[Tuple[str, ...]]]:
        return (TextOutput, (self.chunks,))


def transform_by_schema(
    value: Any, schema: Mapping[str, Any], root: Mapping[str, Any], make: Callable[[str], Any]
) -> Any:
    """`value` with each string the schema marks `format: uri` made a `PathOutput`."""
    schema = resolve_schema(schema, root)
    if isinstance(value, str):
        return make(value) if schema.get("format") == "uri" else value
    if isinstance(value, list):
        items: Mapping[str, Any] = schema.get("items") or {}
        return [transform_by_schema(v, items, root, make) for v in value]  # pyright: ignore[reportUnknownVariableType]
    if isinstance(value, dict):
        properties: Mapping[str, Any] = schema.get("properties") or {}
        return {k: transform_by_schema(v, properties.get(k) or {}, root, make) for k, v in value.items()}  # pyright: ignore[reportUnknownVariableType, reportUnknownArgumentType]
    return value


def as_mapping(value: object) -> Mapping[str, Any]:
    return cast("Mapping[str, Any]", value) if isinstance(value, dict) else {}


def resolve_schema(schema: Mapping[str, Any], root: Mapping[str, Any]) -> Mapping[str, Any]:
    """`schema` with `$ref`s followed (within `root`) and single-entry `allOf`/`anyOf` unwrapped."""
    for _ in range(20):
        ref = schema.get("$ref")
        if not isinstance(ref, str):
            break
        node: Mapping[str, Any] = root
        for part in ref.lstrip("#/").split("/"):
            node = as_mapping(node.get(part))
        schema = node
    for combined in ("allOf", "anyOf", "oneOf"):
        options = schema.get(combined)
        if isinstance(options, list) and len(cast("List[Any]", options)) == 1:
            return resolve_schema(as_mapping(cast("List[Any]", options)[0]), root)
    return schema


class Chunks(Generic[T]):
    """An async stream of chunks that may also be awaited first (v2 code writes
    `async for chunk in await fn(...)`; code for this SDK's earlier releases leaves out `await`)."""

    def __init__(self, chunks: AsyncIterator[T]) -> None:
        self._chunks = chunks

    def __aiter__(self) -> AsyncIterator[T]:
        return self._chunks

    def __await__(self) -> Generator[Any, None, AsyncIterator[T]]:
        return self._chunks
        yield  # a generator that returns at once: awaiting needs no I/O


async def async_chunks(chunks: List[T]) -> AsyncIterator[T]:
    for chunk in chunks:
        yield chunk
