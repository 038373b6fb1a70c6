"""The forecast search on the validation window: defaults first, the lowest SPL wins, no test day seen."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pandas as pd

from ml.evaluation.forecast_report import bands_markdown, headline_markdown
from ml.evaluation.forecast_tuning import search, validation_daily
from ml.models.forecast_baselines import SeasonalNaive


def _weekly(n_days: int = 70) -> pd.DataFrame:
    dates = pd.date_range("2024-01-01", periods=n_days, freq="D")
    profile = np.array([2.0, 3.0, 5.0, 1.0, 8.0, 13.0, 0.0])  # exactly weekly: season 7 forecasts it exactly
    return pd.concat([pd.DataFrame({"store_id": s, "product_id": p, "date": dates,
                                    "quantity": scale * profile[np.arange(n_days) % 7]})
                      for s, p, scale in (("1", "A", 1.0), ("2", "A", 3.0))], ignore_index=True)


class _Naive(SeasonalNaive):
    search_space = {"season": [7]}


def test_search_tries_the_defaults_first_and_keeps_the_lowest_spl():
    out = search("naive", _Naive(season=5), _weekly(), 14, n_trials=4, level=80, country=None)
    assert [t["params"] for t in out["trials"]] == [{}, {"season": 7}]  # one distinct draw exists
    assert out["best_params"] == {"season": 7}
    assert out["best_SPL"] < out["default_SPL"] == out["trials"][0]["SPL"]
    assert out["trials"][1]["MASE"] < 1e-9  # the right season forecasts this series exactly


def test_the_validation_frame_ends_before_the_earliest_test_window(small_dataset, as_of):
    daily, end = validation_daily(small_dataset, n_windows=4)
    assert end == str(as_of - timedelta(days=4 * 28))
    assert pd.Timestamp(daily["date"].max()).date() == as_of - timedelta(days=4 * 28)
    assert daily["product_id"].nunique() <= 50


def test_report_tables_list_the_model_first_then_each_peer_with_its_bands():
    scores = {"MASE": 0.5, "WAPE": 0.4, "RMSSE": 0.3, "SPL": 0.2, "coverage_error": 0.05, "fit_seconds": 1.0,
              "bands": {"1-7": {"MASE": 0.4, "SPL": 0.1}, "8-14": {"MASE": 0.6, "SPL": 0.3}}}
    block = {"model": {"name": "M", **scores}, "baselines": {"P": {**scores, "MASE": 0.9}},
             "setup": {"sampled": {"P": 500}}}
    table = headline_markdown(block)
    assert table[2] == "| M | 0.500 | 0.400 | 0.300 | 0.200 | 0.050 | 1.000 |"
    assert table[3].startswith("| P (sample of 500) | 0.900 |")
    bands = bands_markdown(block)
    assert "| model | 1-7 | 8-14 |" in bands
    assert "| M | 0.400 / 0.100 | 0.600 / 0.300 |" in bands
