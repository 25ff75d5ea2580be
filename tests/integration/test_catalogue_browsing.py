"""The catalogue as buyers use it: filters, sorting, pages, list and grid, add to cart from
the list without script, the header's cart badge; the product page's tiers and related row."""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import flask_babel
import pytest
from flask.testing import FlaskClient

from tests import buyer, shop


def _skus(html: str) -> list[str]:
    return re.findall(r'<(?:tr|li class="card") data-sku="([^"]+)"', html)


def _prices(html: str) -> list[Decimal]:
    return [Decimal(p) for p in re.findall(r'data-price="([\d.]+)"', html)]


def _counting(calls: list[str], name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(name)
        return function(*args, **kwargs)

    return counted


def test_a_result_row_repeats_no_work_of_the_page(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Labels and the CSRF token of the rows' forms are worked out once per page: a row
    translates only its own words: its unit's name and pack size (before, each row translated
    its unit's name among nine others, and its forms' labels)."""
    calls: list[str] = []
    translations = flask_babel.Domain.get_translations
    monkeypatch.setattr(
        flask_babel.Domain, "get_translations", _counting(calls, "translation", translations)
    )
    jinja = client.application.jinja_env.globals
    monkeypatch.setitem(jinja, "csrf_token", _counting(calls, "csrf", jinja["csrf_token"]))
    shop.login(client, "buyer@1001.demo")
    counts = {}
    for url, shown in (("/catalog?q=PAP-1507-03", 1), ("/catalog", 48)):
        calls.clear()
        page = client.get(url)
        assert len(_skus(page.text)) == shown
        assert page.text.count("data-add-to-list=") == shown  # the buyer has lists
        counts[shown] = {name: calls.count(name) for name in ("translation", "csrf")}
    assert counts[48]["csrf"] == counts[1]["csrf"]
    assert counts[48]["translation"] - counts[1]["translation"] <= 2 * 47


def test_the_categories_and_the_heading_read_in_the_shoppers_language(
    client: FlaskClient,
) -> None:
    dutch = client.get("/catalog?category=office", headers={"Accept-Language": "nl"}).text
    assert '<h1 id="catalog-title">Catalogus: Kantoorartikelen</h1>' in dutch
    assert 'data-category="office" class="top" aria-current="page">Kantoorartikelen</a>' in dutch
    english = client.get("/catalog?category=office").text
    assert 'data-category="office" class="top" aria-current="page">Office supplies</a>' in english
    assert "Kantoorartikelen" not in english


def test_the_pager_links_the_ends_and_the_pages_near_the_current_one(
    client: FlaskClient,
) -> None:
    shop.login(client, "buyer@1001.demo")
    page = client.get("/catalog?page=5").text  # 243 products, 48 a page: 6 pages
    linked = re.findall(r"<li><a [^>]*>(\d+)</a></li>", page)
    assert linked == ["1", "3", "4", "5", "6"]
    assert page.count('<li class="gap" aria-hidden="true">') == 1  # page 2, three away


def test_filters_by_manufacturer_and_keeps_them_across_pages(client: FlaskClient) -> None:
    shop.login(client, "buyer@1001.demo")
    page = client.get("/catalog?manufacturer=Clikk")
    assert 'data-total="40"' in page.text  # mice and keyboards
    assert {sku[:5] for sku in _skus(page.text)} == {"DEMO-"}
    assert all(61 <= int(sku[5:]) <= 100 for sku in _skus(page.text))
    assert 'data-range="1-40"' in page.text
    ordinary = client.get("/catalog?page=2")
    assert 'data-page="2" data-pages="6"' in ordinary.text  # 243 products, 48 a page
    assert "Page 2 of 6" in ordinary.text
    assert 'data-range="49-96"' in ordinary.text
    assert 'href="/catalog?manufacturer=Clikk&amp;page=2"' not in page.text  # one page only
    both = client.get("/catalog?manufacturer=Ordo&page=1")
    assert 'data-total="40"' in both.text
    # every link of the result list keeps the filter
    assert "/catalog?manufacturer=Ordo&amp;view=grid" in both.text or (
        "/catalog?view=grid&amp;manufacturer=Ordo" in both.text
    )


def test_filters_by_the_customers_price_range(client: FlaskClient) -> None:
    shop.login(client, "buyer@1001.demo")
    page = client.get("/catalog?price_min=0,5&price_max=0,80")
    prices = _prices(page.text)
    assert prices
    assert all(Decimal("0.5") <= price <= Decimal("0.80") for price in prices)
    # DEMO-0001 lists at 0.85 but 1001 pays 0.77 under contract: in, by its own price
    assert "DEMO-0001" in _skus(page.text)
    assert "DEMO-0001" not in _skus(client.get("/catalog?price_min=0.80").text)
    bad = client.get("/catalog?price_min=abc")
    assert bad.status_code == 200
    assert 'data-message="warning"' in bad.text
    assert 'data-total="243"' in bad.text


def test_guests_filter_on_prices_including_vat(client: FlaskClient) -> None:
    page = client.get("/catalog?price_max=1.05&sort=-price")
    prices = _prices(page.text)
    assert prices
    assert max(prices) <= Decimal("1.05")
    assert prices == sorted(prices, reverse=True)
    assert 'name="contract"' not in page.text  # guests have no contract


def test_only_my_contract_prices(client: FlaskClient) -> None:
    shop.login(client, "buyer@1001.demo")
    page = client.get("/catalog?contract=1")
    skus = _skus(page.text)
    # the 1001 list prices every third demo product; its framework contract prices ACME-0001
    assert 'data-total="81"' in page.text
    assert "ACME-0001" in skus
    assert "DEMO-0001" in skus
    assert "DEMO-0002" not in skus
    assert page.text.count("data-contract") >= len(skus)


def test_sorting_by_price_and_by_name(client: FlaskClient) -> None:
    shop.login(client, "buyer@1001.demo")
    ascending = _prices(client.get("/catalog?sort=price").text)
    assert ascending == sorted(ascending)
    assert ascending[0] < Decimal(1)
    descending = _prices(client.get("/catalog?sort=-price").text)
    assert descending == sorted(descending, reverse=True)
    names = re.findall(
        r'class="product-link"[^>]*>([^<]+)<', client.get("/catalog?sort=name&category=it").text
    )
    assert names == sorted(names, key=str.lower)
    assert names[0].startswith("Network cable")


def test_grid_and_list_views_live_in_the_url(client: FlaskClient) -> None:
    shop.login(client, "buyer@1001.demo")
    grid = client.get("/catalog?view=grid&category=office-paper")
    assert 'data-catalog-view="grid"' in grid.text
    assert grid.text.count('<li class="card" data-sku=') == 20
    assert '<tr data-sku="' not in grid.text
    assert 'data-view="grid" aria-current="true"' in grid.text
    listed = client.get("/catalog?category=office-paper")
    assert 'data-catalog-view="list"' in listed.text
    assert listed.text.count("<tr data-sku=") == 20
    assert 'href="/catalog?category=office-paper&amp;view=grid"' in listed.text


def test_add_to_cart_from_the_list_without_script(client: FlaskClient) -> None:
    shop.login(client, "buyer@1001.demo")
    page = client.get("/catalog?q=paper&page=1")
    assert 'class="cart-badge" data-cart-count="0"' in page.text
    form = shop.form_values(page.text, "sku")
    assert form["next"] == "/catalog?q=paper&page=1"
    answer = client.post("/cart/items", data={**form, "quantity": "3"})
    assert answer.status_code == 302
    assert answer.headers["Location"] == "/catalog?q=paper&page=1"
    back = client.get(answer.headers["Location"])
    assert 'data-message="success" ' in back.text or 'data-message="success">' in back.text
    assert 'role="status"' in back.text
    assert "is in your cart" in back.text
    assert 'data-cart-count="1"' in back.text
    refused = client.post("/cart/items", data={**form, "quantity": "-1"})
    assert refused.status_code == 303
    again = client.get(refused.headers["Location"])
    assert 'data-message="error"' in again.text
    assert 'role="alert"' in again.text


def test_add_to_cart_from_the_list_with_script_answers_json(client: FlaskClient) -> None:
    shop.login(client, "buyer@1001.demo")
    form = shop.form_values(client.get("/catalog?q=pen").text, "sku")
    answer = client.post(
        "/cart/items", data={**form, "quantity": "2"}, headers={"Accept": "application/json"}
    )
    assert answer.status_code == 200
    assert answer.json == {"ok": True, "lines": 1, "message": answer.json["message"]}
    assert "2 \N{MULTIPLICATION SIGN}" in answer.json["message"]
    bad = client.post(
        "/cart/items", data={**form, "quantity": "x"}, headers={"Accept": "application/json"}
    )
    assert bad.status_code == 400
    assert bad.json["ok"] is False
    assert bad.json["message"]


def test_add_to_cart_never_follows_a_next_to_another_site(client: FlaskClient) -> None:
    shop.login(client, "buyer@1001.demo")
    answer = shop.post(
        client,
        "/cart/items",
        {"sku": "DEMO-0001", "quantity": "1", "next": "//evil.example/"},
        via="/catalog",
    )
    assert answer.headers["Location"] == "/cart"


def test_guests_add_from_the_list_too(client: FlaskClient) -> None:
    page = client.get("/catalog?q=ballpoint")
    form = shop.form_values(page.text, "sku")
    answer = client.post("/guest/cart/items", data={**form, "quantity": "2"})
    assert answer.headers["Location"] == "/catalog?q=ballpoint"
    assert 'data-cart-count="1"' in client.get("/catalog").text


def test_the_product_page_shows_the_quantity_tiers(client: FlaskClient) -> None:
    shop.login(client, "buyer@1001.demo")
    page = client.get("/products/DEMO-0001").text
    assert 'data-tiers="2"' in page
    assert 'data-tier-min="1" data-tier-price="0.77" data-tier-contract' in page
    assert 'data-tier-min="10" data-tier-price="0.69" data-tier-contract' in page
    assert "from 10 pieces" in page
    assert "Your contract price" in page
    assert 'data-lead-time="2"' in page
    shop.post(client, "/locale", {"locale": "nl"}, via="/products/DEMO-0001")
    dutch = client.get("/products/DEMO-0001").text
    assert "vanaf 10 stuks" in dutch
    assert "€\xa00,69" in dutch
    assert "Uw contractprijs" in dutch


def test_a_product_without_tiers_shows_no_tier_table(client: FlaskClient) -> None:
    shop.login(client, "buyer@1001.demo")
    page = client.get("/products/DEMO-0012").text
    assert "data-tiers" not in page
    assert "data-contract" not in page


def test_the_product_page_shows_related_products_of_its_category(client: FlaskClient) -> None:
    page = client.get("/products/DEMO-0023").text  # copy paper
    related = re.findall(r'data-related-sku="([^"]+)"', page)
    assert len(related) == 6
    assert "DEMO-0023" not in related
    assert all(21 <= int(sku[5:]) <= 40 for sku in related)  # the paper family
    assert 'data-related="6"' in page


def test_the_header_has_search_cart_badge_and_language_switch(client: FlaskClient) -> None:
    shop.login(client, "multi@demo.test")
    page = client.get("/catalog").text
    header = page[page.index("<header") : page.index("</header>")]
    for hook in ('name="q"', "data-cart-count", 'name="locale"', 'name="customer"'):
        assert hook in header
    assert 'href="#main"' in page
    assert buyer.csrf_token(page)
