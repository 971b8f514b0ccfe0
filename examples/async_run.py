"""Run several predictions concurrently with AsyncReplicate."""

import asyncio

from _offline import connect

import replicate

models = connect()


async def main() -> None:
    async with replicate.AsyncReplicate() as client:
        names = ["ada", "grace", "linus"]
        outputs = await asyncio.gather(*(client.run(models.hello, input={"text": name}) for name in names))
        for name, output in zip(names, outputs):
            print(f"{name}: {output}")


asyncio.run(main())
