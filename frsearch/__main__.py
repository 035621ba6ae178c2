"""``python -m frsearch``: the same as the ``frsearch`` command."""

from frsearch.cli import main

raise SystemExit(main())
