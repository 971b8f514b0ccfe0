"""Running a model function for a prediction, on a worker thread.

`print()` inside the function goes to the prediction's logs (stdout is routed per thread),
a generator streams one `output` event per item, an exception fails the prediction with its
message as `error` and the traceback in `logs`, and returned `Path`/`bytes` become file URLs.
"""

from __future__ import annotations

import base64
import ctypes
import inspect
import io
import json
import sys
import tempfile
import threading
import time
import traceback
import urllib.request
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, TextIO, cast

from ._records import PredictionRecord, now

__all__ = ["Canceled", "StdoutRouter", "interrupt", "run_prediction"]


class Canceled(BaseException):
    """Raised inside a model's code when its prediction is canceled, as Cog does; a
    BaseException so that a model's `except Exception` does not swallow it."""


def _raise_in(thread_id: int, exc: Optional[type[BaseException]]) -> None:
    # The only way to stop Python code on another thread; None clears a pending exception.
    ctypes.pythonapi.PyThreadState_SetAsyncExc(
        ctypes.c_ulong(thread_id), ctypes.py_object(exc) if exc else None
    )


def interrupt(prediction: PredictionRecord) -> None:
    """Stop the prediction's model code (if it is running) by raising `Canceled` in it, so a
    canceled model neither keeps running nor prints after its emulator has stopped."""
    with prediction.changed:
        if prediction.worker is not None:
            _raise_in(prediction.worker, Canceled)


class StdoutRouter(io.TextIOBase):
    """Sends what model threads print to their prediction; everything else to the real stdout."""

    _local = threading.local()
    _installed: Optional[StdoutRouter] = None
    _lock = threading.Lock()

    def __init__(self, original: TextIO) -> None:
        super().__init__()
        self.original = original

    @classmethod
    def install(cls) -> None:
        with cls._lock:
            if cls._installed is None or sys.stdout is not cls._installed:
                cls._installed = cls(sys.stdout)
                sys.stdout = cls._installed

    @classmethod
    def capture(cls, sink: Optional[Callable[[str], None]]) -> None:
        cls._local.sink = sink

    def write(self, s: str) -> int:
        sink: Optional[Callable[[str], None]] = getattr(self._local, "sink", None)
        if sink is not None:
            sink(s)
            return len(s)
        return self.original.write(s)

    def flush(self) -> None:
        self.original.flush()


def fetch_url(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.read()


def _materialize(value: Any, schema: Dict[str, Any], scratch: Path, fetch: Callable[[str], bytes]) -> Any:
    """An input as the function expects it: file inputs (URLs, data: URIs) become local Paths."""
    if schema.get("format") != "uri" or not isinstance(value, str):
        return value
    if value.startswith("data:"):
        header, _, payload = value.partition(",")
        data = base64.b64decode(payload) if header.endswith(";base64") else payload.encode()
    else:
        data = fetch(value)
    target = scratch / f"input-{len(list(scratch.iterdir()))}"
    target.write_bytes(data)
    return target


def _items(output: Any) -> List[Any]:
    if isinstance(output, list):
        return cast("List[Any]", output)
    return [] if output is None else [output]


def _event_data(item: Any) -> str:
    return item if isinstance(item, str) else json.dumps(item)


def run_prediction(
    prediction: PredictionRecord,
    function: Callable[..., Any],
    input_schema: Dict[str, Any],
    store_file: Callable[[str, bytes], str],
    on_event: Callable[[PredictionRecord, str], None],
    fetch: Callable[[str], bytes] = fetch_url,
) -> None:
    """Run `function` for `prediction`, moving it to a terminal status (on this thread)."""
    with prediction.changed:
        if prediction.done:  # canceled before it started: it never runs, and stays canceled
            return
        prediction.status = "processing"
        prediction.started_at = now()
    scratch = Path(tempfile.mkdtemp(prefix="replicate-emulator-"))

    def log(text: str) -> None:
        with prediction.changed:
            prediction.logs += text
        for line in text.splitlines():
            if line.strip():
                prediction.add_event("logs", line)
        on_event(prediction, "logs")

    def publish(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: publish(v) for k, v in value.items()}  # pyright: ignore[reportUnknownVariableType]
        if isinstance(value, (list, tuple)):
            return [publish(v) for v in value]  # pyright: ignore[reportUnknownVariableType]
        if isinstance(value, Path):
            return store_file(value.name, value.read_bytes())
        if isinstance(value, (bytes, bytearray)):
            return store_file("output.bin", bytes(value))
        return value

    def run_code() -> Any:
        with prediction.changed:
            prediction.worker = threading.get_ident()
        try:
            if prediction.cancel_requested.is_set():
                raise Canceled
            kwargs = {
                k: _materialize(v, properties.get(k, {}), scratch, fetch) for k, v in prediction.input.items()
            }
            result = function(**kwargs)
            if not inspect.isgenerator(result):
                # Its stream carries the output too (each item of a list), as the real API's
                # streams do for models that do not stream: a client following it gets it all.
                output = publish(result)
                for item in _items(output):
                    prediction.add_event("output", _event_data(item))
                return output
            items: List[Any] = []
            for item in result:
                if prediction.cancel_requested.is_set():
                    break
                published = publish(item)
                items.append(published)
                with prediction.changed:
                    prediction.output = list(items)
                prediction.add_event("output", _event_data(published))
                on_event(prediction, "output")
            return items
        finally:
            # Under the lock `interrupt` takes: after this, no `Canceled` is pending or can come.
            with prediction.changed:
                prediction.worker = None
                _raise_in(threading.get_ident(), None)

    prediction.add_event("status", "processing")
    on_event(prediction, "start")
    started = time.monotonic()
    StdoutRouter.capture(log)
    properties: Dict[str, Any] = input_schema.get("properties", {})
    ended = False
    try:
        ended = finish(prediction, "succeeded", output=run_code(), started=started)
    except Canceled:
        pass  # `Emulator.cancel` has ended the prediction and announced it
    except Exception as exc:
        log(traceback.format_exc())
        ended = finish(prediction, "failed", error=str(exc) or type(exc).__name__, started=started)
    finally:
        StdoutRouter.capture(None)
    if ended:
        on_event(prediction, "completed")


def finish(
    prediction: PredictionRecord,
    status: str,
    *,
    output: Any = None,
    error: Optional[str] = None,
    started: Optional[float] = None,
) -> bool:
    """Move a prediction to a terminal status once; False if it had already ended (canceled)."""
    with prediction.changed:
        if prediction.done:
            return False
        if prediction.cancel_requested.is_set() and status != "canceled":
            status, output = "canceled", prediction.output
        prediction.status = status
        if status == "succeeded" or output is not None:
            prediction.output = output
        prediction.error = error
        prediction.completed_at = now()
        if started is not None:
            prediction.predict_time = round(time.monotonic() - started, 6)
    if status == "failed":
        prediction.add_event("error", json.dumps({"detail": error}))
    reason = {"succeeded": {}, "failed": {"reason": "error"}, "canceled": {"reason": "canceled"}}
    prediction.add_event("done", json.dumps(reason.get(status, {"reason": status})))
    return True
