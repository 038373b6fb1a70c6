"""Fuzzy store lookup: by name, city, region, store number; ambiguous and unknown stores."""

from __future__ import annotations

import pandas as pd
import pytest

from ml.data.stores import StoreCatalog
from ml.data.stores_table import canonical_stores
from ml.errors import AmbiguousStore, UnknownStore
from ml.results import Store

STORES = pd.DataFrame({
    "store_id": ["12", "7", "31", "40", "41"],
    "name": ["Lyon Part-Dieu", "Lyon Confluence", "Nantes Centre", "Saint-Étienne Châteaucreux", "Rennes Gare"],
    "city": ["Lyon", "Lyon", "Nantes", "Saint-Étienne", "Rennes"],
    "region": ["Auvergne-Rhône-Alpes", "Auvergne-Rhône-Alpes", "Pays de la Loire", "Auvergne-Rhône-Alpes",
               "Bretagne"],
    "format": ["proximite", "supermarche", "supermarche", "proximite", "proximite"],
})


@pytest.fixture(scope="module")
def catalog() -> StoreCatalog:
    return StoreCatalog(canonical_stores(STORES))


@pytest.mark.parametrize(("query", "store_id"), [
    ("Lyon Part-Dieu", "12"), ("lyon part dieu", "12"), ("LYON PART-DIEU", "12"), ("part dieu", "12"),
    ("nantes", "31"),  # the only store in that city
    ("saint etienne", "40"), ("St-Étienne Châteaucreux".replace("St", "Saint"), "40"),
    ("bretagne", "41"),  # the only store of that region
    ("12", "12"), ("n°12", "12"), ("N° 12", "12"), ("magasin 12", "12"), ("Magasin n°7", "7"), ("#31", "31"),
    ("magasin numéro 40", "40"), ("012", "12"), ("confluence", "7"), ("magasin de Nantes", "31"),
])
def test_resolve(catalog: StoreCatalog, query: str, store_id: str) -> None:
    assert catalog.resolve(query) == store_id


def test_a_city_with_several_stores_is_ambiguous_and_lists_them(catalog: StoreCatalog) -> None:
    with pytest.raises(AmbiguousStore) as info:
        catalog.resolve("lyon")
    assert info.value.suggestions == ["Lyon Confluence", "Lyon Part-Dieu"]
    assert isinstance(info.value, UnknownStore)  # callers that only know UnknownStore still show the names


def test_a_region_with_several_stores_is_ambiguous(catalog: StoreCatalog) -> None:
    with pytest.raises(AmbiguousStore) as info:
        catalog.resolve("auvergne rhone alpes")
    assert len(info.value.suggestions) == 3


@pytest.mark.parametrize(("query", "expected"), [
    ("Lyon Prat-Dieu", "Lyon Part-Dieu"), ("nantte", "Nantes Centre"), ("renes", "Rennes Gare"),
])
def test_a_typo_is_never_guessed_but_gets_close_names(catalog: StoreCatalog, query: str, expected: str) -> None:
    with pytest.raises(UnknownStore) as info:
        catalog.resolve(query)
    assert not isinstance(info.value, AmbiguousStore)
    assert expected in info.value.suggestions and len(info.value.suggestions) <= 3


@pytest.mark.parametrize("query", ["magasin 99", "n°5", "", "magasin", "Marseille"])
def test_unknown_store(catalog: StoreCatalog, query: str) -> None:
    with pytest.raises(UnknownStore):
        catalog.resolve(query)


def test_store_regions_and_stores_in_region(catalog: StoreCatalog) -> None:
    assert catalog.store("12") == Store("12", "Lyon Part-Dieu", "Lyon", "Auvergne-Rhône-Alpes", "proximite")
    with pytest.raises(UnknownStore):
        catalog.store("99")
    assert catalog.regions() == ["Auvergne-Rhône-Alpes", "Bretagne", "Pays de la Loire"]
    assert [s.store_id for s in catalog.stores_in_region("auvergne rhône-alpes")] == ["12", "7", "40"]
    assert catalog.stores_in_region("Normandie") == []


def test_stores_named_by_their_ids_resolve_by_number() -> None:
    catalog = StoreCatalog(canonical_stores(pd.DataFrame({"store_id": ["1", "2", "10"]})))
    assert catalog.resolve("magasin 10") == "10" and catalog.store("2").name == "2"
    assert catalog.regions() == []
