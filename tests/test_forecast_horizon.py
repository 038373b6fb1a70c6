"""The default horizon reaches 8 weeks: on 25 November, ``/forecast ... 24/12`` (29 days ahead) is answered."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.commands import parse_command
from ml.errors import DateOutOfRange
from ml.service import Caddie
from ml.settings import MLSettings


@pytest.fixture(scope="module")
def served(trained_dir):
    """The models as the bot loads them at start-up: with the default FORECAST_HORIZON_DAYS."""
    return Caddie.load(trained_dir, horizon_days=MLSettings(_env_file=None).forecast_horizon_days)


def test_a_day_four_weeks_ahead_typed_as_day_month_is_answered(served, as_of):
    today = as_of + timedelta(days=1)  # "25 November": the day after the data
    target = as_of + timedelta(days=29)  # "24/12"
    command = parse_command("/forecast", f"baguette {target.day}/{target.month}", today)
    assert command.day == target
    result = served.forecast(command.product, command.day)
    assert result.requested_day == target
    assert [p.day for p in result.points] == [as_of + timedelta(days=i) for i in range(1, 30)]
    assert all(0 <= p.lower <= p.mean <= p.upper for p in result.points)


def test_eight_weeks_is_the_last_day_answered(served, as_of):
    assert served.forecast("baguette", as_of + timedelta(days=56)).requested_day == as_of + timedelta(days=56)
    with pytest.raises(DateOutOfRange) as info:
        served.forecast("baguette", as_of + timedelta(days=57))
    assert info.value.latest == as_of + timedelta(days=56)
