"""Accuracy at M5 levels 12 (store x product), 3 (store) and 10 (chain x product) on a hand-computed frame."""

from __future__ import annotations

import lzma

import numpy as np
import pandas as pd
import pytest

from ml.evaluation.freshretail_frame import freshretail_daily
from ml.evaluation.levels import LEVELS, group_scores, level_groups, summarize

DAYS = pd.date_range("2024-01-01", periods=10, freq="D")


def _rows(store: str, product: str, values: list[float], days: pd.DatetimeIndex, column: str) -> pd.DataFrame:
    return pd.DataFrame({"store_id": store, "product_id": product, "date": days, column: values})


@pytest.fixture()
def frames() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Store A sells x and y, store B sells x; 8 training days, 2 holdout days."""
    train_days, test_days = DAYS[:8], DAYS[8:]
    train = pd.concat([_rows("A", "x", [1] * 7 + [3], train_days, "quantity"),   # seasonal scale |3-1| = 2
                       _rows("A", "y", [2] * 8, train_days, "quantity"),         # scale 0: no MASE
                       _rows("B", "x", [0] * 7 + [4], train_days, "quantity")])  # scale 4
    actual = pd.concat([_rows("A", "x", [2, 4], test_days, "quantity"), _rows("A", "y", [1, 1], test_days, "quantity"),
                        _rows("B", "x", [3, 3], test_days, "quantity")], ignore_index=True)
    forecast = pd.concat([_rows("A", "x", [3, 3], test_days, "mean"), _rows("A", "y", [1, 2], test_days, "mean"),
                          _rows("B", "x", [1, 3], test_days, "mean")], ignore_index=True)
    return train, actual, forecast


def _level(name, frames, clean=None) -> dict[str, float]:
    train, actual, forecast = frames
    return summarize(group_scores(train, actual, forecast, list(LEVELS[name][1]), clean))


def test_store_product_level_12(frames) -> None:
    scores = _level("store_product", frames)
    # A/x: MAE 1 / scale 2; A/y: no scale; B/x: MAE 1 / scale 4
    assert scores["MASE"] == pytest.approx((0.5 + 0.25) / 2)
    assert scores["WAPE"] == pytest.approx(5 / 14)


def test_store_level_3_sums_each_stores_products(frames) -> None:
    scores = _level("store", frames)
    # store A: train sums 3 x7 then 5 (scale 2), holdout actual [3, 5] vs forecast [4, 5]: MAE 0.5;
    # store B: as B/x, MASE 0.25
    assert scores["MASE"] == pytest.approx((0.25 + 0.25) / 2)
    assert scores["WAPE"] == pytest.approx(3 / 14)


def test_chain_product_level_10_sums_over_stores(frames) -> None:
    scores = _level("chain_product", frames)
    # x: train sums 1 x7 then 7 (scale 6), holdout [5, 7] vs [4, 6]: MAE 1; y: no scale
    assert scores["MASE"] == pytest.approx(1 / 6)
    assert scores["WAPE"] == pytest.approx(3 / 14)


def test_stockout_free_scoring_drops_censored_days_on_both_sides(frames) -> None:
    _, actual, _ = frames
    clean = ~((actual["store_id"] == "B") & (actual["date"] == DAYS[8]))  # B/x's first holdout day was out of stock
    scores = _level("store", frames, clean)
    # store B keeps only its second day: actual 3 vs forecast 3
    assert scores["MASE"] == pytest.approx((0.25 + 0.0) / 2)
    assert scores["WAPE"] == pytest.approx(1 / 11)


def test_level_groups_label_each_series() -> None:
    series = [("A", "x"), ("B", "x")]
    assert level_groups(series, "store") == {("A", "x"): "A", ("B", "x"): "B"}
    assert level_groups(series, "chain_product") == {("A", "x"): "x", ("B", "x"): "x"}
    assert len(set(level_groups(series, "store_product").values())) == 2


def test_freshretail_daily_reads_the_evaluation_frame(tmp_path) -> None:
    folder = tmp_path / "freshretailnet50k"
    folder.mkdir()
    text = ("store_id,product_id,dt,sale_amount,stock_hour6_22_cnt,stock_mask,discount,activity_flag\n"
            "0,4,2024-03-28,0.5,13,16776711,0.882,1\n3,7,2024-03-29,1.3,0,0,1.0,0\n")
    with lzma.open(folder / "frn50k_daily.csv.xz", "wt") as handle:
        handle.write(text)
    daily = freshretail_daily(tmp_path)
    assert list(daily.columns) == ["store_id", "product_id", "date", "quantity", "promo", "discount", "stockout_hours"]
    assert daily["store_id"].tolist() == ["0", "3"] and daily["product_id"].tolist() == ["4", "7"]
    np.testing.assert_allclose(daily[["quantity", "promo", "discount", "stockout_hours"]].to_numpy(),
                               [[0.5, 1, 0.882, 13], [1.3, 0, 1.0, 0]])


def test_evaluate_cli_freshretailnet_is_forecast_only_and_names_missing_data(tmp_path, monkeypatch, capsys) -> None:
    from ml.evaluate import main

    assert main(["--data", "freshretailnet", "--task", "recommend"]) == 2
    assert "only --task forecast" in capsys.readouterr().err
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    assert main(["--data", "freshretailnet", "--task", "forecast"]) == 2
    assert "FreshRetailNet-50K not found" in capsys.readouterr().err
