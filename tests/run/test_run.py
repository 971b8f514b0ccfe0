"""replicate.run() / client.run() over loopback HTTP: waiting, errors, outputs."""

from __future__ import annotations

import json
import signal
import threading
import time
from typing import Any

import httpx
import pytest

import replicate
from replicate import FileOutput, ModelError, PredictionCanceledError
from replicate._running.run import prefer_header, wait_timeout
from replicate.testing import Emulator
from replicate.types import Model, Prediction, Version

from .conftest import WAIT_WINDOW, downloads, polls, streams


def test_run_returns_a_quick_models_output_in_one_request(em: Emulator) -> None:
    assert em.client().run("acme/echo", input={"text": "hi"}) == "echo hi"
    (create,) = em.requests
    assert create.method == "POST" and create.path == "/v1/models/acme/echo/predictions"
    assert create.headers["Prefer"] == "wait"


def test_run_by_version_posts_to_predictions_with_the_version(em: Emulator) -> None:
    version = em.models["acme/echo"].versions[-1].id
    client = em.client()
    for ref in (
        version,
        f"acme/echo:{version}",
        Version(id=version),
        replicate.ModelVersionIdentifier("acme", "echo", version),
    ):
        assert client.run(ref, input={"text": "v"}) == "echo v"
    creates = em.seen("POST", "/predictions")
    assert [r.path for r in creates] == ["/v1/predictions"] * 4
    assert all(json.loads(r.body)["version"] == version for r in creates)


def test_run_by_model_object_uses_the_models_endpoint(em: Emulator) -> None:
    assert em.client().run(Model(owner="acme", name="echo"), input={}) == "echo x"
    assert em.requests[0].path == "/v1/models/acme/echo/predictions"


def test_wait_n_sends_prefer_wait_n_and_a_read_timeout_longer_than_the_window(em: Emulator) -> None:
    assert em.client().run("acme/echo", input={}, wait=5) == "echo x"
    assert em.requests[0].headers["Prefer"] == "wait=5"
    # The default 60 s read timeout would race a 60 s server window.
    timeout = wait_timeout(replicate.DEFAULT_TIMEOUT, 60)
    assert timeout.read is not None and timeout.read > 60
    assert timeout.connect == replicate.DEFAULT_TIMEOUT.connect


def test_wait_must_be_1_to_60_seconds_and_excludes_prefer(em: Emulator) -> None:
    client = em.client()
    for bad in (0, 61, -1):
        with pytest.raises(ValueError, match="1 to 60"):
            client.run("acme/echo", input={}, wait=bad)
    with pytest.raises(TypeError, match="wait= or prefer="):
        client.run("acme/echo", input={}, wait=True, prefer="wait=5")
    assert em.requests == []
    assert prefer_header(True, replicate.NOT_GIVEN) == "wait"
    assert prefer_header(replicate.NOT_GIVEN, "wait=3") == "wait=3"


def test_wait_false_creates_without_prefer_wait_then_returns_the_output(em: Emulator) -> None:
    # As in v2: wait=False only stops the create request from being held open.
    assert em.client().run("acme/echo", input={"text": "later", "seconds": 0.1}, wait=False) == "echo later"
    create = em.requests[0]
    assert create.method == "POST" and "Prefer" not in create.headers
    assert len(polls(em)) == 1  # followed to its end (the event stream, then the final state)


@pytest.mark.anyio
async def test_async_wait_false_also_returns_the_output(em: Emulator) -> None:
    async with em.async_client() as client:
        assert await client.run("acme/echo", input={"text": "a"}, wait=False) == "echo a"
    assert "Prefer" not in em.requests[0].headers


def test_a_prediction_without_waiting_is_predictions_create(em: Emulator) -> None:
    prediction = em.client().models.predictions.create(
        model_owner="acme", model_name="echo", input={"seconds": 1}
    )
    assert isinstance(prediction, Prediction)
    assert prediction.status in ("starting", "processing")


