"""``python -m sim`` is the same as the ``parcelsim`` command."""

from .cli.main import main

raise SystemExit(main())
