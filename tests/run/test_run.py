"""replicate.run() / client.run() over loopback HTTP: waiting, errors, outputs."""

from __future__ import annotations

import json
import threading
import time
from typing import Any

import httpx
import pytest

import replicate
from replicate import FileOutput, ModelError, PredictionCanceledError
from replicate._run import prefer_header, wait_timeout
from replicate.types import Model, Prediction, Version

from .conftest import WAIT_WINDOW
from .mini_api import TOKEN, MiniAPI


def test_run_returns_a_quick_models_output_in_one_request(api: MiniAPI) -> None:
    assert api.client().run("acme/echo", input={"text": "hi"}) == "echo hi"
    (create,) = api.requests
    assert create.method == "POST" and create.path == "/v1/models/acme/echo/predictions"
    assert create.headers["Prefer"] == "wait"


def test_run_by_version_posts_to_predictions_with_the_version(api: MiniAPI) -> None:
    version = api.models["acme/echo"][2]
    client = api.client()
    for ref in (
        version,
        f"acme/echo:{version}",
        Version(id=version),
        replicate.ModelVersionIdentifier("acme", "echo", version),
    ):
        assert client.run(ref, input={"text": "v"}) == "echo v"
    creates = api.seen("POST", "/predictions")
    assert [r.path for r in creates] == ["/v1/predictions"] * 4
    assert all(json.loads(r.body)["version"] == version for r in creates)


def test_run_by_model_object_uses_the_models_endpoint(api: MiniAPI) -> None:
    assert api.client().run(Model(owner="acme", name="echo"), input={}) == "echo x"
    assert api.requests[0].path == "/v1/models/acme/echo/predictions"


def test_wait_n_sends_prefer_wait_n_and_a_read_timeout_longer_than_the_window(api: MiniAPI) -> None:
    assert api.client().run("acme/echo", input={}, wait=5) == "echo x"
    assert api.requests[0].headers["Prefer"] == "wait=5"
    # The default 60 s read timeout would race a 60 s server window.
    timeout = wait_timeout(replicate.DEFAULT_TIMEOUT, 60)
    assert timeout.read is not None and timeout.read > 60
    assert timeout.connect == replicate.DEFAULT_TIMEOUT.connect


def test_wait_must_be_1_to_60_seconds_and_excludes_prefer(api: MiniAPI) -> None:
    client = api.client()
    for bad in (0, 61, -1):
        with pytest.raises(ValueError, match="1 to 60"):
            client.run("acme/echo", input={}, wait=bad)
    with pytest.raises(TypeError, match="wait= or prefer="):
        client.run("acme/echo", input={}, wait=True, prefer="wait=5")
    assert api.requests == []
    assert prefer_header(True, replicate.NOT_GIVEN) == "wait"
    assert prefer_header(replicate.NOT_GIVEN, "wait=3") == "wait=3"


def test_wait_false_returns_the_prediction_without_blocking(api: MiniAPI) -> None:
    started = time.monotonic()
    prediction = api.client().run("acme/echo", input={"seconds": 1}, wait=False)
    assert time.monotonic() - started < 0.5
    assert isinstance(prediction, Prediction)
    assert prediction.status in ("starting", "processing")
    assert "Prefer" not in api.requests[0].headers


def test_run_past_the_wait_window_returns_as_soon_as_the_prediction_ends(api: MiniAPI) -> None:
    client = api.client()
    # Warm up first: what is timed is the wait, not first-use imports (which a loaded machine slows).
    assert client.run("acme/echo", input={"text": "quick"}) == "echo quick"
    seconds = WAIT_WINDOW + 0.4
    started = time.monotonic()
    assert client.run("acme/echo", input={"text": "slow", "seconds": seconds}) == "echo slow"
    late = time.monotonic() - started - seconds
    assert late < 0.1, f"returned {late:.3f}s after the model ended"
    # It followed the event stream (on its own host: no token sent there) instead of polling.
    (stream,) = api.seen("GET", "/streams/")
    assert stream.headers["Accept"] == "text/event-stream"
    assert "Authorization" not in stream.headers
    assert len(api.seen("GET", "/v1/predictions/")) == 1


def test_run_polls_quickly_when_there_is_no_stream_url(api: MiniAPI, monkeypatch: pytest.MonkeyPatch) -> None:
    api.streaming = False
    monkeypatch.setenv("REPLICATE_POLL_INTERVAL", "0.05")
    seconds = WAIT_WINDOW + 0.3
    started = time.monotonic()
    assert api.client().run("acme/echo", input={"seconds": seconds}) == "echo x"
    assert time.monotonic() - started - seconds < 0.1
    assert len(api.seen("GET", "/v1/predictions/")) >= 5  # a short, growing, capped interval


def test_a_bad_poll_interval_setting_is_a_clear_error(api: MiniAPI, monkeypatch: pytest.MonkeyPatch) -> None:
    api.streaming = False
    monkeypatch.setenv("REPLICATE_POLL_INTERVAL", "soon")
    with pytest.raises(ValueError, match="REPLICATE_POLL_INTERVAL"):
        api.client().run("acme/echo", input={"seconds": WAIT_WINDOW + 0.1})


def test_run_recovers_the_output_when_the_event_stream_is_cut(api: MiniAPI) -> None:
    api.cut_streams = True
    assert api.client().run("acme/echo", input={"text": "cut", "seconds": WAIT_WINDOW + 0.1}) == "echo cut"


