"""The simulated catalogue: French products, their seasons, and a long-tail catalogue for scale runs.

``product_table()`` is the everyday catalogue of the simulated chain (63 products with French names,
FR/EN aliases, prices in euros, popularity weights, a season profile and segment affinities).
``season_multipliers`` turns season names into daily demand multipliers (Easter, Christmas,
Epiphany, strawberries in early summer, raclette in winter...). ``scaled_catalog`` derives any
number of products from it (brand and size variants with a long-tailed popularity) for the scale CLI.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from dateutil.easter import easter

# id | name | category | aliases | price (EUR) | popularity weight | season | extra units per line |
# affinity: families, seniors, students, gourmets
_CATALOG = """
P001|Yaourt nature|Crèmerie|yaourt|yaourts|yogurt|yoghurt|plain yogurt|1.95|6|flat|0.4|1.3,1.4,0.6,0.8
P002|Yaourt aux fruits|Crèmerie|yaourt fruits|fruit yogurt|fruit yoghurt|2.35|5|flat|0.4|1.8,0.7,0.9,0.5
P003|Lait demi-écrémé|Crèmerie|lait|milk|semi-skimmed milk|1.09|8|flat|0.9|1.6,1.3,0.8,0.6
P004|Beurre doux|Crèmerie|beurre|butter|unsalted butter|2.65|4|flat|0.1|1.2,1.2,0.7,1.0
P005|Camembert|Crèmerie|fromage|camembert de normandie|cheese|2.45|3|flat|0.0|1.0,1.4,0.5,1.4
P006|Emmental râpé|Crèmerie|gruyère râpé|emmental|grated cheese|2.20|4|flat|0.1|1.6,0.8,1.3,0.5
P007|Crème fraîche épaisse|Crèmerie|crème|creme fraiche|cream|1.75|3|flat|0.0|1.2,1.1,0.6,1.1
P008|Œufs plein air x12|Crèmerie|oeufs|œuf|eggs|egg|3.40|5|flat|0.1|1.3,1.1,1.0,0.9
P009|Comté 12 mois|Crèmerie|comté|comte|fromage comté|comte cheese|5.90|2|flat|0.0|0.7,1.1,0.3,2.2
P010|Fromage blanc|Crèmerie|fromage frais|cottage cheese|quark|2.10|2|flat|0.1|1.3,1.3,0.5,0.8
P011|Fromage à raclette|Crèmerie|raclette|raclette cheese|9.90|2|winter|0.2|1.4,0.6,1.2,1.3
P012|Baguette tradition|Boulangerie|baguette|pain|bread|french bread|1.20|12|flat|0.6|1.2,1.3,1.1,1.0
P013|Croissant|Boulangerie|croissant au beurre|croissants|viennoiserie|0.95|6|flat|1.5|1.3,0.8,1.1,1.1
P014|Pain de mie|Boulangerie|pain de mie complet|sandwich bread|toast bread|1.85|3|flat|0.0|1.6,0.7,1.4,0.3
P015|Pain au chocolat|Boulangerie|chocolatine|pain chocolat|chocolate croissant|1.05|4|flat|1.2|1.6,0.6,1.2,0.8
P016|Bûche de Noël|Boulangerie|buche|bûche|yule log|christmas log|14.90|2|christmas|0.0|1.4,1.1,0.6,1.4
P017|Galette des rois|Boulangerie|galette|king cake|frangipane|11.50|2|epiphany|0.0|1.5,1.1,0.7,1.2
P018|Pommes golden|Fruits et légumes|pomme|pommes|apple|apples|golden|2.49|6|flat|0.3|1.4,1.3,0.8,0.8
P019|Bananes|Fruits et légumes|banane|banana|bananas|1.99|7|flat|0.2|1.5,1.2,1.0,0.6
P020|Tomates|Fruits et légumes|tomate|tomato|tomatoes|tomates grappe|2.99|6|summer|0.2|1.2,1.2,0.9,1.1
P021|Salade batavia|Fruits et légumes|salade|laitue|lettuce|salad|1.29|5|summer|0.0|1.1,1.2,0.9,1.1
P022|Carottes|Fruits et légumes|carotte|carrot|carrots|1.49|5|flat|0.1|1.4,1.3,0.6,0.9
P023|Fraises|Fruits et légumes|fraise|strawberry|strawberries|barquette fraises|3.99|4|strawberry|0.3|1.4,1.0,0.8,1.3
P024|Oranges|Fruits et légumes|orange|oranges à jus|2.79|4|winter|0.1|1.3,1.3,0.7,0.8
P025|Clémentines|Fruits et légumes|clementine|clémentine|mandarine|clementines|3.49|3|winter|0.2|1.5,1.1,1.0,0.8
P026|Pommes de terre|Fruits et légumes|patate|patates|potato|potatoes|2.49|5|flat|0.0|1.5,1.3,0.7,0.7
P027|Courgettes|Fruits et légumes|courgette|zucchini|courgettes bio|2.29|3|summer|0.1|1.2,1.2,0.6,1.2
P028|Melon charentais|Fruits et légumes|melon|melon charentais|cantaloupe|2.99|3|melon|0.1|1.3,1.1,0.7,1.1
P029|Avocat|Fruits et légumes|avocado|avocats|1.19|3|flat|0.5|0.8,0.6,1.6,1.3
P030|Jambon blanc|Boucherie-charcuterie|jambon|jambon de paris|ham|cooked ham|2.95|6|flat|0.2|1.7,1.1,1.2,0.5
P031|Poulet fermier|Boucherie-charcuterie|poulet|chicken|poulet label rouge|whole chicken|9.90|3|flat|0.0|1.5,1.1,0.5,1.1
P032|Steak haché|Boucherie-charcuterie|steak|steaks hachés|burger|minced beef|beef patty|4.50|4|flat|0.3|1.6,0.8,1.3,0.6
P033|Saucisses de Toulouse|Boucherie-charcuterie|saucisse|saucisses|sausage|sausages|barbecue|4.20|2|bbq|0.2|1.5,0.7,1.1,0.9
P034|Lardons fumés|Boucherie-charcuterie|lardons|lardon|bacon|bacon bits|2.10|3|winter_mild|0.1|1.4,1.0,1.3,0.7
P035|Foie gras de canard|Boucherie-charcuterie|foie gras|duck foie gras|19.90|0.25|festive|0.0|0.7,1.0,0.2,2.5
P036|Saumon fumé|Poissonnerie|saumon|smoked salmon|salmon|5.95|2|festive_mild|0.1|1.0,1.1,0.5,1.8
P037|Filet de cabillaud|Poissonnerie|cabillaud|poisson|cod|fish|7.90|2|flat|0.0|1.0,1.5,0.3,1.3
P038|Pâtes|Épicerie|pates|spaghetti|pasta|penne|coquillettes|1.15|6|flat|0.5|1.5,0.7,2.0,0.6
P039|Riz basmati|Épicerie|riz|rice|basmati|1.89|3|flat|0.1|1.3,0.9,1.4,0.8
P040|Huile d'olive|Épicerie|huile|olive oil|oil|6.90|0.3|flat|0.0|1.0,1.0,0.7,1.6
P041|Café moulu|Épicerie|café|cafe|coffee|ground coffee|3.95|3|flat|0.2|1.0,1.5,0.8,1.2
P042|Chocolat noir|Épicerie|chocolat|tablette de chocolat|dark chocolate|chocolate|1.89|3|winter_mild|0.3|1.1,0.9,1.1,1.3
P043|Chocolat de Pâques|Épicerie|oeufs de pâques|œufs en chocolat|easter chocolate|easter eggs|lapin en chocolat|7.50|2|easter|0.2|1.8,1.1,0.4,1.0
P044|Céréales|Épicerie|cereales|cereals|corn flakes|muesli|3.20|3|flat|0.1|1.9,0.5,1.2,0.4
P045|Confiture de fraises|Épicerie|confiture|jam|strawberry jam|2.60|0.8|flat|0.0|1.2,1.4,0.5,0.9
P046|Sucre en poudre|Épicerie|sucre|sugar|1.25|0.5|flat|0.0|1.2,1.3,0.6,0.9
P047|Farine de blé|Épicerie|farine|flour|0.95|0.4|winter_mild|0.0|1.3,1.3,0.5,1.0
P048|Biscuits petit beurre|Épicerie|biscuits|gâteaux|cookies|biscuit|1.60|4|flat|0.3|1.8,0.9,1.1,0.4
P049|Soupe de légumes|Épicerie|soupe|velouté|soup|vegetable soup|2.79|2|winter|0.2|1.0,1.6,0.8,0.8
P050|Eau minérale 6x1.5L|Boissons|eau|eau plate|water|mineral water|bouteille d'eau|2.40|6|summer_mild|0.6|1.6,1.2,0.8,0.7
P051|Jus d'orange|Boissons|jus|orange juice|juice|pur jus|2.45|4|flat|0.2|1.6,0.9,1.0,0.7
P052|Rosé de Provence|Boissons|rosé|rose|rosé wine|vin rosé|6.50|2|summer|0.3|1.0,0.8,1.0,1.4
P053|Bière blonde pack|Boissons|bière|biere|beer|beers|pack de bières|5.90|3|summer_mild|0.2|1.0,0.6,1.8,0.8
P054|Champagne brut|Boissons|champagne|bulles|sparkling wine|24.90|0.4|festive|0.0|0.8,1.0,0.4,2.2
P055|Vin rouge Bordeaux|Boissons|vin rouge|vin|red wine|wine|bordeaux|7.90|1.5|winter_mild|0.1|0.8,1.2,0.6,1.7
P056|Soda cola|Boissons|cola|coca|soda|coke|1.75|3|summer_mild|0.4|1.5,0.4,1.8,0.3
P057|Glace vanille|Surgelés|glace|crème glacée|ice cream|vanilla ice cream|3.90|2|summer|0.1|1.7,0.6,1.2,0.8
P058|Pizza surgelée|Surgelés|pizza|frozen pizza|pizzas|3.50|3|flat|0.3|1.4,0.4,2.0,0.3
P059|Frites surgelées|Surgelés|frites|fries|french fries|chips|2.30|2|flat|0.1|1.8,0.5,1.3,0.3
P060|Papier toilette x12|Hygiène et maison|papier wc|pq|toilet paper|toilet roll|4.90|0.9|flat|0.0|1.4,1.1,0.8,0.8
P061|Lessive liquide|Hygiène et maison|lessive|detergent|laundry detergent|washing liquid|8.90|0.3|flat|0.0|1.6,1.0,0.6,0.7
P062|Dentifrice|Hygiène et maison|dentifrice|toothpaste|pâte dentifrice|2.20|0.35|flat|0.0|1.3,1.1,0.9,0.8
P063|Couches bébé|Hygiène et maison|couches|couche|nappies|diapers|13.90|1|flat|0.2|3.5,0.05,0.05,0.3
"""


def product_table() -> pd.DataFrame:
    """The simulated catalogue: product_id, name, category, aliases, price, weight, season, extra_units, affinities."""
    rows = []
    for line in _CATALOG.strip().splitlines():
        fields = line.split("|")
        pid, name, category = fields[:3]
        price, weight, season, extra, affinity = fields[-5:]
        rows.append({
            "product_id": pid, "name": name, "category": category, "aliases": "|".join(fields[3:-5]),
            "price": float(price), "weight": float(weight), "season": season, "extra_units": float(extra),
            "affinity": tuple(float(a) for a in affinity.split(",")),
        })
    return pd.DataFrame(rows)


def _cyclic_bump(doy: np.ndarray, peak: float, width: float) -> np.ndarray:
    distance = np.abs(doy - peak)
    distance = np.minimum(distance, 365.25 - distance)
    return np.exp(-0.5 * (distance / width) ** 2)


def season_multipliers(days: pd.DatetimeIndex, seasons: list[str]) -> np.ndarray:
    """(n_days, n_products) demand multipliers of each product's season profile (mean about 1 for "flat")."""
    doy = days.dayofyear.to_numpy().astype(float)
    month, dom = days.month.to_numpy(), days.day.to_numpy()
    years = sorted(set(days.year) | {days.year.min() - 1, days.year.max() + 1})
    easters = np.array([np.datetime64(easter(y)) for y in years])
    day64 = days.to_numpy().astype("datetime64[D]")
    # days until the coming Easter (or since the last one, negative)
    to_easter = np.array([(easters[easters >= d][0] - d).astype(int) if (easters >= d).any() else 999 for d in day64])
    december = (month == 12)
    profiles = {
        "flat": np.ones_like(doy),
        "summer": 0.35 + 1.6 * _cyclic_bump(doy, 200, 45),
        "summer_mild": 0.75 + 0.6 * _cyclic_bump(doy, 200, 50),
        "bbq": 0.15 + 2.4 * _cyclic_bump(doy, 195, 40),
        "strawberry": 0.06 + 2.8 * _cyclic_bump(doy, 150, 30),
        "melon": 0.02 + 3.0 * _cyclic_bump(doy, 205, 25),
        "winter": 0.15 + 2.0 * _cyclic_bump(doy, 15, 45),
        "winter_mild": 0.7 + 0.6 * _cyclic_bump(doy, 15, 60),
        "christmas": np.where(december & (dom >= 8) & (dom <= 24), 0.5 + 5.0 * np.clip((dom - 8) / 16, 0, 1) ** 2, 0.0),
        "epiphany": np.where((month == 1) & (dom <= 31), 5.0 * np.exp(-np.abs(dom - 6) / 7), 0.0),
        "easter": np.where((to_easter >= 0) & (to_easter <= 28), 0.6 + 4.0 * (1 - to_easter / 28) ** 2, 0.0),
        "festive": (0.3 + np.where(december, 0.4 + 3.0 * (dom / 31), 0.0)
                    + np.where(december & np.isin(dom, (23, 24, 30, 31)), 6.0, 0.0)),
        "festive_mild": 0.8 + np.where(december, 0.3 + 2.0 * (dom / 31), 0.0),
    }
    return np.column_stack([profiles[s] for s in seasons])


