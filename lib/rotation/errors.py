"""The error family of `rotation`: every error a user can cause or fix is a `RotationError`.

    RotationError                  anything the command line reports in one line (exit 1)
    ├── DataError                  the data store: missing, damaged, a snapshot or fetch problem (exit 1)
    ├── ParameterError             a notebook parameter is malformed or out of range (exit 2)
    ├── RunRequestError            a bad `rotation run` / `sweep` request: notebook, folder, dates, --jobs (exit 2)
    │   ├── OutputFolderError      --out is a source folder, the data store, a file, not writable, foreign
    │   │   └── OutputFolderBusy   another run holds the folder's lock
    │   ├── AsOfRangeError         --as-of outside 1926-07 .. a year from today
    │   ├── JobsError              --jobs below 1
    │   ├── NotebookSelectionError --only names no notebook (or is a path)
    │   └── SweepDateError         a sweep date malformed or out of range
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


class OutputFolderError(RunRequestError):
    """`--out` is a source folder, the data store, the project root, a file, not writable, or an
    existing non-empty folder that `rotation run` did not write."""


class OutputFolderBusy(OutputFolderError):
    """Another `rotation run` / `rotation sweep` is writing the output folder (it holds the
    folder's lock `.rotation.lock`)."""


class AsOfRangeError(RunRequestError):
    """`--as-of` lies before the core data's start or more than a year after today."""


class JobsError(RunRequestError):
    """`--jobs` is below 1."""


class NotebookSelectionError(RunRequestError):
    """`--only` names no notebook of the collection (or is a path)."""


class SweepDateError(RunRequestError):
    """A sweep date is malformed or outside what the data can answer."""
