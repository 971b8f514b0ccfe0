"""Run a model, stream one, and save an image: against Replicate, or offline against the emulator.

    python examples/quickstart.py

With REPLICATE_API_TOKEN set this talks to api.replicate.com and runs real models
(replicate/hello-world, meta/meta-llama-3-8b-instruct and black-forest-labs/flux-schnell), which
may cost money. Without it, it starts the built-in emulator in this process, says so, and runs
its stand-ins (replicate/hello-world, replicate/stream-tokens, replicate/image) instead.
The image is saved in a new temporary directory, whose path is printed.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from _offline import connect, first

import replicate


def main() -> None:
    models = connect()

    output = replicate.run(models.hello, input={"text": "world"})
    print(f"{models.hello.partition(':')[0]} said: {output!r}")

    print(f"Streaming {models.chat}: ", end="", flush=True)
    chat = replicate.use(models.chat, streaming=True)
    for token in chat(prompt="a short story about a robot"):
        print(token, end="", flush=True)
    print()

    image = first(replicate.run(models.image, input={"prompt": "a red square"}))
    target = image.save(Path(tempfile.mkdtemp(prefix="replicate-quickstart-")))
    print(f"Saved {models.image}'s output ({image.content_type}) to {target}")


if __name__ == "__main__":
    main()
