"""Every async test runs twice: on httpx's own transport and on aiohttp (`DefaultAioHttpClient`).

An `AsyncReplicate` built without `http_client=` gets the transport of the test's parameter, so
the async paths (retries, timeouts, event streams, downloads, cancellation) are checked on both.
`REPLICATE_TEST_ASYNC_TRANSPORTS=httpx` (or `aiohttp`) narrows the run to one.

Being at the top of tests/, this file also puts tests/ on sys.path (pytest does, for a conftest
outside a package): shared helpers import by their place in it from any directory
(`from core.scripted_server import ScriptedServer`), whichever is collected first.

It also serves the emulator most behaviour tests run against (`emulator`); a directory or file that
needs other settings (a shorter wait window, a token of its own) defines its own `emulator`.
"""

from __future__ import annotations

import inspect
import os
from typing import Iterator

import pytest

from replicate import AsyncReplicate, DefaultAioHttpClient
from replicate.testing import Emulator

TRANSPORTS = [t for t in os.environ.get("REPLICATE_TEST_ASYNC_TRANSPORTS", "httpx,aiohttp").split(",") if t]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if inspect.iscoroutinefunction(metafunc.function) and "async_transport" in metafunc.fixturenames:
        metafunc.parametrize("async_transport", TRANSPORTS, indirect=True)


@pytest.fixture(autouse=True)
def async_transport(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The transport an `AsyncReplicate` of this test sends with when it is given no http_client."""
    transport: str = getattr(request, "param", "httpx")
    if transport == "aiohttp":
        monkeypatch.setattr(AsyncReplicate, "_default_http", DefaultAioHttpClient)
    yield transport


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    """An emulator on loopback whose `Prefer: wait` window is 1 s (the real one's is 60 s)."""
    em = Emulator(wait_window=1)
    with em.serve():
        yield em
