from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any, Dict, Iterator, List
from urllib.parse import urlsplit

import pytest

from replicate.testing import Emulator, RequestRecord

WAIT_WINDOW = 0.3
"""The server's `Prefer: wait` window in these tests: models slower than this are waited on."""


def output_file(name: str, content: bytes) -> Path:
    """A file a model returns (the emulator serves it from its file host)."""
    path = Path(tempfile.mkdtemp(prefix="acme-")) / name
    path.write_bytes(content)
    return path


def register_emulator_models(em: Emulator) -> None:
    @em.model("acme/echo")
    def echo(text: str = "x", seconds: float = 0.0) -> str:
        time.sleep(seconds)
        return f"echo {text}"

    @em.model("acme/tokens")
    def tokens(n: int = 3, delay: float = 0.02) -> Iterator[str]:
        for i in range(n):
            time.sleep(delay)
            yield f"t{i} "

    @em.model("acme/stutter")
    def stutter(n: int = 2) -> Iterator[str]:
        for i in range(n):
            yield f"t{i} "
        raise RuntimeError("the model stuttered")

    @em.model("acme/fail")
    def fail(seconds: float = 0.0) -> str:
        time.sleep(seconds)
        print("about to fail")
        raise RuntimeError("the model fell over")

    @em.model("acme/image")
    def image(size: int = 16, seconds: float = 0.0) -> Path:
        time.sleep(seconds)
        return output_file("image.png", b"\x89PNG" + bytes(size))

    @em.model("acme/frames")
    def frames(n: int = 2) -> Iterator[Path]:
        for i in range(n):
            time.sleep(0.02)
            yield output_file(f"frame{i}.png", b"frame%d" % i)

    @em.model("acme/nested")
    def nested() -> Dict[str, Any]:
        return {
            "files": [output_file("a.txt", b"A"), output_file("b.txt", b"B")],
            "note": "plain",
            "inline": "data:text/plain;base64,aGk=",
        }

    @em.model("acme/inputs")
    def inputs(**values: Any) -> Dict[str, Any]:
        return values


@pytest.fixture
def em() -> Iterator[Emulator]:
    emulator = Emulator(wait_window=WAIT_WINDOW, builtin_models=False)
    register_emulator_models(emulator)
    with emulator.serve():
        yield emulator


def polls(em: Emulator) -> List[RequestRecord]:
    """The `GET /predictions/{id}` requests (event streams are on another host and path)."""
    return em.seen("GET", "/v1/predictions/")


def streams(em: Emulator) -> List[RequestRecord]:
    return [r for r in em.requests if r.host == urlsplit(em.stream_base_url).netloc]


def downloads(em: Emulator) -> List[RequestRecord]:
    return [r for r in em.requests if r.host == urlsplit(em.file_base_url).netloc]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
