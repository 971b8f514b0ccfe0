"""`python -m replicate`: the command line (see `replicate.cli`)."""

import sys

from .cli import main

sys.exit(main())
