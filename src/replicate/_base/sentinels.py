"""`NOT_GIVEN` and `omit`, apart from the option types so that `import replicate` can use them
(as the default of `replicate.run(wait=...)`) without loading httpx.

`NOT_GIVEN` marks an optional argument the caller did not pass (distinct from `None`, which
may be a meaningful value); `omit` removes a header the client would otherwise send.
"""

from __future__ import annotations

from typing import Literal, final


@final
class NotGiven:
    """The type of `NOT_GIVEN`: an argument that was not passed at all."""

    def __bool__(self) -> Literal[False]:
        return False

    def __repr__(self) -> str:
        return "NOT_GIVEN"


NOT_GIVEN = NotGiven()


@final
class Omit:
    """The type of `omit`: pass it as a header value to stop the client sending that header."""

    def __bool__(self) -> Literal[False]:
        return False

    def __repr__(self) -> str:
        return "omit"


omit = Omit()
