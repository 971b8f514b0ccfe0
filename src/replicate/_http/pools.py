"""Connection pools that must not be shared: across `os.fork()`, and across asyncio event loops.

A pooled connection is a socket plus what is known about its state. After a fork the child holds
the same sockets as the parent: were both to send on one, each could read the other's answer. An
asyncio connection belongs to the event loop that opened it, and breaks in any other. So:

- in a forked child, every client's pools forget their connections (without closing them, which
  would touch the parent's sockets) and the child opens its own;
- an `AsyncReplicate` follows the event loop it is used from: when that loop changes after the
  previous one stopped (`asyncio.run()` twice), the old loop's connections are forgotten; while
  the previous loop still runs (another thread), using it from a second loop is an error. So is
  any change of loop with an aiohttp transport, whose session cannot be reset, and using one in
  a child forked after it was used (its session holds the parent's sockets).

httpx keeps its pools private: `forget_connections` reaches into `httpx` and `httpcore` internals
(the attribute names below), and does nothing where they are not found.
"""

from __future__ import annotations

import os
import sys
import threading
import weakref
from typing import TYPE_CHECKING, Any, Union

import httpx

from .._base.errors import ReplicateError

if TYPE_CHECKING:
    import asyncio

_tracked: weakref.WeakSet[Union[httpx.Client, httpx.AsyncClient]] = weakref.WeakSet()
_loops: weakref.WeakKeyDictionary[httpx.AsyncClient, weakref.ref[asyncio.AbstractEventLoop]] = (
    weakref.WeakKeyDictionary()
)
_forked: weakref.WeakSet[httpx.AsyncClient] = weakref.WeakSet()
"""aiohttp-backed clients used before this process was forked from their parent: unusable here."""
_lock = threading.Lock()


def _transports(http: Union[httpx.Client, httpx.AsyncClient]) -> list[Any]:
    return [getattr(http, "_transport", None), *getattr(http, "_mounts", {}).values()]


def forget_connections(http: Union[httpx.Client, httpx.AsyncClient]) -> None:
    """Make `http`'s pools drop every connection they hold, so the next request opens a new one."""
    for transport in _transports(http):
        pool = getattr(transport, "_pool", None)
        if isinstance(getattr(pool, "_connections", None), list):
            pool._connections = []  # type: ignore[union-attr]
            pool._requests = []  # type: ignore[union-attr]
            lock = getattr(pool, "_optional_thread_lock", None)
            if lock is not None:  # it may have been held, by a thread the child does not have
                pool._optional_thread_lock = type(lock)()  # type: ignore[union-attr]


def _loop_bound(http: Union[httpx.Client, httpx.AsyncClient]) -> bool:
    """Whether `http` sends over a transport tied to one event loop (aiohttp's), which cannot be reset."""
    return any(getattr(t, "event_loop_bound", False) for t in _transports(http))


def forget_in_child(http: Union[httpx.Client, httpx.AsyncClient]) -> None:
    """Have `http` forget its connections in any process forked from this one."""
    _tracked.add(http)


def _after_fork_in_child() -> None:
    global _lock
    _lock = threading.Lock()
    for http in list(_tracked):
        forget_connections(http)
        if isinstance(http, httpx.AsyncClient) and http in _loops and _loop_bound(http):
            _forked.add(http)
    _loops.clear()  # the parent's loops do not run here, whatever their state says


if hasattr(os, "register_at_fork"):  # not on Windows, which does not fork
    os.register_at_fork(after_in_child=_after_fork_in_child)


def check_event_loop(http: httpx.AsyncClient, client_name: str) -> None:
    """Bind `http` to the running asyncio loop (see the module docstring), or raise a ReplicateError."""
    # Whatever runs an asyncio loop imported asyncio; importing it here would slow `import replicate`.
    running: Any = sys.modules.get("asyncio")
    if running is None:
        return
    try:
        loop: asyncio.AbstractEventLoop = running.get_running_loop()
    except RuntimeError:
        return  # trio, say: there is no asyncio loop to tell apart
    bound = _loops.get(http)
    if bound is not None and bound() is loop:
        return
    with _lock:
        if http in _forked:
            raise ReplicateError(
                f"This {client_name} sends over aiohttp and was used before this process was forked:"
                f" its session holds the parent's connections. Create a new {client_name} in the child."
            )
        bound = _loops.get(http)
        previous = bound() if bound is not None else None
        if previous is loop:
            return
        if previous is not None and previous.is_running() and not previous.is_closed():
            raise ReplicateError(
                f"This {client_name} is in use by event loop {previous!r}, which is still running,"
                f" and was called from another, {loop!r}. Its connections belong to one event loop:"
                f" create one {client_name} per event loop (per thread running one)."
            )
        if bound is not None and _loop_bound(http):
            raise ReplicateError(
                f"This {client_name} sends over aiohttp, whose session belongs to the event loop that"
                f" first used it ({previous or 'now gone'!r}), not to {loop!r}: create a new"
                f" {client_name} in each event loop (each asyncio.run())."
            )
        if bound is not None:
            forget_connections(http)  # opened by a loop that has stopped: unusable here
        _loops[http] = weakref.ref(loop)
