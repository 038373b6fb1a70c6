"""Product name resolution: case, accents, plurals, aliases, typos, ties, garbage."""

from __future__ import annotations

import pandas as pd
import pytest

from ml.data.catalog import ProductCatalog, normalize
from ml.errors import UnknownProduct
from ml.results import Product

PRODUCTS = pd.DataFrame({
    "product_id": ["P1", "P2", "P3", "P4", "P5", "P6"],
    "name": ["Yaourt nature", "Yaourt aux fruits", "Pâtes", "Lait demi-écrémé", "Fromage à raclette",
             "Œufs plein air x12"],
    "category": ["Crèmerie", "Crèmerie", "Épicerie", "Crèmerie", "Crèmerie", pd.NA],
    "aliases": ["yogurt|yoghurt|plain yogurt", "fruit yogurt", "pasta|spaghetti", "milk", "raclette", "eggs"],
})


@pytest.fixture
def catalog() -> ProductCatalog:
    return ProductCatalog(PRODUCTS, popularity={"P1": 10, "P2": 50, "P3": 5, "P4": 8, "P5": 1, "P6": 3})


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Pâtes", "pate"),
        ("  YAOURT   nature!", "yaourt nature"),
        ("Lait demi-écrémé", "lait demi ecreme"),
        ("Œufs", "oeuf"),
        ("gâteaux", "gateau"),
        ("strawberries", "strawberry"),
        ("jus d'orange", "jus d orange"),
    ],
)
def test_normalize(text: str, expected: str) -> None:
    assert normalize(text) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("YAOURT nature", "P1"),
        ("yaourts nature", "P1"),
        ("yogurt", "P1"),
        ("Yoghurts", "P1"),
        ("pates", "P3"),
        ("PÂTES", "P3"),
        ("spaghetti", "P3"),
        ("lait", "P4"),
        ("raclette", "P5"),
        ("oeufs", "P6"),
        ("P4", "P4"),
        ("p4", "P4"),
    ],
)
def test_resolve(catalog: ProductCatalog, query: str, expected: str) -> None:
    assert catalog.resolve(query) == expected


def test_equal_matches_prefer_the_more_popular(catalog: ProductCatalog) -> None:
    assert catalog.resolve("yaourt") == "P2"  # both yaourts contain the word; P2 sells more
    assert catalog.resolve("Yaourts") == "P2"
    assert ProductCatalog(PRODUCTS, popularity={"P1": 100, "P2": 1}).resolve("yaourt") == "P1"


@pytest.mark.parametrize(("query", "expected"), [
    ("yaourr nature", "P1"), ("raclete", "P5"), ("spagheti", "P3"), ("fromag a raklet", "P5"), ("pattes", "P3"),
])
def test_typos(catalog: ProductCatalog, query: str, expected: str) -> None:
    assert catalog.resolve(query) == expected


def test_single_word_typo_goes_to_a_yaourt(catalog: ProductCatalog) -> None:
    assert catalog.resolve("yaourr") in {"P1", "P2"}


@pytest.mark.parametrize("query", ["xyz123", "a", "de", "qwertyuiop", "", "P99"])
def test_garbage_raises(catalog: ProductCatalog, query: str) -> None:
    with pytest.raises(UnknownProduct) as info:
        catalog.resolve(query)
    assert info.value.query == query.strip()
    assert len(info.value.suggestions) <= 3


def test_unknown_product_suggests_close_names(catalog: ProductCatalog) -> None:
    with pytest.raises(UnknownProduct) as info:
        catalog.resolve("raklet")
    assert "Fromage à raclette" in info.value.suggestions


def test_name_and_product(catalog: ProductCatalog) -> None:
    assert catalog.name("P3") == "Pâtes"
    assert catalog.product("P6") == Product("P6", "Œufs plein air x12", None)
    with pytest.raises(UnknownProduct):
        catalog.product("P99")


def test_simulated_catalogue_resolution() -> None:
    from datetime import date

    from ml.data.simulator import simulate

    dataset = simulate(n_customers=60, days=60, end=date(2024, 6, 30), seed=2)
    counts = dataset.transactions["product_id"].value_counts().astype(float).to_dict()
    catalog = ProductCatalog(dataset.products, counts)
    resolved = {q: catalog.name(catalog.resolve(q)) for q in
                ["pates", "yogurt", "Yaourts", "YAOURT nature", "strawberries", "bières", "buche de noel",
                 "croisant", "oeufs", "jus d'orange", "huile olive"]}
    assert resolved["pates"] == "Pâtes"
    assert resolved["yogurt"] == resolved["YAOURT nature"] == "Yaourt nature"
    assert resolved["Yaourts"].startswith("Yaourt")
    assert resolved["strawberries"] == "Fraises"
    assert resolved["bières"] == "Bière blonde pack"
    assert resolved["buche de noel"] == "Bûche de Noël"
    assert resolved["croisant"] == "Croissant"
    assert resolved["oeufs"] == "Œufs plein air x12"
    assert resolved["jus d'orange"] == "Jus d'orange"
    assert resolved["huile olive"] == "Huile d'olive"
    with pytest.raises(UnknownProduct):
        catalog.resolve("xyz123")
