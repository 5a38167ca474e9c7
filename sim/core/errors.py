"""Errors a user can cause and fix, each with a message that says what to change.

Library functions name their *parameters* (``kpi: unknown KPI ...``); the command line, which
knows which flag fed which parameter, names the *flag* instead (``--kpi: unknown KPI ...``).
"""

from __future__ import annotations

__all__ = ["ConservationError", "DistrictError", "ParcelsimError", "ResultsError", "ScenarioError"]


class ParcelsimError(Exception):
    """Base class of errors reported to the user without a traceback (exit code 2).

    ``param`` names the function parameter the message is about, when there is one; the
    message then reads ``"<param>: <detail>"``.
    """

    def __init__(self, message: str, *, param: str | None = None) -> None:
        super().__init__(f"{param}: {message}" if param else message)
        self.param = param
        self.detail = message


class ScenarioError(ParcelsimError, ValueError):
    """A scenario, an override or an argument is invalid; the message names field, value and what is allowed."""


class DistrictError(ScenarioError):
    """A district cannot be built from the scenario's city settings or its map and list files; the
    message names the file (row, column) or the field, and what to change."""

    def __init__(self, message: str, *, param: str | None = "city") -> None:
        super().__init__(message, param=param)


class ResultsError(ParcelsimError):
    """A results folder is missing, incomplete or would be overwritten."""


class ConservationError(RuntimeError):
    """Parcels were lost or double counted: a bug in the model, never a user error."""
