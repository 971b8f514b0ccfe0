"""The base of every response type, and the field types the API's JSON needs.

    BaseModel               pydantic model: unknown fields kept, `.to_dict()`, `.to_json()`
    OpenEnum[Literal[...]]  the known values for type checkers; any string parses
    Timestamp               `datetime` that also reads the API's 1-9 digit fractions
    BuiltOnAccess           marks a nested model checked with its parent, built when first read
    Abbreviated             a value whose repr is cut to a width, for reprs that stay on a line
    read_leniently          reads what a strict read refused, field by field (see below)

Replicate's API grows: a response may carry fields this SDK has not heard of yet, and an enum
may gain a value (a new prediction status). Neither may break parsing: models keep extra fields
(as attributes and in `.to_dict()`), and an `OpenEnum[Literal[...]]` field accepts any string.

A field may also come back null, or in a shape the spec does not give it, in a response whose
other fields are fine (a file whose `expires_at` is null). A client reads strictly first, in one
pass; when that fails, and the client was not made with `strict_response_validation=True`,
`read_leniently` reads the answer again field by field: a field it cannot read becomes None (its
problem logged), unless the model lists it in `_needed_fields` (an object's `id`, a prediction's
`status`), whose failure fails the call and names it.

This module is loaded on first use of a type, never by `import replicate`.
"""

from __future__ import annotations

import re
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar, Dict, List, Optional, Set, Tuple, Type, TypeVar, Union, cast

import pydantic
from pydantic import BeforeValidator, ConfigDict, GetCoreSchemaHandler
from pydantic_core import CoreSchema, core_schema
from typing_extensions import Annotated, Literal, TypeGuard, get_args, get_origin

from .errors import shorten


class Abbreviated:
    """`value`'s repr cut to `width` characters: what a model's repr shows of a long field (a
    prediction's output, a version's OpenAPI schema) so that `print(obj)` stays readable."""

    __slots__ = ("text",)

    def __init__(self, value: object, width: int = 80) -> None:
        self.text = shorten(repr(value), width)

    def __repr__(self) -> str:
        return self.text


class BaseModel(pydantic.BaseModel):
    """A typed API object: declared fields as attributes, unknown fields kept as attributes too."""

    model_config = ConfigDict(extra="allow", populate_by_name=True, protected_namespaces=())

    _typed_from_json: ClassVar[bool] = True
    """Whether a body (or page) of these is typed straight from its JSON in one pass, the fastest
    way for typed fields. Types carrying large free-form JSON (a version's OpenAPI schema) say
    False: their bodies are read as JSON, then typed (pages item by item; see pagination.py), as
    pydantic-core builds free-form values ~1.6x slower from JSON (a 2 MB page took ~40% longer)."""

    _needed_fields: ClassVar[Tuple[str, ...]] = ("id",)
    """Fields without which the object is of no use: a lenient read (module docstring) fails
    when one of these cannot be read, rather than leave it None."""

    _built_on_access: ClassVar[Tuple[str, ...]] = ()
    """The fields marked `BuiltOnAccess`: each holds its checked dict until first read."""

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        lazy = {
            name: field.annotation
            for name, field in cls.model_fields.items()
            if any(isinstance(marker, BuiltOnAccess) for marker in field.metadata)
        }
        for name, annotation in lazy.items():
            setattr(cls, name, _FieldBuiltOnAccess(name, _model_in(annotation)))
        cls._built_on_access = tuple(lazy)

    def __eq__(self, other: object) -> bool:
        # A field built on access holds a dict until read: compare what both sides show
        for model in (self, other):
            for name in getattr(type(model), "_built_on_access", ()):
                getattr(model, name)
        return super().__eq__(other)

    def to_dict(
        self,
        *,
        mode: Literal["python", "json"] = "python",
        exclude_unset: bool = True,
        by_alias: bool = True,
    ) -> Dict[str, object]:
        """The object as a dict. By default only the fields the server sent (`exclude_unset`);
        `mode="json"` turns datetimes and other non-JSON values into JSON-ready ones."""
        return self.model_dump(mode=mode, exclude_unset=exclude_unset, by_alias=by_alias)

    def to_json(self, *, indent: int = 2, exclude_unset: bool = True) -> str:
        """The object as a JSON string, by default only the fields the server sent."""
        return self.model_dump_json(indent=indent, exclude_unset=exclude_unset, by_alias=True)


