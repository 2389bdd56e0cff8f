"""`python -m dms_smartconnect_contract`: the same as the `smartconnect-contract` command."""

import sys

from .cli import main

sys.exit(main())
