"""``ml.evaluate --windows N --jobs 2``: windows evaluated in parallel processes give the serial result."""

from __future__ import annotations

import pytest


def test_parallel_windows_give_the_serial_backtest(small_dataset) -> None:
    from ml.evaluate import backtest

    serial = backtest(small_dataset, 2, tasks=("recommend",))
    parallel = backtest(small_dataset, 2, tasks=("recommend",), jobs=2)
    assert [w["end"] for w in parallel["windows"]] == [w["end"] for w in serial["windows"]]
    for a, b in zip(serial["windows"], parallel["windows"]):
        assert a["recommend"]["model"]["recall@10"] == pytest.approx(b["recommend"]["model"]["recall@10"])
    assert parallel["summary"]["recommend"]["recall@10"]["model"] == pytest.approx(
        serial["summary"]["recommend"]["recall@10"]["model"])


def test_jobs_below_one_is_refused(capsys) -> None:
    from ml.evaluate import main

    with pytest.raises(SystemExit):
        main(["--data", "simulator", "--windows", "2", "--jobs", "0"])
    assert "--jobs must be at least 1" in capsys.readouterr().err
