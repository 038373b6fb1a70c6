"""The French calendar as it moves a supermarket: public holidays and school holidays by zone.

Public holidays come from the ``holidays`` package: stores are closed on 1 January, 1 May and
25 December, quieter on the other public holidays, and busy the day before any of them.

School holidays are the official calendars of the French Ministry of Education (arrêtés fixing the
calendrier scolaire; open dataset "Calendrier scolaire", fr-en-calendrier-scolaire, on
data.education.gouv.fr, as packaged in vacances-scolaires-france 0.12.0), hard-coded below for the
school years 2021-2022 to 2027-2028 (to the start of the summer holidays 2028): Toussaint, Christmas,
winter, spring, summer, and the Ascension bridges the calendar lists. Each span runs from the first
day without school (a Saturday) to the last one (the Sunday before school starts again), both
included. Outside the table, :func:`approximate_school_holidays` gives the usual pattern (a rotation
of the winter and spring weeks between the zones) — an approximation, not the official dates.

Zones: A (académies of Besançon, Bordeaux, Clermont-Ferrand, Dijon, Grenoble, Limoges, Lyon,
Poitiers), B (Aix-Marseille, Amiens, Lille, Nancy-Metz, Nantes, Nice, Normandie, Orléans-Tours,
Reims, Rennes, Strasbourg), C (Créteil, Montpellier, Paris, Toulouse, Versailles).
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays
import numpy as np
import pandas as pd

ZONES: tuple[str, ...] = ("A", "B", "C")
CLOSED_HOLIDAYS: frozenset[tuple[int, int]] = frozenset({(1, 1), (5, 1), (12, 25)})

# holiday | zones | first day off | last day off (official calendars, see the module docstring)
_OFFICIAL = """
toussaint|ABC|2021-10-23|2021-11-07
noel|ABC|2021-12-18|2022-01-02
hiver|A|2022-02-12|2022-02-27
hiver|B|2022-02-05|2022-02-20
hiver|C|2022-02-19|2022-03-06
printemps|A|2022-04-16|2022-05-01
printemps|B|2022-04-09|2022-04-24
printemps|C|2022-04-23|2022-05-08
ascension|ABC|2022-05-26|2022-05-29
ete|ABC|2022-07-07|2022-08-31
toussaint|ABC|2022-10-22|2022-11-06
noel|ABC|2022-12-17|2023-01-02
hiver|A|2023-02-04|2023-02-19
hiver|B|2023-02-11|2023-02-26
hiver|C|2023-02-18|2023-03-05
printemps|A|2023-04-08|2023-04-23
printemps|B|2023-04-15|2023-05-01
printemps|C|2023-04-22|2023-05-08
ete|ABC|2023-07-08|2023-09-03
toussaint|ABC|2023-10-21|2023-11-05
noel|ABC|2023-12-23|2024-01-07
hiver|A|2024-02-17|2024-03-03
hiver|B|2024-02-24|2024-03-10
hiver|C|2024-02-10|2024-02-25
printemps|A|2024-04-13|2024-04-28
printemps|B|2024-04-20|2024-05-05
printemps|C|2024-04-06|2024-04-21
ete|ABC|2024-07-06|2024-09-01
toussaint|ABC|2024-10-19|2024-11-03
noel|ABC|2024-12-21|2025-01-05
hiver|A|2025-02-22|2025-03-09
hiver|B|2025-02-08|2025-02-23
hiver|C|2025-02-15|2025-03-02
printemps|A|2025-04-19|2025-05-04
printemps|B|2025-04-05|2025-04-21
printemps|C|2025-04-12|2025-04-27
ete|ABC|2025-07-05|2025-08-31
toussaint|ABC|2025-10-18|2025-11-02
noel|ABC|2025-12-20|2026-01-04
hiver|A|2026-02-07|2026-02-22
hiver|B|2026-02-14|2026-03-01
hiver|C|2026-02-21|2026-03-08
printemps|A|2026-04-04|2026-04-19
printemps|B|2026-04-11|2026-04-26
printemps|C|2026-04-18|2026-05-03
ete|ABC|2026-07-04|2026-08-31
toussaint|ABC|2026-10-17|2026-11-01
noel|ABC|2026-12-19|2027-01-03
hiver|A|2027-02-13|2027-02-28
hiver|B|2027-02-20|2027-03-07
hiver|C|2027-02-06|2027-02-21
printemps|A|2027-04-10|2027-04-25
printemps|B|2027-04-17|2027-05-02
printemps|C|2027-04-03|2027-04-18
ascension|ABC|2027-05-06|2027-05-08
ete|ABC|2027-07-03|2027-08-31
toussaint|ABC|2027-10-23|2027-11-07
noel|ABC|2027-12-18|2028-01-02
hiver|A|2028-02-19|2028-03-05
hiver|B|2028-02-05|2028-02-20
hiver|C|2028-02-12|2028-02-27
printemps|A|2028-04-22|2028-05-08
printemps|B|2028-04-08|2028-04-23
printemps|C|2028-04-15|2028-05-01
ascension|ABC|2028-05-26|2028-05-27
ete|ABC|2028-07-04|2028-08-31
"""
OFFICIAL_FROM = date(2021, 9, 1)  # the table is complete from this day...
OFFICIAL_TO = date(2028, 8, 31)  # ...to this one


def official_school_holidays() -> pd.DataFrame:
    """The hard-coded official spans: holiday, zone, first, last (one row per zone)."""
    rows = []
    for line in _OFFICIAL.strip().splitlines():
        name, zones, first, last = line.split("|")
        rows += [{"holiday": name, "zone": z, "first": date.fromisoformat(first), "last": date.fromisoformat(last)}
                 for z in zones]
    return pd.DataFrame(rows)


def _saturday_from(day: date) -> date:
    return day + timedelta(days=(5 - day.weekday()) % 7)


def approximate_school_holidays(year: int) -> pd.DataFrame:
    """The school holidays of the school year starting in September ``year``, approximated (not official).

    Toussaint and Christmas: two weeks from the Saturday after 17 October / 17 December; winter and
    spring: two weeks per zone, the three zones one week apart in an order rotating every year;
    summer: from the first Saturday after 2 July to 31 August.
    """
    rows = [("toussaint", "ABC", _saturday_from(date(year, 10, 17))),
            ("noel", "ABC", _saturday_from(date(year, 12, 17)))]
    for k, zone in enumerate(ZONES):
        week = (year + k) % 3
        rows.append(("hiver", zone, _saturday_from(date(year + 1, 2, 4)) + timedelta(weeks=week)))
        rows.append(("printemps", zone, _saturday_from(date(year + 1, 4, 4)) + timedelta(weeks=week)))
    out = [{"holiday": n, "zone": z, "first": first, "last": first + timedelta(days=15)}
           for n, zones, first in rows for z in zones]
    summer = _saturday_from(date(year + 1, 7, 2))
    out += [{"holiday": "ete", "zone": z, "first": summer, "last": date(year + 1, 8, 31)} for z in ZONES]
    return pd.DataFrame(out)


@lru_cache(maxsize=64)
def _spans(first_year: int, last_year: int) -> pd.DataFrame:
    frames = [official_school_holidays()]
    for year in range(first_year - 1, last_year + 1):
        school_year_start = date(year, 9, 1)
        if school_year_start < OFFICIAL_FROM or school_year_start > OFFICIAL_TO:
            frames.append(approximate_school_holidays(year))
    return pd.concat(frames, ignore_index=True)


def school_holidays(days: pd.DatetimeIndex) -> pd.DataFrame:
    """(days x zones) frame of booleans: True when the zone's schools are on holiday that day.

    Official dates inside 2021-09-01..2028-08-31, approximated outside (see the module docstring).
    """
    spans = _spans(int(days.year.min()), int(days.year.max()))
    out = pd.DataFrame(False, index=days, columns=list(ZONES))
    for zone, first, last in spans[["zone", "first", "last"]].itertuples(index=False):
        out.loc[pd.Timestamp(first):pd.Timestamp(last), zone] = True
    return out


def summer_peak(days: pd.DatetimeIndex) -> np.ndarray:
    """True from 14 July to 20 August, when towns empty most (the "aoûtiens" are away)."""
    month, dom = days.month.to_numpy(), days.day.to_numpy()
    return ((month == 7) & (dom >= 14)) | ((month == 8) & (dom <= 20))


def public_holiday_effects(days: pd.DatetimeIndex) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(traffic multiplier, basket multiplier, closed) per day from the French public holidays.

    Closed on 1 January, 1 May and 25 December; other public holidays are quiet (0.45); the day
    before any of them is a rush (x1.6, bigger baskets), and so are 23/24 and 30/31 December.
    """
    french = holidays.country_holidays("FR", years=sorted(set(days.year) | {days.year.max() + 1}))
    dates = [d.date() for d in days]
    closed = np.array([(d.month, d.day) in CLOSED_HOLIDAYS for d in dates])
    holiday = np.array([d in french for d in dates])
    tomorrow = [d + timedelta(days=1) for d in dates]
    eve = np.array([t in french or (t.month, t.day) in CLOSED_HOLIDAYS for t in tomorrow])
    traffic = np.where(holiday & ~closed, 0.45, 1.0)
    traffic = np.where(eve, traffic * 1.6, traffic)
    basket = np.where(eve, 1.25, 1.0)
    year_end = ((days.month == 12) & np.isin(days.day, (23, 24, 30, 31))).astype(bool)
    traffic = np.where(year_end, traffic * 1.3, traffic)
    return np.where(closed, 0.0, traffic), basket, closed
