"""The `replicate` command: run models and inspect the API from a shell.

    replicate run replicate/hello-world text=world
    replicate run owner/model prompt="a cat" steps=20 image=@photo.png --output-dir out/
    replicate run-many owner/model --inputs rows.csv --output results.jsonl   (run again: resumes)
    replicate predictions list | get ID | cancel ID | wait ID
    replicate models get|schema|versions OWNER/NAME | list | search QUERY
    replicate files upload PATH | list | get ID | delete ID | download URL
    replicate deployments list | get OWNER/NAME    replicate trainings list | get ID | cancel ID
    replicate hardware list                        replicate account

    _args.py      the grammar, exit codes, UsageError
    _inputs.py    key=value typed by the version's input schema
    _commands.py  one function per command; run's Ctrl-C handling
    _run_many.py  run-many: rows in, results out, a progress line, the journal to resume
    _display.py   the live status line (a terminal) or plain lines (piped)
    _outputs.py   printing output, saving files under sensible names

Exit codes: 0 success, 1 the model failed or was canceled, 2 usage error, 3 API or network
error, 130 interrupted (the prediction left running). Messages go to stderr, results to stdout;
the token is never printed. Nothing here is imported by `import replicate`.
"""

from __future__ import annotations

import os
import sys
from typing import List, Optional

__all__ = ["main"]

_TOKEN_HELP = (
    "set the REPLICATE_API_TOKEN environment variable or pass --token"
    " (create a token at https://replicate.com/account/api-tokens)"
)


def main(argv: Optional[List[str]] = None) -> int:
    """Run the command line `argv` (default: `sys.argv[1:]`); returns the exit code."""
    from ._args import EXIT_API, EXIT_INTERRUPTED, EXIT_MODEL, EXIT_OK, EXIT_USAGE, UsageError, parse

    try:
        args = parse(argv)
    except SystemExit as exit:  # argparse: --help (0) or a usage error (2), already printed
        return exit.code if isinstance(exit.code, int) else EXIT_USAGE

    from .._base.errors import APIError, AuthenticationError, ModelError, ReplicateError

    def fail(message: object, code: int) -> int:
        print(f"replicate: {message}", file=sys.stderr)
        return code

    try:
        from .._base.platform import token_from_environment
        from .._client import Replicate
        from ._commands import dispatch

        token = args.token or token_from_environment()
        if not token:
            return fail(f"no API token: {_TOKEN_HELP}", EXIT_USAGE)
        client = Replicate(bearer_token=token, base_url=args.base_url or None)
        with client:
            return dispatch(client, args)
    except BrokenPipeError:  # `replicate ... | head`: the reader left; so do we, quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
    except UsageError as error:
        return fail(error, EXIT_USAGE)
    except ModelError as error:
        return fail(error, EXIT_MODEL)
    except AuthenticationError as error:  # its message speaks to Python code (bearer_token=)
        reason = f": {error.detail}" if error.detail else ""
        return fail(f"the API refused the token ({error.status_code}{reason}): {_TOKEN_HELP}", EXIT_API)
    except APIError as error:
        return fail(error, EXIT_API)
    except (ReplicateError, ValueError, OSError) as error:
        return fail(error, EXIT_USAGE)
    except KeyboardInterrupt:
        return fail("interrupted", EXIT_INTERRUPTED)
