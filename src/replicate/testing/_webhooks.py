"""Webhook deliveries: signed, in order for each prediction, with `output` and `logs` throttled.

Each prediction (or training) with a webhook gets one delivery thread, so its `start` reaches the
receiver before its `output`s and those before `completed`, retries included. As on Replicate,
`output` and `logs` deliveries go out at most once per `interval` (0.5 s): one that a newer
`output`, `logs` or `completed` delivery has overtaken while it waited is dropped, since that one
carries the newer state. `start` and `completed` always go out.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import threading
import time
import urllib.request
from collections import deque
from typing import Any, Deque, Dict, List, Tuple

from ._records import new_id

__all__ = ["WebhookSender"]

_THROTTLED = frozenset({"output", "logs"})


class WebhookSender:
    def __init__(self, secret: str, deliveries: List[Dict[str, Any]], interval: float = 0.5) -> None:
        self.interval = interval
        self._key = base64.b64decode(secret[len("whsec_") :])
        self._deliveries = deliveries
        self._lock = threading.Condition()
        self._queues: Dict[str, Deque[Tuple[str, bytes]]] = {}

    def send(self, key: str, url: str, event: str, body: bytes) -> None:
        """Queue `body` (the record's JSON as of `event`) for `url`, after that record's earlier events."""
        with self._lock:
            queue = self._queues.get(key)
            if queue is None:
                queue = self._queues[key] = deque()
                thread = threading.Thread(target=self._work, args=(key, url, queue), daemon=True)
                thread.start()
            queue.append((event, body))
            self._lock.notify_all()

    def _work(self, key: str, url: str, queue: Deque[Tuple[str, bytes]]) -> None:
        last_throttled = float("-inf")
        while True:
            with self._lock:
                while not queue:
                    self._lock.wait()
                event, body = queue.popleft()
            if event in _THROTTLED:
                pause = last_throttled + self.interval - time.monotonic()
                if pause > 0:
                    time.sleep(pause)
                with self._lock:
                    overtaken = any(later in _THROTTLED or later == "completed" for later, _ in queue)
                if overtaken:
                    continue
                last_throttled = time.monotonic()
            self._deliver(url, body, event)
            if event == "completed":
                with self._lock:
                    if not queue:
                        del self._queues[key]
                        return

    def _deliver(self, url: str, body: bytes, event: str) -> None:
        webhook_id = "msg_" + new_id()
        timestamp = int(time.time())
        signed = f"{webhook_id}.{timestamp}.".encode() + body
        signature = base64.b64encode(hmac.new(self._key, signed, hashlib.sha256).digest()).decode()
        headers = {
            "Content-Type": "application/json",
            "webhook-id": webhook_id,
            "webhook-timestamp": str(timestamp),
            "webhook-signature": f"v1,{signature}",
        }
        for attempt in range(4):
            try:
                request = urllib.request.Request(url, data=body, headers=headers, method="POST")
                with urllib.request.urlopen(request, timeout=5) as response:
                    self._deliveries.append({"url": url, "event": event, "status": response.status})
                    return
            except Exception:
                time.sleep(0.1 * 2**attempt)
        self._deliveries.append({"url": url, "event": event, "status": None})
