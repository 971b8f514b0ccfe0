"""`Prediction.progress`: how far a model says it is, read from the progress bars in its logs.

Models built with Cog usually report progress with tqdm, whose lines look like

    45%|████▌     | 9/20 [00:01<00:02,  4.50it/s]

and are redrawn in place with carriage returns. The last such line in the logs is the
current progress.
"""

from __future__ import annotations

import re
from typing import NamedTuple, Optional

_BAR = re.compile(r"(\d+(?:\.\d+)?)%\s*\|[^|\r\n]*\|\s*(\d+)/(\d+)")


class PredictionProgress(NamedTuple):
    """Progress from a log line: `percentage` as printed (0-100), `current` of `total` steps."""

    percentage: float
    current: int
    total: int


def parse_progress(logs: Optional[str]) -> Optional[PredictionProgress]:
    """The progress shown by the last tqdm-style line of `logs`, or None if there is none."""
    if not logs:
        return None
    for line in reversed(re.split(r"[\r\n]+", logs)):
        matches = _BAR.findall(line)
        if matches:
            percentage, current, total = matches[-1]
            return PredictionProgress(float(percentage), int(current), int(total))
    return None
