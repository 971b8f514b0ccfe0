"""`python -m replicate.testing serve` as someone at a terminal sees it."""

from __future__ import annotations

import json
import socket
import struct
import subprocess
import sys
import time
from typing import Iterator, List

import httpx
import pytest

from replicate.testing import DEFAULT_TOKEN

AUTH = {"Authorization": f"Bearer {DEFAULT_TOKEN}"}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def serve_args() -> Iterator[List[str]]:
    yield [sys.executable, "-m", "replicate.testing", "serve"]


def test_a_busy_port_is_one_line_and_a_failing_exit(serve_args: List[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run([*serve_args, "--port", str(port)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        f"python -m replicate.testing: cannot serve on port {port}: Address already in use"
    ]


def _hang_up_hard(port: int, request: bytes) -> None:
    """Send `request`, then close with a reset, as a client killed mid-request does."""
    with socket.create_connection(("127.0.0.1", port)) as connection:
        connection.sendall(request)
        connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


def test_the_console_logs_requests_and_keeps_quiet_about_clients_that_hang_up(serve_args: List[str]) -> None:
    port = _free_port()
    process = subprocess.Popen(
        [*serve_args, "--port", str(port), "--log", "--rate-limits", "2/100/60", "--file-outputs", "data"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        assert "serving at" in process.stdout.readline()
        base = f"http://127.0.0.1:{port}/v1"
        body = json.dumps({"input": {"seconds": 0.3}}).encode()
        request = (
            f"POST /v1/models/replicate/sleep/predictions HTTP/1.1\r\nHost: x\r\n"
            f"Authorization: Bearer {DEFAULT_TOKEN}\r\nPrefer: wait\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        ).encode() + body
        _hang_up_hard(port, request)
        time.sleep(0.6)  # the answer to the hung-up client has been written (and failed) by now
        create = f"{base}/models/replicate/image/predictions"
        image = httpx.post(create, json={"input": {}}, headers={**AUTH, "Prefer": "wait"})
        assert image.json()["output"].startswith("data:image/png;base64,")
        assert httpx.post(create, json={"input": {}}, headers=AUTH).status_code == 429  # 2 creates a minute
        assert httpx.get(f"{base}/account", headers={"Authorization": "Token wrong"}).status_code == 401
    finally:
        process.terminate()
        _, stderr = process.communicate(timeout=10)
    assert "Traceback" not in stderr and "BrokenPipe" not in stderr and "ConnectionReset" not in stderr
    lines = [line.split(" ", 1)[1] for line in stderr.splitlines() if line[:2].isdigit()]
    assert [line.rsplit(" ", 1)[0] for line in lines] == [
        "POST /v1/models/replicate/sleep/predictions 201",
        "POST /v1/models/replicate/image/predictions 201",
        "POST /v1/models/replicate/image/predictions 429",
        "GET /v1/account 401",
    ]
    assert DEFAULT_TOKEN not in stderr


def test_serve_refuses_bad_rate_limits(serve_args: List[str]) -> None:
    done = subprocess.run([*serve_args, "--rate-limits", "lots"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "--rate-limits takes CREATES/OTHERS/SECONDS" in done.stderr
