"""Run several predictions concurrently with AsyncReplicate."""

import asyncio

import replicate


async def main() -> None:
    async with replicate.AsyncReplicate() as client:
        names = ["ada", "grace", "linus"]
        outputs = await asyncio.gather(
            *(client.run("replicate/hello-world", input={"text": name}) for name in names)
        )
        for name, output in zip(names, outputs):
            print(f"{name}: {output}")


asyncio.run(main())
