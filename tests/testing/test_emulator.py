"""The emulator behaves like api.replicate.com, over real loopback HTTP."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional

import httpx
import pytest

import replicate
from replicate.testing import DEFAULT_TOKEN, Emulator


def test_serves_under_v1_and_requires_the_token(emulator: Emulator) -> None:
    assert emulator.base_url.endswith("/v1")
    response = httpx.get(f"{emulator.base_url}/account", headers={"Authorization": "Bearer wrong"})
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json() == {
        "title": "Unauthenticated",
        "detail": "You did not pass a valid authentication token",
        "status": 401,
    }
    assert emulator.client().account.get().username == "emulator"


def test_a_function_signature_becomes_the_version_schema(emulator: Emulator) -> None:
    @emulator.model("acme/echo")
    def echo(text: str, times: int = 2, loud: bool = False, ratio: Optional[float] = None) -> str:
        """Repeats text."""
        return text * times

    model = emulator.client().models.get(model_owner="acme", model_name="echo")
    assert model.latest_version is not None
    schema: Any = model.latest_version.openapi_schema
    inputs = schema["components"]["schemas"]["Input"]
    assert inputs["required"] == ["text"]
    assert inputs["properties"]["times"] == {"type": "integer", "title": "Times", "x-order": 1, "default": 2}
    assert inputs["properties"]["loud"]["type"] == "boolean"
    assert inputs["properties"]["ratio"]["nullable"] is True
    assert schema["components"]["schemas"]["Output"]["type"] == "string"
    assert model.description == "Repeats text."


def test_generators_stream_and_their_output_is_the_list(emulator: Emulator) -> None:
    @emulator.model("acme/count")
    def count(n: int = 3) -> Iterator[str]:
        for i in range(n):
            time.sleep(0.01)
            yield str(i)

    client = emulator.client()
    schema: Any = client.models.get(model_owner="acme", model_name="count").latest_version
    assert schema.openapi_schema["components"]["schemas"]["Output"]["x-cog-array-type"] == "iterator"
    prediction = client.predictions.create(version="acme/count", input={"n": 3})
    assert prediction.urls is not None and prediction.urls.stream
    with httpx.stream("GET", prediction.urls.stream, headers={"Accept": "text/event-stream"}) as stream:
        text = stream.read().decode()
    assert [line for line in text.splitlines() if line.startswith("event:")] == [
        "event: output",
        "event: output",
        "event: output",
        "event: done",
    ]
    assert client.predictions.wait(prediction_id=prediction.id).output == ["0", "1", "2"]


def test_an_exception_fails_the_prediction_with_its_traceback_in_logs(emulator: Emulator) -> None:
    @emulator.model("acme/broken")
    def broken() -> str:
        print("loading weights")
        raise ValueError("out of cheese")

    prediction = emulator.client().predictions.create(version="acme/broken", input={}, prefer="wait")
    assert prediction.status == "failed"
    assert prediction.error == "out of cheese"
    assert prediction.logs is not None
    assert "loading weights" in prediction.logs and "ValueError: out of cheese" in prediction.logs


def test_prints_go_to_logs_and_timestamps_and_metrics_are_set(emulator: Emulator) -> None:
    @emulator.model("acme/chatty")
    def chatty() -> str:
        print("step 1")
        print("step 2")
        return "ok"

    prediction = emulator.client().predictions.create(version="acme/chatty", input={}, prefer="wait")
    assert prediction.status == "succeeded"
    assert prediction.logs == "step 1\nstep 2\n"
    assert prediction.started_at is not None and prediction.completed_at is not None
    assert prediction.created_at <= prediction.started_at <= prediction.completed_at
    assert prediction.metrics is not None and prediction.metrics.predict_time is not None
    assert prediction.urls is not None and prediction.urls.get.endswith(f"/predictions/{prediction.id}")


def test_file_outputs_are_served_from_another_host(emulator: Emulator) -> None:
    @emulator.model("acme/files")
    def files() -> List[Path]:
        return [b"first", b"second"]  # type: ignore[list-item]

    output = emulator.client().run("acme/files", input={})
    urls = [item.url for item in output]
    assert all(url.startswith("http://localhost:") for url in urls)
    assert httpx.URL(urls[0]).port != httpx.URL(emulator.base_url).port
    assert [item.read() for item in output] == [b"first", b"second"]
    file_host_requests = [r for r in emulator.requests if r.host.startswith("localhost:")]
    assert file_host_requests and all("Authorization" not in r.headers for r in file_host_requests)


def test_builtin_demo_models(emulator: Emulator) -> None:
    client = emulator.client()
    assert client.run("replicate/hello-world", input={"text": "x"}) == "hello x"
    image = client.run("replicate/image", input={"prompt": "p", "width": 4, "height": 4})
    assert image.read().startswith(b"\x89PNG")
    tokens = list(client.use("replicate/stream-tokens", streaming=True)(max_tokens=3, delay=0))
    assert "".join(tokens) == "Once upon a"
    with pytest.raises(replicate.ModelError, match="always fails"):
        client.run("replicate/fail", input={})
    assert client.run("replicate/sleep", input={"seconds": 0.05}) == "slept 0.05s"


def test_prefer_wait_past_the_window_returns_starting(emulator: Emulator) -> None:
    created = emulator.client().predictions.create(
        version="replicate/sleep", input={"seconds": 1.5}, prefer="wait=1"
    )
    assert created.status == "starting"
    assert created.output is None


def test_cancel_mid_run_and_cancel_after(emulator: Emulator) -> None:
    client = emulator.client()
    running = client.predictions.create(version="replicate/sleep", input={"seconds": 5})
    canceled = client.predictions.cancel(prediction_id=running.id)
    assert canceled.status == "canceled"
    timed = client.predictions.create(version="replicate/sleep", input={"seconds": 5}, cancel_after="0.2s")
    assert client.predictions.wait(prediction_id=timed.id).status == "canceled"


def _model_that_runs_until_stopped(emulator: Emulator, name: str) -> Dict[str, threading.Event]:
    events = {"started": threading.Event(), "stopped": threading.Event(), "printed_late": threading.Event()}

    @emulator.model(name)
    def forever(ticks: int = 600) -> str:
        events["started"].set()
        try:
            for _ in range(ticks):
                time.sleep(0.05)
            print("still here")
            events["printed_late"].set()
            return "never"
        finally:
            events["stopped"].set()

    return events


def test_canceling_stops_the_model_code(emulator: Emulator) -> None:
    events = _model_that_runs_until_stopped(emulator, "acme/forever")
    client = emulator.client()
    running = client.predictions.create(version="acme/forever", input={})
    assert running.status in ("starting", "processing")
    assert events["started"].wait(10)
    assert client.predictions.get(prediction_id=running.id).status == "processing"
    assert client.predictions.cancel(prediction_id=running.id).status == "canceled"
    # A canceled model's code gets an exception, as under Cog, rather than running on for 30 s.
    assert events["stopped"].wait(10)
    assert not events["printed_late"].is_set()
    assert client.predictions.get(prediction_id=running.id).status == "canceled"


def test_leaving_serve_cancels_running_models_so_nothing_prints_after(
    capfd: pytest.CaptureFixture[str],
) -> None:
    emulator = Emulator(builtin_models=False)
    events = _model_that_runs_until_stopped(emulator, "acme/forever")
    with emulator.serve():
        running = emulator.client().predictions.create(version="acme/forever", input={"ticks": 40})
        assert events["started"].wait(10)
    assert events["stopped"].wait(10)
    assert emulator.predictions[running.id].status == "canceled"
    assert not events["printed_late"].is_set()
    assert "still here" not in capfd.readouterr().out


def test_invalid_input_is_a_422_naming_the_field(emulator: Emulator) -> None:
    with pytest.raises(replicate.UnprocessableEntityError, match=r"input\.colour"):
        emulator.client().predictions.create(
            version="replicate/hello-world", input={"text": "x", "colour": "red"}
        )


def test_cursor_pagination_with_absolute_next_urls(emulator: Emulator) -> None:
    client = emulator.client()
    for n in range(7):
        client.predictions.create(version="replicate/hello-world", input={"text": str(n)})
    first = client.predictions.list()
    assert len(first.results) == 3
    assert first.next is not None and first.next.startswith(emulator.base_url)
    assert first.previous is None
    second = first.get_next_page()
    assert second is not None and second.previous is not None
    back = httpx.get(second.previous, headers={"Authorization": f"Bearer {emulator.token}"}).json()
    assert [p["id"] for p in back["results"]] == [p.id for p in first.results]
    assert len(list(first)) == 7
    assert emulator.prediction_count == 7


def test_files_upload_get_list_delete_and_signed_downloads(emulator: Emulator, tmp_path: Path) -> None:
    client = emulator.client()
    source = tmp_path / "data.json"
    source.write_text('{"a": 1}')
    created = client.files.create(content=source, metadata={"purpose": "test"})
    assert created.content_type == "application/json" and created.size == 8
    assert created.metadata == {"purpose": "test"}
    assert client.files.get(file_id=created.id).id == created.id
    assert [f.id for f in client.files.list()] == [created.id]
    url = httpx.URL(emulator.download_url(created.id))
    params = dict(url.params)
    download = client.files.download(
        file_id=created.id, expiry=int(params["expiry"]), owner=params["owner"], signature=params["signature"]
    )
    assert download.read() == b'{"a": 1}'
    expired = httpx.URL(emulator.download_url(created.id, expires_in=-10))
    with pytest.raises(replicate.NotFoundError):
        client.files.download(
            file_id=created.id,
            expiry=int(expired.params["expiry"]),
            owner=expired.params["owner"],
            signature=expired.params["signature"],
        )
    client.files.delete(file_id=created.id)
    with pytest.raises(replicate.NotFoundError):
        client.files.get(file_id=created.id)


def _train_hello_world(client: replicate.Replicate, name: str, **options: Any) -> replicate.types.Training:
    """Create the model emulator/`name` and start training hello-world's latest version into it."""
    version = client.models.get(model_owner="replicate", model_name="hello-world").latest_version
    assert version is not None and version.id
    client.models.create(owner="emulator", name=name, visibility="private", hardware="cpu")
    return client.trainings.create(
        model_owner="replicate",
        model_name="hello-world",
        version_id=version.id,
        destination=f"emulator/{name}",
        input={},
        **options,
    )


