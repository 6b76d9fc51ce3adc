"""The statistical claims (issue 14): the shared robust-test-and-grid rule, the easing check under that
rule, and the three new claims (historic_valuation_gap, rates_primary_driver, quality_small_caps), each on
hand-made frames whose verdict follows from how they are built, plus runs on the real data."""
import re

import numpy as np
import pandas as pd
import pytest

from rotation import claims, data, params
from rotation.claims import statistical
from rotation.spreads import SPREADS

RECORDS = {r["id"]: r for r in data.claims_catalog()["claims"]}
NEW = ["historic_valuation_gap", "rates_primary_driver", "quality_small_caps"]
NAN = re.compile(r"\bnan\b", re.IGNORECASE)


def window(as_of: str, month: str, start: str = "1926-07") -> params.Window:
    return params.Window(start=pd.Period(start, "M"), as_of=pd.Timestamp(as_of), as_of_month=pd.Period(month, "M"),
                         requested=as_of, data_end=pd.Period(month, "M"))


def context(as_of: str, month: str, start: str = "1926-07") -> dict:
    w = window(as_of, month, start)
    return {"as_of": w.as_of, "as_of_month": w.as_of_month, "start": w.start, "window": w}


def monthly_daily(levels: pd.Series) -> pd.Series:
    """A 'daily' series with one observation on the 15th of each month (month-end value = monthly mean = level)."""
    return pd.Series(levels.to_numpy(float), index=levels.index.to_timestamp(how="start") + pd.Timedelta(days=14))


