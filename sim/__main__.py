"""``python -m sim`` is the same as the ``parcelsim`` command."""

from .cli import main

raise SystemExit(main())
