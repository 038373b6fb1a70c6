"""Rendering of order proposals (pure): every line says what to order and why, in French and English."""

from __future__ import annotations

import json
from datetime import date

from bot.order_rendering import order_blocks, order_explanation, order_headline
from bot.rendering import MAX_BLOCKS, SECTION_LIMIT
from ml.results import OrderLine, OrderProposal, Product, Store
from tests.chain_double import plain

STORE = Store("12", "Lyon Part-Dieu", "Lyon", "Sud-Est", "urbain")
YAOURT = Product("p1", "Yaourt nature", "crèmerie")
SALADE = Product("p2", "Salade César", "traiteur")
SUCRE = Product("p3", "Sucre en poudre 1 kg", "épicerie")


def line(product: Product = YAOURT, **changes: object) -> OrderLine:
    """Lead 2 d + review 3 d; 18.4 expected, 23.1 at 95 %; 3 on hand: need 20.1 -> 4 packs of 6 = 24."""
    values: dict[str, object] = dict(product=product, quantity=24.0, packs=4, pack_size=6.0, period_days=5,
                                     forecast_mean=18.4, forecast_quantile=23.1, safety_stock=4.7, on_hand=3.0,
                                     on_order=0.0, service_level=0.95, lead_time_days=2, review_days=3)
    values.update(changes)
    return OrderLine(**values)  # type: ignore[arg-type]


def proposal(*lines: OrderLine, stock: bool = True) -> OrderProposal:
    return OrderProposal(STORE, lines, date(2024, 7, 1), stock, date(2024, 6, 30) if stock else None,
                         "GlobalGBM", date(2024, 6, 30))


def _blocks(*args: object) -> tuple[str, list[dict]]:
    text, blocks = order_blocks(*args)  # type: ignore[arg-type]
    return plain(text), blocks


def test_a_line_says_what_to_order_and_why() -> None:
    assert plain(order_headline(line())) == "*Yaourt nature* : commander *24* (4 × 6)"
    why = plain(order_explanation(line()))
    assert why == ("prévision sur 5 j (délai 2 j + revue 3 j) : 18,4 · à 95 % de service : 23,1 "
                   "(stock de sécurité 4,7) · en stock 3, en commande 0 → besoin 20,1 · arrondi à 4 colis de 6")
    assert plain(order_explanation(line(), "en")) == (
        "forecast over 5 d (lead time 2 d + review 3 d): 18.4 · at 95% service: 23.1 (safety stock 4.7) · "
        "on hand 3, on order 0 → need 20.1 · rounded up to 4 packs of 6")


def test_stock_on_order_counts_and_nothing_to_order_is_said() -> None:
    # 23.1 - 10 on hand - 14 on order < 0: nothing to order
    covered = line(quantity=0.0, packs=0, on_hand=10.0, on_order=14.0)
    assert plain(order_headline(covered)) == "*Yaourt nature* : rien à commander (le stock couvre les 5 prochains jours)"
    assert "en stock 10, en commande 14 → besoin 0" in plain(order_explanation(covered))
    assert "colis" not in plain(order_explanation(covered))


def test_the_shelf_life_cap_is_explained() -> None:
    capped = line(SALADE, quantity=12.0, packs=2, shelf_life_days=2, capped_by_shelf_life=True)
    assert plain(order_explanation(capped)).endswith("plafonné à ce qui se vend avant péremption (2 j)")
    assert "péremption" not in plain(order_explanation(line(SALADE, shelf_life_days=2)))


def test_a_proposal_with_stock_data() -> None:
    text, blocks = _blocks(proposal(line(), line(SUCRE, quantity=0.0, packs=0, on_hand=40.0)))
    assert text.splitlines()[0] == "Commande proposée — Lyon Part-Dieu · 01/07/2024"
    assert "Calculée avec le stock au 30/06/2024" in text
    assert "1 produit(s) à commander sur 2, 4 colis au total." in text
    assert "prévision seule" not in text
    assert blocks[0]["type"] == "header" and blocks[-1]["type"] == "context"


def test_without_stock_data_the_proposal_says_it_is_from_the_forecast_alone() -> None:
    alone = line(on_hand=None, on_order=None, quantity=24.0, packs=4)
    text, blocks = _blocks(proposal(alone, stock=False))
    assert "*Proposition à partir de la prévision seule*" in text
    assert "stock inconnu (compté à zéro)" in text and "besoin" not in text
    english, _ = _blocks(proposal(alone, stock=False), "en")
    assert "*Proposal from the forecast alone*" in english and "stock unknown" in english
    assert ":warning:" in json.dumps(blocks, ensure_ascii=False)


def test_an_empty_proposal_and_a_whole_department_fit_in_slack() -> None:
    text, _ = _blocks(proposal())
    assert "Aucun produit à proposer pour Lyon Part-Dieu." in text
    many = [line(Product(f"p{i}", f"Produit numéro {i} au nom assez long pour remplir")) for i in range(400)]
    text, blocks = _blocks(proposal(*many))
    assert len(blocks) <= MAX_BLOCKS
    assert all(len(b["text"]["text"]) <= SECTION_LIMIT for b in blocks if b["type"] == "section")
