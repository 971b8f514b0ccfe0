from __future__ import annotations

from typing import Iterator

import pytest

from replicate.testing import Emulator


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    em = Emulator(wait_window=0.3)
    with em.serve():
        yield em


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
