"""The CLI's pure parts: typing key=value by a schema, the progress line, output file names."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List

import pytest

from replicate.cli._args import UsageError, parse
from replicate.cli._display import progress_bar, render_line
from replicate.cli._inputs import describe_inputs, input_specs, parse_inputs
from replicate.cli._outputs import choose_filename
from replicate.types import Prediction

OPENAPI: Dict[str, Any] = {
    "components": {
        "schemas": {
            "Input": {
                "type": "object",
                "required": ["prompt"],
                "properties": {
                    "prompt": {"type": "string", "x-order": 0, "description": "What to draw"},
                    "steps": {"type": "integer", "default": 20, "x-order": 1},
                    "guidance": {"type": "number", "default": 7.5, "x-order": 2},
                    "safe": {"type": "boolean", "default": True, "x-order": 3},
                    "sizes": {"type": "array", "items": {"type": "integer"}, "x-order": 4},
                    "extra": {"type": "object", "x-order": 5},
                    "image": {"type": "string", "format": "uri", "x-order": 6},
                    "scheduler": {
                        "allOf": [{"$ref": "#/components/schemas/scheduler"}],
                        "default": "ddim",
                        "x-order": 7,
                    },
                },
            },
            "scheduler": {"type": "string", "enum": ["ddim", "euler"], "title": "scheduler"},
        }
    }
}
SPECS = input_specs(OPENAPI)


def test_values_are_typed_by_the_schema(tmp_path: Path) -> None:
    photo = tmp_path / "cat.png"
    photo.write_bytes(b"png")
    pairs = [
        "prompt=a cat=1",
        "steps=30",
        "guidance=2",
        "safe=no",
        "sizes=[512,768]",
        'extra={"a": 1}',
        f"image=@{photo}",
        "scheduler=euler",
    ]
    assert parse_inputs(pairs, SPECS) == {
        "prompt": "a cat=1",
        "steps": 30,
        "guidance": 2.0,
        "safe": False,
        "sizes": [512, 768],
        "extra": {"a": 1},
        "image": photo,
        "scheduler": "euler",
    }


def test_arrays_grow_by_repeating_the_key_and_urls_pass_as_they_are() -> None:
    values = parse_inputs(["prompt=x", "sizes=1", "sizes=2", "image=https://e/x.png"], SPECS)
    assert values["sizes"] == [1, 2] and values["image"] == "https://e/x.png"


def test_every_problem_is_reported_with_the_valid_inputs() -> None:
    with pytest.raises(UsageError) as raised:
        parse_inputs(
            [
                "steps=many",
                "guidance=nan",
                "safe=perhaps",
                "sizes=[1",
                "extra=[]",
                "image=@nope.png",
                "scheduler=x",
                "colour=red",
                "oops",
            ],
            SPECS,
            model="acme/painter",
        )
    message = str(raised.value)
    squeezed = [" ".join(line.split()) for line in message.splitlines()]
    for expected in (
        "steps: 'many' is not an integer",
        "guidance: 'nan' is not a finite number",
        "safe: 'perhaps' is not a boolean",
        "sizes: '[1' is not a JSON array",
        "extra: '[]' is not a JSON object",
        "image: no such file: nope.png",
        "scheduler: 'x' is not one of ddim, euler",
        "colour: not an input of acme/painter",
        "'oops' is not key=value",
        "prompt: required",
        "Valid inputs of acme/painter:",
        "prompt string required - What to draw",
        "steps integer default 20",
        "sizes array of integer optional",
        'scheduler string (ddim|euler) default "ddim"',
    ):
        assert expected in message or expected in squeezed, expected


def test_without_a_schema_json_looking_values_are_typed() -> None:
    assert parse_inputs(["n=3", "x=0.5", "ok=true", "l=[1]", "s=hello", "q=null"], None) == {
        "n": 3,
        "x": 0.5,
        "ok": True,
        "l": [1],
        "s": "hello",
        "q": "null",
    }
    assert describe_inputs({}) == "  (this model takes no inputs)"


def test_progress_bar_and_status_lines() -> None:
    bars: List[str] = [progress_bar(p, width=10) for p in (0, 45, 100, 150, -5)]
    assert bars == ["░" * 10, "████░░░░░░", "█" * 10, "█" * 10, "░" * 10]
    running = Prediction.model_validate(
        {
            "id": "p1",
            "status": "processing",
            "version": "v",
            "input": {},
            "created_at": "2026-01-01T00:00:00Z",
            "urls": {"get": "g", "cancel": "c"},
            "logs": "x\r 45%|████      | 9/20 [00:01<00:02]",
        }
    )
    assert render_line(running, 3.25, live=False) == "p1 processing 3.2s 45% 9/20"
    live = render_line(running, 3.25, live=True, frame=1)
    assert live == "⠙ p1 processing   3.2s  █████████░░░░░░░░░░░  45% 9/20"
    assert len(render_line(running, 3.25, live=True, width=20)) == 19  # never wraps the terminal
    assert render_line(running.model_copy(update={"logs": None}), 0.04, live=False) == "p1 processing 0.0s"


def test_output_file_names() -> None:
    taken = {"out-0.png"}
    exists = taken.__contains__
    assert choose_filename("https://replicate.delivery/a/out-0.png", None, exists) == "out-0-1.png"
    assert choose_filename("https://d/a/out-1.png?sig=1", None, exists) == "out-1.png"
    assert choose_filename("data:image/jpeg;base64,xx", "image/jpeg", exists) == "output.jpg"
    assert choose_filename("https://d/files/abc", "audio/mpeg", exists) == "abc.mp3"
    assert choose_filename("https://d/", None, exists) == "output"
    assert choose_filename("https://d/a/%2E%2E%2Fetc%2Fpasswd", None, exists) == "_etc_passwd"
    assert choose_filename("https://d/a/.hidden.txt", None, exists) == "hidden.txt"


def test_connection_options_go_before_or_after_the_command() -> None:
    before = parse(["--token", "t1", "--base-url", "u1", "account"])
    after = parse(["account", "--token", "t2"])
    assert (before.token, before.base_url, after.token, after.base_url) == ("t1", "u1", "t2", None)
    assert parse(["files", "download", "https://x/files/f/download?a=1"]).output_dir == "."


def test_at_dash_reads_standard_input_once_and_keys_are_given_once() -> None:
    import io

    specs = input_specs(OPENAPI)
    values = parse_inputs(["prompt=@-", "sizes=1", "sizes=2"], specs, stdin=io.BytesIO(b"a cat"))
    assert values == {"prompt": "a cat", "sizes": [1, 2]}  # an array's key may repeat
    with pytest.raises(UsageError) as twice:
        parse_inputs(["prompt=a", "prompt=b", "steps=1", "steps=2"], specs)
    assert "prompt: given twice" in str(twice.value) and "steps: given twice" in str(twice.value)
    with pytest.raises(UsageError, match="one input only"):
        parse_inputs(["prompt=@-", "extra=@-"], input_specs({}) or None, stdin=io.BytesIO(b"x"))
