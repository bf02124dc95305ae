"""``python -m ontap_sim``."""

import sys

from .cli import main

sys.exit(main())
