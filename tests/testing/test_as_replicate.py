"""The emulator answers as api.replicate.com does where published clients notice (issue 15)."""

from __future__ import annotations

import base64
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Dict, Iterator, List, Tuple

import httpx
import pytest

from replicate.testing import Emulator


def _auth(emulator: Emulator, scheme: str = "Bearer") -> Dict[str, str]:
    return {"Authorization": f"{scheme} {emulator.token}"}


def _events(url: str) -> List[Tuple[str, str]]:
    text = httpx.get(url, headers={"Accept": "text/event-stream"}).text
    events: List[Tuple[str, str]] = []
    for block in text.strip().split("\n\n"):
        fields = [line.split(": ", 1) for line in block.splitlines()]
        events.append((dict(fields)["event"], "\n".join(v for k, v in fields if k == "data")))
    return events


def test_a_model_that_returns_sends_its_output_on_its_stream_before_done(emulator: Emulator) -> None:
    @emulator.model("acme/pair")
    def pair() -> List[str]:
        return ["left", "right"]

    client = emulator.client()
    hello = client.predictions.create(version="replicate/hello-world", input={"text": "s"})
    assert hello.urls is not None and hello.urls.stream
    assert _events(hello.urls.stream) == [("output", "hello s"), ("done", "{}")]
    image = client.predictions.create(version="replicate/image", input={"width": 2, "height": 2})
    assert image.urls is not None and image.urls.stream
    (kind, url), done = _events(image.urls.stream)
    assert kind == "output" and url.startswith(emulator.file_base_url) and done[0] == "done"
    listed = client.predictions.create(version="acme/pair", input={})
    assert listed.urls is not None and listed.urls.stream
    assert _events(listed.urls.stream) == [("output", "left"), ("output", "right"), ("done", "{}")]


def test_file_outputs_can_be_data_urls_that_clients_read_as_files() -> None:
    emulator = Emulator(file_outputs="data")
    with emulator.serve():
        output = emulator.client().run("replicate/image", input={"width": 2, "height": 2})
        assert output.url.startswith("data:image/png;base64,")
        assert output.read().startswith(b"\x89PNG")
        created = httpx.post(
            f"{emulator.base_url}/models/replicate/image/predictions",
            json={"input": {}},
            headers={**_auth(emulator), "Prefer": "wait"},
        ).json()
        assert base64.b64decode(created["output"].split(",", 1)[1]).startswith(b"\x89PNG")
        assert not emulator.outputs  # nothing on the file host
    with pytest.raises(ValueError, match="file_outputs"):
        Emulator(file_outputs="https")  # type: ignore[arg-type]


def test_cancel_after_sets_the_deadline(emulator: Emulator) -> None:
    client = emulator.client()
    timed = client.predictions.create(version="replicate/sleep", input={"seconds": 5}, cancel_after="1m30s")
    assert timed.deadline is not None
    assert abs((timed.deadline - timed.created_at).total_seconds() - 90) < 1
    assert client.predictions.get(prediction_id=timed.id).deadline == timed.deadline
    untimed = client.predictions.create(version="replicate/hello-world", input={"text": "x"})
    assert untimed.deadline is None


def test_token_authorization_is_accepted_as_well_as_bearer(emulator: Emulator) -> None:
    url = f"{emulator.base_url}/account"
    assert httpx.get(url, headers=_auth(emulator, "Token")).json()["username"] == "emulator"
    assert httpx.get(url, headers=_auth(emulator, "Bearer")).status_code == 200
    assert httpx.get(url, headers={"Authorization": "Token wrong"}).status_code == 401
    assert httpx.get(url, headers={"Authorization": f"Basic {emulator.token}"}).status_code == 401
    assert httpx.get(url, headers={"Authorization": "Token r8_\u00e9".encode()}).status_code == 401


@pytest.mark.parametrize(
    ("body", "content_type"),
    [("hello", "text/plain"), ('"hello"', "application/json"), ('"hello"', "text/plain")],
)
def test_search_reads_raw_text_and_json_strings(emulator: Emulator, body: str, content_type: str) -> None:
    response = httpx.request(
        "QUERY",
        f"{emulator.base_url}/models",
        content=body,
        headers={**_auth(emulator), "Content-Type": content_type},
    )
    assert [m["name"] for m in response.json()["results"]] == ["hello-world"]


