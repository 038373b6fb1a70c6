"""The simulated chain: its stores, regions and formats, and what each store sells.

Two formats, as in a French supermarket chain:

* ``proximite`` (urban proximity store, city centre): small (under half a supermarket's sales),
  busy on weekday lunchtimes and evenings, a flatter week, a subset of the catalogue
  (every best-seller, about half of the slow movers), quieter in the school holidays (city
  dwellers leave, the more so from mid-July to mid-August);
* ``supermarche`` (suburban supermarket): larger, Saturday peak, nearly the whole catalogue,
  family products up during the school holidays.

The default chain is 12 real-sounding stores in 4 regions (Île-de-France, Auvergne-Rhône-Alpes,
Pays de la Loire, Hauts-de-France), each in its city's school-holiday zone. Larger chains
(``n_stores`` > 12, the scale CLI) add stores in 36 more French cities.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ml.data.schema import STORE_COLUMNS

PROXIMITY, SUPERMARKET = "proximite", "supermarche"
IDF, ARA, PDL, HDF = "Île-de-France", "Auvergne-Rhône-Alpes", "Pays de la Loire", "Hauts-de-France"

# name | city | region | format | zone — interleaved so that the first 3 or 4 stores span the regions
_DEFAULT_STORES = """
Paris Bastille|Paris|Île-de-France|proximite|C
Lyon Part-Dieu|Lyon|Auvergne-Rhône-Alpes|proximite|A
Nantes Talensac|Nantes|Pays de la Loire|proximite|B
Lille Wazemmes|Lille|Hauts-de-France|proximite|B
Créteil Soleil|Créteil|Île-de-France|supermarche|C
Villeurbanne Gratte-Ciel|Villeurbanne|Auvergne-Rhône-Alpes|supermarche|A
Rezé Atout Sud|Rezé|Pays de la Loire|supermarche|B
Villeneuve-d'Ascq Triolo|Villeneuve-d'Ascq|Hauts-de-France|supermarche|B
Paris Batignolles|Paris|Île-de-France|proximite|C
Versailles Chantiers|Versailles|Île-de-France|supermarche|C
Lyon Croix-Rousse|Lyon|Auvergne-Rhône-Alpes|proximite|A
Échirolles Comboire|Échirolles|Auvergne-Rhône-Alpes|supermarche|A
"""
# city | region | zone (académie's school-holiday zone), for chains beyond the default 12 stores
_MORE_CITIES = """
Marseille|Provence-Alpes-Côte d'Azur|B
Toulouse|Occitanie|C
Nice|Provence-Alpes-Côte d'Azur|B
Bordeaux|Nouvelle-Aquitaine|A
Montpellier|Occitanie|C
Strasbourg|Grand Est|B
Rennes|Bretagne|B
Reims|Grand Est|B
Saint-Étienne|Auvergne-Rhône-Alpes|A
Toulon|Provence-Alpes-Côte d'Azur|B
Le Havre|Normandie|B
Grenoble|Auvergne-Rhône-Alpes|A
Dijon|Bourgogne-Franche-Comté|A
Angers|Pays de la Loire|B
Nîmes|Occitanie|C
Clermont-Ferrand|Auvergne-Rhône-Alpes|A
Le Mans|Pays de la Loire|B
Aix-en-Provence|Provence-Alpes-Côte d'Azur|B
Brest|Bretagne|B
Tours|Centre-Val de Loire|B
Amiens|Hauts-de-France|B
Limoges|Nouvelle-Aquitaine|A
Annecy|Auvergne-Rhône-Alpes|A
Boulogne-Billancourt|Île-de-France|C
Metz|Grand Est|B
Besançon|Bourgogne-Franche-Comté|A
Perpignan|Occitanie|C
Orléans|Centre-Val de Loire|B
Rouen|Normandie|B
Caen|Normandie|B
Nancy|Grand Est|B
Argenteuil|Île-de-France|C
Saint-Denis|Île-de-France|C
Poitiers|Nouvelle-Aquitaine|A
Roubaix|Hauts-de-France|B
Tourcoing|Hauts-de-France|B
"""
_DISTRICTS = ("Centre", "Gare", "République", "Jean-Jaurès", "Victor-Hugo", "Les Halles", "Saint-Michel",
              "Pasteur", "Liberté", "Hôtel de Ville", "Jean-Moulin", "Les Arcades", "Clemenceau", "Saint-Jacques")

# Monday..Sunday traffic (Sunday: open in the morning only)
WEEKDAY_PROFILE = {
    SUPERMARKET: np.array([0.85, 0.80, 0.95, 0.95, 1.20, 1.65, 0.30]),
    PROXIMITY: np.array([1.00, 0.98, 1.02, 1.04, 1.15, 1.05, 0.55]),
}
_SCALE = {SUPERMARKET: 1.3, PROXIMITY: 0.55}  # median size (sales relative to an average store)
# share of the catalogue carried: clip(base + slope * popularity weight, 0, 1)
_CARRY = {SUPERMARKET: (0.92, 0.05), PROXIMITY: (0.45, 0.12)}
# traffic in the zone's school holidays, and from mid-July to mid-August
SCHOOL_TRAFFIC = {SUPERMARKET: (1.0, 0.88), PROXIMITY: (0.88, 0.72)}
FAMILY_UPLIFT = {SUPERMARKET: 1.25, PROXIMITY: 0.9}  # family products in the zone's school holidays


@dataclass(frozen=True)
class Chain:
    """The stores (STORE_COLUMNS) and, aligned with them, each store's size and weekday profile."""

    stores: pd.DataFrame
    scale: np.ndarray  # (stores,) sales relative to an average store
    weekday: np.ndarray  # (stores, 7) Monday..Sunday traffic

    def __len__(self) -> int:
        return len(self.stores)

    def formats(self) -> np.ndarray:
        return self.stores["format"].to_numpy()


