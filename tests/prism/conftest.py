"""The Prism mock server, serving tests/spec/openapi.yaml on a free loopback port.

Prism answers from the spec's examples and schemas, and validates each request against the
spec: a request it rejects comes back as an error status, which fails the test.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import time
from pathlib import Path
from typing import Iterator

import httpx
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
PRISM = ROOT / "node_modules" / ".bin" / "prism"
SPEC = ROOT / "tests" / "spec" / "openapi.yaml"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _spec_under_v1(directory: Path) -> Path:
    """The spec with its paths under /v1, where the API serves them (Prism ignores `servers`)."""
    spec = yaml.safe_load(SPEC.read_text())
    spec["paths"] = {f"/v1{path}": operations for path, operations in spec["paths"].items()}
    served = directory / "openapi.json"
    served.write_text(json.dumps(spec))
    return served


@pytest.fixture(scope="session")
def prism_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not PRISM.exists():
        pytest.fail(f"Prism is not installed ({PRISM}): run `npm ci` in {ROOT}", pytrace=False)
    if shutil.which("node") is None:
        pytest.fail("node is not on PATH: Prism needs Node.js", pytrace=False)
    port = _free_port()
    process = subprocess.Popen(
        [
            str(PRISM),
            "mock",
            str(_spec_under_v1(tmp_path_factory.mktemp("spec"))),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--errors",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        cwd=ROOT,
    )
    url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                output = process.stdout.read().decode(errors="replace") if process.stdout else ""
                pytest.fail(f"Prism exited early ({process.returncode}):\n{output}", pytrace=False)
            try:
                httpx.get(f"{url}/hardware", headers={"Authorization": "Bearer r8_test"}, timeout=1)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    pytest.fail("Prism did not start within 60 s", pytrace=False)
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
