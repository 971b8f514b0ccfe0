"""A lean loopback stand-in for Replicate's API, so benchmarks measure clients, not the server.

    python benchmarks/server.py [--wait-window 2.5]   # prints "PORT", serves until stdin closes

Stdlib only (asyncio streams), so any interpreter can run it. Every response is written with
one `write()` (headers and body together): with separate small writes, Nagle's algorithm and
delayed ACKs add ~40 ms to a request on loopback. Bodies that do not change are encoded once.

    GET  /v1/predictions/{id}            a ~1 KB prediction (a known id: its state now)
    GET  /v1/predictions[?cursor=N]      5,000 predictions, 100 a page, absolute `next` URLs
    POST /v1/predictions                 create (`version` names a bench model, see VERSIONS)
    POST /v1/models/bench/{name}/predictions
                                         create; `Prefer: wait[=N]` holds the answer until the
                                         model ends or the window (`--wait-window`, or N) passes,
                                         after which the prediction comes back `starting`
    GET  /v1/models/bench/{name}         the model, its latest version and OpenAPI schema
    GET  /v1/models/bench/{name}/versions/{id}
    GET  /v1/stream/{id}                 server-sent events: `output`s, then `done`
    GET  /files/big                      200 MiB, generated on the fly in 1 MiB writes

Models (`input.seconds` is the model time, 0 when absent):
    sleep   output: the server's `time.monotonic()` when the model ended, as a string, so a
            client process on this machine can tell how long it took to notice the end
            (CLOCK_MONOTONIC is shared by every process)
    file    output: the URL of /files/big
    tokens  a language model: 2,000 tokens on its event stream; its output when done is the list
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from typing import Any, Dict, List, Tuple
from urllib.parse import parse_qs, urlsplit

TOTAL, PAGE_SIZE = 5000, 100
TOKENS = 2000
TOKENS_PER_WRITE = 20
BIG_FILE = 200 * 1024 * 1024
CHUNK = b"\0" * (1024 * 1024)
VERSIONS = {name: name.encode().hex().ljust(64, "0") for name in ("sleep", "file", "tokens")}
MODEL_OF_VERSION = {version: name for name, version in VERSIONS.items()}
REASONS = {200: "OK", 201: "Created", 404: "Not Found", 400: "Bad Request"}


def prediction_json(base: str, pid: str, model: str, status: str, output: Any, n: int = 0) -> Dict[str, Any]:
    """A prediction shaped like the API's (about 1 KB for a short output)."""
    done = status in ("succeeded", "failed", "canceled")
    return {
        "id": pid,
        "model": f"bench/{model}",
        "version": VERSIONS.get(model, VERSIONS["sleep"]),
        "input": {"prompt": f"a photograph of an astronaut riding a horse, number {n}", "seconds": 0},
        "logs": "Using seed: 4242\nLoading pipeline...\nPrediction done." if done else "",
        "output": output if done else None,
        "data_removed": False,
        "error": None,
        "status": status,
        "source": "api",
        "created_at": "2025-06-01T12:00:00.000000Z",
        "started_at": "2025-06-01T12:00:00.120000Z",
        "completed_at": "2025-06-01T12:00:01.870000Z" if done else None,
        "deployment": None,
        "metrics": {"predict_time": 1.75, "total_time": 1.87} if done else {},
        "urls": {
            "get": f"{base}/v1/predictions/{pid}",
            "cancel": f"{base}/v1/predictions/{pid}/cancel",
            "stream": f"{base}/v1/stream/{pid}",
            "web": f"https://replicate.com/p/{pid}",
        },
    }


def model_json(name: str) -> Dict[str, Any]:
    output: Dict[str, Any] = {"type": "string"}
    if name == "tokens":
        output = {
            "type": "array",
            "items": {"type": "string"},
            "x-cog-array-type": "iterator",
            "x-cog-array-display": "concatenate",
        }
    elif name == "file":
        output = {"type": "string", "format": "uri"}
    schema = {
        "openapi": "3.0.2",
        "info": {"title": "Cog", "version": "0.1.0"},
        "paths": {},
        "components": {
            "schemas": {
                "Input": {"type": "object", "properties": {"seconds": {"type": "number", "default": 0}}},
                "Output": output,
            }
        },
    }
    version = {
        "id": VERSIONS[name],
        "created_at": "2025-06-01T12:00:00Z",
        "cog_version": "0.14.0",
        "openapi_schema": schema,
    }
    return {
        "url": f"https://replicate.com/bench/{name}",
        "owner": "bench",
        "name": name,
        "description": "A benchmark model",
        "visibility": "public",
        "github_url": None,
        "paper_url": None,
        "license_url": None,
        "run_count": 1,
        "cover_image_url": None,
        "default_example": None,
        "latest_version": version,
    }


