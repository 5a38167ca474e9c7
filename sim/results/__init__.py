"""Results: the run set of many runs (``runset``), results folders written safely (``outdir``,
``tables``, ``bundle``) and read back (``folder``), and the files other tools read (OCEL, LaDe).
May import ``sim.model`` and the layers below it."""
