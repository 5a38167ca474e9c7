"""Units of the model: time in seconds since day 0, 00:00; distances in metres; money in yuan."""

SECONDS_PER_HOUR = 3600.0
SECONDS_PER_DAY = 86_400.0
