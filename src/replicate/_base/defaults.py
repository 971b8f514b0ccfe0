"""The module-level clients, handed down by the package to the layers below it.

`use(ref)` without `client=` runs on the client `replicate` is configured with at the moment of
each call (in a Cog model, the current prediction's token). The package (`replicate/__init__.py`)
sets the two functions below when it is imported; lower modules call them, never the package.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Optional, Tuple

if TYPE_CHECKING:
    from .._client import AsyncReplicate, Replicate


def _not_set(*_: Any) -> Any:
    raise RuntimeError("replicate's module-level client is set up when the package is imported")


sync_client: Callable[[], Replicate] = _not_set
"""`replicate.default_client()`."""

async_client: Callable[[Optional[Tuple[Any, AsyncReplicate]]], Tuple[Any, AsyncReplicate]] = _not_set
"""`(settings, client)` for one async function: the one given while the settings are unchanged,
else a new `AsyncReplicate` with the new settings over the given one's connections."""
