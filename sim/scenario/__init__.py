"""The input: the scenario schema (``schema``), reading YAML files and overrides (``load``), the
size of a run estimated before it starts (``sizing``) and the reference pages of the schema
(``reference``). May import ``sim.core``."""
