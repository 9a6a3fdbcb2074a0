"""``python -m bai_mei_plugin.demo --output demo-output``: what `make demo` runs (see :mod:`.run`)."""

import sys

from .run import main

sys.exit(main())