def size_tables(small: pd.Series) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Portfolios_Formed_on_ME-like VW and EW returns: every small leg of `SPREADS` earns `small`
    (decimal per month), every large leg 0, so every candidate spread is log(1 + small)."""
    smalls = {s for s, _ in SPREADS.values()}
    larges = {b for _, b in SPREADS.values()}
    vw = pd.DataFrame({**{c: small for c in smalls}, **{c: 0.0 * small for c in larges}})
    return vw, vw.copy()


def fed_inputs(cuts, first="1960-01", last="2007-12") -> dict:
    """FEDFUNDS (monthly, dated on the 1st) stepping down 0.5 pp at each month in `cuts` (a cut
    signal there and in the next two months: the first cut of a cycle when cuts are more than a
    year apart); a target range that starts after the sample (no range-based cuts)."""
    months = pd.period_range(first, last, freq="M")
    level = pd.Series(6.0, index=months)
    for c in cuts:
        level[months >= pd.Period(c, "M")] -= 0.5
    fedfunds = pd.Series(level.to_numpy(), index=months.to_timestamp(how="start"))
    upper = pd.Series(2.0, index=pd.bdate_range("2009-01-05", "2009-02-27"))
    return {"fedfunds": fedfunds, "upper": upper}


# ----------------------------------------------------------------- the shared rule

@pytest.mark.parametrize("estimate, p, supports, contradicts, want", [
    (+0.1, 0.01, 0.60, 0.00, "supported"),      # headline supports, most of the grid supports
    (-0.1, 0.01, 0.00, 0.60, "contradicted"),   # the mirror image
    (+0.1, 0.01, 0.50, 0.00, "inconclusive"),   # exactly half the grid is not "more than half"
    (+0.1, 0.01, 0.10, 0.70, "inconclusive"),   # headline and grid disagree
    (+0.1, 0.20, 0.90, 0.00, "inconclusive"),   # the grid agrees but the headline test is not significant
    (-0.1, 0.01, 0.90, 0.00, "inconclusive"),   # headline contradicts, the grid supports
    (+0.1, 0.01, float("nan"), float("nan"), "inconclusive"),  # no grid at all
])
def test_robust_and_grid_verdict(estimate, p, supports, contradicts, want):
    shares = {"supports": supports, "contradicts": contradicts, "inconclusive": 1 - supports - contradicts}
    assert statistical.robust_and_grid_verdict(estimate, p, +1, 0.05, shares, 0.5) == want


def test_grid_text_states_both_shares():
    assert statistical.grid_text({"supports": 0.25, "contradicts": 0.5}, 12) == "25% of 12 specifications support, 50% contradict"
    assert "no specification" in statistical.grid_text({"supports": np.nan, "contradicts": np.nan}, 0)


def test_records_carry_rule_tolerance_and_observable_because():
    for cid in NEW + ["easing_helps_small_caps", "concentration_then_small_outperform"]:
        rec = RECORDS[cid]
        assert rec["check"] in claims.CHECKS and rec["rule"] and rec["observable_because"], cid
    for cid in ["easing_helps_small_caps", "concentration_then_small_outperform", "rates_primary_driver", "quality_small_caps"]:
        assert RECORDS[cid]["tolerance"]["min_grid_share"] == 0.5


# ----------------------------------------------------------------- easing: headline test AND grid

CUTS6 = ["1990-06", "1993-06", "1996-06", "1999-06", "2002-06", "2005-06"]


def easing_inputs(cuts, boost: float, boost_everywhere: bool = True) -> dict:
    """Small minus large earns `boost` a month in the 12 months after each first cut and small
    noise (sd 0.5% a month) otherwise: in every candidate spread, or (boost_everywhere False) in
    SMB, the headline, alone, the portfolio spreads being noise only."""
    months = pd.period_range("1960-01", "2007-12", freq="M")
    rng = np.random.default_rng(3)
    noise = pd.Series(rng.normal(0, 0.005, len(months)), index=months)
    effect = pd.Series(0.0, index=months)
    for c in cuts:
        c = pd.Period(c, "M")
        effect[(months > c) & (months <= c + 12)] = boost
    vw, ew = size_tables(noise + (effect if boost_everywhere else 0.0))
    factors = pd.DataFrame({"SMB": noise + effect, "Mkt-RF": 0.0 * noise})
    dgs2 = monthly_daily(pd.Series(5 + np.cumsum(rng.normal(0, 0.2, len(months))), index=months))
    return {**fed_inputs(cuts), "me_returns": vw, "me_returns_ew": ew, "factors": factors, "dgs2": dgs2}


EASING_CTX = context("2007-12-31", "2007-12")


def test_easing_supported_when_headline_and_grid_agree():
    out = claims.check_easing(RECORDS["easing_helps_small_caps"], easing_inputs(CUTS6, +0.01), EASING_CTX)
    assert out["verdict"] == "supported", out
    assert out["value"] == pytest.approx(0.12, abs=0.02)  # 12 months x 1% plus noise (log of small ~ small)
    assert "specifications support" in out["evidence"] and not NAN.search(out["evidence"])


def test_easing_contradicted_when_headline_and_grid_agree_against():
    out = claims.check_easing(RECORDS["easing_helps_small_caps"], easing_inputs(CUTS6, -0.01), EASING_CTX)
    assert out["verdict"] == "contradicted", out
    assert out["value"] < 0


def test_easing_inconclusive_when_only_the_headline_supports():
    # SMB alone carries the effect: the headline test supports, most of the grid (the portfolio spreads) does not
    out = claims.check_easing(RECORDS["easing_helps_small_caps"], easing_inputs(CUTS6, +0.01, boost_everywhere=False), EASING_CTX)
    assert out["verdict"] == "inconclusive", out
    assert "randomisation p 0.0" in out["evidence"]  # the headline test itself is significant


def test_easing_reads_no_p_below_five_cycles():
    out = claims.check_easing(RECORDS["easing_helps_small_caps"], easing_inputs(CUTS6[:4], +0.01), EASING_CTX)
    assert out["verdict"] == "inconclusive" and "fewer than 5: episodes, no p-value read" in out["evidence"]


# ----------------------------------------------------------------- historic_valuation_gap

BM_COLUMNS = [c for q in range(1, 6) for c in
              ([f"{'SMALL' if q == 1 else 'BIG'} LoBM"] if q in (1, 5) else [f"ME{q} BM1"])
              + [f"ME{q} BM{b}" for b in (2, 3, 4)]
              + ([f"{'SMALL' if q == 1 else 'BIG'} HiBM"] if q in (1, 5) else [f"ME{q} BM5"])]


def valuation_inputs(relative_by_year: dict, last="2026-02") -> dict:
    """25 size x BE/ME portfolios with one firm of cap 1 each and zero returns, so each quintile's
    P/B is 1 / its June BE/ME all year: the biggest quintile's BE/ME is 1 and the smallest's is
    1 / relative, so the ME1/ME5 relative P/B of holding year Y (July Y..June Y+1) is relative_by_year[Y]."""
    months = pd.period_range("1963-07", last, freq="M")
    ones = pd.DataFrame(1.0, index=months, columns=BM_COLUMNS)
    bm = ones.copy()
    year = np.where(months.month >= 7, months.year, months.year - 1)
    rel = pd.Series([relative_by_year[y] for y in year], index=months)
    for c in BM_COLUMNS[:5]:
        bm[c] = 1.0 / rel
    return {"bm25_firms": ones, "bm25_cap": ones, "bm25_bm_june": bm, "bm25_returns": 0.0 * ones}


VALUATION_CTX = context("2026-02-28", "2026-02")
YEARS = range(1963, 2026)


def test_valuation_gap_supported_at_a_record_discount():
    rec = RECORDS["historic_valuation_gap"]
    rel = {y: 0.8 for y in YEARS} | {2025: 0.3}  # a 70% discount in 2025-12 against 20% in every earlier month
    out = claims.check_valuation_gap(rec, valuation_inputs(rel), VALUATION_CTX)
    assert out["verdict"] == "supported" and out["value"] == pytest.approx(100.0)
    assert "a discount of 70%" in out["evidence"] and "70% in 2025-07" in out["evidence"]


def test_valuation_gap_contradicted_by_a_premium_or_an_ordinary_discount():
    rec = RECORDS["historic_valuation_gap"]
    premium = {y: 0.8 for y in YEARS} | {2025: 1.1}
    out = claims.check_valuation_gap(rec, valuation_inputs(premium), VALUATION_CTX)
    assert out["verdict"] == "contradicted" and "no discount" in out["evidence"]
    # a 5% discount where every earlier month had 10% or 50%: narrower than usual
    ordinary = {y: (0.9 if y < 2010 else 0.5) for y in YEARS} | {2025: 0.95}
    out = claims.check_valuation_gap(rec, valuation_inputs(ordinary), VALUATION_CTX)
    assert out["verdict"] == "contradicted" and out["value"] == pytest.approx(100 * 6 / 750)


def test_valuation_gap_mixed_between_median_and_top_decile():
    rec = RECORDS["historic_valuation_gap"]
    # 1963..2009 (564 months) at a 10% discount, 2010..2024 (180 months) at 50%, 2025 at 30%:
    # of the 750 month-ends 1963-07..2025-12, 564 + 6 (2025-07..12) are at or below 30%
    rel = {y: (0.9 if y < 2010 else 0.5) for y in YEARS} | {2025: 0.7}
    out = claims.check_valuation_gap(rec, valuation_inputs(rel), VALUATION_CTX)
    assert out["verdict"] == "mixed" and out["value"] == pytest.approx(100 * 570 / 750)


def test_valuation_gap_not_yet_observable_without_the_month():
    rel = {y: 0.8 for y in YEARS}
    out = claims.check_valuation_gap(RECORDS["historic_valuation_gap"], valuation_inputs(rel, last="2025-11"), VALUATION_CTX)
    assert out["verdict"] == "not yet observable" and out["value"] is None


# ----------------------------------------------------------------- rates_primary_driver

def driver_inputs(b_rate: float, b_market: float, b_credit: float, dgs10_same: bool = True, noise: float = 0.003) -> dict:
    """Monthly drivers 1976-01..2025-12: changes of DGS2 (sd 0.2 pp), Mkt-RF (sd 4%), changes of
    Baa minus 10-year (sd 0.1 pp), independent; every candidate spread (and SMB) =
    b_rate x dDGS2 + b_market x Mkt-RF + b_credit x dCredit + noise. DGS10 moves with DGS2
    (dgs10_same) or independently."""
    months = pd.period_range("1976-01", "2025-12", freq="M")
    rng = np.random.default_rng(11)
    d2, mkt, dc, d10 = (rng.normal(0, s, len(months)) for s in (0.2, 0.04, 0.1, 0.2))
    if dgs10_same:
        d10 = d2
    small = pd.Series(b_rate * d2 + b_market * mkt + b_credit * dc + rng.normal(0, noise, len(months)), index=months)
    small.iloc[0] = 0.0  # the first month has no change
    vw, ew = size_tables(small)
    lvl2 = pd.Series(3 + np.cumsum(d2), index=months)
    lvl10 = pd.Series(4 + np.cumsum(d10), index=months)
    credit = pd.Series(2 + np.cumsum(dc), index=months)
    baa = (credit + lvl10)
    return {"me_returns": vw, "me_returns_ew": ew, "factors": pd.DataFrame({"SMB": small, "Mkt-RF": pd.Series(mkt, index=months)}),
            "dgs2": monthly_daily(lvl2), "dgs10": monthly_daily(lvl10),
            "baa": pd.Series(baa.to_numpy(), index=months.to_timestamp(how="start")),
            "baa10y": pd.Series([], dtype=float, index=pd.DatetimeIndex([]))}


DRIVER_CTX = context("2026-02-28", "2025-12")


def test_rates_driver_supported_when_rates_dominate():
    out = claims.check_rates_driver(RECORDS["rates_primary_driver"], driver_inputs(0.05, 0.0, 0.0), DRIVER_CTX)
    assert out["verdict"] == "supported", out
    assert out["value"] > 0.8  # rates' share: 0.01^2 / (0.01^2 + 0.003^2) = 0.92
    assert "explain the most and significantly in 100% of 66 specifications" in out["evidence"]
    assert "not the causal effect of policy" in out["evidence"] and not NAN.search(out["evidence"])


def test_rates_driver_contradicted_when_rates_explain_least():
    out = claims.check_rates_driver(RECORDS["rates_primary_driver"], driver_inputs(0.0, 0.25, 0.1), DRIVER_CTX)
    assert out["verdict"] == "contradicted", out
    assert out["value"] < 0.05


def test_rates_driver_mixed_when_significant_but_second():
    # market R² ~ 0.02^2 / 0.00051 = 0.78, rates ~ 0.2, credit ~ 0.05: rates significant, not the top driver
    out = claims.check_rates_driver(RECORDS["rates_primary_driver"], driver_inputs(0.05, 0.5, 0.05), DRIVER_CTX)
    assert out["verdict"] == "mixed", out


def test_rates_driver_inconclusive_when_the_grid_splits():
    # DGS2 drives the spread, DGS10 is unrelated: half the grid (the DGS2 specifications) has rates on top,
    # the other half (DGS10) has them at the bottom; neither is more than half
    out = claims.check_rates_driver(RECORDS["rates_primary_driver"], driver_inputs(0.05, 0.1, 0.04, dgs10_same=False), DRIVER_CTX)
    assert out["verdict"] == "inconclusive", out
    assert "in 50% of 66 specifications, the least in 50%" in out["evidence"]


# ----------------------------------------------------------------- quality_small_caps

OP_COLUMNS = [statistical.op_column(q, o) for q in range(1, 6) for o in range(1, 6)]


def quality_inputs(premium: float, headline_only: bool = False) -> dict:
    """25 size x OP portfolios 1963-07..2025-12: HiOP minus LoOP earns `premium` a month plus
    noise (sd 1%) in size quintiles 1 and 2, VW and EW; with headline_only, only SMALL (VW)
    does, the other grid cells having HiOP equal to LoOP (a zero spread)."""
    months = pd.period_range("1963-07", "2025-12", freq="M")
    rng = np.random.default_rng(5)
    base = pd.Series(rng.normal(0.008, 0.04, len(months)), index=months)
    tables = {}
    for weighting in ("VW", "EW"):
        t = pd.DataFrame({c: base for c in OP_COLUMNS})
        for q in (1, 2):
            if headline_only and (q, weighting) != (1, "VW"):
                continue
            t[statistical.op_column(q, 5)] = base + premium + pd.Series(rng.normal(0, 0.01, len(months)), index=months)
        tables[weighting] = t
    return {"op25_returns": tables["VW"], "op25_returns_ew": tables["EW"],
            **fed_inputs(["1970-06", "1975-06", "1985-06"], first="1962-01", last="2007-12")}


QUALITY_CTX = context("2026-02-28", "2025-12")


def test_quality_supported():
    out = claims.check_quality_small_caps(RECORDS["quality_small_caps"], quality_inputs(+0.005), QUALITY_CTX)
    assert out["verdict"] == "supported", out
    assert out["value"] == pytest.approx(0.06, abs=0.015)  # 12 x 0.5% a month, plus noise (sd 0.4% a year)
    assert "100% of 12 specifications support" in out["evidence"]
    assert "Leverage is not in the data" in out["evidence"] and "3 first cut(s)" in out["evidence"]
    assert not NAN.search(out["evidence"])


def test_quality_contradicted():
    out = claims.check_quality_small_caps(RECORDS["quality_small_caps"], quality_inputs(-0.005), QUALITY_CTX)
    assert out["verdict"] == "contradicted" and out["value"] < 0


def test_quality_inconclusive_when_only_the_headline_holds():
    # SMALL VW supports at each of its 3 starts (3 of 12 specifications); the rest have a zero spread
    out = claims.check_quality_small_caps(RECORDS["quality_small_caps"], quality_inputs(+0.005, headline_only=True), QUALITY_CTX)
    assert out["verdict"] == "inconclusive", out
    assert "25% of 12 specifications support, 0% contradict" in out["evidence"]


def test_quality_grid_without_ew_table():
    inp = quality_inputs(+0.005)
    inp.pop("op25_returns_ew")
    out = claims.check_quality_small_caps(RECORDS["quality_small_caps"], inp, QUALITY_CTX)
    assert "of 6 specifications" in out["evidence"] and out["verdict"] == "supported"


# ----------------------------------------------------------------- the real data

@pytest.mark.parametrize("as_of", ["latest", "2025-12-31", "2025-06-30"])
def test_statistical_claims_on_real_data(store, as_of):
    w = params.validate(as_of, "1926-07-01", core="ff_portfolios_me", data_cutoff="none")
    inputs = data.claims_inputs()
    ids = NEW + ["easing_helps_small_caps", "concentration_then_small_outperform", "forward_pe_gap"]
    out = claims.evaluate([RECORDS[i] for i in ids], inputs, w)
    for cid, row in out.iterrows():
        assert not NAN.search(row["evidence"]) and not NAN.search(row["window"]), (cid, row["evidence"])
        if RECORDS[cid]["check"] == "check_not_testable":  # decided before the date rule
            assert row["verdict"] == "not testable", cid
        elif pd.Timestamp(RECORDS[cid]["observable_from"]) > w.as_of:
            assert row["verdict"] == "not yet observable", cid
    if as_of == "latest":
        assert out.loc["historic_valuation_gap", "verdict"] != "not yet observable"
        assert "cannot be compared in level" in out.loc["forward_pe_gap", "evidence"]
        for cid in ["easing_helps_small_caps", "concentration_then_small_outperform", "rates_primary_driver", "quality_small_caps"]:
            assert "specifications" in out.loc[cid, "evidence"], cid