def test_a_failed_prediction_raises_model_error_with_error_and_logs(api: MiniAPI) -> None:
    with pytest.raises(ModelError) as caught:
        api.client().run("acme/fail", input={})
    assert "the model fell over" in str(caught.value)
    assert "Traceback" in str(caught.value)  # the logs' tail
    assert caught.value.prediction.status == "failed"
    assert not isinstance(caught.value, PredictionCanceledError)


def test_a_failure_past_the_wait_window_raises_model_error_too(api: MiniAPI) -> None:
    with pytest.raises(ModelError, match="fell over"):
        api.client().run("acme/fail", input={"seconds": WAIT_WINDOW + 0.1})


def test_a_canceled_prediction_raises_prediction_canceled_error(api: MiniAPI) -> None:
    client = api.client()

    def cancel_soon() -> None:
        time.sleep(WAIT_WINDOW + 0.1)
        (prediction_id,) = list(api.predictions)
        client.predictions.cancel(prediction_id=prediction_id)

    threading.Thread(target=cancel_soon).start()
    with pytest.raises(PredictionCanceledError) as caught:
        client.run("acme/echo", input={"seconds": WAIT_WINDOW + 0.5})
    assert caught.value.prediction.status == "canceled"


def test_run_returns_file_outputs_for_url_outputs(api: MiniAPI) -> None:
    output = api.client().run("acme/image", input={"size": 100})
    assert isinstance(output, FileOutput)
    assert output.url.startswith("http://127.0.0.1:")
    assert output.filename == "image.png"
    assert output.read() == b"\x89PNG" + bytes(100)
    assert output.content_type == "application/octet-stream"  # from the download's headers
    assert str(output) == output.url


def test_file_outputs_are_found_recursively_and_data_uris_decode_locally(api: MiniAPI) -> None:
    output = api.client().run("acme/nested", input={})
    first, second = output["files"]
    assert isinstance(first, FileOutput) and first.read() == b"A"
    assert second.read() == b"B"
    assert output["note"] == "plain"
    inline = output["inline"]
    assert isinstance(inline, FileOutput)
    downloads_before = len(api.requests)
    assert inline.read() == b"hi" and inline.content_type == "text/plain"
    assert len(api.requests) == downloads_before


def test_use_file_output_false_returns_the_urls(api: MiniAPI) -> None:
    output = api.client().run("acme/image", input={}, use_file_output=False)
    assert isinstance(output, str) and output.startswith("http://")


def test_file_downloads_from_another_host_carry_no_authorization(api: MiniAPI) -> None:
    api.client().run("acme/image", input={}).read()
    (download,) = [r for r in api.requests if r.path.startswith("/files/")]
    assert "Authorization" not in download.headers
    assert all(r.headers.get("Authorization") == f"Bearer {TOKEN}" for r in api.seen("POST", "/predictions"))


def test_a_user_http_client_with_its_own_auth_header_does_not_leak_it(api: MiniAPI) -> None:
    http = httpx.Client(headers={"Authorization": f"Bearer {TOKEN}"})
    output = api.client(http_client=http).run("acme/image", input={})
    assert output.read().startswith(b"\x89PNG")
    (download,) = [r for r in api.requests if r.path.startswith("/files/")]
    assert "Authorization" not in download.headers


def test_file_output_iterates_in_chunks_and_saves(api: MiniAPI, tmp_path: Any) -> None:
    output = api.client().run("acme/image", input={"size": 300_000})
    chunks = list(output.iter_bytes(chunk_size=65536))
    assert max(len(c) for c in chunks) <= 65536 and len(chunks) >= 5
    assert b"".join(chunks) == b"\x89PNG" + bytes(300_000)
    saved = output.save(tmp_path)
    assert saved == tmp_path / "image.png" and saved.stat().st_size == 300_004
    assert output.save(tmp_path / "copy.bin").read_bytes() == saved.read_bytes()


def test_iterator_models_return_an_iterator(api: MiniAPI) -> None:
    output = api.client().run("acme/tokens", input={"n": 3})
    assert iter(output) is output
    assert list(output) == ["t0 ", "t1 ", "t2 "]
    frames = list(api.client().run("acme/frames", input={"n": 2}))
    assert [f.read() for f in frames] == [b"frame0", b"frame1"]


def test_module_level_run_uses_the_configured_default_client(
    api: MiniAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(replicate, "bearer_token", TOKEN)
    monkeypatch.setattr(replicate, "base_url", api.base_url)
    assert replicate.run("acme/echo", input={"text": "module"}) == "echo module"


def test_ctrl_c_during_a_sync_run_cancels_the_prediction(api: MiniAPI) -> None:
    import _thread

    threading.Timer(WAIT_WINDOW + 0.2, _thread.interrupt_main).start()
    with pytest.raises(KeyboardInterrupt):
        api.client().run("acme/echo", input={"seconds": 2})
    (prediction,) = api.predictions.values()
    assert prediction.cancel.is_set()
    assert len(api.seen("POST", "/cancel")) == 1


def test_iterating_a_large_file_output_keeps_memory_bounded(api: MiniAPI) -> None:
    import tracemalloc

    size = 20 * 1024 * 1024
    output = api.client().run("acme/image", input={"size": size})
    tracemalloc.start()
    try:
        total = sum(len(chunk) for chunk in output)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert total == size + 4
    assert peak < 4 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB while iterating a {size / 1e6:.0f} MB file"
