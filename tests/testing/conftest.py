from __future__ import annotations

from typing import Iterator

import pytest

from replicate.testing import Emulator


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    em = Emulator(wait_window=0.5, page_size=3)
    with em.serve():
        yield em


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
