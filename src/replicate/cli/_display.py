"""What the CLI shows while a prediction runs: a live status line on a terminal, plain lines otherwise."""

from __future__ import annotations

import sys
import time
from typing import TYPE_CHECKING, Optional, TextIO

if TYPE_CHECKING:
    from ..types import Prediction

__all__ = ["StatusLine", "progress_bar"]


def progress_bar(percentage: float, width: int = 20) -> str:
    filled = max(0, min(width, round(width * percentage / 100)))
    return "█" * filled + "░" * (width - filled)


class StatusLine:
    """`⠋ processing 3.2s  45% ████████░░░░ 9/20` redrawn in place on a TTY; one line per change elsewhere."""

    def __init__(self, stream: TextIO = sys.stderr) -> None:
        self.stream = stream
        self.live = stream.isatty()
        self.started = time.monotonic()
        self._last = ""

    def render(self, prediction: Prediction) -> str:
        elapsed = time.monotonic() - self.started
        text = f"{prediction.id} {prediction.status} {elapsed:.1f}s"
        progress = prediction.progress
        if progress is not None:
            text += f"  {progress.percentage:3.0f}% {progress_bar(progress.percentage)}"
            if progress.total:
                text += f" {progress.current}/{progress.total}"
        return text

    def update(self, prediction: Prediction) -> None:
        text = self.render(prediction)
        if self.live:
            self.stream.write("\r\x1b[2K" + text)
            self.stream.flush()
        else:
            key = f"{prediction.status} {prediction.progress.percentage if prediction.progress else ''}"
            if key != self._last:
                self.stream.write(text + "\n")
                self._last = key

    def done(self, final: Optional[str] = None) -> None:
        if self.live:
            self.stream.write("\r\x1b[2K")
        if final:
            self.stream.write(final + "\n")
        self.stream.flush()
