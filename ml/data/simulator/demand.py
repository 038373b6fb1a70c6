"""Expected daily demand per store and product: every driver multiplied together.

    units(store, day, product) = base(store, product) x traffic(store, day) x season(day, product)
                                 x promotion(store, day, product) x family(store, day, product)
                                 x (1 - stock-out hours / opening hours)

``traffic`` is the store's weekday profile x public holidays (closed, quiet, eve rush) x its zone's
school holidays (by format); ``family`` moves family products in the zone's school holidays;
``promotion`` is the uplift of a price cut and the dip after it. The same functions drive the
loyalty customers' baskets, the anonymous sales, the stock positions and the scale CLI.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from ml.data.simulator.calendar import public_holiday_effects, school_holidays, summer_peak
from ml.data.simulator.chain import FAMILY_UPLIFT, Chain, school_traffic
from ml.data.simulator.products import season_multipliers

UNITS_PER_WEIGHT = 10.0  # units a day of a product of weight 1 in an average store
OPEN_HOURS = 13.0
STOCKOUT_P = 0.006  # chance of a stock-out on a normal day, per store and product
STOCKOUT_P_PROMO = 0.04  # ... on a promotion day
NEGBIN_SHAPE = 6.0  # over-dispersion of daily sales (gamma-Poisson)


@dataclass(frozen=True)
class Days:
    """The simulated calendar (history then the known future) and its chain-wide drivers."""

    index: pd.DatetimeIndex  # history + future days
    n_history: int
    traffic: np.ndarray  # (days,) public-holiday multiplier, 0 when closed
    basket: np.ndarray  # (days,) basket-size multiplier
    closed: np.ndarray  # (days,)
    school: pd.DataFrame  # (days, zones) school holidays
    summer: np.ndarray  # (days,) 14 July - 20 August

    @property
    def history(self) -> pd.DatetimeIndex:
        return self.index[: self.n_history]


def make_days(end: date, days: int, future: int) -> Days:
    index = pd.date_range(end=pd.Timestamp(end), periods=days, freq="D")
    index = index.append(pd.date_range(index[-1] + pd.Timedelta(days=1), periods=future, freq="D"))
    traffic, basket, closed = public_holiday_effects(index)
    return Days(index, days, traffic, basket, closed, school_holidays(index), summer_peak(index))


def store_traffic(chain: Chain, store: int, days: Days) -> np.ndarray:
    """(days,) traffic of one store: weekday profile x public holidays x its zone's school holidays."""
    fmt, zone = chain.stores["format"].iat[store], chain.stores["zone"].iat[store]
    weekday = chain.weekday[store][days.index.dayofweek.to_numpy()]
    school = school_traffic(fmt, days.school[zone].to_numpy(), days.summer)
    return weekday * days.traffic * school


def family_effect(chain: Chain, store: int, days: Days, family: np.ndarray) -> np.ndarray:
    """(days, products) multipliers of family products in the store zone's school holidays."""
    fmt, zone = chain.stores["format"].iat[store], chain.stores["zone"].iat[store]
    on = days.school[zone].to_numpy()[:, None] & family[None, :]
    return np.where(on, FAMILY_UPLIFT[fmt], 1.0)


def seasons(days: Days, products: pd.DataFrame) -> np.ndarray:
    return season_multipliers(days.index, products["season"].tolist())


def draw_stockouts(ratio: np.ndarray, closed: np.ndarray, carried: np.ndarray,
                   rng: np.random.Generator) -> np.ndarray:
    """(days, products) hours out of stock: rare, more likely on promotion days; 0 when closed or not sold."""
    p = np.where(ratio < 1.0, STOCKOUT_P_PROMO, STOCKOUT_P)
    out = (rng.random(ratio.shape) < p) & ~closed[:, None] & carried[None, :]
    hours = np.round(rng.uniform(1.0, OPEN_HOURS, ratio.shape) * 2) / 2
    return np.where(out, hours, 0.0)


def base_units(scale: float, weights: np.ndarray, taste: np.ndarray, carried: np.ndarray) -> np.ndarray:
    """(products,) units a day on an ordinary day; 0 for products the store does not sell."""
    return UNITS_PER_WEIGHT * weights ** 1.3 * scale * taste * carried


def draw_sales(expected: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Whole units sold, gamma-Poisson around ``expected`` (over-dispersed like real daily sales)."""
    rate = rng.gamma(NEGBIN_SHAPE, 1.0 / NEGBIN_SHAPE, expected.shape) * expected
    return rng.poisson(rate)
