"""What `replicate run` shows on stderr while a prediction runs.

On a terminal, one line redrawn in place (and ticking, so a long `starting` does not look hung):

    ⠼ 5fgdi77nxrni6gajhby4xusaxf processing  3.2s  ████████░░░░░░░░░░░░  45% 9/20

Piped or redirected, plain lines instead, one per status change and per tenth of progress:

    5fgdi77nxrni6gajhby4xusaxf processing 3.2s 45% 9/20

`render_line` and `progress_bar` are pure; `StatusLine` owns the terminal and a ticker thread.
"""

from __future__ import annotations

import shutil
import threading
import time
from typing import TYPE_CHECKING, Optional, TextIO

if TYPE_CHECKING:
    from ..types import Prediction

__all__ = ["StatusLine", "progress_bar", "render_line"]

SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"
CLEAR = "\r\x1b[2K"
TICK = 0.1


def progress_bar(percentage: float, width: int = 20) -> str:
    """`percentage` (0-100, clamped) as a bar of `width` cells: `█████░░░░░`."""
    filled = round(width * max(0.0, min(100.0, percentage)) / 100)
    return "█" * filled + "░" * (width - filled)


def render_line(prediction: Prediction, elapsed: float, *, live: bool, frame: int = 0, width: int = 0) -> str:
    """The status line for `prediction`, `elapsed` seconds after it started (see module docstring)."""
    progress = prediction.progress
    if live:
        line = f"{SPINNER[frame % len(SPINNER)]} {prediction.id} {prediction.status:<10} {elapsed:5.1f}s"
        if progress is not None:
            line += f"  {progress_bar(progress.percentage)} {progress.percentage:3.0f}% {progress.current}/{progress.total}"
        return line[: width - 1] if width > 1 else line
    line = f"{prediction.id} {prediction.status} {elapsed:.1f}s"
    if progress is not None:
        line += f" {progress.percentage:.0f}% {progress.current}/{progress.total}"
    return line


class StatusLine:
    """The live line (a terminal) or plain lines (anything else) for one prediction at a time."""

    def __init__(self, stream: TextIO, *, live: Optional[bool] = None) -> None:
        self.stream = stream
        self.live = stream.isatty() if live is None else live
        self.started = time.monotonic()
        self.prediction: Optional[Prediction] = None
        self._lock = threading.Lock()
        self._frame = 0
        self._shown = False
        self._last_plain: Optional[tuple[str, int]] = None
        self._stop = threading.Event()
        self._ticker: Optional[threading.Thread] = None

    def __enter__(self) -> StatusLine:
        if self.live:
            self._ticker = threading.Thread(target=self._tick, name="replicate-status", daemon=True)
            self._ticker.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._ticker is not None:
            self._ticker.join(1)
        with self._lock:
            self._clear()

    def update(self, prediction: Prediction) -> None:
        """Show `prediction`'s state: redrawn in place live, else a new line if it moved on."""
        with self._lock:
            self.prediction = prediction
            if self.live:
                self._draw()
                return
            progress = prediction.progress
            key = (prediction.status, int(progress.percentage // 10) if progress else -1)
            if key != self._last_plain:
                self._last_plain = key
                elapsed = time.monotonic() - self.started
                self.stream.write(render_line(prediction, elapsed, live=False) + "\n")
                self.stream.flush()

    def write(self, text: str) -> None:
        """Print `text` (log lines, say) above the live line, which is redrawn under it."""
        with self._lock:
            self._clear()
            self.stream.write(text if text.endswith("\n") else text + "\n")
            if self.live:
                self._draw()
            self.stream.flush()

    def _draw(self) -> None:
        if self.prediction is None:
            return
        width = shutil.get_terminal_size((100, 24)).columns
        elapsed = time.monotonic() - self.started
        line = render_line(self.prediction, elapsed, live=True, frame=self._frame, width=width)
        self.stream.write(CLEAR + line)
        self.stream.flush()
        self._shown = True

    def _clear(self) -> None:
        if self._shown:
            self.stream.write(CLEAR)
            self.stream.flush()
            self._shown = False

    def _tick(self) -> None:
        while not self._stop.wait(TICK):
            with self._lock:
                self._frame += 1
                self._draw()
