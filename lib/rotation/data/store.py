"""Filling and checking the local data store.

* `import_snapshot(src)` copies a snapshot into `data/` after checking every sha256 against
  `seeds/sources.yml`; it never writes into `src`, and `data/` changes only after every file
  has been checked.
* `verify_store()` checks that `data/` holds every catalogued file with the checksum recorded
  in `data/manifest.json` when it was filled.
* The manifest written into `data/` records, per file, the sha256 and where it came from
  (snapshot or provider), so that loaders can detect a corrupted file.
"""
from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import tempfile
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

from . import framecache
from .catalog import Dataset, catalog, data_dir, default_snapshot
from .errors import DataFileCorrupt, DataStoreMissing, DataWriteError, SnapshotError, SnapshotPathError

MANIFEST = "manifest.json"
FIX_HINT = "run `make data` (or `rotation data import ../shared/data`) to fill it"


def sha256_of(path: Path) -> str:
    """Hex sha256 of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def check_snapshot(src: Path, datasets: tuple[Dataset, ...] | None = None) -> list[str]:
    """Problems of a snapshot folder against the catalogue (empty list when all is well)."""
    datasets = datasets or catalog()
    problems = []
    for d in datasets:
        p = src / d.file
        if not p.is_file():
            problems.append(f"missing file {p} (dataset {d.id})")
            continue
        got = sha256_of(p)
        if got != d.sha256:
            problems.append(f"sha256 mismatch for {p} (dataset {d.id}): expected {d.sha256}, got {got}")
    return problems


def _manifest_record(d: Dataset, sha: str, origin: str) -> dict:
    return {"file": d.file, "sha256": sha, "origin": origin, "vintage": d.vintage}


def swap_in(staging: Path, target: Path) -> None:
    """Replace folder `target` by `staging` with two renames; the old store is removed last.
    Where `target` cannot be renamed (a mount point: EBUSY; or another file system: EXDEV),
    its files are replaced one by one instead (`replace_files`), each atomically."""
    old = None
    try:
        if target.exists():
            old = target.with_name(f".{target.name}.old-{os.getpid()}")
            os.replace(target, old)
    except OSError as exc:
        if exc.errno not in (errno.EBUSY, errno.EXDEV, errno.EPERM):
            raise
        replace_files(staging, target)
        shutil.rmtree(staging, ignore_errors=True)
        return
    try:
        os.replace(staging, target)
    except BaseException:
        if old is not None:
            os.replace(old, target)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def replace_files(staging: Path, target: Path) -> None:
    """Replace the files of folder `target` by those of `staging`, one by one: each is first
    copied beside its destination and then renamed over it (atomic per file); the manifest
    (`MANIFEST`) last, so a store interrupted half-way fails `verify` and `make data` repairs it.
    Files of `target` that `staging` lacks are left alone (the cache checks itself)."""
    files = sorted(p.relative_to(staging) for p in staging.rglob("*") if p.is_file())
    files.sort(key=lambda rel: rel.name == MANIFEST)  # the manifest last
    for rel in files:
        dest = target / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = dest.with_name(f".{dest.name}.new-{os.getpid()}")
        try:
            shutil.copyfile(staging / rel, tmp)
            os.replace(tmp, dest)
        finally:
            tmp.unlink(missing_ok=True)


@contextmanager
def staging_for(dest: Path, label: str):
    """A fresh staging folder beside `dest`, removed if the block fails (the store is untouched);
    on success `publish_staging` has moved it into place."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=dest.parent, prefix=f".{dest.name}.{label}-"))
    try:
        yield staging
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def publish_staging(staging: Path, dest: Path, manifest: dict) -> None:
    """Write the manifest into a fully built staging folder and swap it in as the store."""
    (staging / MANIFEST).write_text(json.dumps(manifest, indent=1))
    swap_in(staging, dest)