# categories whose promotions are stocked up on at home, hence a dip in sales after the promotion
STORABLE_CATEGORIES: frozenset[str] = frozenset({"Épicerie", "Boissons", "Hygiène et maison", "Surgelés"})
FAMILY_AFFINITY = 1.5  # a product whose families affinity is at least this is a "family" product


def family_products(products: pd.DataFrame) -> np.ndarray:
    """True for the products families buy most (cereals, biscuits, nappies...): they move with the school holidays."""
    return np.array([a[0] >= FAMILY_AFFINITY for a in products["affinity"]])


def storable_products(products: pd.DataFrame) -> np.ndarray:
    """True for products customers stock up on during a promotion (groceries, drinks, frozen, household)."""
    return products["category"].isin(STORABLE_CATEGORIES).to_numpy()


_VARIANTS = ("", "bio", "marque repère", "format familial", "premier prix", "x2", "sans sucres ajoutés", "Sélection")


def scaled_catalog(n_products: int, seed: int = 0) -> pd.DataFrame:
    """``n_products`` products derived from :func:`product_table` (the first 63 are the catalogue itself).

    The others are variants of a catalogue product ("Pâtes bio 12") with the base's category and
    season, a price around the base's and a long-tailed popularity (most variants sell little).
    """
    base = product_table()
    if n_products <= len(base):
        return base.head(n_products).reset_index(drop=True)
    rng = np.random.default_rng([seed, 63])
    extra = n_products - len(base)
    parent = rng.integers(0, len(base), extra)
    variant = rng.integers(1, len(_VARIANTS), extra)
    number = np.arange(len(base) + 1, n_products + 1)
    rows = base.iloc[parent].reset_index(drop=True).copy()
    rows["product_id"] = [f"P{i:05d}" for i in number]
    rows["name"] = [f"{n} {_VARIANTS[v]} {i}" for n, v, i in zip(rows["name"], variant, number)]
    rows["aliases"] = ""
    rows["price"] = np.round(rows["price"].to_numpy() * rng.lognormal(0, 0.3, extra), 2)
    rows["weight"] = rows["weight"].to_numpy() * rng.lognormal(-1.5, 1.0, extra)
    return pd.concat([base, rows], ignore_index=True)
