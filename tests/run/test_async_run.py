"""AsyncReplicate.run(): the same behaviour as the sync client, plus cancellation."""

from __future__ import annotations

import anyio
import pytest

from replicate import AsyncFileOutput, ModelError, PredictionCanceledError
from replicate.testing import Emulator

from .conftest import WAIT_WINDOW, polls, streams

pytestmark = pytest.mark.anyio


async def test_async_run_returns_the_output(em: Emulator) -> None:
    async with em.async_client() as client:
        assert await client.run("acme/echo", input={"text": "a"}) == "echo a"
        # Past the wait window it follows the event stream rather than polling.
        assert await client.run("acme/echo", input={"seconds": WAIT_WINDOW + 0.3}) == "echo x"
        assert len(streams(em)) == 1
        assert len(polls(em)) == 1


async def test_async_run_returns_async_file_outputs(em: Emulator, tmp_path: object) -> None:
    async with em.async_client() as client:
        output = await client.run("acme/image", input={"size": 200_000})
        assert isinstance(output, AsyncFileOutput)
        assert await output.read() == b"\x89PNG" + bytes(200_000)
        chunks = [chunk async for chunk in output.aiter_bytes(50_000)]
        assert max(map(len, chunks)) <= 50_000
        saved = await output.save(tmp_path)  # type: ignore[arg-type]
        assert saved.stat().st_size == 200_004
        assert list(await client.run("acme/tokens", input={"n": 2})) == ["t0 ", "t1 "]


async def test_async_run_raises_model_error_and_canceled_error(em: Emulator) -> None:
    async with em.async_client() as client:
        with pytest.raises(ModelError, match="fell over"):
            await client.run("acme/fail", input={"seconds": WAIT_WINDOW + 0.1})
        run = await client.use("acme/echo").create(seconds=1)
        await run.cancel()
        with pytest.raises(PredictionCanceledError):
            await run.output()


async def test_cancelling_an_async_run_cancels_the_prediction(em: Emulator) -> None:
    async with em.async_client() as client:
        async with anyio.create_task_group() as tasks:

            async def cancel_once_it_is_followed() -> None:
                while not streams(em):
                    await anyio.sleep(0.01)
                tasks.cancel_scope.cancel()

            tasks.start_soon(cancel_once_it_is_followed)
            await client.run("acme/echo", input={"seconds": 30})
        (prediction,) = em.predictions.values()
        assert len(em.seen("POST", "/cancel")) == 1
        assert prediction.status == "canceled"


async def test_async_uploads_run_concurrently(em: Emulator) -> None:
    # Each upload is answered slowly: sent one after another, no two would be in flight at once.
    em.faults.delay(0.3, method="POST", path="/v1/files")
    async with em.async_client() as client:
        files = {f"f{i}": bytes([i]) * 10 for i in range(4)}
        output = await client.run("acme/inputs", input=files, file_encoding_strategy="url")
    uploads = em.seen("POST", "/v1/files")
    assert len(uploads) == 4
    assert max(upload.in_flight for upload in uploads) > 1
    assert sorted(output) == ["f0", "f1", "f2", "f3"]
    assert all(
        isinstance(value, AsyncFileOutput) and value.url.startswith("http://") for value in output.values()
    )
