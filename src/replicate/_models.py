"""The base of every response type, and the field types the API's JSON needs.

    BaseModel               pydantic model: unknown fields kept, `.to_dict()`, `.to_json()`
    OpenEnum[Literal[...]]  the known values for type checkers; any string parses
    Timestamp               `datetime` that also reads the API's 1-9 digit fractions
    BuiltOnAccess           marks a nested model checked with its parent, built when first read
    Abbreviated             a value whose repr is cut to a width, for reprs that stay on a line

Replicate's API grows: a response may carry fields this SDK has not heard of yet, and an enum
may gain a value (a new prediction status). Neither may break parsing, so models keep extra
fields (reachable as attributes and in `.to_dict()`), and enum fields are typed
`OpenEnum[Literal[...]]`, which is `Union[Literal[...], str]`: type checkers still see the known
values, an unknown one parses.

This module is loaded on first use of a type, never by `import replicate`.
"""

from __future__ import annotations

import re
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar, Dict, Optional, Tuple, Type, TypeVar, Union

import pydantic
from pydantic import BeforeValidator, ConfigDict, GetCoreSchemaHandler
from pydantic_core import CoreSchema, core_schema
from typing_extensions import Annotated, Literal, get_args

__all__ = ["Abbreviated", "BaseModel", "BuiltOnAccess", "OpenEnum", "Timestamp"]


class Abbreviated:
    """`value`'s repr cut to `width` characters: what a model's repr shows of a long field (a
    prediction's output, a version's OpenAPI schema) so that `print(obj)` stays readable."""

    __slots__ = ("text",)

    def __init__(self, value: object, width: int = 80) -> None:
        text = repr(value)
        self.text = text if len(text) <= width else text[: width - 1] + "…"

    def __repr__(self) -> str:
        return self.text


class BaseModel(pydantic.BaseModel):
    """A typed API object: declared fields as attributes, unknown fields kept as attributes too."""

    model_config = ConfigDict(
        extra="allow",
        populate_by_name=True,
        protected_namespaces=(),
        arbitrary_types_allowed=False,
    )

    _typed_from_json: ClassVar[bool] = True
    """Whether a response body (or a page) of these is typed straight from its JSON in one pass,
    the fastest way for typed fields. Types carrying large free-form JSON (a version's OpenAPI
    schema) say False: their bodies are read as JSON first, then typed (and their pages item by
    item; see pagination.py). pydantic-core builds free-form values ~1.6x slower while validating
    JSON than its plain JSON reader does: a 2 MB page of 25 models took ~40% longer in one pass."""

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
    nested object is checked against `SomeModel`'s fields when its parent is read, kept as that
    checked dict, and built into `SomeModel` the first time the field is read (then kept).

    Listing 5,000 predictions builds 5,000 `urls` and 5,000 `metrics` models that a walk seldom
    reads: a pydantic model costs ~3x a dict of the same fields to build (the instance, its
    fields-set, its extras), and a page of them held at once kept the garbage collector busy.
    What the field shows, equality, `to_dict()` and `to_json()` are as for a plain nested model.
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
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
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
