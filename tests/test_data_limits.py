"""Plausible data: bounds, dates, duplicate rows, size and row caps, invalid bytes (issue 10, point 3)."""

from __future__ import annotations

import gzip
import tracemalloc
from datetime import date, timedelta
from pathlib import Path

import pytest

from ml.data import load_dataset
from ml.data import io as data_io
from ml.data.io import read_transactions
from ml.data.limits import Limits
from ml.errors import DataFormatError, DataValidationError
from ml.settings import MLSettings

HEADER = "customer_id,product_id,timestamp,quantity,price"


def write(tmp_path: Path, *lines: str, name: str = "ventes.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(("line", "column", "setting"), [
    ("3,A,2024-05-03,1e308,1", "quantity", "MAX_QUANTITY"),
    ("3,A,2024-05-03,150000,1", "quantity", "MAX_QUANTITY"),
    ("3,A,2024-05-03,1,1e308", "price", "MAX_PRICE"),
    ("3,A,1970-01-01,1,1", "timestamp", "MIN_DATE"),
    ("3,A,2031-05-03,1,1", "timestamp", "MAX_FUTURE_DAYS"),
])
def test_implausible_values_name_row_column_and_setting(tmp_path: Path, line: str, column: str, setting: str) -> None:
    path = write(tmp_path, "1,A,2024-05-01,2,1", "2,A,2024-05-02,1,1", line)
    with pytest.raises(DataValidationError) as info:
        read_transactions(path)
    assert (info.value.row, info.value.column) == (3, column)
    assert "row 3" in str(info.value) and setting in str(info.value)


def test_the_future_is_relative_to_the_real_today_with_a_tolerance(tmp_path: Path) -> None:
    today = date.today()
    ok, late = today + timedelta(days=2), today + timedelta(days=3)
    assert len(read_transactions(write(tmp_path, f"1,A,{ok},1,1")).transactions) == 1
    with pytest.raises(DataValidationError, match="future"):
        read_transactions(write(tmp_path, f"1,A,{ok},1,1", f"1,A,{late},1,1"))
    limits = Limits(max_future_days=5)  # MAX_FUTURE_DAYS=5
    assert len(read_transactions(write(tmp_path, f"1,A,{late},1,1"), limits=limits).transactions) == 1


def test_bounds_come_from_settings(tmp_path: Path) -> None:
    path = write(tmp_path, "1,A,2024-05-01,20,1")
    settings = MLSettings(_env_file=None, data_source=str(path), max_quantity=10)
    with pytest.raises(DataValidationError, match="MAX_QUANTITY=10"):
        load_dataset(settings)
    assert load_dataset(MLSettings(_env_file=None, data_source=str(path))).transactions["quantity"].tolist() == [20]


def test_duplicate_rows_are_dropped_and_counted(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = write(tmp_path, "1,A,2024-05-01,2,1", "2,A,2024-05-01,1,1", "1,A,2024-05-01,2,1", "1,A,2024-05-01,2,1",
                 "1,A,2024-05-01,3,1")
    with caplog.at_level("WARNING"):
        dataset = read_transactions(path)
    assert dataset.duplicates_dropped == 2
    assert dataset.transactions["quantity"].tolist() == [2.0, 1.0, 3.0]
    assert "2 duplicate rows" in caplog.text and "row 3, a copy of row 1" in caplog.text


def test_duplicate_rows_refused_by_setting(tmp_path: Path) -> None:
    path = write(tmp_path, "1,A,2024-05-01,2,1", "2,A,2024-05-01,1,1", "2,A,2024-05-01,1,1")
    with pytest.raises(DataValidationError) as info:
        load_dataset(MLSettings(_env_file=None, data_source=str(path), duplicate_rows="refuse"))
    assert (info.value.row, info.value.n_bad_rows) == (3, 1)
    assert "copy of row 2" in str(info.value) and "DUPLICATE_ROWS" in str(info.value)


def test_a_gzip_bomb_stops_at_the_byte_cap_with_little_memory(tmp_path: Path) -> None:
    path = tmp_path / "bomb.csv.gz"
    with gzip.open(path, "wt") as handle:  # ~100 KB compressed, 40 MB once decompressed
        handle.write(HEADER + "\n")
        handle.write("1,A,2024-05-01,1,1\n" * 2_000_000)
    assert path.stat().st_size < 200_000
    tracemalloc.start()
    try:
        with pytest.raises(DataFormatError) as info:
            read_transactions(path, limits=Limits(max_file_bytes=3_000_000))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert "MAX_FILE_BYTES=3,000,000" in str(info.value) and "nothing was imported" in str(info.value)
    assert peak < 40_000_000  # never holds the decompressed file


def test_row_cap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(data_io, "CHUNK_ROWS", 2)
    path = write(tmp_path, *[f"{i},A,2024-05-01,1,1" for i in range(5)])
    with pytest.raises(DataFormatError, match="MAX_ROWS=4"):
        read_transactions(path, limits=Limits(max_rows=4))
    assert len(read_transactions(path, limits=Limits(max_rows=5)).transactions) == 5


def test_invalid_bytes_are_reported_with_their_row(tmp_path: Path) -> None:
    path = tmp_path / "ventes.csv"
    path.write_bytes(b"customer_id,product_id,timestamp,quantity,price,name\n"
                     b"1,A,2024-05-01,1,1,P\xc3\xa2tes\n2,B,2024-05-02,1,1,Caf\xc3\xa9\n3,C,2024-05-02,1,1,x\xff\n")
    with pytest.raises(DataValidationError) as info:
        read_transactions(path)
    assert info.value.row == 3 and "row 3" in str(info.value) and "UTF-8" in str(info.value)


def test_windows_1252_after_ascii_rows_is_read_but_undefined_bytes_are_not(tmp_path: Path) -> None:
    path = tmp_path / "ventes.csv"
    head = b"customer_id,product_id,timestamp,quantity,price,name\n1,A,2024-05-01,1,1,Lait\n"
    path.write_bytes(head + b"2,B,2024-05-02,1,1,P\xe2tes\n")
    assert read_transactions(path).products["name"].tolist() == ["Lait", "P\u00e2tes"]
    path.write_bytes(head + b"2,B,2024-05-02,1,1,P\xe2tes\n3,C,2024-05-02,1,1,\x81\n")
    with pytest.raises(DataValidationError) as info:
        read_transactions(path)
    assert info.value.row == 3


def test_month_first_dates_seen_in_a_later_chunk_correct_the_earlier_chunks(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(data_io, "CHUNK_ROWS", 2)
    path = write(tmp_path, "1,A,03/04/2024,1,1", "2,A,05/06/2024 10:30,1,1", "3,A,2024-05-07,1,1",
                 "4,A,12/25/2023,1,1")
    stamps = read_transactions(path).transactions["timestamp"].dt.strftime("%Y-%m-%d %H:%M").tolist()
    assert stamps == ["2024-03-04 00:00", "2024-05-06 10:30", "2024-05-07 00:00", "2023-12-25 00:00"]
    monkeypatch.setattr(data_io, "CHUNK_ROWS", 200_000)
    assert read_transactions(path).transactions["timestamp"].dt.strftime("%Y-%m-%d %H:%M").tolist() == stamps
