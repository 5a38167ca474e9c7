"""Foundations with no domain in them: errors, units, random streams, statistics, executors,
child processes, time-weighted monitors, version. Imports nothing else of ``sim``."""
