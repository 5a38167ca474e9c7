"""Errors a user can cause and fix, each with a message that says what to change."""

from __future__ import annotations


class ParcelsimError(Exception):
    """Base class of errors reported to the user without a traceback (exit code 2)."""


class ScenarioError(ParcelsimError):
    """A scenario file or override is invalid; the message names field, value and what is allowed."""


class ResultsError(ParcelsimError):
    """A results folder is missing, incomplete or would be overwritten."""


class ConservationError(RuntimeError):
    """Parcels were lost or double counted: a bug in the model, never a user error."""
