"""All stages, I/O: ``python -m peacetalks.cli STAGE`` (how ``bench`` and the crash tests run a stage in its own process)."""

import sys

from . import main

sys.exit(main())
