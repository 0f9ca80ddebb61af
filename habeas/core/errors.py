"""Errors a user can act on, importable before Django is set up."""

from __future__ import annotations


class LoadError(Exception):
    """A data file that cannot be loaded; the message names the file, the line and the problem."""


class CommandError(Exception):
    """A problem the user of the command line can fix; printed without a traceback."""
