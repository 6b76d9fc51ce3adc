"""Named bundles of loaded datasets for notebooks that need many at once."""
from __future__ import annotations

from . import availability
from .catalog import article_date
from .loaders import close_prices, famafrench_table, fred_series, shiller


def claims_inputs() -> dict:
    """Every frame the claims check reads (see `rotation.claims` for the keys and units).

    `cpi_at_article` is CPI as published on the article's date (`article_date()`), or at the
    data cutoff in force when that is earlier: the prints the article could have known."""
    me = "ff_portfolios_me"
    now = availability.current_cutoff()
    at_article = article_date() if now is None else min(now, article_date())
    with availability.cutoff(at_article):
        cpi_at_article = fred_series("CPIAUCSL")
    return {
        "cpi_at_article": cpi_at_article,
        "rut": close_prices("RUT"), "spy": close_prices("SPY"), "nasdaq": fred_series("NASDAQCOM"),
        "iwm": close_prices("IWM"), "qqq": close_prices("QQQ"), "rsp": close_prices("RSP"),  # adjusted closes: total return
        "dgs10": fred_series("DGS10"), "baa10y": fred_series("BAA10Y"), "baa": fred_series("BAA"), "effr": fred_series("EFFR"),
        "t10y2y": fred_series("T10Y2Y"), "upper": fred_series("DFEDTARU"), "lower": fred_series("DFEDTARL"),
        "cpi": fred_series("CPIAUCSL"), "cpi_core": fred_series("CPILFESL"), "unrate": fred_series("UNRATE"),
        "usrec": fred_series("USREC"), "fedfunds": fred_series("FEDFUNDS"), "dgs2": fred_series("DGS2"),
        "prime": fred_series("DPRIME"),
        "hy": fred_series("BAMLH0A0HYM2"),
        "me_returns": famafrench_table(me, "Average Value Weight Returns -- Monthly"),
        "me_returns_ew": famafrench_table(me, "Average Equal Weighted Returns -- Monthly"),
        "factors": famafrench_table("ff_5_factors", ""),
        "me_firms": famafrench_table(me, "Number of Firms in Portfolios"),
        "me_size": famafrench_table(me, "Average Firm Size"),
        "ep_firms": famafrench_table("ff_portfolios_ep", "Number of Firms in Portfolios"),
        "bm25_firms": famafrench_table("ff_25_size_bm", "Number of Firms in Portfolios"),
        "bm25_cap": famafrench_table("ff_25_size_bm", "Average Market Cap"),
        "bm25_bm_june": famafrench_table("ff_25_size_bm", "BE_FYt-1/ME_June t"),
        "bm25_returns": famafrench_table("ff_25_size_bm", "Average Value Weighted Returns -- Monthly"),
        "op25_firms": famafrench_table("ff_25_size_op", "Number of Firms in Portfolios"),
        "op25_cap": famafrench_table("ff_25_size_op", "Average Market Cap"),
        "op25_returns": famafrench_table("ff_25_size_op", "Average Value Weighted Returns -- Monthly"),
        "shiller": shiller(),
    }
