"""The CLI's commands, each a small function of the client and the parsed arguments."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Dict, List, Optional, cast

from . import EXIT_MODEL, EXIT_OK, EXIT_USAGE, print_json
from ._display import StatusLine
from ._inputs import InputError, parse_inputs

if TYPE_CHECKING:
    from .._client import Replicate
    from ..types import Prediction

TERMINAL = ("succeeded", "failed", "canceled", "aborted")


def dispatch(client: Replicate, args: argparse.Namespace) -> int:
    if args.command == "run":
        return run(client, args)
    if args.command == "account":
        print_json(client.account.get().to_dict())
        return EXIT_OK
    handler = {
        "predictions": predictions,
        "models": models,
        "files": files,
        "deployments": deployments,
        "trainings": trainings,
        "hardware": hardware,
    }[args.command]
    return handler(client, args.action, args.target)


def _need(target: Optional[str], what: str) -> str:
    if not target:
        raise InputError(f"this command needs {what}")
    return target


def _owner_name(target: Optional[str]) -> tuple[str, str]:
    owner, _, name = _need(target, "owner/name").partition("/")
    if not owner or not name:
        raise InputError(f"expected owner/name, got {target!r}")
    return owner, name


def _print_items(items: Any) -> None:
    for item in items:
        print_json(item.to_dict())


# -- run ------------------------------------------------------------------------------------------


def _input_schema(client: Replicate, ref: str) -> Dict[str, Any]:
    from .._refs import parse_ref

    parsed = parse_ref(ref)
    if parsed.owner and parsed.name and parsed.version:
        version = client.models.versions.get(
            model_owner=parsed.owner, model_name=parsed.name, version_id=parsed.version
        )
        schema: Any = version.openapi_schema
    elif parsed.owner and parsed.name:
        latest = client.models.get(model_owner=parsed.owner, model_name=parsed.name).latest_version
        schema = latest.openapi_schema if latest else None
    else:
        return {}
    try:
        return dict(schema["components"]["schemas"]["Input"])
    except (KeyError, TypeError):
        return {}


def run(client: Replicate, args: argparse.Namespace) -> int:
    inputs = parse_inputs(args.inputs, _input_schema(client, args.ref))
    if args.stream:
        for chunk in client.use(args.ref, streaming=True)(**inputs):
            sys.stdout.write(str(chunk))
            sys.stdout.flush()
        sys.stdout.write("\n")
        return EXIT_OK
    prediction: Prediction = client.run(args.ref, input=inputs, wait=False)
    if args.no_wait:
        print_json(prediction.to_dict()) if args.json else print(prediction.id)
        return EXIT_OK
    status = StatusLine()
    try:
        prediction = _follow(client, prediction, status, show_logs=args.logs)
    except KeyboardInterrupt:
        status.done()
        if args.cancel_on_interrupt or (
            sys.stdin.isatty() and input(f"Cancel prediction {prediction.id}? [y/N] ").lower().startswith("y")
        ):
            client.predictions.cancel(prediction_id=prediction.id)
            print(f"canceled {prediction.id}", file=sys.stderr)
        else:
            print(
                f"{prediction.id} is still running: replicate predictions wait {prediction.id}",
                file=sys.stderr,
            )
        return 130
    status.done()
    if args.json:
        print_json(prediction.to_dict(mode="json"))
    elif prediction.status == "succeeded":
        _print_output(client, prediction.output, Path(args.output_dir))
    if prediction.status != "succeeded":
        print(
            f"replicate: prediction {prediction.id} {prediction.status}: {prediction.error or ''}".rstrip(
                ": "
            ),
            file=sys.stderr,
        )
        return EXIT_MODEL
    return EXIT_OK


def _follow(client: Replicate, prediction: Prediction, status: StatusLine, *, show_logs: bool) -> Prediction:
    """Poll until the prediction ends, showing status, progress and (with --logs) new log lines."""
    shown = 0
    delay = 0.05
    while True:
        status.update(prediction)
        logs = prediction.logs or ""
        if show_logs and len(logs) > shown:
            status.done()
            sys.stderr.write(logs[shown:])
            shown = len(logs)
        if prediction.status in TERMINAL:
            return prediction
        time.sleep(delay)
        delay = min(delay * 1.5, 0.5)
        prediction = client.predictions.get(prediction_id=prediction.id)


def _print_output(client: Replicate, output: Any, directory: Path) -> None:
    """Text as text; file outputs saved into `directory` under their own names, paths printed."""
    from .._file_output import FileOutput, is_file_url

    def save(url: str) -> str:
        file = FileOutput(url, client)
        directory.mkdir(parents=True, exist_ok=True)
        target = directory / (file.filename or "output")
        stem, suffix, n = target.stem, target.suffix, 1
        while target.exists():
            target = directory / f"{stem}-{n}{suffix}"
            n += 1
        file.save(target)
        return str(target)

    items: List[Any] = cast("List[Any]", output) if isinstance(output, list) else []
    if items and all(isinstance(item, str) and not is_file_url(item) for item in items):
        print("".join(items))  # streamed text, e.g. a language model's tokens
    elif items:
        for item in items:
            print(save(item) if is_file_url(item) else item)
    elif isinstance(output, str) and is_file_url(output):
        print(save(output))
    elif isinstance(output, (dict, list)):
        print_json(output)
    else:
        print(output)


# -- the other commands -------------------------------------------------------------------------------


def predictions(client: Replicate, action: str, target: Optional[str]) -> int:
    if action == "list":
        _print_items(client.predictions.list().results)
        return EXIT_OK
    prediction_id = _need(target, "a prediction id")
    if action == "get":
        result = client.predictions.get(prediction_id=prediction_id)
    elif action == "cancel":
        result = client.predictions.cancel(prediction_id=prediction_id)
    else:
        result = client.predictions.wait(prediction_id=prediction_id)
    print_json(result.to_dict(mode="json"))
    return (
        EXIT_OK
        if result.status not in ("failed", "canceled", "aborted") or action == "cancel"
        else EXIT_MODEL
    )


def models(client: Replicate, action: str, target: Optional[str]) -> int:
    if action == "list":
        _print_items(client.models.list().results)
    elif action == "search":
        _print_items(client.models.search(body=_need(target, "a search query")).results)
    else:
        owner, name = _owner_name(target)
        if action == "get":
            print_json(client.models.get(model_owner=owner, model_name=name).to_dict(mode="json"))
        elif action == "versions":
            _print_items(client.models.versions.list(model_owner=owner, model_name=name).results)
        else:
            from ._inputs import describe_inputs

            print(f"Inputs of {owner}/{name}:")
            print(describe_inputs(_input_schema(client, f"{owner}/{name}")))
    return EXIT_OK


def files(client: Replicate, action: str, target: Optional[str]) -> int:
    if action == "upload":
        print_json(client.files.create(content=Path(_need(target, "a file path"))).to_dict(mode="json"))
    elif action == "list":
        _print_items(client.files.list().results)
    elif action == "get":
        print_json(client.files.get(file_id=_need(target, "a file id")).to_dict(mode="json"))
    else:
        client.files.delete(file_id=_need(target, "a file id"))
        print(f"deleted {target}")
    return EXIT_OK


def deployments(client: Replicate, action: str, target: Optional[str]) -> int:
    if action == "list":
        _print_items(client.deployments.list().results)
    else:
        owner, name = _owner_name(target)
        print_json(client.deployments.get(deployment_owner=owner, deployment_name=name).to_dict(mode="json"))
    return EXIT_OK


def trainings(client: Replicate, action: str, target: Optional[str]) -> int:
    if action == "list":
        _print_items(client.trainings.list().results)
    elif action == "get":
        print_json(client.trainings.get(training_id=_need(target, "a training id")).to_dict(mode="json"))
    else:
        print_json(client.trainings.cancel(training_id=_need(target, "a training id")).to_dict(mode="json"))
    return EXIT_OK


def hardware(client: Replicate, action: str, target: Optional[str]) -> int:
    for item in client.hardware.list():
        print(f"{item.sku}\t{item.name}")
    return EXIT_OK


__all__ = ["EXIT_USAGE", "dispatch"]
