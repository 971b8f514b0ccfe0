"""AsyncReplicate.run(): the same behaviour as the sync client, plus cancellation."""

from __future__ import annotations

import anyio
import pytest

from replicate import AsyncFileOutput, ModelError, PredictionCanceledError

from .conftest import WAIT_WINDOW
from .mini_api import MiniAPI

pytestmark = pytest.mark.anyio


async def test_async_run_returns_the_output(api: MiniAPI) -> None:
    async with api.async_client() as client:
        assert await client.run("acme/echo", input={"text": "a"}) == "echo a"
        # Past the wait window it follows the event stream rather than polling.
        assert await client.run("acme/echo", input={"seconds": WAIT_WINDOW + 0.3}) == "echo x"
        assert len(api.seen("GET", "/streams/")) == 1
        assert len(api.seen("GET", "/v1/predictions/")) == 1


async def test_async_run_returns_async_file_outputs(api: MiniAPI, tmp_path: object) -> None:
    async with api.async_client() as client:
        output = await client.run("acme/image", input={"size": 200_000})
        assert isinstance(output, AsyncFileOutput)
        assert await output.read() == b"\x89PNG" + bytes(200_000)
        chunks = [chunk async for chunk in output.aiter_bytes(50_000)]
        assert max(map(len, chunks)) <= 50_000
        saved = await output.save(tmp_path)  # type: ignore[arg-type]
        assert saved.stat().st_size == 200_004
        assert list(await client.run("acme/tokens", input={"n": 2})) == ["t0 ", "t1 "]


async def test_async_run_raises_model_error_and_canceled_error(api: MiniAPI) -> None:
    async with api.async_client() as client:
        with pytest.raises(ModelError, match="fell over"):
            await client.run("acme/fail", input={"seconds": WAIT_WINDOW + 0.1})
        run = await client.use("acme/echo").create(seconds=1)
        await run.cancel()
        with pytest.raises(PredictionCanceledError):
            await run.output()


async def test_cancelling_an_async_run_cancels_the_prediction(api: MiniAPI) -> None:
    async with api.async_client() as client:
        with anyio.move_on_after(WAIT_WINDOW + 0.2):
            await client.run("acme/echo", input={"seconds": 3})
        (prediction,) = api.predictions.values()
        assert len(api.seen("POST", "/cancel")) == 1
        assert prediction.cancel.is_set()


async def test_async_uploads_run_concurrently(api: MiniAPI) -> None:
    api.upload_delay = 0.3
    async with api.async_client() as client:
        files = {f"f{i}": bytes([i]) * 10 for i in range(4)}
        output = await client.run("acme/inputs", input=files, file_encoding_strategy="url")
    assert len(api.seen("POST", "/v1/files")) == 4
    # Each upload takes 0.3 s on the server: run one after another, they would never overlap.
    assert api.most_uploads_in_flight > 1
    assert sorted(output) == ["f0", "f1", "f2", "f3"]
    assert all(
        isinstance(value, AsyncFileOutput) and value.url.startswith("http://") for value in output.values()
    )
