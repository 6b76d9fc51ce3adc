"""Errors of the data layer. Each message names the file and the command that fixes it."""
from ..errors import DataError  # noqa: F401  (the base, part of the `RotationError` family)


class DataStoreMissing(DataError):
    """The local store (or one of its files) is not there."""


class DataFileCorrupt(DataError):
    """A file's checksum differs from the one recorded when the store was filled."""


class SnapshotError(DataError):
    """The snapshot being imported is missing a file or has a file with the wrong sha256."""


class SnapshotPathError(SnapshotError):
    """`rotation data import PATH`: PATH is not a snapshot folder (a bad request: exit 2)."""

    exit_code = 2


class FetchError(DataError):
    """An online refresh failed; the store was left as it was."""


class DataWriteError(DataError):
    """Writing the store failed (disk full, read-only folder, ...); the store was left as it was."""
