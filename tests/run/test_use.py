"""replicate.use(): models as functions, streaming, run handles, path outputs."""

from __future__ import annotations

import os
import pickle
import sys
import threading
import types
from pathlib import Path
from typing import Iterator, List

import pytest

import replicate
from replicate import ModelError
from replicate._running.file_output import PathOutput
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


@pytest.mark.anyio
async def test_async_streaming_yields_chunks_as_they_are_produced(em: Emulator) -> None:
    first_chunk_seen = threading.Event()

    @em.model("acme/gated")
    def gated() -> Iterator[str]:
        yield "t0 "
        if not first_chunk_seen.wait(30):  # see the sync test: a buffering client never gets here
            raise RuntimeError("the first chunk never reached the caller")
        yield from ["t1 ", "t2 "]

    chunks: List[str] = []
    async with em.async_client() as client:
        async for chunk in await client.use("acme/gated", streaming=True)():
            if not chunks:
                (prediction,) = em.predictions.values()
                assert prediction.status == "processing" and prediction.output == ["t0 "]
                first_chunk_seen.set()
            chunks.append(chunk)
    assert chunks == ["t0 ", "t1 ", "t2 "]


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
    from replicate._http.events import StreamInterruptedError

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


def test_get_path_url_is_importable_where_v2s_readme_imports_it() -> None:
    from replicate.lib._predictions_use import get_path_url

    assert get_path_url is replicate.get_path_url


def test_get_path_url_gives_a_file_outputs_url_too(em: Emulator) -> None:
    output = em.client().run("acme/image", input={"size": 1})
    assert isinstance(output, replicate.FileOutput)
    assert replicate.get_path_url(output) == output.url and output.url.endswith("/image.png")
    inline = replicate.FileOutput("data:text/plain;base64,aGk=", em.client())
    assert replicate.get_path_url(inline) == "data:text/plain;base64,aGk="
    assert not downloads(em)  # nothing fetched to answer


@pytest.mark.anyio
async def test_get_path_url_gives_an_async_file_outputs_url(em: Emulator) -> None:
    async with em.async_client() as client:
        output = await client.run("acme/image", input={"size": 1})
    assert isinstance(output, replicate.AsyncFileOutput)
    assert replicate.get_path_url(output) == output.url and output.url.endswith("/image.png")


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


# -- use() is lazy, and takes the token at each call (v2) ----------------------------------------


@pytest.fixture
def no_token(em: Emulator, monkeypatch: pytest.MonkeyPatch) -> Emulator:
    """The module-level client pointed at the emulator, with no token anywhere."""
    monkeypatch.delenv("REPLICATE_API_TOKEN", raising=False)
    monkeypatch.setattr(replicate, "bearer_token", None)
    monkeypatch.setattr(replicate, "base_url", em.base_url)
    return em


def test_use_needs_no_token_until_called_and_reads_it_at_each_call(
    no_token: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    echo = replicate.use("acme/echo")  # at import time of a module, say: no token yet
    tokens = replicate.use("acme/tokens", streaming=True)
    assert no_token.requests == []
    with pytest.raises(replicate.ReplicateError, match="REPLICATE_API_TOKEN"):
        echo(text="x")
    assert no_token.requests == []
    monkeypatch.setenv("REPLICATE_API_TOKEN", no_token.token)
    assert echo(text="now") == "echo now"
    assert list(tokens(n=1, delay=0)) == ["t0 "]
    monkeypatch.setenv("REPLICATE_API_TOKEN", "r8_revoked")
    with pytest.raises(replicate.AuthenticationError):
        echo(text="again")


@pytest.mark.anyio
async def test_async_use_needs_no_token_until_called_and_reads_it_at_each_call(
    no_token: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    echo = replicate.use("acme/echo", use_async=True)
    with pytest.raises(replicate.ReplicateError, match="REPLICATE_API_TOKEN"):
        await echo(text="x")
    monkeypatch.setenv("REPLICATE_API_TOKEN", no_token.token)
    assert await echo(text="now") == "echo now"
    monkeypatch.setenv("REPLICATE_API_TOKEN", "r8_revoked")
    with pytest.raises(replicate.AuthenticationError):
        await echo(text="again")
    await echo._client().close()  # one connection pool served every token


@pytest.fixture
def cog_scope(monkeypatch: pytest.MonkeyPatch) -> types.SimpleNamespace:
    """A stand-in for Cog's `current_scope()` (cog is not installable here); set `.context`."""
    scope = types.SimpleNamespace(context={})
    fake_cog = types.ModuleType("cog")
    fake_cog.current_scope = lambda: scope  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "cog", fake_cog)
    return scope


def test_inside_cog_a_module_level_function_uses_each_predictions_token(
    no_token: Emulator, cog_scope: types.SimpleNamespace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REPLICATE_API_TOKEN", "r8_not_this_one")
    echo = replicate.use("acme/echo")  # at module level in predict.py
    cog_scope.context = {"replicate_api_token": no_token.token}  # the key's case does not matter
    assert echo(text="first") == "echo first"
    cog_scope.context = {"REPLICATE_API_TOKEN": "r8_a_prediction_without_access"}
    with pytest.raises(replicate.AuthenticationError):
        echo(text="second")
    cog_scope.context = {"Replicate_Api_Token": no_token.token}
    assert echo(text="third") == "echo third"


@pytest.mark.anyio
async def test_inside_cog_an_async_module_level_function_uses_each_predictions_token(
    no_token: Emulator, cog_scope: types.SimpleNamespace
) -> None:
    echo = replicate.use("acme/echo", use_async=True)
    cog_scope.context = {"replicate_api_token": no_token.token}
    assert await echo(text="first") == "echo first"
    cog_scope.context = {"replicate_api_token": "r8_a_prediction_without_access"}
    with pytest.raises(replicate.AuthenticationError):
        await echo(text="second")
    await echo._client().close()  # one connection pool served every prediction


def test_bad_use_arguments_are_clear_errors_before_any_request(em: Emulator) -> None:
    client = em.client()
    with pytest.raises(TypeError, match="hint must be a function"):
        client.use("acme/echo", hint="str")  # type: ignore[call-overload]
    with pytest.raises(TypeError, match="streaming must be True or False"):
        client.use("acme/echo", streaming="yes")  # type: ignore[call-overload]
    with pytest.raises(TypeError, match="use_async must be True or False"):
        replicate.use("acme/echo", use_async="yes")  # type: ignore[call-overload]
    with pytest.raises(TypeError, match="keyword arguments"):
        client.use("acme/echo")("positional")
    assert em.requests == []


@pytest.mark.anyio
async def test_an_async_clients_path_output_downloads_through_the_clients_own_pipeline(em: Emulator) -> None:
    # A blocking download (os.fspath) for an async client goes through a sync twin with the client's
    # options (its headers, auth rule, retries and errors), not a bare httpx.Client of its own.
    async with em.async_client(default_headers={"X-Trace": "t1"}) as client:
        image = await client.use("acme/image")(size=3)
        assert isinstance(image, PathOutput)
        assert Path(image).read_bytes() == b"\x89PNG" + bytes(3)
    (download,) = downloads(em)
    assert download.headers.get("X-Trace") == "t1"
    assert download.headers.get("User-Agent", "").startswith("replicate-python/")
    assert "Authorization" not in download.headers  # the file host is not the API's
