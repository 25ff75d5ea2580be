"""Staff download a customer's catalog in the browser; the customer's staff page lists every
export. Customers' users and other agents' customers get nothing."""

from __future__ import annotations

from flask.testing import FlaskClient

from tests.catalog_checks import assert_valid_index, read_cif
from tests.shop import login
from tests.staff import log_in


def test_customer_service_downloads_a_cif_catalog(client: FlaskClient) -> None:
    log_in(client, "service@supplier.demo")
    response = client.get("/staff/customers/1001/catalog?format=cif&language=nl")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == 'attachment; filename="catalog-1001.cif"'
    found = read_cif(response.get_data(as_text=True))
    assert int(found.header["ITEMCOUNT"]) == len(found.rows) > 0
    assert {row["Language"] for row in found.rows} == {"nl_NL"}

    page = client.get("/staff/customers/1001")
    assert 'data-export-format="cif"' in page.text
    assert f'data-export-items="{len(found.rows)}"' in page.text
    assert "service@supplier.demo" in page.text


def test_a_level_2_cxml_catalog_and_changes_since(client: FlaskClient) -> None:
    log_in(client, "agent@supplier.demo")  # the sales agent of customer 1001
    response = client.get("/staff/customers/1001/catalog?format=cxml&punchout_items=1")
    assert response.status_code == 200
    root = assert_valid_index(response.data)
    assert root.find("IndexItem/IndexItemPunchout") is not None
    changes = client.get("/staff/customers/1001/catalog?format=bmecat&since=2000-01-01")
    assert changes.status_code == 200
    assert b"<T_UPDATE_PRODUCTS" in changes.data


def test_bad_options_are_refused_with_a_reason(client: FlaskClient) -> None:
    log_in(client, "service@supplier.demo")
    unknown = client.get("/staff/customers/1001/catalog?format=pdf")
    assert unknown.status_code == 400
    assert "Choose a catalog format" in unknown.text
    bad_date = client.get("/staff/customers/1001/catalog?format=cif&since=yesterday")
    assert bad_date.status_code == 400
    assert "2026-11-30" in bad_date.text


def test_another_agents_customer_is_not_found(client: FlaskClient) -> None:
    log_in(client, "agent2@supplier.demo")  # sales agent of 1002 only
    assert client.get("/staff/customers/1001/catalog?format=cif").status_code == 404


def test_a_customers_user_may_not_export(client: FlaskClient) -> None:
    login(client, "superuser@1001.demo")
    assert client.get("/staff/customers/1001/catalog?format=cif").status_code == 403
