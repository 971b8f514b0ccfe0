"""The demo models every emulator has (unless `Emulator(builtin_models=False)`).

replicate/hello-world    text → "hello <text>"
replicate/image          prompt → a generated PNG (a file output)
replicate/stream-tokens  prompt → words, streamed one by one
replicate/fail           always fails, after printing to its logs
replicate/sleep          sleeps `seconds`, printing tqdm-style progress
"""

from __future__ import annotations

import hashlib
import struct
import tempfile
import time
import zlib
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

if TYPE_CHECKING:
    from ._emulator import Emulator

__all__ = ["png", "register_builtin_models"]

STORY = (
    "Once upon a time a small robot found a seed in the rubble of the old city. It carried the seed to"
    " the roof, watered it every morning, and waited. When the first leaf opened, the robot learned the"
    " word for hope."
)


def png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A solid-colour PNG, written by hand (zlib and struct are all it takes)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    row = b"\x00" + bytes(rgb) * width
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )


def register_builtin_models(emulator: Emulator) -> None:
    @emulator.model("replicate/hello-world", official=True)
    def hello_world(text: str) -> str:
        """A tiny model that says hello."""
        return f"hello {text}"

    @emulator.model("replicate/image", official=True)
    def image(prompt: str = "a square", width: int = 64, height: int = 64) -> Path:
        """Paints a solid square whose colour comes from the prompt."""
        digest = hashlib.sha256(prompt.encode()).digest()
        target = Path(tempfile.mkdtemp(prefix="replicate-emulator-")) / "output.png"
        target.write_bytes(png(width, height, (digest[0], digest[1], digest[2])))
        return target

    @emulator.model("replicate/stream-tokens", official=True)
    def stream_tokens(prompt: str = "", max_tokens: int = 64, delay: float = 0.005) -> Iterator[str]:
        """Streams a short story word by word, like a language model."""
        for index, word in enumerate(STORY.split(" ")[:max_tokens]):
            time.sleep(delay)
            yield word if index == 0 else " " + word

    @emulator.model("replicate/fail", official=True)
    def fail(message: str = "this model always fails") -> str:
        """Fails on purpose, to show errors."""
        print("starting up")
        raise RuntimeError(message)

    @emulator.model("replicate/sleep", official=True)
    def sleep(seconds: float = 1.0) -> str:
        """Sleeps, reporting its progress like tqdm."""
        steps = 10
        for step in range(1, steps + 1):
            time.sleep(seconds / steps)
            done = step * 100 // steps
            print(f"{done:3d}%|{'█' * step}{' ' * (steps - step)}| {step}/{steps}")
        return f"slept {seconds:g}s"
