"""Facts about the running system: the User-Agent (computed once) and where the token comes from."""

from __future__ import annotations

import importlib
import os
import platform
import sys
from functools import cache
from typing import Any, Optional

from .._version import __version__


@cache
def user_agent() -> str:
    """`replicate-python/<version> (<os>; <arch>) <runtime>/<version>`, e.g. for support tickets."""
    system = platform.system() or "unknown"
    details = f"{system} {platform.release()}".strip()
    if system == "Linux":
        try:
            import distro

            name = distro.name(pretty=False)
            if name:
                details += f"; {name} {distro.version()}".rstrip()
        except Exception:  # the User-Agent must never break a request
            pass
    runtime = f"{platform.python_implementation()}/{platform.python_version()}"
    return f"replicate-python/{__version__} ({details}; {platform.machine() or 'unknown'}) {runtime}"


def token_from_environment() -> Optional[str]:
    """The API token: from the current Cog prediction's scope when inside one, else the env."""
    return _token_from_cog_scope() or os.environ.get("REPLICATE_API_TOKEN") or None


def _token_from_cog_scope() -> Optional[str]:
    # Inside a Cog model, each prediction can carry its own token; `cog` is optional.
    if "cog" not in sys.modules:
        try:
            importlib.import_module("cog")
        except Exception:
            return None
    return cog_scope_token()


def cog_scope_token() -> Optional[str]:
    """The token in the current Cog prediction's scope, if `cog` is loaded and has one.

    Its key is matched case-insensitively: Cog passes the prediction's context as it was sent
    (`replicate_api_token` or `REPLICATE_API_TOKEN`).
    """
    cog: Any = sys.modules.get("cog")
    if cog is None:
        return None
    try:
        context: Any = cog.current_scope().context
        token = context.get("REPLICATE_API_TOKEN")
        if token is None:
            token = next(
                (v for k, v in context.items() if isinstance(k, str) and k.lower() == "replicate_api_token"),
                None,
            )
    except Exception:
        return None
    return token if isinstance(token, str) and token else None
