"""The token goes to the API host only, is never shown, and webhooks are verified strictly."""

from __future__ import annotations

import json
import logging
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Dict, Iterator, List

import pytest

import replicate
from replicate._base.webhooks import sign
from replicate.testing import Emulator

TOKEN = "r8_super_secret_token_0123456789"
SECRET = "whsec_" + "c2VjcmV0LXNpZ25pbmcta2V5LWZvci10ZXN0cw=="


class Recorder:
    """A loopback server that records headers and answers a fixed redirect or JSON."""

    def __init__(self, redirect_to: str = "") -> None:
        self.headers: List[Dict[str, str]] = []
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                recorder.headers.append(dict(self.headers.items()))
                if redirect_to:
                    self.send_response(302)
                    self.send_header("Location", redirect_to)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                body = b'{"type": "user", "username": "elsewhere"}'
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://localhost:{self.server.server_address[1]}"

    def __enter__(self) -> Recorder:
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    em = Emulator(token=TOKEN)
    with em.serve():
        yield em


def test_a_redirect_to_another_host_does_not_carry_the_token(emulator: Emulator) -> None:
    with Recorder() as elsewhere, Recorder(redirect_to=elsewhere.url + "/account") as api:
        client = replicate.Replicate(base_url=api.url, bearer_token=TOKEN)
        assert client.account.get().username == "elsewhere"
        assert api.headers[0]["Authorization"] == f"Bearer {TOKEN}"
        assert "Authorization" not in elsewhere.headers[0]


def test_file_outputs_are_downloaded_without_the_token(emulator: Emulator) -> None:
    output = emulator.client().run("replicate/image", input={"prompt": "x", "width": 2, "height": 2})
    output.read()
    file_requests = [r for r in emulator.requests if r.host.startswith("localhost:")]
    assert file_requests
    assert all("Authorization" not in r.headers for r in file_requests)
    assert all(
        r.headers.get("Authorization") == f"Bearer {TOKEN}"
        for r in emulator.requests
        if r.host.startswith("127.")
    )


def test_an_http_client_s_own_authorization_header_goes_to_the_api_host_only() -> None:
    import httpx

    from replicate._http.call import Call

    sent: Dict[str, object] = {}

    def handler(request: httpx.Request) -> httpx.Response:
        sent[request.url.host] = request.headers.get("Authorization")
        return httpx.Response(200, json={})

    http = httpx.Client(headers={"Authorization": "Bearer mine"}, transport=httpx.MockTransport(handler))
    client = replicate.Replicate(base_url="https://api.example/v1", bearer_token=TOKEN, http_client=http)
    client._send(Call("GET", "/account", None))
    client._send(Call("GET", "https://stream.example/v1/events", None))  # a prediction's urls.stream, say
    assert sent == {"api.example": f"Bearer {TOKEN}", "stream.example": None}


def test_repr_and_logs_never_show_the_token(emulator: Emulator, caplog: pytest.LogCaptureFixture) -> None:
    client = emulator.client(max_retries=1)
    assert TOKEN not in repr(client) and TOKEN not in str(client.default_headers)
    emulator.faults.fail_next(1, status=503, path="/v1/account")
    with caplog.at_level(logging.DEBUG, logger="replicate"):
        client.account.get()
        client.run("replicate/hello-world", input={"text": "log"})
    assert caplog.records, "the replicate logger logged the requests"
    assert all(TOKEN not in record.getMessage() for record in caplog.records)
    assert any("Retrying" in record.getMessage() for record in caplog.records)


def _delivery(body: bytes, *, timestamp: int, signatures: str) -> Dict[str, str]:
    return {"webhook-id": "msg_1", "webhook-timestamp": str(timestamp), "webhook-signature": signatures}


PREDICTION = json.dumps(
    {
        "id": "p1",
        "status": "succeeded",
        "version": "v",
        "input": {},
        "created_at": "2025-01-01T00:00:00Z",
        "urls": {"get": "https://api.replicate.com/v1/predictions/p1", "cancel": "https://x"},
    }
).encode()


