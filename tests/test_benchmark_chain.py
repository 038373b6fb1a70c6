"""python -m ml.benchmark chain, at a tiny size: the synthetic folder is a trained folder the service reads."""

from __future__ import annotations

import pytest

from ml.benchmark import main
from ml.benchmark_chain import write_chain
from ml.errors import NotSoldInStore
from ml.service import Caddie


def test_the_synthetic_chain_loads_and_its_chain_is_the_sum_of_its_stores(tmp_path):
    n_series, sold = write_chain(tmp_path, n_stores=6, n_products=30)
    caddie = Caddie.load(tmp_path)
    assert len(caddie.stores()) == 6 and not caddie.has_customers
    store, product = sold[0]
    assert caddie.forecast(product, store=store).scope.store.name == store
    total = 0.0
    for other in caddie.stores():
        try:
            total += caddie.forecast(product, store=other.store_id).requested.mean
        except NotSoldInStore:  # about 15 % of the stores do not sell it
            continue
    assert caddie.forecast(product).requested.mean == pytest.approx(total)
    assert caddie.orders(store, product).has_stock_data
    assert 0 < n_series <= 6 * 30


def test_the_chain_benchmark_prints_every_call(capsys):
    assert main(["chain", "--stores", "4", "--products", "40", "--runs", "3"]) == 0
    out = capsys.readouterr().out
    assert "4 stores x 40 products" in out and out.count("start-up") == 2
    assert "forecasts from database run" in out and "forecasts from model set" in out
    for call in ("forecast (store)", "forecast (region)", "forecast (chain)", "orders (store, product)",
                 "orders (store, category)", "orders (store, main)"):
        assert call in out
