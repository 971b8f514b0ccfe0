"""replicate.use(): models as functions, streaming, run handles, path outputs."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

import replicate
from replicate import ModelError
from replicate._use import PathOutput

from .conftest import WAIT_WINDOW
from .mini_api import MiniAPI


def test_a_used_model_is_called_like_a_function(api: MiniAPI) -> None:
    echo = api.client().use("acme/echo")
    assert echo(text="a") == "echo a"
    assert echo(text="b") == "echo b"
    # The schema is fetched once per function; the latest version is pinned for the runs.
    assert len(api.seen("GET", "/v1/models/acme/echo")) == 1
    assert [r.path for r in api.seen("POST", "/predictions")] == ["/v1/predictions"] * 2


def test_streaming_yields_chunks_as_they_are_produced(api: MiniAPI) -> None:
    tokens = api.client().use("acme/tokens", streaming=True)
    arrivals = []
    started = time.monotonic()
    for chunk in tokens(n=4, delay=0.1):
        arrivals.append((chunk, time.monotonic() - started))
    assert [c for c, _ in arrivals] == ["t0 ", "t1 ", "t2 ", "t3 "]
    assert arrivals[0][1] < arrivals[-1][1] - 0.2  # the first came well before the last


def test_streaming_a_failing_model_raises_model_error(api: MiniAPI) -> None:
    with pytest.raises(ModelError, match="fell over"):
        list(api.client().use("acme/fail", streaming=True)())


def test_streaming_ends_on_a_successful_done_without_fetching_the_prediction(api: MiniAPI) -> None:
    assert list(api.client().use("acme/tokens", streaming=True)(n=3, delay=0)) == ["t0 ", "t1 ", "t2 "]
    assert api.seen("GET", "/v1/predictions/") == []  # `done` said `{}`: nothing to look into


def test_streaming_hands_out_the_chunks_before_an_error_then_raises(api: MiniAPI) -> None:
    chunks = []
    with pytest.raises(ModelError, match="stuttered"):
        for chunk in api.client().use("acme/stutter", streaming=True)(n=3):
            chunks.append(chunk)
    assert chunks == ["t0 ", "t1 ", "t2 "]
    assert len(api.seen("GET", "/v1/predictions/")) == 1  # the failed prediction, for the error


def test_streaming_a_prediction_canceled_midway_raises_canceled(api: MiniAPI) -> None:
    client = api.client()
    chunks = []
    with pytest.raises(replicate.PredictionCanceledError):
        for chunk in client.use("acme/tokens", streaming=True)(n=50, delay=0.05):
            chunks.append(chunk)
            if len(chunks) == 1:
                (prediction_id,) = api.predictions
                client.predictions.cancel(prediction_id=prediction_id)
    assert 1 <= len(chunks) < 50


def test_streaming_raises_when_the_stream_is_cut_before_done(api: MiniAPI) -> None:
    from replicate._stream import StreamInterruptedError

    api.cut_streams = True
    chunks = []
    with pytest.raises(StreamInterruptedError, match="incomplete"):
        for chunk in api.client().use("acme/tokens", streaming=True)(n=2):
            chunks.append(chunk)
    assert chunks == ["t0 ", "t1 "]
    assert isinstance(StreamInterruptedError, type) and issubclass(
        StreamInterruptedError, replicate.APIConnectionError
    )


def test_iterator_outputs_come_back_as_iterators(api: MiniAPI) -> None:
    output = api.client().use("acme/tokens")(n=2)
    assert iter(output) is output and "".join(output) == "t0 t1 "


def test_path_outputs_download_lazily_on_first_filesystem_use(api: MiniAPI) -> None:
    image = api.client().use("acme/image")(size=10)
    assert isinstance(image, PathOutput)
    url = replicate.get_path_url(image)
    assert url is not None and url.endswith("/image.png") and str(image) == url
    assert not [r for r in api.requests if r.path.startswith("/files/")]  # not downloaded yet
    with open(image, "rb") as f:
        assert f.read() == b"\x89PNG" + bytes(10)
    local = Path(image)
    assert local.name == "image.png" and local.exists()
    assert os.fspath(image) == str(local)
    assert len([r for r in api.requests if r.path.startswith("/files/")]) == 1  # once
    assert replicate.get_path_url("not a path output") is None


def test_streamed_path_outputs_are_path_outputs(api: MiniAPI) -> None:
    frames = list(api.client().use("acme/frames", streaming=True)(n=2))
    assert all(isinstance(f, PathOutput) for f in frames)
    assert [Path(f).read_bytes() for f in frames] == [b"frame0", b"frame1"]


def test_create_returns_a_run_handle(api: MiniAPI) -> None:
    echo = api.client().use("acme/echo")
    run = echo.create(text="later", seconds=0.2)
    assert run.id in api.predictions
    assert run.status in ("starting", "processing")
    assert run.output() == "echo later"
    assert run.wait().status == "succeeded"
    assert run.logs() == ""


def test_a_run_can_be_canceled(api: MiniAPI) -> None:
    run = api.client().use("acme/echo").create(seconds=0.5)
    run.cancel()
    assert run.wait().status == "canceled"
    with pytest.raises(replicate.PredictionCanceledError):
        run.output()


def test_a_missing_file_is_an_error_before_any_request(api: MiniAPI, tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="does not exist"):
        api.client().use("acme/inputs")(image=tmp_path / "nope.png")
    assert api.requests == []


@pytest.mark.anyio
async def test_async_use_is_awaited(api: MiniAPI) -> None:
    client = api.async_client()
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
