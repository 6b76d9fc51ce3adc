"""All file I/O of the project: the verified local store, loaders, coverage and fetch.

Typical use in a notebook::

    from rotation import data
    me = data.famafrench_table("ff_portfolios_me", "Average Value Weight Returns -- Monthly")
    dgs2 = data.fred_series("DGS2")
"""
from .availability import PublicationRule, current_cutoff, cutoff, published, set_cutoff
from .bundles import claims_inputs, thesis_inputs
from .catalog import (article_date, catalog, claims_catalog, data_dir, dataset, default_snapshot, project_root,
                      turning_points_file)
from .freshness import CORE_MONTHLY, coverage, coverage_of, latest_common_month
from .errors import DataError, DataFileCorrupt, DataStoreMissing, DataWriteError, FetchError, SnapshotError
from .loaders import (clear_caches, close_prices, famafrench_table, famafrench_titles, fred_parts, fred_series,
                      goyal_welch, load_all, price_frame, shiller, splice_newer_wins)
from .store import import_snapshot, sha256_of, verify_store

__all__ = [
    "PublicationRule", "current_cutoff", "cutoff", "published", "set_cutoff", "claims_inputs", "thesis_inputs",
    "article_date", "catalog", "claims_catalog", "data_dir", "dataset", "default_snapshot", "project_root", "turning_points_file", "CORE_MONTHLY", "coverage", "coverage_of",
    "latest_common_month", "DataError", "DataFileCorrupt", "DataStoreMissing", "DataWriteError", "FetchError",
    "SnapshotError", "clear_caches", "close_prices", "famafrench_table", "famafrench_titles",
    "fred_parts", "fred_series", "goyal_welch", "load_all", "price_frame", "shiller", "splice_newer_wins",
    "import_snapshot", "sha256_of", "verify_store",
]