def test_deployments_run_their_model_and_trainings_make_versions(emulator: Emulator) -> None:
    client = emulator.client()
    version = client.models.get(model_owner="replicate", model_name="hello-world").latest_version
    assert version is not None and version.id
    client.deployments.create(
        name="hello",
        model="replicate/hello-world",
        version=version.id,
        hardware="cpu",
        min_instances=0,
        max_instances=1,
    )
    prediction = client.deployments.predictions.create(
        deployment_owner="emulator", deployment_name="hello", input={"text": "d"}, prefer="wait"
    )
    assert prediction.output == "hello d"
    training = _train_hello_world(client, "tuned")
    for _ in range(100):
        training = client.trainings.get(training_id=training.id)
        if training.status == "succeeded":
            break
        time.sleep(0.02)
    assert training.status == "succeeded"
    assert training.output is not None
    assert [v.id for v in client.models.versions.list(model_owner="emulator", model_name="tuned")]


def test_models_search_readme_collections_hardware_and_search(emulator: Emulator) -> None:
    client = emulator.client()
    assert [m.name for m in client.models.search(body="hello")] == ["hello-world"]
    assert "hello" in client.models.readme.get(model_owner="replicate", model_name="hello-world")
    assert client.collections.get(collection_slug="emulator-models").models
    assert {h.sku for h in client.hardware.list()} >= {"cpu", "gpu-t4"}
    assert client.search(query="image").models[0].model.name == "image"


