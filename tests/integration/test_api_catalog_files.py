"""`GET /api/v1/customers/<number>/catalog`: the ERP fetches a customer's catalog file (CIF,
cXML Index, BMEcat), recorded as an export under the token's name; refusals as problems."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway import bmecat as bmecat_reader
from gateway.models import CatalogExport
from tests.api import bearer, make_token
from tests.catalog_checks import assert_valid_index, read_cif
from tests.factories import customer


def test_an_erp_fetches_a_customers_catalog_in_each_format(
    client: FlaskClient, db_session: Session
) -> None:
    token = make_token(db_session, "catalog:read", name="erp-catalog")
    cif = client.get("/api/v1/customers/1001/catalog?format=cif", headers=bearer(token))
    assert cif.status_code == 200, cif.data
    assert cif.mimetype == "text/csv"
    assert 'filename="catalog-1001.cif"' in cif.headers["Content-Disposition"]
    rows = read_cif(cif.get_data(as_text=True)).rows
    assert any(row["Supplier Part ID"].startswith("ACME-") for row in rows)

    index = client.get(
        "/api/v1/customers/1001/catalog?format=cxml&punchout_items=true", headers=bearer(token)
    )
    assert index.status_code == 200
    root = assert_valid_index(index.data)
    assert root.find("IndexItem/IndexItemPunchout") is not None

    dutch = client.get(
        "/api/v1/customers/1002/catalog?format=bmecat&language=nl", headers=bearer(token)
    )
    assert dutch.status_code == 200
    products = bmecat_reader.read(dutch.data).products
    assert products
    assert not any(p.sku.startswith("ACME-") for p in products)

    recorded = db_session.scalars(
        select(CatalogExport).where(
            CatalogExport.organisation_id == customer(db_session, "1001").id
        )
    ).all()
    assert [(e.format, e.exported_by) for e in recorded] == [
        ("cif", "API token erp-catalog"),
        ("cxml", "API token erp-catalog"),
    ]


def test_an_incremental_file_holds_what_changed_since(
    client: FlaskClient, db_session: Session
) -> None:
    token = make_token(db_session, "catalog:read")
    answer = client.get(
        "/api/v1/customers/1001/catalog?format=cif&since=2099-01-01", headers=bearer(token)
    )
    assert answer.status_code == 200
    found = read_cif(answer.get_data(as_text=True))
    assert found.header["LOADMODE"] == "I"
    assert found.rows == []


def test_refusals_are_problems(client: FlaskClient, db_session: Session) -> None:
    reader = make_token(db_session, "catalog:read", name="reader")
    limited = make_token(db_session, "catalog:read", name="limited", customers=["1002"])
    orders = make_token(db_session, "orders:read", name="orders")
    path = "/api/v1/customers/1001/catalog?format=cif"
    assert client.get(path).status_code == 401
    assert client.get(path, headers=bearer(orders)).status_code == 403
    assert client.get(path, headers=bearer(limited)).status_code == 404  # not its customer
    unknown = client.get("/api/v1/customers/9999/catalog?format=cif", headers=bearer(reader))
    assert unknown.status_code == 404
    assert unknown.mimetype == "application/problem+json"
    bad_format = client.get("/api/v1/customers/1001/catalog?format=pdf", headers=bearer(reader))
    assert bad_format.status_code == 422
    assert "format" in bad_format.json["detail"]
    other_partner = client.get(
        "/api/v1/customers/1002/catalog?format=cif&partner=demo-cxml", headers=bearer(reader)
    )
    assert other_partner.status_code == 422
    assert other_partner.mimetype == "application/problem+json"
    prices_only = client.get(
        "/api/v1/customers/1001/catalog?format=cif&prices_only=true", headers=bearer(reader)
    )
    assert prices_only.status_code == 422
    assert db_session.scalars(select(CatalogExport)).all() == []
