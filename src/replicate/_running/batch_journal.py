"""A batch's journal: JSON lines, one flushed per event, so a batch killed at any instant resumes.

    {"replicate_run_many": 1, "ref": "owner/name"}                    the header: what ran
    {"i": 7, "h": "<input hash>", "state": "creating", "at": 1.7e9}   written before the create is sent
    {"i": 7, "h": "...", "state": "created", "id": "abc"}             the create answered
    {"i": 7, "h": "...", "state": "done", "id": "abc", "output": ..., "error": null}

Started again with the same journal and inputs, a batch takes each input as the journal left it:
done → its result, without a request; created → followed to its end; creating → the create may
have been sent, so it is settled as `_http/reconcile.py` settles an unknown outcome (found: followed; not
found: created). An input whose hash differs from the journal's, a journal of another model, or
fewer inputs than the journal saw: refused before any request. A last line cut short by the kill
is ignored.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Dict, Iterator, List, Optional, TextIO, Union

if TYPE_CHECKING:
    from .batch import BatchResult

HEADER = "replicate_run_many"


def input_hash(value: Any) -> str:
    """A short fingerprint of one input, for the journal to tell its inputs from others."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass
class JournalEntry:
    """What the journal knows of one input, its records folded together."""

    index: int
    hash: str
    sent_at: Optional[float] = None
    prediction_id: Optional[str] = None
    done: bool = False
    output: Any = None
    error: Optional[str] = None


@dataclass
class Row:
    """One input and what the journal knows of it."""

    index: int
    input: Any
    entry: Optional[JournalEntry] = None
    result: Optional[BatchResult] = None
    """Set when the journal saw this input finish: nothing to send."""


class Journal:
    def __init__(self, path: str, file: TextIO, entries: Dict[int, JournalEntry]) -> None:
        self.path = path
        self._file = file
        self._lock = threading.Lock()
        self.entries = entries

    @classmethod
    def open(cls, path: Union[str, os.PathLike[str]], *, ref: str) -> Journal:
        """Open (or start) the journal at `path` for a batch of `ref`; refuse another batch's."""
        path = os.fspath(path)
        entries: Dict[int, JournalEntry] = {}
        if os.path.exists(path) and os.path.getsize(path):
            with open(path, encoding="utf-8") as existing:
                text = existing.read()
            lines = text.splitlines()
            header = _record(lines[0])
            if header is None or header.get(HEADER) != 1:
                raise ValueError(
                    f"{path} is not a run_many journal: pass a new file, or the journal of this batch"
                )
            if header.get("ref") != ref:
                raise ValueError(
                    f"The journal {path} was written for a batch of {header.get('ref')!r}, not {ref!r}:"
                    " pass the same model, or another journal file"
                )
            for line in lines[1:]:
                record = _record(line)
                if record is not None:
                    _fold(entries, record)
            file = open(path, "a", encoding="utf-8")  # noqa: SIM115 (kept open for the batch)
            if not text.endswith("\n"):
                file.write("\n")  # after a line cut short by a kill
        else:
            file = open(path, "w", encoding="utf-8")  # noqa: SIM115
            file.write(json.dumps({HEADER: 1, "ref": ref}) + "\n")
            file.flush()
        return cls(path, file, entries)

    def resume(
        self, inputs: Iterator[Any], finished: Callable[[int, Any, JournalEntry], BatchResult]
    ) -> Iterator[Row]:
        """The inputs as rows, each with its journal entry; every input the journal saw is checked
        against it before the first row that needs a request is handed out."""
        last = max(self.entries, default=-1)
        held: List[Row] = []
        index = -1
        for index, value in enumerate(inputs):
            entry = self.entries.get(index)
            row = Row(index, value, entry)
            if entry is not None:
                if entry.hash != input_hash(value):
                    raise ValueError(
                        f"Input {index} differs from the one the journal {self.path} recorded: it was written"
                        " for other inputs. Pass the same inputs, or another journal file."
                    )
                if entry.done:
                    row.result = finished(index, value, entry)
            if row.result is not None and not held:
                yield row  # finished, and nothing before it needs a request
            else:
                held.append(row)
            if index >= last:
                break
        if index < last:
            raise ValueError(
                f"The journal {self.path} recorded {last + 1} inputs, but only {index + 1} were given:"
                " it was written for other inputs. Pass the same inputs, or another journal file."
            )
        yield from held
        for later, value in enumerate(inputs, start=index + 1):
            yield Row(later, value)

    # -- records ------------------------------------------------------------------------------------

    def creating(self, index: int, digest: str) -> None:
        self._write(index, digest, "creating", at=time.time())

    def created(self, index: int, digest: str, prediction_id: str) -> None:
        self._write(index, digest, "created", id=prediction_id)

    def done(
        self, index: int, digest: str, prediction_id: Optional[str], output: Any, error: Optional[str]
    ) -> None:
        self._write(index, digest, "done", id=prediction_id, output=output, error=error)

    def _write(self, index: int, digest: str, state: str, **fields: Any) -> None:
        record = {"i": index, "h": digest, "state": state, **fields}
        line = json.dumps(record, default=str) + "\n"
        with self._lock:
            self._file.write(line)
            self._file.flush()

    def close(self) -> None:
        with self._lock:
            self._file.close()


def _record(line: str) -> Optional[Dict[str, Any]]:
    try:
        value = json.loads(line)
    except ValueError:
        return None  # a line cut short by a kill
    return value if isinstance(value, dict) else None  # pyright: ignore[reportUnknownVariableType]


def _fold(entries: Dict[int, JournalEntry], record: Dict[str, Any]) -> None:
    index, digest = record.get("i"), record.get("h")
    if not isinstance(index, int) or not isinstance(digest, str):
        return
    entry = entries.setdefault(index, JournalEntry(index, digest))
    entry.hash = digest
    state = record.get("state")
    if state == "creating":  # first, or again after an earlier run's prediction was canceled
        at = record.get("at")
        entry.sent_at = float(at) if isinstance(at, (int, float)) else time.time()
        entry.prediction_id = None
    elif isinstance(record.get("id"), str):
        entry.prediction_id = record["id"]
    if state == "done":
        entry.done = True
        entry.output = record.get("output")
        error = record.get("error")
        entry.error = error if isinstance(error, str) else None
