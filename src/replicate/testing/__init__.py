"""A local Replicate: the HTTP API, offline, stateful, in this package (standard library only).

    from replicate.testing import Emulator

    emulator = Emulator()

    @emulator.model("acme/echo")              # a Python function is a model: its signature
    def echo(text: str = "x") -> str:         # becomes the version's schema, generators
        return text                           # stream, exceptions fail the prediction

    with emulator.serve() as base_url:        # http://127.0.0.1:<port>/v1
        client = emulator.client()            # a Replicate client pointed at it
        client.run("acme/echo", input={"text": "hi"})

Built-in demo models: see `replicate.testing._builtin`. Faults on demand: `emulator.faults`.
Replicate's rate limits, enforced: `Emulator(rate_limits=RateLimits())`. File outputs as `data:`
URLs, as every published client reads them as files: `Emulator(file_outputs="data")`.
Everything it received: `emulator.requests`. From a shell: `python -m replicate.testing serve`.
"""

from ._emulator import DEFAULT_TOKEN, Emulator
from ._faults import Faults
from ._limits import RateLimits
from ._records import RequestRecord

__all__ = ["DEFAULT_TOKEN", "Emulator", "Faults", "RateLimits", "RequestRecord"]
