"""Entry point for `python -m seeds`."""

import sys

from seeds.cli import main

sys.exit(main())
