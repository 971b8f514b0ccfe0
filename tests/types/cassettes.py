"""Reading the VCR-style recordings in tests/recorded/: each interaction's request line and
decoded response body (cassettes store bodies either as `content` text or as `body.string`,
sometimes gzip-compressed bytes)."""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional
from urllib.parse import urlparse

import yaml

RECORDED = Path(__file__).resolve().parent.parent / "recorded"

_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass
class Interaction:
    cassette: str
    index: int
    method: str
    host: str
    path: str
    status: int
    content_type: str
    body: bytes

    @property
    def key(self) -> str:
        return f"{self.cassette}#{self.index}"


def _header(headers: Optional[Dict[str, Any]], name: str) -> str:
    for key, value in (headers or {}).items():
        if key.lower() == name:
            return value[0] if isinstance(value, list) else str(value)
    return ""


def _body(response: Dict[str, Any]) -> bytes:
    raw = response["content"] if "content" in response else response["body"]["string"]
    data = raw.encode() if isinstance(raw, str) else bytes(raw)
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    return data


def cassettes() -> List[Path]:
    return sorted(RECORDED.glob("*.yaml"))


def interactions(path: Path) -> List[Interaction]:
    with path.open("rb") as f:
        document = yaml.load(f, Loader=_Loader)
    result: List[Interaction] = []
    for index, item in enumerate(document["interactions"]):
        request, response = item["request"], item["response"]
        url = urlparse(request["uri"])
        status = response.get("status", {}).get("code") or response.get("status_code")
        result.append(
            Interaction(
                cassette=path.name,
                index=index,
                method=request["method"],
                host=url.hostname or "",
                path=url.path,
                status=int(status),
                content_type=_header(response.get("headers"), "content-type"),
                body=_body(response),
            )
        )
    return result
