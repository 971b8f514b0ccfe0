"""The base of every response type, and the field types the API's JSON needs.

    BaseModel               pydantic model: unknown fields kept, `.to_dict()`, `.to_json()`
    OpenEnum[Literal[...]]  the known values for type checkers; any string parses
    Timestamp               `datetime` that also reads the API's 1-9 digit fractions

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
from typing import TYPE_CHECKING, Any, Dict, TypeVar, Union

import pydantic
from pydantic import BeforeValidator, ConfigDict, GetCoreSchemaHandler
from pydantic_core import CoreSchema, core_schema
from typing_extensions import Annotated, Literal

__all__ = ["BaseModel", "OpenEnum", "Timestamp"]


class BaseModel(pydantic.BaseModel):
    """A typed API object: declared fields as attributes, unknown fields kept as attributes too."""

    model_config = ConfigDict(
        extra="allow",
        populate_by_name=True,
        protected_namespaces=(),
        arbitrary_types_allowed=False,
    )

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
