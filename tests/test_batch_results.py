"""The batch's results tables: bulk writes, a day replaced by its latest complete run, a failed run never served."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
import sqlalchemy as sa

from ml.data import results_store as rs
from tests.databases import db_url, results_url  # noqa: F401 - the fixtures

DAY = date(2025, 7, 1)


@pytest.fixture
def url(results_url: str) -> str:
    return results_url


def _forecasts(level: float, stores=("1", "2"), products=("A", "B")) -> pd.DataFrame:
    days = pd.date_range(DAY, periods=3, freq="D")
    rows = [(s, p, d, level + i, level + i - 1, level + i + 1)
            for s in stores for p in products for i, d in enumerate(days)]
    return pd.DataFrame(rows, columns=list(rs.FORECAST_FIELDS))


def _orders(quantity: float) -> pd.DataFrame:
    return pd.DataFrame([("1", "A", quantity, 2, 5.0, 7.0, 1.0, None), ("2", "B", 0.0, 0, 1.0, 2.0, None, None)],
                        columns=list(rs.ORDER_FIELDS))


def _run(url: str, level: float, complete: bool = True) -> str:
    run_id = rs.start_run(url, DAY, f"v{level}")
    frame = _forecasts(level)
    rs.write_rows(url, run_id, "forecasts", [frame.iloc[:5], frame.iloc[5:]])  # two chunks
    rs.write_rows(url, run_id, "orders", [_orders(level)])
    if complete:
        rs.complete_run(url, run_id)
    return run_id


def _served(url: str, store: str = "1", product: str = "B") -> tuple[str, list[tuple]]:
    run = rs.latest_run(url, DAY)
    with sa.create_engine(url).connect() as connection:
        return run["run_id"], rs.read_forecast(connection, run["run_id"], store, product)


def test_a_complete_run_is_read_back_one_series_at_a_time(url):
    run_id = _run(url, 10.0)
    served, rows = _served(url)
    assert served == run_id
    assert rows == [(date(2025, 7, 1), 10.0, 9.0, 11.0), (date(2025, 7, 2), 11.0, 10.0, 12.0),
                    (date(2025, 7, 3), 12.0, 11.0, 13.0)]
    with sa.create_engine(url).connect() as connection:
        order = rs.read_order(connection, run_id, "1", "A")
        assert rs.read_order(connection, run_id, "1", "B") is None
    assert order["quantity"] == 10.0 and order["packs"] == 2 and order["on_order"] is None
    assert len(rs.read_run(url, run_id)) == 12


def test_rerunning_a_day_leaves_one_set_of_rows(url):
    _run(url, 10.0)
    second = _run(url, 20.0)
    served, rows = _served(url)
    assert served == second and rows[0][1] == 20.0
    with sa.create_engine(url).connect() as connection:
        assert connection.execute(sa.select(sa.func.count()).select_from(rs.forecasts_table)).scalar() == 12
        assert connection.execute(sa.select(sa.func.count()).select_from(rs.orders_table)).scalar() == 2
        assert connection.execute(sa.select(sa.func.count()).select_from(rs.runs_table)).scalar() == 1


def test_a_run_that_never_completes_leaves_the_previous_one_served(url):
    first = _run(url, 10.0)
    failed = _run(url, 30.0, complete=False)  # crashed after writing its rows, before the flip
    served, rows = _served(url)
    assert served == first and rows[0][1] == 10.0
    rs.discard_run(url, failed)
    assert rs.read_run(url, failed).empty
    assert _served(url)[0] == first


def test_no_run_yet(url):
    assert rs.latest_run(url) is None


def test_the_served_benchmark_times_the_bots_reader_and_loads_its_run_once(url, capsys):
    from ml import benchmark_served

    benchmark_served.run(url, n_series=60, runs=30, stores=4)
    first = capsys.readouterr().out
    assert "wrote 840 forecast rows (60 series x 14 days)" in first and "p99" in first
    benchmark_served.run(url, n_series=60, runs=30, stores=4)  # the same run is served: read only
    second = capsys.readouterr().out
    assert "wrote" not in second and "p99" in second
    run = rs.latest_run(url, data_name=benchmark_served.DATA_NAME)
    assert run["horizon_days"] == 14 and len(rs.read_run(url, run["run_id"])) == 840
