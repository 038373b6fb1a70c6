"""A simulated French supermarket: customers, baskets and seasons that behave like the real thing.

The default data source, so caddie runs (and its tests pass) without any real
data. What it builds in:

* ~60 products with French names, categories, FR/EN aliases and prices in euros,
  among them seasonal products (fraises in early summer, raclette in winter,
  bûche de Noël in December, galette des rois in January, chocolat de Pâques
  before Easter, champagne at year end) and slow, intermittent movers.
* Customer segments (families, seniors, students, gourmets) with their own
  visit frequency, basket size, quantities and product affinities; each customer
  has personal favourites bought again and again; some join late, some leave.
* Store traffic: Saturday peak, Sunday morning only, closed on 1 January,
  1 May and 25 December, quieter on other French public holidays (``holidays``
  package), rush the day before a holiday and on 24/31 December, August dip.
* Price promotions (a week at -30 % lifts demand), a few stores, basket ids.

Everything is vectorised with numpy: 400 customers x 365 days takes about a second.
Output is deterministic for a given ``seed`` and ``end``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import holidays
import numpy as np
import pandas as pd
from dateutil.easter import easter

from ml.data.schema import Dataset
from ml.data.validate import canonical_products, validate_dataset

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


@dataclass(frozen=True)
class Segment:
    name: str
    share: float  # of customers
    visits_per_week: float
    basket_size: float  # expected distinct products per visit (besides favourites)
    quantity_factor: float  # scales extra units per line


SEGMENTS: tuple[Segment, ...] = (
    Segment("families", 0.35, 1.5, 8.0, 1.6),
    Segment("seniors", 0.25, 2.2, 4.0, 0.9),
    Segment("students", 0.20, 1.3, 3.5, 1.0),
    Segment("gourmets", 0.20, 1.2, 6.0, 1.1),
)
STORES: tuple[str, ...] = ("paris-bastille", "lyon-part-dieu", "nantes-centre")
_STORE_SHARES = np.array([0.45, 0.35, 0.20])
# Monday..Sunday store traffic (Sunday: open in the morning only)
_WEEKDAY_TRAFFIC = np.array([0.85, 0.80, 0.95, 0.95, 1.20, 1.65, 0.30])
_CLOSED_HOLIDAYS: frozenset[tuple[int, int]] = frozenset({(1, 1), (5, 1), (12, 25)})
_SEGMENT_ORDER = {s.name: i for i, s in enumerate(SEGMENTS)}


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


def store_traffic(days: pd.DatetimeIndex) -> tuple[np.ndarray, np.ndarray]:
    """(traffic multiplier per day, basket-size multiplier per day); traffic is 0 when the stores are closed."""
    french = holidays.country_holidays("FR", years=sorted(set(days.year) | {days.year.max() + 1}))
    dates = [d.date() for d in days]
    closed = np.array([(d.month, d.day) in _CLOSED_HOLIDAYS for d in dates])
    holiday = np.array([d in french for d in dates])
    tomorrow = [d + timedelta(days=1) for d in dates]
    eve = np.array([t in french or (t.month, t.day) in _CLOSED_HOLIDAYS for t in tomorrow])
    traffic = _WEEKDAY_TRAFFIC[days.dayofweek.to_numpy()].copy()
    basket = np.where(days.dayofweek.to_numpy() == 6, 0.7, 1.0)
    traffic = np.where(holiday & ~closed, 0.45, traffic)
    traffic = np.where(eve, traffic * 1.45 + 0.2, traffic)
    basket = np.where(eve, basket * 1.25, basket)
    year_end = (days.month == 12) & np.isin(days.day, (23, 24, 30, 31))
    traffic = np.where(year_end, traffic * 1.3, traffic)
    traffic = np.where(days.month == 8, traffic * 0.82, traffic)
    traffic = np.where(closed, 0.0, traffic)
    return traffic, basket


def _visit_times(rng: np.random.Generator, sunday: np.ndarray) -> np.ndarray:
    """Minutes after midnight of each visit: lunch and after-work peaks; Sunday 9:00-12:45."""
    n = len(sunday)
    peak = rng.choice(3, size=n, p=[0.35, 0.25, 0.40])
    centre = np.array([10.5, 12.5, 18.0])[peak] * 60
    spread = np.array([75.0, 40.0, 70.0])[peak]
    minutes = np.clip(rng.normal(centre, spread), 8.5 * 60, 20.9 * 60)
    sunday_minutes = rng.uniform(9 * 60, 12.75 * 60, size=n)
    return np.where(sunday, sunday_minutes, minutes).round()


def simulate(n_customers: int = 400, days: int = 365, end: date | None = None, seed: int = 7) -> Dataset:
    """Simulate ``days`` days of till receipts of ``n_customers`` customers (ids "1".."n"), ending on ``end``.

    ``end`` defaults to yesterday. Deterministic for a given (n_customers, days, end, seed).
    """
    if n_customers < 1 or days < 1:
        raise ValueError("n_customers and days must be positive")
    end = end or (date.today() - timedelta(days=1))
    rng = np.random.default_rng(seed)
    catalog = product_table()
    n_products = len(catalog)
    calendar = pd.date_range(end=pd.Timestamp(end), periods=days, freq="D")

    # customers
    shares = np.array([s.share for s in SEGMENTS])
    segment = rng.choice(len(SEGMENTS), size=n_customers, p=shares / shares.sum())
    visits_per_week = np.array([s.visits_per_week for s in SEGMENTS])[segment] * rng.lognormal(0, 0.35, n_customers)
    basket_size = np.array([s.basket_size for s in SEGMENTS])[segment] * rng.lognormal(0, 0.25, n_customers)
    quantity_factor = np.array([s.quantity_factor for s in SEGMENTS])[segment]
    home_store = rng.choice(len(STORES), size=n_customers, p=_STORE_SHARES)
    first_day = np.where(rng.random(n_customers) < 0.12, rng.integers(0, max(1, int(days * 0.8)), n_customers), 0)
    last_day = np.where(rng.random(n_customers) < 0.10,
                        rng.integers(int(days * 0.5), days, n_customers), days - 1)
    last_day = np.maximum(last_day, np.minimum(first_day + 30, days - 1))

    # customer x product preference: segment affinity x popularity x personal taste
    affinity = np.array(catalog["affinity"].tolist())[:, segment].T  # (customers, products)
    taste = rng.gamma(1.2, 1 / 1.2, size=(n_customers, n_products))
    preference = affinity * catalog["weight"].to_numpy() * taste
    share = preference / preference.sum(axis=1, keepdims=True)
    # favourites: a handful of products each customer buys on most visits
    n_favourites = rng.integers(2, 7, n_customers)
    # favourites are everyday products (not festive or slow-moving ones)
    regular = (catalog["season"].isin(["flat", "summer_mild", "winter_mild", "summer", "winter"])
               & catalog["weight"].ge(2)).to_numpy()
    keys = rng.random((n_customers, n_products)) ** (1 / np.where(regular, preference, 1e-9))  # weighted sampling
    rank = np.argsort(np.argsort(-keys, axis=1), axis=1)
    favourite_p = np.where(rank < n_favourites[:, None], rng.uniform(0.3, 0.75, (n_customers, n_products)), 0.0)

    # visits (customer, day)
    traffic, basket_day = store_traffic(calendar)
    p_visit = np.clip(visits_per_week[:, None] / 7 * traffic[None, :] / _WEEKDAY_TRAFFIC.mean(), 0, 0.95)
    day_index = np.arange(days)
    active = (day_index[None, :] >= first_day[:, None]) & (day_index[None, :] <= last_day[:, None])
    visit_c, visit_d = np.nonzero((rng.random((n_customers, days)) < p_visit) & active)

    # promotions: about one week in 16 per product, -30 % and +60 % demand
    weeks = (day_index // 7)
    promo_week = rng.random((weeks.max() + 1, n_products)) < 1 / 16
    promo = promo_week[weeks]  # (days, products)
    seasonal = season_multipliers(calendar, catalog["season"].tolist())
    demand_day = seasonal * np.where(promo, 1.6, 1.0)

    # basket lines: each product independently, given customer, day and season
    p_line = (basket_size[visit_c, None] * basket_day[visit_d, None] * share[visit_c]) * demand_day[visit_d]
    p_fav = favourite_p[visit_c] * np.minimum(seasonal[visit_d], 1.5)
    p_line = np.clip(np.maximum(p_line, p_fav), 0, 0.95)
    line_v, line_p = np.nonzero(rng.random(p_line.shape) < p_line)

    extra = catalog["extra_units"].to_numpy()[line_p] * quantity_factor[visit_c[line_v]]
    quantity = 1.0 + rng.poisson(extra)
    inflation = 1 + 0.02 * (visit_d[line_v] / 365)
    price = catalog["price"].to_numpy()[line_p] * np.where(promo[visit_d[line_v], line_p], 0.7, 1.0) * inflation

    # where and when
    n_visits = len(visit_c)
    away = rng.random(n_visits) < 0.08
    store = np.where(away, rng.choice(len(STORES), size=n_visits, p=_STORE_SHARES), home_store[visit_c])
    minutes = _visit_times(rng, calendar.dayofweek.to_numpy()[visit_d] == 6)
    visit_time = calendar.to_numpy()[visit_d] + (minutes * 60).astype("timedelta64[s]")
    order = np.lexsort((visit_c, visit_time))
    basket_number = np.empty(n_visits, dtype=np.int64)
    basket_number[order] = np.arange(1, n_visits + 1)

    transactions = pd.DataFrame({
        "customer_id": (visit_c[line_v] + 1).astype(str).astype(object),
        "product_id": catalog["product_id"].to_numpy()[line_p].astype(object),
        "timestamp": visit_time[line_v].astype("datetime64[ns]"),
        "quantity": quantity.astype("float64"),
        "price": np.round(price, 2),
        "store_id": pd.array(np.array(STORES, dtype=object)[store[line_v]], dtype="string"),
        "basket_id": pd.array(np.char.add("B", np.char.zfill(basket_number[line_v].astype(str), 7)).astype(object),
                              dtype="string"),
    })
    transactions = transactions.sort_values(["timestamp", "basket_id", "product_id"], kind="stable")
    products = canonical_products(catalog[["product_id", "name", "category", "aliases"]])
    return validate_dataset(Dataset("simulator", transactions.reset_index(drop=True), products))


def customer_segments(n_customers: int = 400, seed: int = 7) -> dict[str, str]:
    """The segment of each simulated customer id (same draw as :func:`simulate`), for evaluation and demos."""
    rng = np.random.default_rng(seed)
    shares = np.array([s.share for s in SEGMENTS])
    segment = rng.choice(len(SEGMENTS), size=n_customers, p=shares / shares.sum())
    return {str(i + 1): SEGMENTS[s].name for i, s in enumerate(segment)}
