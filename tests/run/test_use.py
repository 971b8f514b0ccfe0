"""replicate.use(): models as functions, streaming, run handles, path outputs."""

from __future__ import annotations

import os
import pickle
import threading
from pathlib import Path
from typing import Iterator, List

import pytest

import replicate
from replicate import ModelError
from replicate._use import PathOutput
from replicate.testing import Emulator

from .conftest import WAIT_WINDOW, downloads, polls


def test_a_used_model_is_called_like_a_function(em: Emulator) -> None:
    echo = em.client().use("acme/echo")
    assert echo(text="a") == "echo a"
    assert echo(text="b") == "echo b"
    # The schema is fetched once per function; the latest version is pinned for the runs.
    assert len(em.seen("GET", "/v1/models/acme/echo")) == 1
    assert [r.path for r in em.seen("POST", "/predictions")] == ["/v1/predictions"] * 2


def test_streaming_yields_chunks_as_they_are_produced(em: Emulator) -> None:
    first_chunk_seen = threading.Event()

    @em.model("acme/gated")
    def gated() -> Iterator[str]:
        yield "t0 "
        # The rest only once the caller holds the first: a client that buffered would never get it.
        if not first_chunk_seen.wait(30):
            raise RuntimeError("the first chunk never reached the caller")
        yield from ["t1 ", "t2 ", "t3 "]

    chunks: List[str] = []
    for chunk in em.client().use("acme/gated", streaming=True)():
        if not chunks:
            (prediction,) = em.predictions.values()
            assert prediction.status == "processing" and prediction.output == ["t0 "]
            first_chunk_seen.set()
        chunks.append(chunk)
    assert chunks == ["t0 ", "t1 ", "t2 ", "t3 "]


def test_streaming_a_failing_model_raises_model_error(em: Emulator) -> None:
    with pytest.raises(ModelError, match="fell over"):
        list(em.client().use("acme/fail", streaming=True)())


def test_streaming_ends_on_a_successful_done_without_fetching_the_prediction(em: Emulator) -> None:
    assert list(em.client().use("acme/tokens", streaming=True)(n=3, delay=0)) == ["t0 ", "t1 ", "t2 "]
    assert polls(em) == []  # `done` said `{}`: nothing to look into


def test_streaming_hands_out_the_chunks_before_an_error_then_raises(em: Emulator) -> None:
    chunks = []
    with pytest.raises(ModelError, match="stuttered"):
        for chunk in em.client().use("acme/stutter", streaming=True)(n=3):
            chunks.append(chunk)
    assert chunks == ["t0 ", "t1 ", "t2 "]
    assert len(polls(em)) == 1  # the failed prediction, for the error


def test_streaming_a_prediction_canceled_midway_raises_canceled(em: Emulator) -> None:
    client = em.client()
    chunks = []
    with pytest.raises(replicate.PredictionCanceledError):
        for chunk in client.use("acme/tokens", streaming=True)(n=50, delay=0.05):
            chunks.append(chunk)
            if len(chunks) == 1:
                (prediction_id,) = em.predictions
                client.predictions.cancel(prediction_id=prediction_id)
    assert 1 <= len(chunks) < 50


def test_streaming_raises_when_the_stream_is_cut_before_done(em: Emulator) -> None:
    from replicate._stream import StreamInterruptedError

    em.faults.cut_stream(after_events=2)  # both chunks, not the `done`
    chunks = []
    with pytest.raises(StreamInterruptedError, match="incomplete"):
        for chunk in em.client().use("acme/tokens", streaming=True)(n=2):
            chunks.append(chunk)
    assert chunks == ["t0 ", "t1 "]
    assert isinstance(StreamInterruptedError, type) and issubclass(
        StreamInterruptedError, replicate.APIConnectionError
    )