def _parse(text: str) -> list[list[str]]:
    return [line.split("|") for line in text.strip().splitlines()]


def _store_rows(n_stores: int, rng: np.random.Generator) -> list[dict[str, str]]:
    keys = ("name", "city", "region", "format", "zone")
    rows = [dict(zip(keys, fields)) for fields in _parse(_DEFAULT_STORES)][:n_stores]
    cities = _parse(_MORE_CITIES)
    seen: dict[str, int] = {}
    while len(rows) < n_stores:
        k = len(rows) - 12
        city, region, zone = cities[k % len(cities)]
        district = _DISTRICTS[(k // len(cities)) % len(_DISTRICTS)]
        name = f"{city} {district}"
        seen[name] = seen.get(name, 0) + 1
        if seen[name] > 1:
            name = f"{name} {seen[name]}"
        fmt = PROXIMITY if rng.random() < 0.5 else SUPERMARKET
        rows.append({"name": name, "city": city, "region": region, "format": fmt, "zone": zone})
    return rows


def build_chain(n_stores: int, rng: np.random.Generator) -> Chain:
    """``n_stores`` stores (ids "1".."n"): the default 12 first, then generated ones."""
    if n_stores < 1:
        raise ValueError("n_stores must be positive")
    rows = _store_rows(n_stores, rng)
    stores = pd.DataFrame(rows)
    stores.insert(0, "store_id", [str(i + 1) for i in range(n_stores)])
    formats = stores["format"].to_numpy()
    scale = np.array([_SCALE[f] for f in formats]) * rng.lognormal(0, 0.25, n_stores)
    weekday = np.stack([WEEKDAY_PROFILE[f] for f in formats]) * rng.lognormal(0, 0.05, (n_stores, 7))
    for column in STORE_COLUMNS[1:]:
        stores[column] = stores[column].astype("string")
    stores["store_id"] = stores["store_id"].astype(object)
    return Chain(stores[list(STORE_COLUMNS)], scale, weekday)


def carry_probability(store_format: str, weights: np.ndarray) -> np.ndarray:
    """Probability that a store of this format carries each product, from its popularity weight."""
    base, slope = _CARRY[store_format]
    return np.clip(base + slope * weights, 0.0, 1.0)


def assortment(chain: Chain, weights: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """(stores, products) booleans: what each store sells. Every product is sold by at least one store."""
    carried = np.stack([rng.random(len(weights)) < carry_probability(f, weights) for f in chain.formats()])
    orphan = ~carried.any(axis=0)
    carried[int(np.argmax(chain.scale)), orphan] = True
    return carried


def school_traffic(store_format: str, on_holiday: np.ndarray, summer_peak: np.ndarray) -> np.ndarray:
    """Traffic multiplier per day of a store of this format, given its zone's school holidays."""
    holiday, summer = SCHOOL_TRAFFIC[store_format]
    return np.where(on_holiday & summer_peak, summer, np.where(on_holiday, holiday, 1.0))