def test_webhook_verification_accepts_any_matching_signature_and_rejects_the_rest() -> None:
    client = replicate.Replicate(bearer_token=TOKEN, base_url="http://127.0.0.1:9/v1")
    now = int(time.time())
    good = sign(PREDICTION, webhook_id="msg_1", timestamp=now, secret=SECRET)
    headers = _delivery(PREDICTION, timestamp=now, signatures=f"v1,Zm9yZ2Vk {good}")
    assert client.webhooks.unwrap(PREDICTION, headers, secret=SECRET).id == "p1"
    client.webhooks.verify_signature(PREDICTION, headers, secret=SECRET)
    cases = {
        "forged": (_delivery(PREDICTION, timestamp=now, signatures="v1,Zm9yZ2Vk"), PREDICTION, "forged"),
        "tampered": (headers, PREDICTION.replace(b"succeeded", b"failed"), "tampered"),
        "stale": (_delivery(PREDICTION, timestamp=now - 600, signatures=good), PREDICTION, "too old"),
        "future": (_delivery(PREDICTION, timestamp=now + 600, signatures=good), PREDICTION, "future"),
        "missing header": ({"webhook-id": "msg_1"}, PREDICTION, "webhook-timestamp"),
    }
    for name, (case_headers, body, says) in cases.items():
        with pytest.raises(replicate.WebhookVerificationError, match=says):
            client.webhooks.verify_signature(body, case_headers, secret=SECRET)
        assert name


def test_webhook_tolerance_is_adjustable() -> None:
    client = replicate.Replicate(bearer_token=TOKEN, base_url="http://127.0.0.1:9/v1")
    old = int(time.time()) - 600
    headers = _delivery(
        PREDICTION,
        timestamp=old,
        signatures=sign(PREDICTION, webhook_id="msg_1", timestamp=old, secret=SECRET),
    )
    with pytest.raises(replicate.WebhookVerificationError, match="300 s tolerance"):
        client.webhooks.unwrap(PREDICTION, headers, secret=SECRET)
    client.webhooks.verify_signature(PREDICTION, headers, secret=SECRET, tolerance=900)
    assert client.webhooks.unwrap(PREDICTION, headers, secret=SECRET, tolerance=900).id == "p1"


def test_webhook_secret_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    client = replicate.Replicate(bearer_token=TOKEN, base_url="http://127.0.0.1:9/v1")
    now = int(time.time())
    headers = _delivery(
        PREDICTION,
        timestamp=now,
        signatures=sign(PREDICTION, webhook_id="msg_1", timestamp=now, secret=SECRET),
    )
    monkeypatch.delenv("REPLICATE_WEBHOOK_SECRET", raising=False)
    with pytest.raises(replicate.WebhookVerificationError, match="REPLICATE_WEBHOOK_SECRET"):
        client.webhooks.verify_signature(PREDICTION, headers)
    monkeypatch.setenv("REPLICATE_WEBHOOK_SECRET", SECRET)
    client.webhooks.verify_signature(PREDICTION, headers)


def test_webhook_headers_may_be_pairs_of_str_or_bytes() -> None:
    client = replicate.Replicate(bearer_token=TOKEN, base_url="http://127.0.0.1:9/v1")
    now = int(time.time())
    headers = _delivery(
        PREDICTION,
        timestamp=now,
        signatures=sign(PREDICTION, webhook_id="msg_1", timestamp=now, secret=SECRET),
    )
    pairs = list(headers.items())
    asgi = [(name.title().encode(), value.encode()) for name, value in pairs]  # as an ASGI scope has them
    assert client.webhooks.unwrap(PREDICTION, pairs, secret=SECRET).id == "p1"
    assert client.webhooks.unwrap(PREDICTION, asgi, secret=SECRET).id == "p1"
    with pytest.raises(replicate.WebhookVerificationError, match="forged"):
        client.webhooks.verify_signature(
            PREDICTION, [*pairs[:2], ("webhook-signature", "v1,Zm9yZ2Vk")], secret=SECRET
        )