def test_run_past_the_wait_window_returns_as_soon_as_the_prediction_ends(em: Emulator) -> None:
    seconds = WAIT_WINDOW + 0.4
    assert em.client().run("acme/echo", input={"text": "slow", "seconds": seconds}) == "echo slow"
    # It followed the event stream (on its own host: no token sent there) instead of polling, so it
    # returns on the `done` event; how soon is measured by benchmarks/run_latency.py.
    (stream,) = streams(em)
    assert stream.headers["Accept"] == "text/event-stream"
    assert "Authorization" not in stream.headers
    assert len(polls(em)) == 1


def test_run_polls_quickly_when_there_is_no_stream_url(em: Emulator, monkeypatch: pytest.MonkeyPatch) -> None:
    em.stream_urls = False
    monkeypatch.setenv("REPLICATE_POLL_INTERVAL", "0.05")
    seconds = WAIT_WINDOW + 0.3
    assert em.client().run("acme/echo", input={"seconds": seconds}) == "echo x"
    # A fixed 0.5 s tick would poll at most twice in the 0.3 s past the window; a short, growing
    # interval capped at 0.05 s polls many times.
    assert len(polls(em)) >= 5


def test_a_bad_poll_interval_setting_is_a_clear_error(em: Emulator, monkeypatch: pytest.MonkeyPatch) -> None:
    em.stream_urls = False
    monkeypatch.setenv("REPLICATE_POLL_INTERVAL", "soon")
    with pytest.raises(ValueError, match="REPLICATE_POLL_INTERVAL"):
        em.client().run("acme/echo", input={"seconds": WAIT_WINDOW + 0.1})


def test_run_recovers_the_output_when_the_event_stream_is_cut(em: Emulator) -> None:
    em.faults.cut_stream(after_events=0)  # before its `done`
    assert em.client().run("acme/echo", input={"text": "cut", "seconds": WAIT_WINDOW + 0.1}) == "echo cut"
    assert [fault.split()[0] for fault in em.faults.injected] == ["cut"]


def test_a_failed_prediction_raises_model_error_with_error_and_logs(em: Emulator) -> None:
    with pytest.raises(ModelError) as caught:
        em.client().run("acme/fail", input={})
    assert "the model fell over" in str(caught.value)
    assert "Traceback" in str(caught.value)  # the logs' tail
    assert caught.value.prediction.status == "failed"
    assert not isinstance(caught.value, PredictionCanceledError)


def test_a_failure_past_the_wait_window_raises_model_error_too(em: Emulator) -> None:
    with pytest.raises(ModelError, match="fell over"):
        em.client().run("acme/fail", input={"seconds": WAIT_WINDOW + 0.1})


def test_a_canceled_prediction_raises_prediction_canceled_error(em: Emulator) -> None:
    client = em.client()

    def cancel_once_it_is_followed() -> None:
        while not streams(em):
            time.sleep(0.01)
        (prediction_id,) = list(em.predictions)
        client.predictions.cancel(prediction_id=prediction_id)

    threading.Thread(target=cancel_once_it_is_followed).start()
    with pytest.raises(PredictionCanceledError) as caught:
        client.run("acme/echo", input={"seconds": 30})
    assert caught.value.prediction.status == "canceled"


def test_run_returns_file_outputs_for_url_outputs(em: Emulator) -> None:
    output = em.client().run("acme/image", input={"size": 100})
    assert isinstance(output, FileOutput)
    assert output.url.startswith(em.file_base_url + "/")
    assert output.filename == "image.png"
    assert output.read() == b"\x89PNG" + bytes(100)
    assert output.content_type == "image/png"  # from the download's headers
    assert str(output) == output.url


def test_file_outputs_are_found_recursively_and_data_uris_decode_locally(em: Emulator) -> None:
    output = em.client().run("acme/nested", input={})
    first, second = output["files"]
    assert isinstance(first, FileOutput) and first.read() == b"A"
    assert second.read() == b"B"
    assert output["note"] == "plain"
    inline = output["inline"]
    assert isinstance(inline, FileOutput)
    downloads_before = len(em.requests)
    assert inline.read() == b"hi" and inline.content_type == "text/plain"
    assert len(em.requests) == downloads_before