def import_snapshot(src: Path | None = None, dest: Path | None = None, progress=print) -> Path:
    """Check every file of snapshot `src` against the catalogue and copy it into `dest`.

    Refuses (SnapshotError, nothing written) when any file is missing or its sha256 differs.
    The copy goes to a staging folder beside `dest` and is swapped in only when complete.
    """
    src = Path(src or default_snapshot()).resolve()
    dest = Path(dest or data_dir()).resolve()
    if src.is_file():
        raise SnapshotPathError(f"snapshot {src} is a file: pass the snapshot folder (the one that holds MANIFEST.csv), "
                            f"e.g. `rotation data import {default_snapshot()}`")
    if not src.is_dir():
        raise SnapshotPathError(f"snapshot folder {src} does not exist; pass the folder that holds MANIFEST.csv "
                            f"(default {default_snapshot()})")
    if src == dest:
        raise SnapshotError(f"snapshot {src} and store {dest} are the same folder")
    datasets = catalog()
    problems = check_snapshot(src, datasets)
    if problems:
        raise SnapshotError("refusing to import the snapshot:\n  " + "\n  ".join(problems))
    try:
        _copy_in(src, dest, datasets)
    except OSError as exc:  # disk full, read-only, ...: the staging copy is gone, the store untouched
        raise DataWriteError(f"could not write the data store {dest} ({exc.strerror or exc}"
                             f"{': ' + str(exc.filename) if exc.filename else ''}); the store was left as it was; "
                             f"free space or fix the folder and run `make data` again") from None
    progress(f"imported {len(datasets)} files from {src} into {dest} (all sha256 verified)")
    return dest


def _copy_in(src: Path, dest: Path, datasets) -> None:
    """Copy every catalogued file of snapshot `src` into a staging folder, check each copy's
    sha256, and swap the staging folder in as the store `dest`."""
    with staging_for(dest, "staging") as staging:
        manifest = {"filled": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                    "source": str(src), "files": {}}
        for d in datasets:
            target = staging / d.file
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src / d.file, target)
            if sha256_of(target) != d.sha256:  # the copy itself went wrong
                raise SnapshotError(f"copy of {d.file} does not match its sha256")
            manifest["files"][d.id] = _manifest_record(d, d.sha256, "snapshot")
        publish_staging(staging, dest, manifest)


def read_manifest(store: Path | None = None) -> dict:
    """The store's manifest; DataStoreMissing naming `make data` when absent."""
    store = Path(store or data_dir())
    path = store / MANIFEST
    if not path.is_file():
        raise DataStoreMissing(f"data store {store} is missing or was not filled by `rotation data import`: {FIX_HINT}")
    try:
        manifest = json.loads(path.read_text())
    except (ValueError, UnicodeDecodeError):
        raise DataFileCorrupt(f"data store manifest {path} is damaged (not valid JSON): {FIX_HINT}") from None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), dict):
        raise DataFileCorrupt(f"data store manifest {path} is damaged (no 'files' table): {FIX_HINT}")
    return manifest


def verify_store(store: Path | None = None, cache: bool = False) -> list[str]:
    """Problems of the local store (missing files, checksum mismatches); empty when all is well.
    With `cache`, also the parsed-data cache entries that would not be used
    (`framecache.problems`: each is rebuilt from its verified source on the next load, so they
    do not make the store unusable)."""
    store = Path(store or data_dir())
    manifest = read_manifest(store)
    problems = framecache.problems(store / framecache.CACHE_DIR) if cache else []
    for d in catalog():
        rec = manifest["files"].get(d.id)
        p = store / d.file
        if rec is None or not p.is_file():
            problems.append(f"missing {p} (dataset {d.id})")
        elif sha256_of(p) != rec["sha256"]:
            problems.append(f"checksum mismatch for {p} (dataset {d.id})")
    return problems


def checked_path(d: Dataset, store: Path | None = None) -> tuple[Path, str]:
    """Path of dataset `d` in the store and its verified sha256.

    Raises DataStoreMissing or DataFileCorrupt with a message naming the file and `make data`.
    """
    store = Path(store or data_dir())
    p = store / d.file
    if not p.is_file():
        raise DataStoreMissing(f"data file {p} (dataset {d.id}) is missing: {FIX_HINT}")
    manifest = read_manifest(store)
    rec = manifest["files"].get(d.id)
    expected = rec["sha256"] if rec else d.sha256
    got = sha256_of(p)
    if got != expected:
        raise DataFileCorrupt(f"data file {p} (dataset {d.id}) is corrupted: sha256 {got} differs from "
                              f"the recorded {expected}; {FIX_HINT}")
    return p, got
