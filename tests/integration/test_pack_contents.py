"""Unit and pack on the product page and in the catalogue, in words (Dutch and English)."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

PAPER = "DEMO-0021"  # copy paper: a ream of 500 sheets in the demo data
SCREWS = "DEMO-0141"  # wood screws: a pack of 200 pieces


@pytest.mark.parametrize(
    ("locale", "pack", "per_unit"),
    [
        ("nl", "riem van 500 vel", "per riem (500 vel)"),
        ("en", "ream of 500 sheets", "per ream (500 sheets)"),
    ],
)
def test_the_product_page_says_what_one_unit_holds(
    client: FlaskClient, locale: str, pack: str, per_unit: str
) -> None:
    page = client.get(f"/products/{PAPER}", headers={"Accept-Language": locale}).text
    assert 'data-pack-quantity="500" data-content-unit="ST"' in page
    assert f'data-content-unit="ST">{pack}</dd>' in page
    assert per_unit in page


def test_the_catalogue_shows_the_pack_next_to_the_unit(client: FlaskClient) -> None:
    page = client.get(f"/catalog?q={SCREWS}", headers={"Accept-Language": "nl"}).text
    assert 'data-pack-quantity="200">(200 stuks)</span>' in page
    grid = client.get(f"/catalog?q={SCREWS}&view=grid", headers={"Accept-Language": "en"}).text
    assert 'data-pack-quantity="200">(200 pieces)</span>' in grid


def test_a_product_without_pack_contents_names_none(client: FlaskClient) -> None:
    page = client.get("/products/DEMO-0001", headers={"Accept-Language": "nl"}).text
    assert "data-pack-quantity" not in page
    assert "Verpakking" not in page
