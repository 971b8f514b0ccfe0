from __future__ import annotations

from typing import Iterator

import pytest

from .scripted_server import ScriptedServer


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    yield from ScriptedServer().serve()


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
