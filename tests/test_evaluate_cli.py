"""The evaluation CLI (ml/evaluate.py) and the benchmark's percentile helper (ml/benchmark.py)."""

from __future__ import annotations

import json
import math
from datetime import date, timedelta
from pathlib import Path

import pytest

from ml.benchmark import percentiles
from ml.evaluate import TASKS, main, resolve_source, to_markdown


# ---------------------------------------------------------------------------- resolve_source
@pytest.mark.parametrize("name", ["simulator", "online_retail", "completejourney"])
def test_resolve_source_passes_builtin_names_through(name: str):
    assert resolve_source(name) == {"data_source": name}


def test_resolve_source_sends_the_online_retail_file_to_its_loader(tmp_path: Path):
    path = tmp_path / "online_retail.csv.xz"
    path.write_bytes(b"")
    assert resolve_source(str(path)) == {"data_source": "online_retail", "data_dir": tmp_path}


def test_resolve_source_sends_the_completejourney_file_to_its_loader(tmp_path: Path):
    path = tmp_path / "completejourney_transactions_sample.csv.gz"
    path.write_bytes(b"")
    assert resolve_source(str(path)) == {"data_source": "completejourney", "data_dir": tmp_path}


def test_resolve_source_keeps_any_other_file_as_a_path(tmp_path: Path):
    path = tmp_path / "ventes.csv"
    path.write_text("x\n", encoding="utf-8")
    assert resolve_source(str(path)) == {"data_source": str(path)}


def test_resolve_source_does_not_swap_another_online_retail_file_for_the_full_dataset(tmp_path: Path):
    path = tmp_path / "online_retail_france.csv"
    path.write_text("x\n", encoding="utf-8")
    assert resolve_source(str(path)) == {"data_source": str(path)}


def test_resolve_source_refuses_a_folder(tmp_path: Path):
    with pytest.raises(SystemExit) as info:
        resolve_source(str(tmp_path))
    assert str(tmp_path) in str(info.value.code)
    assert "folder" in str(info.value.code)


# ---------------------------------------------------------------------------- to_markdown
def _result() -> dict:
    return {
        "data": {"name": "demo", "start": "2024-01-01", "end": "2024-06-30", "transactions": 12345,
                 "customers": 1200, "products": 63},
        "recommend": {  # deliberately before forecast: tables follow TASKS order, not dict order
            "setup": {"k": 10},
            "model": {"name": "Recommender", "recall@10": 0.41234, "ndcg@10": 0.3},
            "baselines": {"Popularity": {"recall@10": 0.2, "ndcg@10": 0.1},
                          "OwnHistory": {"recall@10": 0.35}},
            "seconds": 1.5,
        },
        "forecast": {
            "model": {"name": "DemandForecaster", "MASE": 0.8, "WAPE": 0.25, "coverage": 0.79, "n_series": 50,
                      "note": "text is not a metric"},
            "baselines": {"SeasonalNaive": {"MASE": 1.0, "WAPE": 0.31, "coverage": 0.7, "n_series": 50},
                          "AutoETS": {"MASE": 0.9, "WAPE": 0.28, "coverage": 0.81, "n_series": 50}},
            "versus": {"SeasonalNaive": {"MASE": {"diff": -0.2, "low": -0.31, "high": -0.12}},
                       "AutoETS": {"MASE": {"diff": -0.1, "low": -0.15, "high": 0.04}}},
        },
    }


def _table(markdown: str, task: str) -> list[list[str]]:
    """The rows (cells) of ``task``'s table, header first, separator dropped."""
    lines = markdown.splitlines()
    start = lines.index(f"**{task}**") + 2
    rows = []
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip().strip("|").split("|")])
    return [rows[0], *rows[2:]]


def test_to_markdown_has_one_table_per_task_in_task_order():
    markdown = to_markdown(_result())
    lines = markdown.splitlines()
    assert lines[0].startswith("Data: demo (2024-01-01 to 2024-06-30")
    assert "12,345" in lines[0] and "1,200" in lines[0]
    titles = [line for line in lines if line.startswith("**") and line.endswith("**") and "|" not in line]
    assert titles == ["**forecast**", "**recommend**"]
    assert "**propensity**" not in markdown
    assert sum(line.startswith("|---") for line in lines) == 2


def test_to_markdown_puts_the_model_first_then_each_baseline():
    forecast = _table(to_markdown(_result()), "forecast")
    assert forecast[0] == ["model", "MASE", "WAPE", "coverage", "n_series"]  # numeric model fields only
    assert [row[0] for row in forecast[1:]] == ["**DemandForecaster**", "SeasonalNaive", "AutoETS"]
    assert forecast[1][1:] == ["0.800", "0.250", "0.790", "50"]
    assert forecast[3][1:] == ["0.900", "0.280", "0.810", "50"]

    recommend = _table(to_markdown(_result()), "recommend")
    assert recommend[0] == ["model", "recall@10", "ndcg@10"]
    assert [row[0] for row in recommend[1:]] == ["**Recommender**", "Popularity", "OwnHistory"]
    assert recommend[1][1:] == ["0.412", "0.300"]
    assert recommend[3][1:] == ["0.350", ""]  # a metric a baseline lacks is left empty
    assert all(len(row) == len(recommend[0]) for row in recommend)


