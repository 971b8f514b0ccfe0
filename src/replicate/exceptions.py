"""The errors this library raises; see `replicate._base.errors` for the tree."""

from ._base.errors import *  # noqa: F403
from ._base.errors import __all__ as __all__
