"""Run a model, stream one, and save an image: against Replicate, or offline against the emulator.

    python examples/quickstart.py

With REPLICATE_API_TOKEN set this talks to api.replicate.com (and runs real models, which may
cost money). Without it, it starts the built-in emulator in this process and says so.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Iterator

import replicate


@contextlib.contextmanager
def backend() -> Iterator[str]:
    if os.environ.get("REPLICATE_API_TOKEN"):
        yield "Replicate"
        return
    from replicate.testing import Emulator

    emulator = Emulator()
    with emulator.serve() as base_url:
        # The module-level client (replicate.run, replicate.use) reads these.
        replicate.base_url = base_url
        replicate.bearer_token = emulator.token
        yield f"the local emulator at {base_url} (REPLICATE_API_TOKEN is not set)"


def main() -> None:
    with backend() as where:
        print(f"Using {where}.")

        output = replicate.run("replicate/hello-world", input={"text": "world"})
        print(f"replicate/hello-world said: {output!r}")

        print("Streaming replicate/stream-tokens: ", end="", flush=True)
        chat = replicate.use("replicate/stream-tokens", streaming=True)
        for token in chat(prompt="a short story about a robot"):
            print(token, end="", flush=True)
        print()

        image = replicate.run("replicate/image", input={"prompt": "a red square"})
        target = Path("hello.png")
        image.save(target)
        print(f"Saved replicate/image's output ({image.content_type}) to {target.resolve()}")


if __name__ == "__main__":
    main()
