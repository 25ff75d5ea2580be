"""Pictures in catalog files: every export names a signed picture link per product that has a
picture, a buyer's system fetches it without a session, and the link answers nothing else."""

from __future__ import annotations

import io
from urllib.parse import urlsplit

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from gateway.db import utcnow
from gateway.models import Product, ProductImage
from gateway.services.catalog import exports, images, picture_links
from gateway.services.catalog.exports import ExportFormat, ExportOptions
from tests.catalog_checks import read_cif
from tests.factories import customer

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 32


def _cif_pictures(app: Flask, session: Session, number: str) -> dict[str, str]:
    plan = exports.prepare(
        session,
        organisation=customer(session, number),
        options=ExportOptions(format=ExportFormat.CIF),
        supplier=exports.Supplier.from_config(app.config),
        now=utcnow(),
    )
    stream = io.BytesIO()
    exports.write(session, plan, stream)
    rows = read_cif(stream.getvalue().decode()).rows
    return {row["Supplier Part ID"]: row["Image"] for row in rows}


def _path(link: str) -> str:
    return urlsplit(link).path


def test_an_export_links_each_picture_and_the_link_serves_it(
    app: Flask, client: FlaskClient, db_session: Session
) -> None:
    product = db_session.scalars(select(Product).where(Product.sku == "DEMO-0001")).one()
    images.store(db_session, product_id=product.id, content_type="image/png", data=PNG)
    db_session.flush()
    links = _cif_pictures(app, db_session, "1001")
    link = links["DEMO-0001"]
    base = app.config["GATEWAY_BASE_URL"]
    assert link.startswith(f"{base}/catalog-pictures/1001/DEMO-0001/")
    assert link.endswith(".png")
    # the demo's generated pictures are linked too (as SVG)
    assert links["DEMO-0002"].endswith(".svg")

    response = client.get(_path(link))  # no session, no login
    assert response.status_code == 200
    assert response.data == PNG
    assert response.mimetype == "image/png"
    assert "sandbox" in response.headers["Content-Security-Policy"]
    assert (
        client.get(_path(link), headers={"If-None-Match": response.headers["ETag"]}).status_code
        == 304
    )


def test_a_new_picture_keeps_its_link(app: Flask, client: FlaskClient, db_session: Session) -> None:
    link = _cif_pictures(app, db_session, "1001")["DEMO-0003"]
    product = db_session.scalars(select(Product).where(Product.sku == "DEMO-0003")).one()
    images.store(db_session, product_id=product.id, content_type="image/png", data=PNG)
    db_session.flush()
    # the buyer's loader fetches the new picture through the link it already holds
    response = client.get(_path(link).rsplit(".", 1)[0] + ".svg")
    assert response.status_code == 200
    assert response.data == PNG


def test_a_link_answers_only_what_it_was_made_for(
    app: Flask, client: FlaskClient, db_session: Session
) -> None:
    link = _path(_cif_pictures(app, db_session, "1001")["DEMO-0004"])
    signed = link.rsplit("/", 1)[1]
    assert client.get(link).status_code == 200
    # another product or another customer under the same signature
    assert client.get(f"/catalog-pictures/1001/DEMO-0005/{signed}").status_code == 404
    assert client.get(f"/catalog-pictures/1002/DEMO-0004/{signed}").status_code == 404
    # a forged signature
    assert client.get(f"/catalog-pictures/1001/DEMO-0004/{'0' * 32}.svg").status_code == 404
    # the product is deactivated: its link stops answering
    db_session.execute(update(Product).where(Product.sku == "DEMO-0004").values(active=False))
    db_session.flush()
    assert client.get(link).status_code == 404


def test_a_product_outside_the_assortment_has_no_picture_link(
    app: Flask, client: FlaskClient, db_session: Session
) -> None:
    acme = db_session.scalars(select(Product).where(Product.sku.like("ACME-%"))).first()
    assert acme is not None
    assert acme.sku in _cif_pictures(app, db_session, "1001")
    assert acme.sku not in _cif_pictures(app, db_session, "1002")
    # even a correctly signed link for customer 1002 does not answer: not in its assortment
    key = app.config["GATEWAY_PICTURE_KEY"]
    for number, status in (("1002", 404), ("1001", 200)):
        name = f"{picture_links.signature(key, customer=number, sku=acme.sku)}.svg"
        assert client.get(f"/catalog-pictures/{number}/{acme.sku}/{name}").status_code == status


def test_a_product_without_a_stored_picture_keeps_its_own_image_url(
    app: Flask, db_session: Session
) -> None:
    product = db_session.scalars(select(Product).where(Product.sku == "DEMO-0006")).one()
    db_session.delete(db_session.get(ProductImage, product.id))
    product.image_url = "https://images.example/demo-0006.jpg"
    db_session.flush()
    assert _cif_pictures(app, db_session, "1001")["DEMO-0006"] == product.image_url
