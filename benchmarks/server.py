"""A lean loopback API for benchmarks: asyncio, one write per response, no per-request work.

    python benchmarks/server.py     # prints its port, serves until killed

Routes (under /v1): GET /predictions/{id}; GET /predictions?cursor=N (5,000 predictions, 100
a page); POST /models/bench/{name}/predictions (`Prefer: wait`; `input.seconds` is the model
time; `bench/tokens` streams 2,000 tokens on /stream/{id}); GET /models/bench/{name};
GET /files/big (200 MB, generated).
"""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Dict
from urllib.parse import parse_qs, urlsplit

PORT = 0
TOTAL, PAGE = 5000, 100
CHUNK = b"\0" * (1 << 20)
BIG = 200 * (1 << 20)


def prediction(pid: str, base: str, status: str = "succeeded", output: object = "hello") -> Dict[str, object]:
    return {
        "id": pid,
        "model": "bench/model",
        "version": "hidden",
        "input": {"prompt": "benchmark prompt " * 4},
        "logs": "",
        "output": output if status == "succeeded" else None,
        "data_removed": False,
        "error": None,
        "status": status,
        "source": "api",
        "created_at": "2025-01-01T00:00:00.000000Z",
        "started_at": "2025-01-01T00:00:00.100000Z",
        "completed_at": "2025-01-01T00:00:01.000000Z" if status == "succeeded" else None,
        "metrics": {"predict_time": 0.9, "total_time": 1.0},
        "urls": {
            "get": f"{base}/v1/predictions/{pid}",
            "cancel": f"{base}/v1/predictions/{pid}/cancel",
            "stream": f"{base}/v1/stream/{pid}",
            "web": f"https://replicate.com/p/{pid}",
        },
    }


def response(status: int, body: bytes, kind: str = "application/json") -> bytes:
    head = f"HTTP/1.1 {status} OK\r\nContent-Type: {kind}\r\nContent-Length: {len(body)}\r\n\r\n"
    return head.encode() + body


async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    base = f"http://127.0.0.1:{PORT}"
    get_body = json.dumps(prediction("bench0000000000000000000000", base)).encode()
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode().split("\r\n")
            method, target, _ = lines[0].split(" ", 2)
            headers: Dict[str, str] = {}
            for line in lines[1:]:
                if ":" in line:
                    name, value = line.split(":", 1)
                    headers[name.strip().lower()] = value.strip()
            body = await reader.readexactly(int(headers.get("content-length", "0")))
            url = urlsplit(target)
            path = url.path
            if method == "GET" and path.startswith("/v1/predictions/"):
                writer.write(response(200, get_body))
            elif method == "GET" and path == "/v1/predictions":
                cursor = int(parse_qs(url.query).get("cursor", ["0"])[0])
                results = [prediction(f"p{n:025d}", base) for n in range(cursor, min(cursor + PAGE, TOTAL))]
                nxt = f"{base}/v1/predictions?cursor={cursor + PAGE}" if cursor + PAGE < TOTAL else None
                writer.write(
                    response(200, json.dumps({"results": results, "next": nxt, "previous": None}).encode())
                )
            elif method == "POST" and path.startswith("/v1/models/bench/"):
                seconds = float(json.loads(body or b"{}").get("input", {}).get("seconds", 0))
                await asyncio.sleep(seconds)
                tokens = path.split("/")[4] == "tokens"
                status = "starting" if tokens else "succeeded"
                writer.write(
                    response(
                        201, json.dumps(prediction("bench0000000000000000000001", base, status)).encode()
                    )
                )
            elif method == "GET" and path.startswith("/v1/models/bench/"):
                schema = {
                    "components": {
                        "schemas": {
                            "Input": {"type": "object", "properties": {}},
                            "Output": {
                                "type": "array",
                                "items": {"type": "string"},
                                "x-cog-array-type": "iterator",
                                "x-cog-array-display": "concatenate",
                            },
                        }
                    }
                }
                model = {
                    "owner": "bench",
                    "name": path.split("/")[4],
                    "latest_version": {"id": "v" * 64, "openapi_schema": schema},
                }
                writer.write(response(200, json.dumps(model).encode()))
            elif method == "GET" and path.startswith("/v1/stream/"):
                events = (
                    b"".join(b"event: output\ndata: t%d \n\n" % n for n in range(2000))
                    + b"event: done\ndata: {}\n\n"
                )
                writer.write(
                    b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n"
                    + events
                )
                await writer.drain()
                break
            elif method == "GET" and path == "/v1/files/big":
                writer.write(
                    f"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: {BIG}\r\n\r\n".encode()
                )
                for _ in range(BIG // len(CHUNK)):
                    writer.write(CHUNK)
                    await writer.drain()
            else:
                writer.write(response(404, b'{"detail": "not found", "status": 404}'))
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


async def main() -> None:
    global PORT
    server = await asyncio.start_server(handle, "127.0.0.1", 0, backlog=1024)
    PORT = server.sockets[0].getsockname()[1]
    print(PORT, flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
