"""FreshRetailNet-50K backtest: successive test windows after a validation window, each fitted on the days before it."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest

from ml.evaluation.freshretail_frame import backtest_daily, sample_series
from ml.models.forecast_baselines import LinearRegressionPrototype, SeasonalNaive

START = pd.Timestamp("2024-03-28")
N_DAYS = 60  # 2024-03-28 .. 2024-05-26


def _frame(n_series: int = 6, seed: int = 1) -> pd.DataFrame:
    """``n_series`` store x product series over ``N_DAYS`` days: a weekly pattern, noise, a few stock-outs."""
    rng = np.random.default_rng(seed)
    days = pd.date_range(START, periods=N_DAYS, freq="D")
    rows = []
    for i in range(n_series):
        level = 1.0 + i
        weekly = level * (1 + 0.5 * (days.dayofweek >= 5))
        rows.append(pd.DataFrame({
            "store_id": str(i % 3), "product_id": f"p{i}", "date": days,
            "quantity": np.maximum(0.0, weekly + rng.normal(0, 0.3, N_DAYS)),
            "promo": 0.0, "discount": 1.0, "stockout_hours": (rng.random(N_DAYS) < 0.1).astype(float)}))
    return pd.concat(rows, ignore_index=True)


class _Seen:
    """What each fit was given (last training day) and each forecast covered (its days), in call order."""

    def __init__(self) -> None:
        self.fit_last: list[pd.Timestamp] = []
        self.forecast_days: list[pd.DatetimeIndex] = []


def _recording(base: type, seen: _Seen) -> type:
    class Recording(base):  # type: ignore[misc, valid-type]
        def fit(self, daily, *args, **kwargs):
            seen.fit_last.append(pd.Timestamp(daily["date"].max()))
            return super().fit(daily, *args, **kwargs)

        def predict_quantiles(self, *args, **kwargs):
            out = super().predict_quantiles(*args, **kwargs)
            seen.forecast_days.append(pd.DatetimeIndex(sorted(out["date"].unique())))
            return out

    return Recording


@pytest.fixture(scope="module")
def run() -> tuple[dict, _Seen]:
    seen = _Seen()
    model, peer = _recording(SeasonalNaive, seen), _recording(LinearRegressionPrototype, _Seen())
    result = backtest_daily(_frame(), windows=3, step_days=7, forecasters={"Model": model, "Peer": peer})
    return result, seen


def test_test_windows_tile_the_last_days_after_the_validation_window(run) -> None:
    result, _ = run
    last = (START + pd.Timedelta(days=N_DAYS - 1)).date()
    spans = [(date.fromisoformat(w["forecast"]["setup"]["holdout_start"]),
              date.fromisoformat(w["forecast"]["setup"]["holdout_end"])) for w in result["windows"]]
    assert spans == [(last - timedelta(days=6 + 7 * i), last - timedelta(days=7 * i)) for i in range(3)]
    validation_end = date.fromisoformat(result["validation_end"])
    assert validation_end == last - timedelta(days=21)
    assert date.fromisoformat(result["validation_start"]) == validation_end - timedelta(days=6)
    assert all(start > validation_end for start, _ in spans)  # strictly after the validation window
    days = [set(pd.date_range(s, e)) for s, e in spans]
    assert all(not (days[i] & days[j]) for i in range(3) for j in range(i + 1, 3))  # never overlap


def test_each_fit_sees_only_the_days_before_its_test_window(run) -> None:
    result, seen = run
    assert len(seen.fit_last) == 3 and len(seen.forecast_days) == 3
    last = START + pd.Timedelta(days=N_DAYS - 1)
    for i, (fit_last, forecast_days) in enumerate(zip(seen.fit_last, seen.forecast_days)):
        start = last - pd.Timedelta(days=6 + 7 * i)  # the i-th test window, latest first
        assert fit_last == start - pd.Timedelta(days=1)  # every day before, none of the window
        assert list(forecast_days) == list(pd.date_range(start, periods=7))


def test_every_window_compares_the_model_with_each_peer_on_mase_and_spl(run) -> None:
    result, _ = run
    for window in result["windows"]:
        versus = window["forecast"]["versus"]["Peer"]
        assert set(versus) == {"MASE", "SPL"}
        for c in versus.values():
            assert c["low"] <= c["diff"] <= c["high"]


def test_summary_counts_point_wins_and_wins_whose_interval_excludes_zero(run) -> None:
    result, _ = run
    for metric in ("MASE", "SPL"):
        entry = result["summary"]["forecast"][metric]["baselines"]["Peer"]
        model = [w["forecast"]["model"][metric] for w in result["windows"]]
        peer = [w["forecast"]["baselines"]["Peer"][metric] for w in result["windows"]]
        assert entry["model_wins"] == sum(m < p for m, p in zip(model, peer))
        intervals = [w["forecast"]["versus"]["Peer"][metric] for w in result["windows"]]
        assert entry["sure_wins"] == sum(i["high"] < 0 for i in intervals)
        assert entry["sure_wins"] <= entry["model_wins"]


def test_backtest_markdown_shows_each_window_and_its_intervals(run) -> None:
    from ml.evaluate import backtest_markdown

    result, _ = run
    text = backtest_markdown(result)
    assert "of 3" in text and "sure" in text
    for window in result["windows"]:
        assert f"- {window['end']} vs Peer: MASE" in text
        assert f"window ending {window['end']}" in text
    assert "tuned on the validation window" not in text
    tuned = backtest_markdown({**result, "tuned": {"Peer": {"season": 14}, "Model": {}}})
    assert "tuned on the validation window: Peer {'season': 14}; Model defaults" in tuned


def test_the_sample_is_drawn_on_the_days_up_to_its_last_day_only() -> None:
    daily = _frame(n_series=30)
    cut = pd.Timestamp("2024-05-05")
    later = daily["date"] > cut
    changed = daily.copy()
    changed.loc[later, "quantity"] = changed.loc[later, "quantity"] * np.arange(later.sum()) % 97  # any later data
    keys = ["store_id", "product_id"]
    picked = sample_series(daily, 10, cut)[keys].drop_duplicates()
    assert len(picked) == 10
    pd.testing.assert_frame_equal(picked, sample_series(changed, 10, cut)[keys].drop_duplicates())
    assert len(sample_series(daily, None, cut)) == len(daily)


def test_window_days_is_refused_outside_freshretailnet(capsys) -> None:
    from ml.evaluate import main

    with pytest.raises(SystemExit):
        main(["--data", "simulator", "--window-days", "7"])
    assert "--window-days" in capsys.readouterr().err


def test_the_validation_frame_ends_before_the_earliest_test_window_on_the_backtest_sample(run) -> None:
    from ml.evaluation.freshretail_frame import validation_frame

    result, _ = run
    daily = _frame(n_series=30)
    frame, end = validation_frame(daily, windows=3, step_days=7, max_series=10)
    assert end == result["validation_end"]  # same plan as the backtest of the same frame length
    assert pd.Timestamp(frame["date"].max()) == pd.Timestamp(end)
    assert pd.Timestamp(end) < pd.Timestamp(result["windows"][-1]["forecast"]["setup"]["holdout_start"])
    keys = ["store_id", "product_id"]
    expected = sample_series(daily, 10, pd.Timestamp(end))[keys].drop_duplicates().reset_index(drop=True)
    pd.testing.assert_frame_equal(frame[keys].drop_duplicates().reset_index(drop=True), expected)


def _write_frn(folder, daily: pd.DataFrame) -> None:
    import lzma

    folder.mkdir(parents=True)
    raw = pd.DataFrame({"store_id": daily["store_id"], "product_id": daily["product_id"].str[1:],
                        "dt": daily["date"].dt.date, "sale_amount": daily["quantity"],
                        "stock_hour6_22_cnt": daily["stockout_hours"], "discount": daily["discount"],
                        "activity_flag": daily["promo"]})
    with lzma.open(folder / "frn50k_daily.csv.xz", "wt") as handle:
        raw.to_csv(handle, index=False)


def test_tuning_on_freshretailnet_scores_the_validation_window(tmp_path, monkeypatch, capsys) -> None:
    import json

    from ml.evaluation.forecast_tuning import main

    _write_frn(tmp_path / "freshretailnet50k", _frame())
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    assert main(["--data", "freshretailnet", "--windows", "3", "--window-days", "7", "--trials", "1",
                 "--only", "DemandForecaster"]) == 0
    out = json.loads(capsys.readouterr().out)
    last = START + pd.Timedelta(days=N_DAYS - 1)
    assert out["data"] == "freshretailnet"
    assert out["validation_end"] == str((last - pd.Timedelta(days=21)).date())
    trial = out["models"]["DemandForecaster"]["trials"][0]
    assert trial["params"] == {} and 0 < trial["SPL"] < 1  # the defaults, scored on the 7 validation days


def test_tuned_forecasters_apply_each_models_own_settings_and_keep_the_others() -> None:
    from ml.evaluation.freshretail_frame import tuned_forecasters

    factories = tuned_forecasters({"TSB": {"alpha_d": 0.3}, "DemandForecaster": {"max_iter": 100}}, 80, 7)
    tsb, model, theta = factories["TSB"](), factories["DemandForecaster"](), factories["AutoTheta"]()
    assert tsb.alpha_d == 0.3 and model.max_iter == 100
    assert model.horizon == 7 and model.country == "" and model.max_rows == 300_000
    assert theta.get_params() == factories["AutoTheta"]().get_params()  # untouched: a fresh default each call
    assert list(factories)[0] == "DemandForecaster" and "MedianEnsemble" in factories


def test_params_file_must_be_the_tuning_output_and_goes_with_a_freshretailnet_backtest(tmp_path, capsys) -> None:
    from ml.evaluate import _best_params, main

    good = tmp_path / "tuned.json"
    good.write_text('{"models": {"TSB": {"best_params": {"alpha_d": 0.2}, "trials": []}}}')
    assert _best_params(good) == {"TSB": {"alpha_d": 0.2}}
    bad = tmp_path / "bad.json"
    bad.write_text('{"TSB": 1}')
    with pytest.raises(SystemExit, match="not the JSON output"):
        _best_params(bad)
    with pytest.raises(SystemExit):
        main(["--data", "freshretailnet", "--params", str(good)])  # one window: nothing was tuned for it
    assert "--params goes with" in capsys.readouterr().err
