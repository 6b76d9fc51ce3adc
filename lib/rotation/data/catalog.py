"""The data catalogue (`seeds/sources.yml`) and where the local store lives."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

PACKAGE_DIR = Path(__file__).resolve().parents[1]


def project_root() -> Path:
    """The checkout this package runs from: the folder holding `seeds/` and `lib/`.

    `ROTATION_HOME` overrides it (useful when the package is installed non-editable).
    """
    env = os.environ.get("ROTATION_HOME")
    if env:
        return Path(env).resolve()
    candidate = PACKAGE_DIR.parents[1]  # lib/rotation -> lib -> project root
    if (candidate / "seeds" / "sources.yml").exists():
        return candidate
    return Path.cwd().resolve()


def data_dir() -> Path:
    """The local data store (`data/` in the checkout; `ROTATION_DATA` overrides it)."""
    env = os.environ.get("ROTATION_DATA")
    return Path(env).resolve() if env else project_root() / "data"


def default_snapshot() -> Path:
    """The pinned snapshot beside the checkout (`../shared/data`)."""
    return (project_root().parent / "shared" / "data").resolve()


@dataclass(frozen=True)
class Dataset:
    """One record of `seeds/sources.yml`."""

    id: str
    file: str
    provider: str
    series: str
    title: str
    frequency: str
    units: str
    parser: str
    licence: str
    first: str
    last: str
    vintage: str
    rows: int
    sha256: str
    notes: str = ""
    splice_into: str | None = None
    published: dict = field(default_factory=dict)
    extra: dict = field(default_factory=dict)

    @property
    def publication(self):
        """The dataset's publication rule (`rotation.data.availability.PublicationRule`)."""
        from .availability import PublicationRule

        if not self.published:
            raise ValueError(f"dataset {self.id} has no publication rule (`published:`) in seeds/sources.yml")
        return PublicationRule.from_record(self.published)


@cache
def _catalog_cached(path: str) -> tuple[Dataset, ...]:
    raw = yaml.safe_load(Path(path).read_text())
    known = set(Dataset.__dataclass_fields__)
    out = []
    for rec in raw["datasets"]:
        extra = {k: v for k, v in rec.items() if k not in known}
        out.append(Dataset(**{k: v for k, v in rec.items() if k in known}, extra=extra))
    return tuple(out)


def catalog(path: Path | None = None) -> tuple[Dataset, ...]:
    """All datasets of the catalogue, in file order."""
    path = path or project_root() / "seeds" / "sources.yml"
    return _catalog_cached(str(path))


def dataset(dataset_id: str) -> Dataset:
    """The catalogue record with this id; a clear error listing the ids otherwise."""
    for d in catalog():
        if d.id == dataset_id:
            return d
    ids = ", ".join(d.id for d in catalog())
    raise KeyError(f"unknown dataset id {dataset_id!r}; known ids: {ids}")


def article_date():
    """The first date the source article can have appeared (`seeds/claims.yml`, source.earliest_date),
    as a Timestamp: content that quotes the article is shown only in runs on or after it."""
    import pandas as pd

    return pd.Timestamp(claims_catalog()["source"]["earliest_date"])


def turning_points_file() -> Path:
    """`seeds/nber_turning_points.yml`: NBER peaks and troughs with their announcement dates."""
    return project_root() / "seeds" / "nber_turning_points.yml"


def claims_catalog(path: Path | None = None) -> dict:
    """`seeds/claims.yml`: {"source": ..., "claims": [records], "untestable": [...]}."""
    path = path or project_root() / "seeds" / "claims.yml"
    return yaml.safe_load(Path(path).read_text())
