"""Many runs: replications and variants (``runner``), sweeps, the break-even fee, capacity,
staffing, calibration, and checks against theory. May import ``sim.results`` and below."""