class BuiltOnAccess:
    """`Annotated[SomeModel, BuiltOnAccess()]` (or `Annotated[Optional[SomeModel], ...]`): the
    nested object is checked against `SomeModel`'s fields with its parent, kept as that checked
    dict, and built into `SomeModel` when the field is first read. What it shows, equality,
    `to_dict()` and `to_json()` are a plain nested model's.

    Why: listing 5,000 predictions builds 5,000 `urls` and `metrics` models a walk seldom reads,
    and a pydantic model costs ~3x a dict of its fields to build (and kept the collector busy).
    """

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        model = _model_in(source)
        shape = core_schema.typed_dict_schema(
            {
                name: core_schema.typed_dict_field(
                    handler.generate_schema(field.annotation),
                    required=field.is_required(),
                    validation_alias=field.alias,
                )
                for name, field in model.model_fields.items()
            },
            extra_behavior="allow",
        )
        schema = core_schema.json_or_python_schema(
            json_schema=shape,
            # built objects are accepted as they are (`Prediction(urls=PredictionURLs(...))`)
            python_schema=core_schema.no_info_wrap_validator_function(partial(_keep_built, model), shape),
            serialization=core_schema.wrap_serializer_function_ser_schema(
                partial(_serialize_built, model), schema=handler.generate_schema(model)
            ),
        )
        return core_schema.nullable_schema(schema) if model is not source else schema


class _FieldBuiltOnAccess:
    """The data descriptor that builds a `BuiltOnAccess` field's model when it is first read."""

    __slots__ = ("model", "name")

    def __init__(self, name: str, model: Type[BaseModel]) -> None:
        self.name = name
        self.model = model

    def __get__(self, instance: Optional[BaseModel], owner: Any = None) -> Any:
        if instance is None:
            return self
        fields: Dict[str, Any] = instance.__dict__  # pyright: ignore[reportAssignmentType]
        try:
            value = fields[self.name]
        except KeyError:
            raise AttributeError(self.name) from None
        if type(value) is dict:
            value = fields[self.name] = _build(self.model, value)
        return value

    def __set__(self, instance: BaseModel, value: Any) -> None:
        fields: Dict[str, Any] = instance.__dict__  # pyright: ignore[reportAssignmentType]
        fields[self.name] = value


def _model_in(annotation: Any) -> Type[BaseModel]:
    """`SomeModel` from `SomeModel` or `Optional[SomeModel]`."""
    for candidate in (annotation, *get_args(annotation)):
        if _is_model(candidate):
            return candidate
    raise TypeError(f"BuiltOnAccess marks a model or an optional model, not {annotation!r}")


def _keep_built(model: Type[BaseModel], value: Any, check: Any) -> Any:
    return value if isinstance(value, model) else check(value)


def _build(model: Type[BaseModel], checked: Any) -> Any:
    # checked when its parent was read; the validator itself, not the slower model_validate
    return model.__pydantic_validator__.validate_python(checked)


def _serialize_built(model: Type[BaseModel], value: Any, serialize: Any) -> Any:
    return serialize(_build(model, value) if type(value) is dict else value)


class _AnyString:
    """Validates as a plain `str`. `Union[Literal[...], str]` accepts exactly the strings `str`
    does, but pydantic would try the Literal first and then `str` for every value: three such
    fields of each of 5,000 listed predictions made a walk through them ~5% slower."""

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        return core_schema.str_schema()


_Known = TypeVar("_Known")
OpenEnum = Annotated[Union[_Known, str], _AnyString()]
"""An enum the API may extend: `OpenEnum[Literal["a", "b"]]` is `Union[Literal["a", "b"], str]`."""


# Recorded timestamps carry anywhere from 0 to 9 fractional digits ("...:16.064900134Z" from Go,
# "...:18.5787610+00:00" from .NET). Recent pydantic-core reads them all, older releases refuse
# more than 6; trimming to microseconds (all `datetime` holds) makes every pydantic 2 agree.
_LONG_FRACTION = re.compile(r"(T\d\d:\d\d:\d\d\.\d{6})\d+")


def _trim_fraction(value: object) -> object:
    # With 6 digits, "...:00.123456Z" is 27 characters and "...:00.123456+00:00" 32: only
    # longer strings can need trimming, and the length check keeps the regex off the hot path.
    if isinstance(value, str) and (len(value) > 32 or (len(value) > 27 and value.endswith("Z"))):
        return _LONG_FRACTION.sub(r"\1", value, count=1)
    return value


