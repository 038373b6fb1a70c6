"""ml.precomputed: the index of stored series and the files training writes."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from ml import precomputed
from ml.errors import ModelNotReady
from ml.precomputed import SeriesIndex

DAYS = pd.date_range("2024-07-01", periods=5, freq="D")


def _frame() -> pd.DataFrame:
    rows = [("store", s, p, d, 100.0 * i + j) for i, (s, p) in enumerate([("1", "A"), ("1", "B"), ("2", "A")])
            for j, d in enumerate(DAYS)]
    return pd.DataFrame(rows, columns=["level", "scope", "product_id", "date", "mean"])


@pytest.mark.parametrize("shuffle", [False, True])
def test_every_key_gets_its_own_values_in_date_order(shuffle):
    frame = _frame()
    given = frame.sample(frac=1.0, random_state=3) if shuffle else frame
    index = SeriesIndex([given], ("mean",))
    assert len(index) == 3
    assert list(index.days) == [d.date().toordinal() for d in DAYS]
    assert list(index.get(("store", "1", "B")).values["mean"]) == [100.0, 101.0, 102.0, 103.0, 104.0]
    assert list(index.get(("store", "2", "A")).values["mean"]) == [200.0, 201.0, 202.0, 203.0, 204.0]
    assert index.get(("store", "2", "B")) is None and ("store", "2", "B") not in index


def test_frames_share_one_grid_and_a_missing_day_is_nan():
    chain = pd.DataFrame({"level": "chain", "scope": "", "product_id": "A", "date": DAYS[1:3], "mean": [7.0, 8.0]})
    index = SeriesIndex([_frame().astype({"scope": "category"}), chain], ("mean",))
    values = index.get(("chain", "", "A")).values["mean"]
    assert np.isnan(values[0]) and list(values[1:3]) == [7.0, 8.0] and np.isnan(values[3:]).all()
    assert index.row(("store", "1", "A")) != index.row(("chain", "", "A"))


def test_saved_tables_load_back_and_the_manifest_marks_the_folder_done(tmp_path):
    forecasts = pd.DataFrame({"store_id": ["2", "1"] * 5, "product_id": "A", "date": np.repeat(DAYS, 2),
                              "mean": np.arange(10.0), "lower": 0.0, "upper": 20.0})
    aggregates = pd.DataFrame({"level": "chain", "scope": "", "product_id": "A", "date": DAYS,
                               "mean": [1.0, 5.0, 9.0, 13.0, 17.0], "lower": 0.0, "upper": 30.0})
    history = pd.DataFrame({"level": "store", "scope": "1", "product_id": "A",
                            "date": pd.date_range(end="2024-06-30", periods=3), "quantity": [1.0, 2.0, 3.0]})
    with pytest.raises(ModelNotReady):
        precomputed.load(tmp_path)
    precomputed.save(tmp_path, forecasts, aggregates, history, tasks=("forecast",), model="M", level=90)
    assert precomputed.is_stored(tmp_path) and precomputed.trained_tasks(tmp_path) == ("forecast",)
    tables = precomputed.load(tmp_path)
    assert (tables.model, tables.level, tables.horizon_days) == ("M", 90, 5)
    assert list(tables.forecasts.get(("store", "1", "A")).values["mean"]) == [1.0, 3.0, 5.0, 7.0, 9.0]
    assert list(tables.forecasts.get(("chain", "", "A")).values["mean"]) == [1.0, 5.0, 9.0, 13.0, 17.0]
    assert tables.history.get(("store", "1", "A")).days[-1] == date(2024, 6, 30).toordinal()
    assert not list(tmp_path.glob("*.tmp"))
