"""run(), use() and stream() end to end against the emulator (issue 3's behaviours).

tests/run/ covers the same helpers in more depth (against the emulator too); these run the
public calls against the emulator's built-in models, as a user's code would.
"""

from __future__ import annotations

import io
import os
import time
import warnings
from pathlib import Path
from typing import Iterator, List

import anyio
import pytest

import replicate
from replicate import FileOutput, ModelError, PredictionCanceledError
from replicate.testing import Emulator


@pytest.fixture
def em() -> Iterator[Emulator]:
    emulator = Emulator(wait_window=0.3)

    @emulator.model("acme/words")
    def words(n: int = 3) -> Iterator[str]:
        for i in range(n):
            time.sleep(0.01)
            yield f"w{i} "

    @emulator.model("acme/size")
    def size(file: Path) -> int:
        return len(file.read_bytes())

    @emulator.model("acme/frames")
    def frames(n: int = 2) -> List[Path]:
        return [bytes([i]) * 3 for i in range(n)]  # type: ignore[misc]

    with emulator.serve():
        yield emulator


def test_every_ref_form_runs(em: Emulator) -> None:
    client = em.client()
    version = em.models["replicate/hello-world"].versions[-1].id
    model = client.models.get(model_owner="replicate", model_name="hello-world")
    for ref in ("replicate/hello-world", f"replicate/hello-world:{version}", version, model):
        assert client.run(ref, input={"text": "r"}) == "hello r"
    with pytest.raises(ValueError, match="owner/name"):
        client.run("not a ref!", input={})


def test_wait_forms(em: Emulator) -> None:
    client = em.client()
    client.run("replicate/hello-world", input={"text": "a"}, wait=5)
    assert em.seen("POST", "/predictions")[-1].headers["Prefer"] == "wait=5"
    assert client.run("replicate/sleep", input={"seconds": 0.2}, wait=False) == "slept 0.2s"
    assert "Prefer" not in em.seen("POST", "/predictions")[-1].headers
    with pytest.raises(ValueError):
        client.run("replicate/hello-world", input={"text": "a"}, wait=61)
    with pytest.raises(TypeError):
        client.run("replicate/hello-world", input={"text": "a"}, wait=True, prefer="wait")


def test_past_the_wait_window_run_returns_soon_after_the_prediction_ends(em: Emulator) -> None:
    assert em.client().run("replicate/sleep", input={"seconds": 0.6}) == "slept 0.6s"
    # It returns on the stream's `done` event rather than on a polling tick; how soon is measured by
    # benchmarks/run_latency.py.
    assert em.seen("GET", "/stream"), "it followed the prediction's event stream"


def test_failures_and_cancellations_raise_distinct_errors(em: Emulator) -> None:
    client = em.client()
    with pytest.raises(ModelError) as failed:
        client.run("replicate/fail", input={"message": "boom"})
    assert "boom" in str(failed.value) and "starting up" in str(failed.value)
    assert not isinstance(failed.value, PredictionCanceledError)
    with pytest.raises(PredictionCanceledError):
        client.run("replicate/sleep", input={"seconds": 3}, cancel_after="0.1s")


def test_file_outputs_and_iterators(em: Emulator, tmp_path: Path) -> None:
    client = em.client()
    outputs = client.run("acme/frames", input={"n": 2})
    assert all(isinstance(o, FileOutput) for o in outputs)
    outputs[1].save(tmp_path / "frame.bin")
    assert (tmp_path / "frame.bin").read_bytes() == b"\x01\x01\x01"
    assert client.run("acme/frames", input={"n": 1}, use_file_output=False)[0].startswith("http://localhost:")
    streamed = client.run("acme/words", input={"n": 3})
    assert streamed == ["w0 ", "w1 ", "w2 "]
    assert "".join(streamed) == "w0 w1 w2 " and "".join(streamed) == "w0 w1 w2 "


def test_file_inputs_are_uploaded_or_inlined(em: Emulator, tmp_path: Path) -> None:
    client = em.client()
    path = tmp_path / "in.bin"
    path.write_bytes(b"x" * 1000)
    assert client.run("acme/size", input={"file": path}) == 1000
    assert client.run("acme/size", input={"file": io.BytesIO(b"abc")}, file_encoding_strategy="url") == 3
    assert len(em.seen("POST", "/v1/files")) == 1
    with pytest.raises(FileNotFoundError):
        client.run("acme/size", input={"file": tmp_path / "missing.bin"})


def test_use_functions_streaming_handles_and_paths(em: Emulator) -> None:
    hello = em.client().use("replicate/hello-world")
    assert hello(text="fn") == "hello fn"
    chunks = list(em.client().use("acme/words", streaming=True)(n=3))
    assert chunks == ["w0 ", "w1 ", "w2 "]
    run = hello.create(text="later")
    assert run.id and run.output() == "hello later"
    image = em.client().use("replicate/image")(prompt="p", width=2, height=2)
    url = replicate.get_path_url(image)
    assert url is not None and url.startswith("http://localhost:")
    assert Path(os.fspath(image)).read_bytes().startswith(b"\x89PNG")


def test_stream_is_deprecated_but_works(em: Emulator) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        chunks = list(em.client().stream("acme/words", input={"n": 2}))
    assert any(issubclass(w.category, DeprecationWarning) and "use(" in str(w.message) for w in caught)
    assert chunks == ["w0 ", "w1 "]


def test_a_stream_cut_before_done_raises(em: Emulator) -> None:
    em.faults.cut_stream(after_events=1)
    with pytest.raises(replicate.APIConnectionError):
        list(em.client().use("acme/words", streaming=True)(n=3))


def test_progress_is_parsed_from_tqdm_logs(em: Emulator) -> None:
    client = em.client()
    prediction = client.predictions.create(version="replicate/sleep", input={"seconds": 0.1}, prefer="wait")
    assert prediction.progress is not None
    assert prediction.progress.percentage == 100


@pytest.mark.anyio
async def test_async_run_and_cancellation(em: Emulator) -> None:
    async with em.async_client() as client:
        assert await client.run("replicate/hello-world", input={"text": "a"}) == "hello a"
        with anyio.move_on_after(0.5):
            await client.run("replicate/sleep", input={"seconds": 5})
    assert em.seen("POST", "/cancel")
    (slow,) = [p for p in em.predictions.values() if p.model == "replicate/sleep"]
    assert slow.status == "canceled"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
