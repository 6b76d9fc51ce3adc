"""Helpers for Fama-French 5x5 size-by-characteristic portfolios (shared by topic modules)."""
from __future__ import annotations

import pandas as pd


def size_quintile_columns(columns, quintile: int) -> list[str]:
    """The five portfolios of size quintile 1 (smallest) .. 5 (biggest), by name: quintile 1
    is `SMALL Lo..`, `ME1 ..2-4`, `SMALL Hi..`; quintile 5 uses `BIG`/`ME5`."""
    alias = {1: "SMALL", 5: "BIG"}.get(quintile)
    out = [c for c in columns if c.startswith(f"ME{quintile} ") or (alias and c.startswith(alias + " "))]
    if len(out) != 5:
        raise ValueError(f"expected 5 portfolios for size quintile {quintile}, found {out}")
    return out


def market_equity(firms: pd.DataFrame, avg_cap: pd.DataFrame) -> pd.DataFrame:
    """Market equity of each portfolio ($ millions): number of firms x average market cap."""
    return firms * avg_cap


def me_weighted(firms: pd.DataFrame, avg_cap: pd.DataFrame, characteristic: pd.DataFrame, quintile: int) -> pd.Series:
    """Market-equity-weighted average of a portfolio characteristic across the five portfolios
    of a size quintile: sum_i ME_i x C_i / sum_i ME_i (NaN unless all five are present)."""
    cols = size_quintile_columns(firms.columns, quintile)
    me = market_equity(firms[cols], avg_cap[cols])
    num = (me * characteristic[cols]).sum(axis=1, min_count=5)
    return num / me.sum(axis=1, min_count=5)
