"""Order parameters: built-in defaults per category, CSV overrides and their errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from ml.errors import DataFormatError, DataValidationError
from ml.orders.params import DEFAULT_PARAMETERS, category_key, default_parameters, load_parameters


@pytest.mark.parametrize(("category", "key"), [
    ("Crèmerie", "dairy"), ("Boulangerie", "bakery"), ("Fruits et légumes", "fruit_veg"),
    ("Boucherie-charcuterie", "meat"), ("Poissonnerie", "fish"), ("Surgelés", "frozen"), ("Épicerie", "grocery"),
    ("Boissons", "drinks"), ("Hygiène et maison", "household"), ("Frozen food", "frozen"), ("Dairy", "dairy"),
    ("Jouets", None), (None, None),
])
def test_categories_are_recognised_in_french_and_english(category: str | None, key: str | None) -> None:
    assert category_key(category) == key


def test_perishables_have_a_shelf_life_and_others_not() -> None:
    assert default_parameters("Boulangerie").shelf_life_days == 1
    assert default_parameters("Crèmerie").perishable
    assert not default_parameters("Épicerie").perishable
    assert default_parameters("Jouets") == DEFAULT_PARAMETERS


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "params.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_csv_rows_override_category_then_product(tmp_path: Path) -> None:
    table = load_parameters(write(tmp_path, (
        "product_id,category,lead_time_days,review_days,pack_size,shelf_life_days,service_level\n"
        ",crèmerie,3,,12,,0.9\n"
        "P001,,1,2,,0,\n")))
    yoghurt = table.for_product("P001", "Crèmerie")
    assert (yoghurt.lead_time_days, yoghurt.review_days, yoghurt.pack_size) == (1, 2, 12.0)
    assert yoghurt.shelf_life_days is None  # 0: not perishable
    assert yoghurt.service_level == 0.9
    milk = table.for_product("P003", "Crèmerie")
    assert (milk.lead_time_days, milk.review_days, milk.shelf_life_days) == (3, 1, 14)  # empty cells: default
    assert table.for_product("P038", "Épicerie") == default_parameters("Épicerie")


@pytest.mark.parametrize(("text", "row", "column"), [
    ("category,service_level\nBoulangerie,0.9\nCrèmerie,1.5\n", 2, "service_level"),
    ("product_id,lead_time_days\nP1,-1\n", 1, "lead_time_days"),
    ("product_id,review_days\nP1,0\n", 1, "review_days"),
    ("product_id,pack_size\nP1,abc\n", 1, "pack_size"),
    ("product_id,shelf_life_days\nP1,2.5\n", 1, "shelf_life_days"),
    ("product_id,category,pack_size\n,,6\n", 1, "product_id"),
    ("product_id,pack_size\nP1,6\nP1,12\n", 2, "product_id"),
])
def test_bad_values_name_row_and_column(tmp_path: Path, text: str, row: int, column: str) -> None:
    with pytest.raises(DataValidationError) as info:
        load_parameters(write(tmp_path, text))
    assert (info.value.row, info.value.column) == (row, column)
    assert f"row {row}" in str(info.value)


def test_unknown_column_and_missing_file_are_format_errors(tmp_path: Path) -> None:
    with pytest.raises(DataFormatError, match="lead_time"):
        load_parameters(write(tmp_path, "product_id,lead_time\nP1,2\n"))
    with pytest.raises(DataFormatError, match="ORDER_PARAMETERS_FILE"):
        load_parameters(tmp_path / "absent.csv")
    assert load_parameters("").by_product == {}
