"""The forecast chart: a real PNG that depends on its input."""

from __future__ import annotations

import gc
from datetime import date, timedelta

from bot.charts import forecast_chart
from ml.results import DailyQuantity, ForecastPoint, ForecastResult, Product

AS_OF = date(2024, 6, 30)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def result(days: int = 7, level: float = 10.0, history_days: int = 120) -> ForecastResult:
    points = tuple(ForecastPoint(AS_OF + timedelta(days=i + 1), level + i, level - 2, level + 3 + i)
                   for i in range(days))
    history = tuple(DailyQuantity(AS_OF - timedelta(days=i), level + (i % 7)) for i in range(history_days, -1, -1))
    return ForecastResult(Product("p1", "Yaourt nature"), points[-1].day, points, history, 80, "GlobalGBM", AS_OF)


def test_png_of_reasonable_size() -> None:
    png = forecast_chart(result(), "fr")
    assert png.startswith(PNG_SIGNATURE)
    assert 5_000 < len(png) < 500_000


def test_content_depends_on_input_and_language() -> None:
    base = forecast_chart(result(), "fr")
    assert forecast_chart(result(level=30.0), "fr") != base
    assert forecast_chart(result(), "en") != base
    assert forecast_chart(result(), "fr") == base  # deterministic


def test_edge_cases_render() -> None:
    assert forecast_chart(result(days=1), "fr").startswith(PNG_SIGNATURE)
    assert forecast_chart(result(history_days=-1), "fr").startswith(PNG_SIGNATURE)  # no history at all
    assert forecast_chart(result(level=0.0), "en").startswith(PNG_SIGNATURE)  # all-zero bounds


def test_no_pyplot_figures_leak() -> None:
    import matplotlib.pyplot as plt

    before = len(plt.get_fignums())
    for _ in range(3):
        forecast_chart(result(), "fr")
    gc.collect()
    assert len(plt.get_fignums()) == before
