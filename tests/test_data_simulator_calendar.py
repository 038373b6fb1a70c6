"""School holidays by zone and the promotion calendar's arithmetic."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from ml.data.simulator.calendar import (
    approximate_school_holidays,
    official_school_holidays,
    public_holiday_effects,
    school_holidays,
)
from ml.data.simulator.promotions import DIP, ELASTICITY, discount_matrix, promotion_effect


def test_official_school_holidays_by_zone() -> None:
    days = pd.date_range("2024-02-01", "2024-03-15")
    frame = school_holidays(days)
    on = {zone: frame.index[frame[zone]] for zone in "ABC"}
    # winter 2024: zone C 10-25 February, zone A 17 February - 3 March, zone B 24 February - 10 March
    assert (on["C"].min(), on["C"].max()) == (pd.Timestamp("2024-02-10"), pd.Timestamp("2024-02-25"))
    assert (on["A"].min(), on["A"].max()) == (pd.Timestamp("2024-02-17"), pd.Timestamp("2024-03-03"))
    assert (on["B"].min(), on["B"].max()) == (pd.Timestamp("2024-02-24"), pd.Timestamp("2024-03-10"))


def test_the_table_covers_every_school_year_2022_to_2028() -> None:
    table = official_school_holidays()
    for year in range(2021, 2028):  # school years 2021-2022 .. 2027-2028
        school_year = table[(table["first"] >= date(year, 9, 1)) & (table["first"] < date(year + 1, 9, 1))]
        for zone in "ABC":
            names = set(school_year.loc[school_year["zone"] == zone, "holiday"])
            assert {"toussaint", "noel", "hiver", "printemps", "ete"} <= names, (year, zone)
    assert (table["last"] >= table["first"]).all()
    weekly = table[~table["holiday"].isin(["ete", "ascension"])]
    assert (pd.to_datetime(weekly["first"]).dt.dayofweek == 5).all()  # from a Saturday...
    assert (pd.to_datetime(weekly["last"]).dt.dayofweek.isin([6, 0])).all()  # ...to a Sunday (or Easter Monday)


def test_the_approximation_is_close_to_the_official_calendar() -> None:
    official = official_school_holidays()
    for year in (2023, 2024, 2025):
        approx = approximate_school_holidays(year)
        for holiday in ("toussaint", "noel", "ete"):
            a = approx.loc[approx["holiday"] == holiday, "first"].min()
            o = official.loc[(official["holiday"] == holiday)
                             & (official["first"] >= date(year, 9, 1))
                             & (official["first"] < date(year + 1, 9, 1)), "first"].min()
            assert abs((a - o).days) <= 7, (year, holiday, a, o)


def test_beyond_the_table_every_zone_still_has_holidays() -> None:
    frame = school_holidays(pd.date_range("2030-01-01", "2030-12-31"))
    assert frame.sum().between(90, 130).all()  # about 16 weeks a year, like the official calendars
    assert frame.loc["2030-08-01"].all() and not frame.loc["2030-06-10"].any()
    assert frame.loc["2030-02-01":"2030-03-15"].T.drop_duplicates().shape[0] == 3  # zones staggered


def test_public_holidays_close_the_stores_and_rush_the_day_before() -> None:
    days = pd.date_range("2024-04-28", "2024-05-03")
    traffic, basket, closed = public_holiday_effects(days)
    assert closed.tolist() == [False, False, False, True, False, False]  # 1 May
    assert traffic[2] > 1.5 and basket[2] > 1.0  # 30 April
    assert traffic[3] == 0.0 and traffic[4] == 1.0


def test_discount_matrix_and_promotion_effect() -> None:
    events = pd.DataFrame({"product": [0, 0, 1], "store": [-1, 2, -1], "start": [2, 4, -3],
                           "days": [7, 7, 5], "discount": [0.8, 0.7, 0.5]})
    ratio = discount_matrix(events, 20, 3)
    assert ratio[:2, 0].tolist() == [1.0, 1.0] and ratio[2:4, 0].tolist() == [0.8, 0.8]
    assert ratio[4:11, 0].tolist() == [0.7] * 7 and ratio[11, 0] == 1.0  # overlap: the deeper cut
    assert ratio[:2, 1].tolist() == [0.5, 0.5] and ratio[2, 1] == 1.0  # started before day 0
    assert (ratio[:, 2] == 1.0).all()
    effect = promotion_effect(ratio, storable=np.array([True, False, True]))
    assert np.isclose(effect[3, 0], 0.8 ** -ELASTICITY) and np.isclose(effect[5, 0], 0.7 ** -ELASTICITY)
    assert effect[11:18, 0].tolist() == [DIP[True]] * 7 and effect[18, 0] == 1.0  # a week's dip, then normal
    assert effect[2:9, 1].tolist() == [DIP[False]] * 7 and effect[9, 1] == 1.0
    assert (effect[:, 2] == 1.0).all()
