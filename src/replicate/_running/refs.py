"""What `run()`, `use()` and `stream()` accept as the model to run, and where each form goes.

    "owner/name"                  → POST /models/{owner}/{name}/predictions   (the latest version)
    "owner/name:<version id>"     → POST /predictions {"version": id}
    "<64 hex version id>"         → POST /predictions {"version": id}
    Model (replicate.types)       → as "owner/name"
    Version (replicate.types)     → as its id
    ModelVersionIdentifier        → as its parts say

A malformed reference is a `ValueError` naming the accepted forms, raised before any request.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, NamedTuple, Optional

_NAME = r"[A-Za-z0-9][A-Za-z0-9_.-]*"
_VERSION = r"[0-9a-f]{64}"
_OWNER_NAME_VERSION = re.compile(rf"^(?P<owner>{_NAME})/(?P<name>{_NAME})(?::(?P<version>{_VERSION}))?$")
_BARE_VERSION = re.compile(rf"^{_VERSION}$")

ACCEPTED_FORMS = (
    '"owner/name", "owner/name:<64-character version id>", a bare 64-character version id,'
    " a replicate.types.Model or Version, or a ModelVersionIdentifier"
)


class ModelVersionIdentifier(NamedTuple):
    """A model and optionally one of its versions: `owner/name` or `owner/name:version`."""

    owner: str
    name: str
    version: Optional[str] = None

    @classmethod
    def parse(cls, ref: str) -> ModelVersionIdentifier:
        """Split `"owner/name"` or `"owner/name:version"`; anything else is a `ValueError`."""
        match = _OWNER_NAME_VERSION.match(ref) if isinstance(ref, str) else None  # pyright: ignore[reportUnnecessaryIsInstance]
        if match is None:
            raise ValueError(
                f'Invalid model reference {ref!r}: expected "owner/name" or "owner/name:version"'
            )
        return cls(match["owner"], match["name"], match["version"])

    def __str__(self) -> str:
        base = f"{self.owner}/{self.name}"
        return f"{base}:{self.version}" if self.version else base


class ModelRef(NamedTuple):
    """A parsed reference. `version` set: run that version; else run the model's latest."""

    owner: Optional[str]
    name: Optional[str]
    version: Optional[str]

    @property
    def model(self) -> Optional[str]:
        """`owner/name`, when known."""
        return f"{self.owner}/{self.name}" if self.owner and self.name else None

    def __str__(self) -> str:
        if self.model and self.version:
            return f"{self.model}:{self.version}"
        return self.model or self.version or ""


def parse_ref(ref: Any) -> ModelRef:
    """The model and version `ref` names; `ValueError` (listing the accepted forms) if none."""
    if isinstance(ref, str):
        return _parse_text(ref)
    if isinstance(ref, ModelVersionIdentifier):
        return _checked(ref.owner, ref.name, ref.version, ref)
    from ..types import Model, Version

    if isinstance(ref, Version):
        if not ref.id:
            raise ValueError("This Version has no id, so it cannot be run")
        return _checked(None, None, ref.id, ref)
    if isinstance(ref, Model):
        return _checked(ref.owner, ref.name, None, ref)
    raise TypeError(f"Cannot run a {type(ref).__name__} ({ref!r}). Accepted: {ACCEPTED_FORMS}.")


@lru_cache(maxsize=256)  # a program runs the same few models again and again
def _parse_text(ref: str) -> ModelRef:
    text = ref.strip()
    if _BARE_VERSION.match(text):
        return ModelRef(None, None, text)
    match = _OWNER_NAME_VERSION.match(text)
    if match:
        return ModelRef(match["owner"], match["name"], match["version"])
    raise ValueError(f"Invalid model reference {ref!r}. Accepted: {ACCEPTED_FORMS}.")


def _checked(owner: Optional[str], name: Optional[str], version: Optional[str], ref: object) -> ModelRef:
    named = owner is not None or name is not None
    if named and not (owner and name and re.match(rf"^{_NAME}$", owner) and re.match(rf"^{_NAME}$", name)):
        raise ValueError(f"Invalid model reference {ref!r}: owner and name must both be set and valid")
    if version is not None and not _BARE_VERSION.match(version):
        raise ValueError(f"Invalid version id {version!r} in {ref!r}: expected 64 hexadecimal characters")
    return ModelRef(owner, name, version)