def response(status: int, body: bytes, content_type: str = "application/json") -> bytes:
    head = (
        f"HTTP/1.1 {status} {REASONS.get(status, 'OK')}\r\nContent-Type: {content_type}\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode("ascii") + body


class Prediction:
    __slots__ = ("created", "ends", "id", "model")

    def __init__(self, pid: str, model: str, seconds: float) -> None:
        self.id = pid
        self.model = model
        self.created = time.monotonic()
        self.ends = self.created + seconds


class LeanAPI:
    def __init__(self, wait_window: float) -> None:
        self.wait_window = wait_window
        self.base = ""
        self.predictions: Dict[str, Prediction] = {}
        self.count = 0
        self.get_body = b""
        self.pages: List[bytes] = []

    def start(self, port: int) -> None:
        """Encode the unchanging answers once the port (and so the absolute URLs) is known."""
        self.base = f"http://127.0.0.1:{port}"
        static = prediction_json(self.base, "q5jx2wbn7drm80cmaztatmsyzr", "sleep", "succeeded", "hello")
        self.get_body = response(200, json.dumps(static).encode())
        for start in range(0, TOTAL, PAGE_SIZE):
            results = [
                prediction_json(self.base, f"p{n:025d}", "sleep", "succeeded", "hello", n)
                for n in range(start, start + PAGE_SIZE)
            ]
            nxt = (
                f"{self.base}/v1/predictions?cursor={start + PAGE_SIZE}"
                if start + PAGE_SIZE < TOTAL
                else None
            )
            self.pages.append(
                response(200, json.dumps({"results": results, "next": nxt, "previous": None}).encode())
            )

    # -- predictions ------------------------------------------------------------------------

    def output(self, p: Prediction) -> Any:
        if p.model == "file":
            return f"{self.base}/files/big"
        if p.model == "tokens":
            return [f"t{n} " for n in range(TOKENS)]
        return f"{p.ends:.6f}"

    def state(self, p: Prediction) -> bytes:
        now = time.monotonic()
        status = "succeeded" if now >= p.ends else ("processing" if p.model != "tokens" else "starting")
        return json.dumps(
            prediction_json(
                self.base, p.id, p.model, status, self.output(p) if status == "succeeded" else None
            )
        ).encode()

    async def create(self, model: str, body: bytes, prefer: str) -> bytes:
        payload = json.loads(body or b"{}")
        if model not in VERSIONS:
            return response(404, b'{"title": "Not found", "detail": "No such model", "status": 404}')
        seconds = float((payload.get("input") or {}).get("seconds", 0) or 0)
        self.count += 1
        p = Prediction(f"b{self.count:025d}", model, seconds)
        self.predictions[p.id] = p
        if prefer.startswith("wait") and model != "tokens":
            # `wait=N` asks for at most N seconds; the window is the server's most either way.
            window = (
                min(float(prefer[5:]), self.wait_window) if prefer.startswith("wait=") else self.wait_window
            )
            await asyncio.sleep(max(0.0, min(p.ends, p.created + window) - time.monotonic()))
            if time.monotonic() < p.ends:
                # Past the window: the API answers `starting`, whatever the model is doing.
                running = prediction_json(self.base, p.id, model, "starting", None)
                return response(201, json.dumps(running).encode())
        return response(201, self.state(p))

    async def stream(self, pid: str, writer: asyncio.StreamWriter) -> None:
        head = b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n"
        p = self.predictions.get(pid)
        if p is None:
            writer.write(response(404, b'{"detail": "not found", "status": 404}'))
            return
        if p.model == "tokens":
            writer.write(head)
            for start in range(0, TOKENS, TOKENS_PER_WRITE):
                writer.write(
                    b"".join(
                        b"event: output\nid: %d\ndata: t%d \n\n" % (n, n)
                        for n in range(start, start + TOKENS_PER_WRITE)
                    )
                )
                await writer.drain()
            writer.write(b"event: done\nid: %d\ndata: {}\n\n" % TOKENS)
            return
        await asyncio.sleep(max(0.0, p.ends - time.monotonic()))
        output = self.output(p)
        writer.write(
            head + f"event: output\nid: 0\ndata: {output}\n\nevent: done\nid: 1\ndata: {{}}\n\n".encode()
        )

    # -- the connection loop -------------------------------------------------------------------

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                method, target, headers = parse_head(head)
                length = int(headers.get("content-length", "0"))
                body = await reader.readexactly(length) if length else b""
                close = await self.route(method, target, headers, body, writer)
                await writer.drain()
                if close:
                    break
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
            pass
        except asyncio.CancelledError:
            pass  # shutting down with the connection idle
        finally:
            writer.close()

    async def route(
        self, method: str, target: str, headers: Dict[str, str], body: bytes, writer: asyncio.StreamWriter
    ) -> bool:
        url = urlsplit(target)
        parts = url.path.strip("/").split("/")
        if method == "GET":
            if parts[:2] == ["v1", "predictions"] and len(parts) == 3:
                p = self.predictions.get(parts[2])
                writer.write(response(200, self.state(p)) if p else self.get_body)
            elif url.path == "/v1/predictions":
                cursor = int(parse_qs(url.query).get("cursor", ["0"])[0])
                writer.write(self.pages[min(cursor // PAGE_SIZE, len(self.pages) - 1)])
            elif parts[:2] == ["v1", "stream"] and len(parts) == 3:
                await self.stream(parts[2], writer)
                return True
            elif parts[:3] == ["v1", "models", "bench"] and len(parts) in (4, 6) and parts[3] in VERSIONS:
                model = model_json(parts[3])
                writer.write(
                    response(200, json.dumps(model if len(parts) == 4 else model["latest_version"]).encode())
                )
            elif url.path == "/files/big":
                writer.write(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
                    + f"Content-Length: {BIG_FILE}\r\n\r\n".encode()
                )
                for _ in range(BIG_FILE // len(CHUNK)):
                    writer.write(CHUNK)
                    await writer.drain()
            else:
                writer.write(response(404, b'{"detail": "not found", "status": 404}'))
        elif method == "POST":
            prefer = headers.get("prefer", "")
            if url.path == "/v1/predictions":
                version = str(json.loads(body or b"{}").get("version", ""))
                model = MODEL_OF_VERSION.get(version.rsplit(":", 1)[-1], version.rsplit("/", 1)[-1])
                writer.write(await self.create(model, body, prefer))
            elif parts[:3] == ["v1", "models", "bench"] and parts[4:] == ["predictions"]:
                writer.write(await self.create(parts[3], body, prefer))
            else:
                writer.write(response(404, b'{"detail": "not found", "status": 404}'))
        else:
            writer.write(response(404, b'{"detail": "not found", "status": 404}'))
        return False


def parse_head(head: bytes) -> Tuple[str, str, Dict[str, str]]:
    lines = head.decode("latin-1").split("\r\n")
    method, target, _ = lines[0].split(" ", 2)
    headers: Dict[str, str] = {}
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if sep:
            headers[name.strip().lower()] = value.strip()
    return method, target, headers


async def serve(wait_window: float, port: int) -> None:
    api = LeanAPI(wait_window)
    server = await asyncio.start_server(api.handle, "127.0.0.1", port, backlog=2048, limit=1 << 20)
    bound = server.sockets[0].getsockname()[1]
    api.start(bound)
    print(bound, flush=True)
    loop = asyncio.get_running_loop()
    # Serve until whoever started us closes our stdin (or exits): no stray servers.
    await loop.run_in_executor(None, sys.stdin.read)
    server.close()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--wait-window", type=float, default=2.5, help="seconds a bare `Prefer: wait` holds a create"
    )
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    asyncio.run(serve(args.wait_window, args.port))


if __name__ == "__main__":
    main()