def test_a_language_models_output_is_text_that_prints_and_iterates_again(em: Emulator) -> None:
    # acme/tokens yields strings: its schema says `x-cog-array-display: concatenate`
    output = em.client().use("acme/tokens")(n=3, delay=0)
    assert isinstance(output, str) and output == "t0 t1 t2 "
    assert str(output) == "t0 t1 t2 " and f"{output}" == "t0 t1 t2 " and "iterator" not in repr(output)
    assert list(output) == ["t0 ", "t1 ", "t2 "]  # the chunks, as the model produced them
    assert list(output) == ["t0 ", "t1 ", "t2 "]  # and again
    assert "".join(output) == "t0 t1 t2 "
    assert pickle.loads(pickle.dumps(output)).chunks == ("t0 ", "t1 ", "t2 ")


def test_other_iterator_outputs_come_back_as_lists(em: Emulator) -> None:
    frames = em.client().use("acme/frames")(n=2)
    assert isinstance(frames, list) and all(isinstance(f, PathOutput) for f in frames)
    assert [Path(f).read_bytes() for f in frames] == [b"frame0", b"frame1"]


@pytest.mark.anyio
async def test_async_use_gives_text_for_a_language_model(em: Emulator) -> None:
    async with em.async_client() as client:
        output = await client.use("acme/tokens")(n=2, delay=0)
    assert output == "t0 t1 " and list(output) == ["t0 ", "t1 "] and list(output) == ["t0 ", "t1 "]


def test_path_outputs_download_lazily_on_first_filesystem_use(em: Emulator) -> None:
    image = em.client().use("acme/image")(size=10)
    assert isinstance(image, PathOutput)
    url = replicate.get_path_url(image)
    assert url is not None and url.endswith("/image.png") and str(image) == url
    assert not downloads(em)  # not downloaded yet
    with open(image, "rb") as f:
        assert f.read() == b"\x89PNG" + bytes(10)
    local = Path(image)
    assert local.name == "image.png" and local.exists()
    assert os.fspath(image) == str(local)
    assert len(downloads(em)) == 1  # once
    assert replicate.get_path_url("not a path output") is None


def test_streamed_path_outputs_are_path_outputs(em: Emulator) -> None:
    frames = list(em.client().use("acme/frames", streaming=True)(n=2))
    assert all(isinstance(f, PathOutput) for f in frames)
    assert [Path(f).read_bytes() for f in frames] == [b"frame0", b"frame1"]


def test_create_returns_a_run_handle(em: Emulator) -> None:
    echo = em.client().use("acme/echo")
    run = echo.create(text="later", seconds=0.2)
    assert run.id in em.predictions
    assert run.status in ("starting", "processing")
    assert run.output() == "echo later"
    assert run.wait().status == "succeeded"
    assert run.logs() == ""


def test_a_run_can_be_canceled(em: Emulator) -> None:
    run = em.client().use("acme/echo").create(seconds=0.5)
    run.cancel()
    assert run.wait().status == "canceled"
    with pytest.raises(replicate.PredictionCanceledError):
        run.output()


def test_a_missing_file_is_an_error_before_any_request(em: Emulator, tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="does not exist"):
        em.client().use("acme/inputs")(image=tmp_path / "nope.png")
    assert em.requests == []


@pytest.mark.anyio
async def test_async_use_is_awaited(em: Emulator) -> None:
    client = em.async_client()
    echo = client.use("acme/echo")
    assert await echo(text="async") == "echo async"
    tokens = replicate.use("acme/tokens", streaming=True, use_async=True)
    tokens._client_given = client  # the module-level async client would point at the real API
    assert [chunk async for chunk in tokens(n=3)] == ["t0 ", "t1 ", "t2 "]
    run = await echo.create(text="handle", seconds=WAIT_WINDOW)
    assert await run.output() == "echo handle"
    assert (await run.wait()).status == "succeeded"
    image = await client.use("acme/image")()
    assert Path(image).read_bytes().startswith(b"\x89PNG")
    await client.close()
