"""What `print()` shows of the objects a newcomer gets back, and `replicate.types` on import."""

from __future__ import annotations

import subprocess
import sys

from replicate.testing import Emulator


def test_print_prediction_shows_its_status_and_output_or_error() -> None:
    emulator = Emulator()

    @emulator.model("acme/verbose")
    def verbose() -> str:  # pyright: ignore[reportUnusedFunction]
        return "word " * 1000

    with emulator.serve():
        client = emulator.client()
        done = client.predictions.create(version="replicate/hello-world", input={"text": "x"}, prefer="wait")
        assert (
            str(done) == f"id='{done.id}' model='replicate/hello-world' status='succeeded' output='hello x'"
        )
        failed = client.predictions.create(version="replicate/fail", input={}, prefer="wait")
        assert "status='failed'" in str(failed) and "error='this model always fails'" in str(failed)
        long = client.predictions.create(version="acme/verbose", input={}, prefer="wait")
        shown = str(long)
        assert "output='word word" in shown and shown.endswith("…") and len(shown) < 200


def test_print_model_does_not_dump_the_schema() -> None:
    emulator = Emulator()
    with emulator.serve():
        model = emulator.client().models.get(model_owner="replicate", model_name="image")
    assert model.latest_version is not None and model.latest_version.openapi_schema
    shown = str(model)
    assert "name='image'" in shown and "latest_version=Version(id=" in shown
    assert "openapi_schema={'openapi'" in shown and "x-order" not in shown and "…" in shown
    assert "github_url" not in shown  # fields the model does not have are left out
    assert len(shown) < 600


def test_replicate_types_is_there_right_after_import() -> None:
    code = (
        "import sys, replicate\n"
        "assert 'pydantic' not in sys.modules, 'import replicate stays cheap'\n"
        "print(replicate.types.Prediction.__name__, replicate.pagination.SyncCursorURLPage.__name__)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert (result.returncode, result.stdout) == (0, "Prediction SyncCursorURLPage\n"), result.stderr