def test_to_markdown_prints_one_versus_line_per_baseline_under_its_table():
    lines = to_markdown(_result()).splitlines()
    forecast = lines[lines.index("**forecast**"):lines.index("**recommend**")]
    assert "- vs SeasonalNaive: MASE -0.200 [-0.310, -0.120]" in forecast
    assert "- vs AutoETS: MASE -0.100 [-0.150, +0.040]" in forecast
    recommend = lines[lines.index("**recommend**"):]
    assert not any(line.startswith("- vs ") for line in recommend)  # no versus block, no line


def test_to_markdown_without_baselines_has_the_model_row_only():
    result = _result()
    del result["recommend"]["baselines"]
    assert [row[0] for row in _table(to_markdown(result), "recommend")[1:]] == ["**Recommender**"]


# ---------------------------------------------------------------------------- main
@pytest.fixture
def small_simulator(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)  # no .env
    monkeypatch.setenv("SIMULATOR_CUSTOMERS", "60")
    monkeypatch.setenv("SIMULATOR_DAYS", "150")
    monkeypatch.setenv("SIMULATOR_END", "2024-06-30")


def test_main_prints_json_for_the_requested_task(small_simulator, capsys):
    assert main(["--data", "simulator", "--task", "recommend", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert set(result) == {"data", "recommend"}
    data = result["data"]
    assert data["name"]
    assert data["end"] == "2024-06-30"
    assert 0 < data["customers"] <= 60
    assert data["transactions"] > data["customers"]
    block = result["recommend"]
    assert block["model"]["name"]
    assert block["baselines"]
    assert block["seconds"] >= 0
    for values in (block["model"], *block["baselines"].values()):
        assert 0.0 <= values["recall@10"] <= 1.0


def test_main_prints_markdown(small_simulator, capsys):
    assert main(["--data", "simulator", "--task", "recommend", "--markdown"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Data: ")
    assert "**recommend**" in out and "**forecast**" not in out
    assert "recall@10" in _table(out, "recommend")[0]


def test_main_with_a_missing_file_exits_2_without_a_trace(tmp_path: Path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["--data", str(tmp_path / "absent.csv"), "--task", "recommend"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("error: ") and "absent.csv" in err and "Traceback" not in err


def test_main_rejects_an_unknown_task(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--task", "weather"])
    assert info.value.code == 2
    assert "weather" in capsys.readouterr().err


def test_tasks_match_the_service_tasks():
    from ml import registry

    assert TASKS == registry.TASKS


# ---------------------------------------------------------------------------- benchmark percentiles
def test_percentiles_of_a_single_sample():
    assert percentiles([3.5]) == (3.5, 3.5)


def test_percentiles_ignore_input_order():
    samples = [9.0, 1.0, 5.0, 3.0, 7.0]
    assert percentiles(samples) == (5.0, 9.0)
    assert samples == [9.0, 1.0, 5.0, 3.0, 7.0]  # not sorted in place


def test_percentiles_of_one_to_a_hundred():
    p50, p99 = percentiles([float(i) for i in range(100, 0, -1)])
    assert p50 == 50.5
    assert p99 == 99.0


@pytest.mark.parametrize("n", [10, 50, 200, 250, 1000])
def test_p99_is_the_nearest_rank(n: int):
    samples = [float(i) for i in range(1, n + 1)]
    assert percentiles(samples)[1] == samples[math.ceil(0.99 * n) - 1]


@pytest.mark.parametrize("n", [150, 350])
def test_p99_is_the_nearest_rank_when_099n_ends_in_a_half(n: int):
    samples = [float(i) for i in range(1, n + 1)]
    assert percentiles(samples)[1] == samples[math.ceil(0.99 * n) - 1]


def test_truncate_keeps_the_data_known_on_that_day(small_dataset) -> None:
    from ml.evaluate import truncate

    last = small_dataset.end - timedelta(days=10)
    cut = truncate(small_dataset, last)
    assert cut.end == last and cut.start == small_dataset.start
    assert len(cut.transactions) == int((small_dataset.transactions["timestamp"].dt.date <= last).sum())
    assert cut.country == small_dataset.country and cut.name == small_dataset.name


def test_backtest_summarises_successive_windows(small_dataset) -> None:
    from ml.evaluate import backtest, backtest_markdown

    result = backtest(small_dataset, 2, tasks=("recommend",))
    ends = [date.fromisoformat(w["end"]) for w in result["windows"]]
    assert ends == [small_dataset.end, small_dataset.end - timedelta(days=28)]
    recall = result["summary"]["recommend"]["recall@10"]
    per_window = [w["recommend"]["model"]["recall@10"] for w in result["windows"]]
    assert recall["model"] == pytest.approx(sum(per_window) / 2)
    for name, entry in recall["baselines"].items():
        base = [w["recommend"]["baselines"][name]["recall@10"] for w in result["windows"]]
        assert entry["model_wins"] == sum(m > b for m, b in zip(per_window, base))
    table = backtest_markdown(result)
    assert "| recall@10 |" in table and "of 2" in table
