"""The command line (``parcelsim``), one module per command group over the library; nothing imports it."""
