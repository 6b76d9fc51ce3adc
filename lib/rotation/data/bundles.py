"""Named bundles of loaded datasets for notebooks that need many at once."""
from __future__ import annotations

from . import availability
from .catalog import article_date
from .loaders import close_prices, famafrench_table, fred_series, price_frame, shiller


def claims_inputs() -> dict:
    """Every frame the claims check reads (see `rotation.claims` for the keys and units).

    `cpi_at_article` (and `cpi_core_at_article`) is CPI (core CPI) as published on the article's date (`article_date()`), or at the
    data cutoff in force when that is earlier: the prints the article could have known."""
    me = "ff_portfolios_me"
    now = availability.current_cutoff()
    at_article = article_date() if now is None else min(now, article_date())
    with availability.cutoff(at_article):
        cpi_at_article, core_at_article = fred_series("CPIAUCSL"), fred_series("CPILFESL")
    return {
        "cpi_at_article": cpi_at_article, "cpi_core_at_article": core_at_article,
        "rut": close_prices("RUT"), "spy": close_prices("SPY"), "nasdaq": fred_series("NASDAQCOM"),
        "iwm": close_prices("IWM"), "qqq": close_prices("QQQ"), "rsp": close_prices("RSP"),  # adjusted closes: total return
        "iwm_volume": price_frame("IWM")["Volume"].dropna(),  # shares traded a day
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
        "op25_returns_ew": famafrench_table("ff_25_size_op", "Average Equal Weighted Returns -- Monthly"),
        "shiller": shiller(),
    }


def thesis_inputs() -> dict:
    """Every frame the thesis verdict reads (notebook 06, `rotation.thesis`), as published by the
    cutoff in force (set by `rotation.params.validate`).

    Fama-French (returns decimal per month): bm25_firms, bm25_cap ($ millions), bm25_bm_june,
    bm25_returns (25 Portfolios 5x5 size x BE/ME), me_returns / me_returns_ew (Portfolios Formed on
    ME, VW / EW), me_firms, me_size ($ millions), factors (5 factors, SMB). FRED (percent):
    fedfunds (FEDFUNDS, monthly average), baa (Moody's Baa, monthly), dgs10, baa10y (pp), upper,
    lower (DFEDTARU / DFEDTARL, the target range from 2008-12-16), prime (DPRIME), usrec (NBER, as
    announced). Daily closes: iwm, spy, qqq (adjusted: total return), rut (^RUT, a price index).
    The article: article_date (Timestamp) and article_pricing, the 'markets are pricing' target
    range of `seeds/claims.yml` (market_prices_3p00_3p25: (low, high), percent)."""
    from .catalog import claims_catalog

    me, bm = "ff_portfolios_me", "ff_25_size_bm"
    claims = {c["id"]: c for c in claims_catalog()["claims"]}
    return {
        "bm25_firms": famafrench_table(bm, "Number of Firms in Portfolios"),
        "bm25_cap": famafrench_table(bm, "Average Market Cap"),
        "bm25_bm_june": famafrench_table(bm, "BE_FYt-1/ME_June t"),
        "bm25_returns": famafrench_table(bm, "Average Value Weighted Returns -- Monthly"),
        "me_returns": famafrench_table(me, "Average Value Weight Returns -- Monthly"),
        "me_returns_ew": famafrench_table(me, "Average Equal Weighted Returns -- Monthly"),
        "me_firms": famafrench_table(me, "Number of Firms in Portfolios"),
        "me_size": famafrench_table(me, "Average Firm Size"),
        "factors": famafrench_table("ff_5_factors", ""),
        "fedfunds": fred_series("FEDFUNDS"), "baa": fred_series("BAA"), "dgs10": fred_series("DGS10"),
        "baa10y": fred_series("BAA10Y"), "upper": fred_series("DFEDTARU"), "lower": fred_series("DFEDTARL"),
        "prime": fred_series("DPRIME"), "usrec": fred_series("USREC"),
        "iwm": close_prices("IWM"), "spy": close_prices("SPY"), "qqq": close_prices("QQQ"), "rut": close_prices("RUT"),
        "article_date": article_date(),
        "article_pricing": tuple(claims["market_prices_3p00_3p25"]["asserted"]["value"]),
    }