def test_use_file_output_false_returns_the_urls(em: Emulator) -> None:
    output = em.client().run("acme/image", input={}, use_file_output=False)
    assert isinstance(output, str) and output.startswith("http://")


def test_file_downloads_from_another_host_carry_no_authorization(em: Emulator) -> None:
    em.client().run("acme/image", input={}).read()
    (download,) = downloads(em)
    assert "Authorization" not in download.headers
    assert all(
        r.headers.get("Authorization") == f"Bearer {em.token}" for r in em.seen("POST", "/predictions")
    )


def test_a_user_http_client_with_its_own_auth_header_does_not_leak_it(em: Emulator) -> None:
    http = httpx.Client(headers={"Authorization": f"Bearer {em.token}"})
    output = em.client(http_client=http).run("acme/image", input={})
    assert output.read().startswith(b"\x89PNG")
    (download,) = downloads(em)
    assert "Authorization" not in download.headers


def test_file_output_iterates_in_chunks_and_saves(em: Emulator, tmp_path: Any) -> None:
    output = em.client().run("acme/image", input={"size": 300_000})
    chunks = list(output.iter_bytes(chunk_size=65536))
    assert max(len(c) for c in chunks) <= 65536 and len(chunks) >= 5
    assert b"".join(chunks) == b"\x89PNG" + bytes(300_000)
    saved = output.save(tmp_path)
    assert saved == tmp_path / "image.png" and saved.stat().st_size == 300_004
    assert output.save(tmp_path / "copy.bin").read_bytes() == saved.read_bytes()


def test_iterator_models_return_a_list_that_iterates_again(em: Emulator) -> None:
    output = em.client().run("acme/tokens", input={"n": 3})
    assert output == ["t0 ", "t1 ", "t2 "] and isinstance(output, list)
    assert "".join(output) == "t0 t1 t2 " and list(output) == ["t0 ", "t1 ", "t2 "]  # twice
    assert "list_iterator" not in repr(output)
    frames = em.client().run("acme/frames", input={"n": 2})
    assert [f.read() for f in frames] == [b"frame0", b"frame1"]
    assert [f.read() for f in frames] == [b"frame0", b"frame1"]


@pytest.mark.anyio
async def test_async_iterator_models_return_a_list(em: Emulator) -> None:
    async with em.async_client() as client:
        output = await client.run("acme/tokens", input={"n": 2})
    assert output == ["t0 ", "t1 "] and "".join(output) == "t0 t1 "


def test_module_level_run_use_and_stream_use_the_configured_default_client(
    em: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(replicate, "bearer_token", em.token)
    monkeypatch.setattr(replicate, "base_url", em.base_url)
    assert replicate.run("acme/echo", input={"text": "module"}) == "echo module"
    assert replicate.use("acme/echo")(text="used") == "echo used"
    with pytest.warns(DeprecationWarning):
        chunks = list(replicate.stream("acme/tokens", input={"n": 2}))
    assert chunks == ["t0 ", "t1 "]


def test_ctrl_c_during_a_sync_run_cancels_the_prediction(em: Emulator) -> None:
    main = threading.main_thread().ident
    assert main is not None

    @em.model("acme/ctrl-c")
    def ctrl_c() -> str:
        # A real SIGINT (it interrupts the client's blocking read), sent once the client waits on
        # the event stream; then the model runs on until it is canceled.
        while not streams(em):
            time.sleep(0.01)
        signal.pthread_kill(main, signal.SIGINT)
        for _ in range(3000):
            time.sleep(0.01)
        return "ran to the end"

    with pytest.raises(KeyboardInterrupt):
        em.client().run("acme/ctrl-c", input={})
    (prediction,) = em.predictions.values()
    assert prediction.status == "canceled"
    assert len(em.seen("POST", "/cancel")) == 1


def test_iterating_a_large_file_output_keeps_memory_bounded(em: Emulator) -> None:
    import tracemalloc

    size = 20 * 1024 * 1024
    output = em.client().run("acme/image", input={"size": size})
    tracemalloc.start()
    try:
        total = sum(len(chunk) for chunk in output)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert total == size + 4
    assert peak < 4 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB while iterating a {size / 1e6:.0f} MB file"
