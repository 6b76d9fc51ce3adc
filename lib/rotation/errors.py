"""The error family of `rotation`: every error a user can cause or fix is a `RotationError`.

    RotationError                  anything the command line reports in one line (exit 1)
    ├── DataError                  the data store: missing, damaged, a snapshot or fetch problem (exit 1)
    ├── ParameterError             a notebook parameter is malformed or out of range (exit 2)
    ├── RunRequestError            a bad `rotation run` / `sweep` request: notebook, folder, dates, --jobs (exit 2)
    └── OutputWriteError           reports could not be written (disk full, ...); says what was kept (exit 1)

The command line prints `rotation <command>: error: <message>` and exits with `exit_code`;
`rotation --debug ...` shows the traceback as well. Messages name the input, what is allowed
and what to run.
"""
from __future__ import annotations


class RotationError(Exception):
    """Base of every error `rotation` reports to a user in one line."""

    exit_code = 1


class DataError(RotationError, RuntimeError):
    """The data store is missing, damaged or cannot be filled (`rotation.data.errors` has the named cases)."""


class ParameterError(RotationError, ValueError):
    """A notebook or runner parameter is malformed or out of range."""

    exit_code = 2


class RunRequestError(RotationError, ValueError):
    """The run request is malformed: unknown notebook or parameter, bad value, unusable folder."""

    exit_code = 2


class OutputWriteError(RotationError, OSError):
    """Writing reports failed part-way (e.g. the disk is full); the message says what was kept."""
