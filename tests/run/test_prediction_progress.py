"""Prediction.progress: the last tqdm-style progress line of the logs."""

from __future__ import annotations

from replicate._base.progress import PredictionProgress, parse_progress
from replicate.types import Prediction


def prediction(logs: object) -> Prediction:
    return Prediction.model_validate(
        {
            "id": "p1",
            "status": "processing",
            "version": "v",
            "input": {},
            "created_at": "2024-01-01T00:00:00Z",
            "urls": {"get": "https://x/p1", "cancel": "https://x/p1/cancel"},
            "logs": logs,
        }
    )


def test_progress_is_the_last_progress_line_of_the_logs() -> None:
    logs = "loading\n  0%|          | 0/20 [00:00<?, ?it/s]\r 45%|████▌     | 9/20 [00:01<00:02,  4.50it/s]"
    assert prediction(logs).progress == PredictionProgress(45.0, 9, 20)


def test_progress_reads_later_lines_over_earlier_ones() -> None:
    logs = " 10%|█         | 1/10\nother output\n100%|██████████| 10/10 [00:02<00:00]\ndone\n"
    assert parse_progress(logs) == PredictionProgress(100.0, 10, 10)


def test_progress_is_none_without_a_progress_line() -> None:
    assert prediction(None).progress is None
    assert prediction("just text\n50% done").progress is None