def test_webhooks_are_signed_and_verify_with_the_client(emulator: Emulator) -> None:
    received: List[Dict[str, Any]] = []

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append({"body": body, "headers": dict(self.headers.items())})
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        client = emulator.client()
        secret = client.webhooks.default.secret.get().key
        assert secret is not None and secret.startswith("whsec_")
        client.predictions.create(
            version="replicate/hello-world",
            input={"text": "hook"},
            webhook=f"http://127.0.0.1:{server.server_address[1]}/hook",
            webhook_events_filter=["completed"],
        )
        for _ in range(200):
            if received:
                break
            time.sleep(0.01)
        assert len(received) == 1
        delivery = received[0]
        prediction = client.webhooks.unwrap(delivery["body"], delivery["headers"], secret=secret)
        assert isinstance(prediction, replicate.types.Prediction)
        assert prediction.output == "hello hook"
        tampered = delivery["body"].replace(b"hello hook", b"hello evil")
        with pytest.raises(replicate.WebhookVerificationError, match="forged or tampered"):
            client.webhooks.unwrap(tampered, delivery["headers"], secret=secret)
    finally:
        server.shutdown()


def _webhook_receiver(failures: int) -> tuple[HTTPServer, List[Dict[str, Any]]]:
    """A loopback webhook endpoint that answers 500 to its first `failures` deliveries."""
    received: List[Dict[str, Any]] = []

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append({"body": body, "headers": dict(self.headers.items())})
            self.send_response(500 if len(received) <= failures else 200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    return server, received


def test_webhooks_are_retried_and_trainings_send_them_too(emulator: Emulator) -> None:
    server, received = _webhook_receiver(failures=1)
    try:
        client = emulator.client()
        secret = client.webhooks.default.secret.get().key
        training = _train_hello_world(
            client,
            "hooked",
            webhook=f"http://127.0.0.1:{server.server_address[1]}/hook",
            webhook_events_filter=["completed"],
        )
        for _ in range(500):
            if emulator.webhook_deliveries:
                break
            time.sleep(0.01)
        # The first attempt got a 500; the emulator tried again, as Replicate does.
        assert emulator.webhook_deliveries == [
            {"url": f"http://127.0.0.1:{server.server_address[1]}/hook", "event": "completed", "status": 200}
        ]
        assert len(received) == 2 and received[0]["body"] == received[1]["body"]
        delivered = client.webhooks.unwrap(received[1]["body"], received[1]["headers"], secret=secret)
        assert isinstance(delivered, replicate.types.Training)
        assert delivered.id == training.id and delivered.status == "succeeded"
    finally:
        server.shutdown()
        server.server_close()


def test_event_streams_carry_logs_error_and_done(emulator: Emulator) -> None:
    client = emulator.client()
    prediction = client.predictions.create(version="replicate/fail", input={"message": "kaput"})
    assert prediction.urls is not None and prediction.urls.stream
    text = httpx.get(prediction.urls.stream, headers={"Accept": "text/event-stream"}).text
    events = []
    for block in text.strip().split("\n\n"):
        fields = [line.split(": ", 1) for line in block.splitlines()]
        events.append((dict(fields)["event"], "\n".join(value for key, value in fields if key == "data")))
    names = [name for name, _ in events]
    assert names[0] == "logs" and names[-2:] == ["error", "done"]
    assert ("logs", "starting up") in events
    assert json.loads(events[-2][1]) == {"detail": "kaput"}
    assert json.loads(events[-1][1]) == {"reason": "error"}


def test_event_streams_are_on_another_origin_and_can_be_left_out(emulator: Emulator) -> None:
    client = emulator.client()
    prediction = client.predictions.create(version="replicate/hello-world", input={"text": "s"})
    assert prediction.urls is not None and prediction.urls.stream
    stream = httpx.URL(prediction.urls.stream)
    assert stream.host == "localhost" and stream.port not in (
        httpx.URL(emulator.base_url).port,
        httpx.URL(emulator.file_base_url).port,
    )
    assert "event: done" in httpx.get(stream).text  # no token needed: the URL is the key
    assert httpx.get(emulator.stream_base_url + "/v1/streams/nope").status_code == 404
    emulator.stream_urls = False
    prediction = client.predictions.create(version="replicate/hello-world", input={"text": "s"})
    assert prediction.urls is not None and prediction.urls.stream is None


def test_the_request_log_counts_requests_in_flight(emulator: Emulator) -> None:
    emulator.faults.delay(0.2, path="/v1/hardware")
    client = emulator.client()
    threads = [threading.Thread(target=client.hardware.list) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    client.account.get()
    assert max(r.in_flight for r in emulator.seen("GET", "/v1/hardware")) > 1
    assert emulator.seen("GET", "/v1/account")[-1].in_flight == 1


def test_faults_fail_drop_delay_throttle_and_cut_streams(emulator: Emulator) -> None:
    client = emulator.client(max_retries=0, reconcile_creates=False)  # the faults as they land
    emulator.faults.fail_next(1, status=503, retry_after=1, path="/v1/account")
    with pytest.raises(replicate.InternalServerError) as unavailable:
        client.account.get()
    assert unavailable.value.response.headers["retry-after"] == "1"
    assert client.account.get().username == "emulator"

    emulator.faults.drop_next(1, path="/v1/hardware")
    with pytest.raises(replicate.APIConnectionError):
        client.hardware.list()

    emulator.faults.drop_next(1, after_processing=True, method="POST", path="/v1/predictions")
    before = emulator.prediction_count
    with pytest.raises(replicate.APIConnectionError) as dropped:
        client.predictions.create(version="replicate/hello-world", input={"text": "x"})
    assert dropped.value.may_have_been_created and emulator.prediction_count == before + 1

    emulator.faults.delay(0.3, n=1, path="/v1/account")
    with pytest.raises(replicate.APITimeoutError):
        client.account.get(timeout=0.1)

    emulator.faults.rate_limit(2)
    statuses = []
    for _ in range(4):
        try:
            client.account.get()
            statuses.append(200)
        except replicate.RateLimitError as error:
            statuses.append(429)
            assert error.response.headers["retry-after"]
    assert 429 in statuses
    emulator.faults.clear()

    emulator.faults.cut_stream(after_events=1)
    prediction = client.predictions.create(version="replicate/stream-tokens", input={"max_tokens": 5})
    assert prediction.urls is not None and prediction.urls.stream
    text = httpx.get(prediction.urls.stream, headers={"Accept": "text/event-stream"}).text
    assert "event: done" not in text and text.count("event: output") == 1
    assert emulator.faults.injected


def test_request_log_records_hosts_and_bodies(emulator: Emulator) -> None:
    emulator.client().run("replicate/hello-world", input={"text": "log"})
    create = emulator.seen("POST", "/predictions")[0]
    assert json.loads(create.body)["input"] == {"text": "log"}
    assert create.headers["Authorization"] == f"Bearer {emulator.token}"
    assert create.host.startswith("127.0.0.1:")


@pytest.mark.anyio
async def test_async_client_against_the_emulator(emulator: Emulator) -> None:
    async with emulator.async_client() as client:
        assert await client.run("replicate/hello-world", input={"text": "async"}) == "hello async"


def test_serve_from_a_shell(tmp_path: Path) -> None:
    import subprocess
    import sys

    process = subprocess.Popen(
        [sys.executable, "-m", "replicate.testing", "serve", "--token", "r8_shell"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert "serving at http://127.0.0.1:" in line
        base_url = line.split("serving at ")[1].strip()
        assert "REPLICATE_API_TOKEN=r8_shell" in process.stdout.readline() + process.stdout.readline()
        client = replicate.Replicate(base_url=base_url, bearer_token="r8_shell")
        assert client.run("replicate/hello-world", input={"text": "shell"}) == "hello shell"
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_serve_from_a_shell_on_a_given_port_with_more_models(tmp_path: Path) -> None:
    import os
    import socket
    import subprocess
    import sys

    (tmp_path / "my_models.py").write_text(
        "def register(emulator):\n"
        "    @emulator.model('acme/shout')\n"
        "    def shout(text: str) -> str:\n"
        "        return text.upper()\n"
    )
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")])}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "replicate.testing",
            "serve",
            "--port",
            str(port),
            "--models",
            "my_models:register",
        ],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert process.stdout is not None
        assert f"serving at http://127.0.0.1:{port}/v1" in process.stdout.readline()
        banner = "".join(process.stdout.readline() for _ in range(3))
        assert "acme/shout" in banner and "replicate/hello-world" in banner
        client = replicate.Replicate(base_url=f"http://127.0.0.1:{port}/v1", bearer_token=DEFAULT_TOKEN)
        assert client.run("acme/shout", input={"text": "hey"}) == "HEY"
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_the_emulator_needs_only_the_standard_library() -> None:
    import subprocess
    import sys

    script = """
import json, sys, urllib.request
from replicate.testing import Emulator
em = Emulator()
with em.serve() as base_url:
    request = urllib.request.Request(
        f"{base_url}/models/replicate/hello-world/predictions",
        data=json.dumps({"input": {"text": "stdlib"}}).encode(),
        headers={"Authorization": f"Bearer {em.token}", "Content-Type": "application/json", "Prefer": "wait"},
    )
    with urllib.request.urlopen(request) as response:
        print(json.load(response)["output"])
print(sorted({name.split(".")[0] for name in sys.modules} & {"httpx", "httpcore", "pydantic", "anyio", "distro"}))
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["hello stdlib", "[]"]


def test_a_prediction_canceled_before_its_model_starts_stays_canceled() -> None:
    # The runner thread may start after a cancel has already ended the prediction (a busy
    # machine): it must not move it back to "processing", nor run the model.
    from replicate.testing._records import PredictionRecord
    from replicate.testing._runner import finish, run_prediction

    prediction = PredictionRecord(id="p", model="o/m", version="v", input={}, api_base="http://x")
    prediction.cancel_requested.set()
    assert finish(prediction, "canceled")
    ran: List[str] = []
    run_prediction(prediction, lambda: ran.append("ran"), {}, lambda name, data: name, lambda p, e: None)
    assert (prediction.status, prediction.started_at, ran) == ("canceled", None, [])
