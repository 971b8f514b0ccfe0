from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Iterator

import pytest

from .mini_api import MiniAPI

WAIT_WINDOW = 0.3
"""The server's `Prefer: wait` window in these tests: models slower than this are waited on."""


def register_models(api: MiniAPI) -> None:
    @api.model("acme/echo")
    def echo(text: str = "x", seconds: float = 0.0) -> str:
        time.sleep(seconds)
        return f"echo {text}"

    @api.model("acme/tokens")
    def tokens(n: int = 3, delay: float = 0.02) -> Iterator[str]:
        for i in range(n):
            time.sleep(delay)
            yield f"t{i} "

    @api.model("acme/stutter")
    def stutter(n: int = 2) -> Iterator[str]:
        for i in range(n):
            yield f"t{i} "
        raise RuntimeError("the model stuttered")

    @api.model("acme/fail")
    def fail(seconds: float = 0.0) -> str:
        time.sleep(seconds)
        print("about to fail")
        raise RuntimeError("the model fell over")

    @api.model("acme/image")
    def image(size: int = 16, seconds: float = 0.0) -> Path:
        time.sleep(seconds)
        return ("image.png", b"\x89PNG" + bytes(size))  # type: ignore[return-value]

    @api.model("acme/frames")
    def frames(n: int = 2) -> Iterator[Path]:
        for i in range(n):
            time.sleep(0.02)
            yield (f"frame{i}.png", b"frame%d" % i)  # type: ignore[misc]

    @api.model("acme/nested", output_schema={"type": "object"})
    def nested() -> Any:
        return {
            "files": [("a.txt", b"A"), ("b.txt", b"B")],
            "note": "plain",
            "inline": "data:text/plain;base64,aGk=",
        }

    @api.model("acme/inputs", output_schema={"type": "object"})
    def inputs(**values: Any) -> Any:
        return values


@pytest.fixture
def api() -> Iterator[MiniAPI]:
    server = MiniAPI(wait_window=WAIT_WINDOW)
    register_models(server)
    with server.serve():
        yield server


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
