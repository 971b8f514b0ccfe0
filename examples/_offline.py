"""What every example shares: Replicate when REPLICATE_API_TOKEN is set, else the local emulator.

    from _offline import connect

    models = connect()   # prints where it runs; without a token, starts the emulator in-process
    replicate.run(models.hello, input={"text": "world"})

Without a token, `connect()` serves `replicate.testing.Emulator` on loopback until the script
exits and sets REPLICATE_BASE_URL and REPLICATE_API_TOKEN, so every client the script makes
(`replicate.run`, `Replicate()`, `AsyncReplicate()`) talks to it. Nothing leaves the machine.
With the two exports that `python -m replicate.testing serve` prints (the emulator's token), it
uses that emulator's models at REPLICATE_BASE_URL.

The emulator's demo models exist only there, so `models` names real models on Replicate
(which cost money to run) and the emulator's stand-ins offline. They take the same inputs.
"""

from __future__ import annotations

import atexit
import contextlib
import os
from typing import Any, List, NamedTuple, cast


class Models(NamedTuple):
    hello: str
    """`text` → "hello <text>"."""
    image: str
    """`prompt` → an image file (a list of one on Replicate)."""
    chat: str
    """`prompt` → text, streamed token by token."""


ON_REPLICATE = Models(
    hello="replicate/hello-world:5c7d5dc6dd8bf75c1acaa8565735e7986bc5b66206b55cca93cb72c9bf15ccaa",
    image="black-forest-labs/flux-schnell",
    chat="meta/meta-llama-3-8b-instruct",
)
IN_THE_EMULATOR = Models(
    hello="replicate/hello-world", image="replicate/image", chat="replicate/stream-tokens"
)

_running = contextlib.ExitStack()
atexit.register(_running.close)


def connect(*, offline: bool = False) -> Models:
    """Point this process at Replicate (a token is set and not `offline`) or at a local emulator
    (no token; or the emulator's own token, exported from `python -m replicate.testing serve`)."""
    from replicate.testing import DEFAULT_TOKEN, Emulator

    token = os.environ.get("REPLICATE_API_TOKEN")
    if token == DEFAULT_TOKEN and not offline:
        # The two exports of `python -m replicate.testing serve`: its models, at its address.
        print(f"Using the emulator at {os.environ.get('REPLICATE_BASE_URL')} (its token is set).")
        return IN_THE_EMULATOR
    if token and not offline:
        print("Using Replicate (REPLICATE_API_TOKEN is set): these models run for real and may cost money.")
        return ON_REPLICATE

    emulator = Emulator()
    base_url = _running.enter_context(emulator.serve())
    os.environ["REPLICATE_BASE_URL"] = base_url
    os.environ["REPLICATE_API_TOKEN"] = emulator.token
    print(f"Using the local emulator at {base_url} (no token, no network).")
    return IN_THE_EMULATOR


def first(output: Any) -> Any:
    """A model's one output, whether it returns a file or a list of files (as Flux does)."""
    if isinstance(output, list) and output:
        return cast("List[Any]", output)[0]
    return output