def test_search_limits_out_of_range_are_refused(emulator: Emulator) -> None:
    url = f"{emulator.base_url}/search"
    assert httpx.get(url, params={"query": "e", "limit": 1}, headers=_auth(emulator)).json()["models"]
    for limit in ("x", "0", "51"):
        refused = httpx.get(url, params={"query": "e", "limit": limit}, headers=_auth(emulator))
        assert refused.status_code == 400 and "limit" in refused.json()["detail"]


def test_upload_metadata_form_fields_are_kept_and_unknown_parts_refused(emulator: Emulator) -> None:
    url = f"{emulator.base_url}/files"
    created = httpx.post(
        url,
        headers=_auth(emulator),
        files={"content": ("a.txt", b"abc", "text/plain")},
        data={"metadata[purpose]": "test", "metadata[owner][team]": "ml", "metadata[tags][]": ["a", "b"]},
    )
    assert created.status_code == 201
    assert created.json()["metadata"] == {"purpose": "test", "owner": {"team": "ml"}, "tags": ["a", "b"]}
    unknown = httpx.post(
        url, headers=_auth(emulator), files={"content": ("a.txt", b"abc")}, data={"purpose": "x"}
    )
    assert unknown.status_code == 400 and "'purpose'" in unknown.json()["detail"]
    broken = httpx.post(
        url, headers=_auth(emulator), files={"content": ("a.txt", b"abc")}, data={"metadata": "{not json"}
    )
    assert broken.status_code == 400 and "metadata" in broken.json()["detail"]
    assert len(emulator.files) == 1


def test_deployment_predictions_name_the_pinned_version(emulator: Emulator) -> None:
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
        deployment_owner="emulator", deployment_name="hello", input={"text": "d"}
    )
    assert prediction.version == version.id
    official = client.models.predictions.create(
        model_owner="replicate", model_name="hello-world", input={"text": "o"}
    )
    assert official.version == "hidden"


def test_a_malformed_cursor_is_a_400_naming_it(emulator: Emulator) -> None:
    for cursor in ("x", "-3"):
        response = httpx.get(
            f"{emulator.base_url}/predictions", params={"cursor": cursor}, headers=_auth(emulator)
        )
        assert response.status_code == 400
        assert f"Invalid cursor {cursor!r}" in response.json()["detail"]


def test_file_expiry_stays_put_a_day_after_creation(emulator: Emulator) -> None:
    client = emulator.client()
    created = client.files.create(content=b"abc", filename="a.txt")
    time.sleep(0.01)
    again = client.files.get(file_id=created.id)
    assert created.expires_at == again.expires_at
    assert created.expires_at is not None and created.created_at is not None
    assert (created.expires_at - created.created_at).total_seconds() == 24 * 3600


class _SlowFirstReceiver(BaseHTTPRequestHandler):
    """Records deliveries when it has answered them; takes its time over the first."""

    received: List[Dict[str, Any]] = []

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if body["status"] == "processing" and not body["output"] and not body["logs"]:
            time.sleep(0.3)
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()
        self.received.append(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


def test_webhooks_arrive_in_order_with_output_and_logs_throttled(emulator: Emulator) -> None:
    @emulator.model("acme/ticker")
    def ticker(n: int = 12) -> Iterator[str]:
        for i in range(n):
            print(f"tick {i}")
            time.sleep(0.05)
            yield str(i)

    server = ThreadingHTTPServer(("127.0.0.1", 0), _SlowFirstReceiver)
    server.daemon_threads = True
    _SlowFirstReceiver.received = received = []
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    try:
        client = emulator.client()
        prediction = client.predictions.create(
            version="acme/ticker", input={}, webhook=f"http://127.0.0.1:{server.server_address[1]}/hook"
        )
        client.predictions.wait(prediction_id=prediction.id)
        for _ in range(300):
            if received and received[-1]["status"] == "succeeded":
                break
            time.sleep(0.01)
        statuses = [body["status"] for body in received]
        assert statuses[-1] == "succeeded" and set(statuses[:-1]) == {"processing"}
        outputs = [len(body["output"] or []) for body in received]
        assert outputs == sorted(outputs) and outputs[-1] == 12
        # 12 outputs and 12 log lines over ~0.6 s: a start, at most a few throttled, the end.
        assert 2 <= len(received) <= 5
    finally:
        server.shutdown()
        server.server_close()