def _reads_long_fractions() -> bool:
    """Whether this pydantic-core reads 7-9 fractional digits itself (truncating to microseconds)."""
    from pydantic_core import SchemaValidator

    try:
        SchemaValidator({"type": "datetime"}).validate_json('"2025-01-01T00:00:00.123456789Z"')
    except ValueError:
        return False
    return True


# Where pydantic-core reads every fraction itself, timestamps need no Python validator: one per
# timestamp is a Python call for each of the three timestamps of each of 5,000 listed predictions.
if TYPE_CHECKING or _reads_long_fractions():
    Timestamp = datetime
else:
    Timestamp = Annotated[datetime, BeforeValidator(_trim_fraction)]
"""A `format: date-time` field: parsed to an aware `datetime` ("Z" and "+00:00" both read)."""


# -- reading leniently ------------------------------------------------------------------------------


class UnreadableFieldError(ValueError):
    """A field the object cannot do without (`_needed_fields`) is missing or unreadable."""


def read_leniently(tp: Any, value: Any, problems: List[str], where: str = "") -> Any:
    """`value` read as `tp`, a part that cannot be read left None and described in `problems`.

    Raises `UnreadableFieldError`, naming it, when a model's needed field (`_needed_fields`)
    cannot be read. Slow (a validator per field), so only for what the one-pass read refused.
    """
    try:
        return _adapter(tp).validate_python(value)
    except pydantic.ValidationError as exc:
        failure = exc
    origin, args = get_origin(tp), get_args(tp)
    if origin is Annotated:
        return read_leniently(args[0], value, problems, where)
    if origin is Union:
        for arg in args:
            if _is_model(arg) or get_origin(arg) in (list, dict, Annotated):
                return read_leniently(arg, value, problems, where)
    if _is_model(tp) and isinstance(value, dict):
        return _model_leniently(tp, _str_keys(value), problems, where)
    if origin is list and isinstance(value, list):
        items = cast("List[Any]", value)
        return [read_leniently(args[0], item, problems, f"{where}[{i}]") for i, item in enumerate(items)]
    if origin is dict and isinstance(value, dict):
        entries = _str_keys(value)
        return {
            key: read_leniently(args[1], item, problems, f"{where}.{key}") for key, item in entries.items()
        }
    problems.append(_problem(where or "the body", failure, value))
    return None


def _model_leniently(model: Type[BaseModel], data: Dict[str, Any], problems: List[str], where: str) -> Any:
    values: Dict[str, Any] = {}
    known: Set[str] = set()
    for name, field in model.model_fields.items():
        key = field.alias or name
        known.add(key)
        path = f"{where}.{key}" if where else key
        annotation = Annotated[(field.annotation, *field.metadata)] if field.metadata else field.annotation
        if name in model._needed_fields:
            values[name] = _needed(annotation, data, key, path)
        elif key in data:
            values[name] = read_leniently(annotation, data[key], problems, path)
        elif field.is_required():
            problems.append(f"{path}: missing")
            values[name] = None
    extras = {key: value for key, value in data.items() if key not in known}
    fields_set = {name for name, field in model.model_fields.items() if (field.alias or name) in data}
    return model.model_construct(_fields_set=fields_set, **values, **extras)


def _needed(annotation: Any, data: Dict[str, Any], key: str, path: str) -> Any:
    if key not in data:
        raise UnreadableFieldError(f"{path}: missing, and needed")
    try:
        return _adapter(annotation).validate_python(data[key])
    except pydantic.ValidationError as exc:
        raise UnreadableFieldError(_problem(path, exc, data[key]) + ", and needed") from None


def _problem(where: str, failure: pydantic.ValidationError, value: Any) -> str:
    return f"{where}: {failure.errors()[0]['msg']} (got {shorten(repr(value), 60)})"


def _is_model(tp: Any) -> TypeGuard[Type[BaseModel]]:
    return isinstance(tp, type) and issubclass(tp, BaseModel)


def _str_keys(value: Any) -> Dict[str, Any]:
    return {str(key): item for key, item in value.items()}


_adapters: Dict[Any, Any] = {}


def _adapter(tp: Any) -> Any:
    try:
        adapter = _adapters.get(tp)
    except TypeError:  # unhashable metadata
        return pydantic.TypeAdapter(tp)
    if adapter is None:
        adapter = _adapters[tp] = pydantic.TypeAdapter(tp)
    return adapter
