"""Live accuracy: served forecasts logged, realised WAPE, bias and coverage once the sales arrive."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import create_engine, select

from bot.logging_json import request_context
from bot.refresh import FixedCaddie
from bot.served import RecordingCaddies, ServedLog, refresh_then_score
from ml import live_accuracy as la

D = date(2024, 7, 2)


@pytest.fixture
def engine(tmp_path: Path):
    engine = create_engine(f"sqlite:///{tmp_path / 'live.db'}")
    la.create_tables(engine)
    return engine


def served(product: str, mean: float, lower: float, upper: float, day: date = D, store: str = "12"
           ) -> la.ServedForecast:
    return la.ServedForecast("post:logistics", "store", store, product, day, mean, lower, upper, 80, "GBM",
                             day - timedelta(days=1))


def test_realised_error_is_hand_computed_from_the_last_forecast_served(engine) -> None:
    morning = datetime(2024, 7, 2, 4, 0)
    la.record_served(engine, [served("yaourt", 20, 15, 25)], now=morning - timedelta(days=1))  # superseded
    la.record_served(engine, [served("yaourt", 10, 8, 12), served("lait", 5, 4, 6), served("pain", 0.5, 0, 1),
                              served("oeufs", 7, 6, 8)], now=morning)
    leaked = la.ServedForecast("api:/v1/forecasts", "store", "12", "lait", D, 50, 40, 60, 80, "GBM", D)
    la.record_served(engine, [leaked], now=morning)  # by a model that had seen the day's sales: never scored
    sales = {"yaourt": 12.0, "lait": 3.0, "pain": 0.0}  # the eggs' sales are not known yet

    scored = la.score(engine, lambda level, name, pid, day: sales.get(pid) if (level, name) == ("store", "12")
                      else None, through=D)

    assert scored == 3
    summary = la.accuracy(engine, D, D)
    # |10-12| + |5-3| + |0.5-0| = 4.5 over 15 sold; forecast 15.5; inside: 12 in [8,12], 0 in [0,1]; 3 not in [4,6]
    assert summary.n == 3 and summary.sold == 15 and summary.forecast == 15.5
    assert summary.wape == pytest.approx(0.3)
    assert summary.bias == pytest.approx(0.5 / 15)
    assert summary.coverage == pytest.approx(2 / 3)
    # scored once; the eggs wait for their sales, then count
    assert la.score(engine, lambda *_: 3.0 if _[2] == "oeufs" else 999.0, through=D) == 1
    after = la.accuracy(engine, D, D)
    assert after.n == 4 and after.sold == 18 and after.wape == pytest.approx((4.5 + 4) / 18)
    assert la.accuracy(engine, D, D, scope_level="store", scope_name="99").n == 0


def test_nothing_sold_gives_no_ratio_and_no_future_day_is_scored(engine) -> None:
    la.record_served(engine, [served("yaourt", 2, 0, 4), served("yaourt", 3, 0, 4, day=D + timedelta(days=1))],
                     now=datetime(2024, 7, 1, 6, 0))
    assert la.score(engine, lambda *_: 0.0, through=D) == 1  # the day after ``through`` waits
    summary = la.accuracy(engine, D, D)
    assert summary.wape is None and summary.bias is None and summary.coverage == 1.0


def test_weekly_trend_over_28_days(engine) -> None:
    end = date(2024, 7, 28)
    for offset, (mean, sold) in enumerate([(10, 8), (10, 10), (12, 10), (10, 5)]):
        day = end - timedelta(days=7 * (3 - offset))
        la.record_served(engine, [served("yaourt", mean, 0, 100, day=day)], now=datetime(2024, 7, 1))
        la.score(engine, lambda *_, s=sold: float(s), through=day)
    weeks = la.weekly(engine, end, 4)
    assert [(w.start, w.end) for w in weeks][0] == (date(2024, 7, 1), date(2024, 7, 7))
    assert weeks[-1].end == end
    assert [w.summary.wape for w in weeks] == pytest.approx([2 / 8, 0.0, 2 / 10, 5 / 5])


def test_a_served_forecast_is_logged_then_scored_when_the_sales_arrive(tmp_path: Path, caddie) -> None:
    log = ServedLog(f"sqlite:///{tmp_path / 'caddie.db'}")
    provider = RecordingCaddies(FixedCaddie(caddie), log)
    with request_context("slack:/forecast"):
        results = provider.current().forecast_top(3)
    day = caddie.as_of + timedelta(days=1)
    with log.engine().connect() as conn:
        rows = conn.execute(select(la.served_forecasts)).mappings().all()
    assert [(r["channel"], r["scope_level"], r["product_id"], r["day"]) for r in rows] == [
        ("slack:/forecast", "chain", r.product.product_id, day) for r in results]
    assert [row["mean"] for row in rows] == [r.requested.mean for r in results]
    assert all(row["model"] == caddie_model for row, caddie_model in zip(rows, [r.model for r in results]))

    # the nightly refresh brings the sales of ``day``: each product sold its forecast rounded up, plus 1
    sold = {r.product.product_id: float(int(r.requested.mean) + 2) for r in results}
    after_refresh = SimpleNamespace(as_of=day, sold=lambda level, name, pid, d: sold.get(pid) if d == day else None)
    run = refresh_then_score(lambda: True, FixedCaddie(after_refresh), log.engine)
    assert run() is True
    summary = la.accuracy(log.engine(), day, day)
    means = [r.requested.mean for r in results]
    assert summary.n == 3 and summary.sold == sum(sold.values())
    assert summary.wape == pytest.approx(sum(abs(m - sold[r.product.product_id]) for m, r in zip(means, results))
                                         / sum(sold.values()))


def test_the_service_tells_what_was_sold_on_a_day_of_its_history(caddie) -> None:
    result = caddie.forecast_top(1)[0]
    from ml.scopes import key

    level, name = key(result.scope)
    last = result.history[-1]
    assert caddie.sold(level, name, result.product.product_id, last.day) == last.quantity
    assert caddie.sold(level, name, result.product.product_id, caddie.as_of + timedelta(days=1)) is None
    assert caddie.sold(level, name, "no-such-product", last.day) is None
