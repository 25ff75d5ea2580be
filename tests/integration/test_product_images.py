"""Product pictures: imported from files next to a CSV or BMEcat catalog (checked, never
fetched), stored by the gateway, served at /products/<sku>/image; a placeholder otherwise."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway import bmecat
from gateway.cxml import parse_xml
from gateway.models import Product, ProductImage
from gateway.services.catalog import csv_files, images
from gateway.services.catalog.bmecat_import import import_bmecat
from tests import shop
from tests.factories import make_product
from tests.paths import FIXTURES

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
HEADER = "sku,name,unit,unspsc,list_price,catalogs,image_file\n"


def _import(session: Session, folder: Path, rows: str) -> list[csv_files.Rejected]:
    checked, rejected = csv_files.check(session, io.StringIO(HEADER + rows), image_folder=folder)
    if not rejected:
        csv_files.write(session, checked)
        session.commit()
    return rejected


def test_a_csv_image_file_is_stored_and_served(
    client: FlaskClient, db_session: Session, tmp_path: Path
) -> None:
    (tmp_path / "pictures").mkdir()
    (tmp_path / "pictures" / "stapler.png").write_bytes(PNG)
    rejected = _import(
        db_session,
        tmp_path,
        "IMG-0001,Stapler,EA,44121615,12.50,Standard assortment,pictures/stapler.png\n",
    )
    assert rejected == []
    answer = client.get("/products/IMG-0001/image")
    assert answer.status_code == 200
    assert answer.mimetype == "image/png"
    assert answer.data == PNG
    assert "X-Placeholder" not in answer.headers
    assert "default-src 'none'" in answer.headers["Content-Security-Policy"]
    etag = answer.headers["ETag"]
    again = client.get("/products/IMG-0001/image", headers={"If-None-Match": etag})
    assert again.status_code == 304
    page = client.get("/products/IMG-0001")
    assert 'data-image="stored"' in page.text
    assert "/products/IMG-0001/image?v=" in page.text


@pytest.mark.parametrize(
    ("name", "body", "reason"),
    [
        ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>', "SVG"),
        ("fake.png", b"GIF89a" + b"\x00" * 10, "is not a PNG, JPEG or WebP"),
        ("big.jpg", JPEG + b"\x00" * images.MAX_IMAGE_BYTES, "larger than"),
        ("../outside.png", PNG, "outside the catalog's folder"),
        ("/etc/passwd", PNG, "relative to the catalog's folder"),
        ("missing.png", None, "does not exist"),
    ],
)
def test_unusable_image_files_are_rejected_with_a_reason(
    db_session: Session, tmp_path: Path, name: str, body: bytes | None, reason: str
) -> None:
    folder = tmp_path / "catalog"
    folder.mkdir()
    if body is not None and not Path(name).is_absolute():  # never write outside tmp_path
        (folder / name).resolve().write_bytes(body)
    rejected = _import(db_session, folder, f"IMG-0002,Pen,EA,44121701,1.00,,{name}\n")
    assert len(rejected) == 1
    assert reason in rejected[0].reason
    assert db_session.scalar(select(Product).where(Product.sku == "IMG-0002")) is None


def test_an_image_file_needs_the_csv_folder(db_session: Session) -> None:
    _, rejected = csv_files.check(
        db_session, io.StringIO(HEADER + "IMG-0003,Pen,EA,44121701,1.00,,pen.png\n")
    )
    assert "image_file needs the CSV file's folder" in rejected[0].reason


def test_a_product_without_a_picture_shows_the_neutral_placeholder(
    client: FlaskClient, db_session: Session
) -> None:
    product = make_product(db_session)
    db_session.commit()
    answer = client.get(f"/products/{product.sku}/image")
    assert answer.status_code == 200
    assert answer.mimetype == "image/svg+xml"
    assert answer.headers["X-Placeholder"] == "1"
    assert answer.data == images.PLACEHOLDER
    assert 'data-image="placeholder"' in client.get(f"/products/{product.sku}").text


def test_demo_products_have_generated_pictures(client: FlaskClient, db_session: Session) -> None:
    answer = client.get("/products/DEMO-0001/image")
    assert answer.mimetype == "image/svg+xml"
    assert "X-Placeholder" not in answer.headers
    assert b">BP</text>" in answer.data  # "Ballpoint pen"
    assert b"<script" not in answer.data
    assert db_session.scalar(
        select(ProductImage.product_id).join(Product).where(Product.sku == "ACME-0003")
    )


def test_the_picture_of_a_product_outside_the_assortment_is_404(client: FlaskClient) -> None:
    shop.login(client, "buyer@1002.demo")
    assert client.get("/products/ACME-0001/image").status_code == 404
    assert client.get("/products/DEMO-0001/image").status_code == 200


def test_generated_pictures_hold_only_initials_whatever_the_name() -> None:
    svg = parse_xml(images.generated_svg(name="<b> & co", family=3))
    texts = [element.text for element in svg.iter("{http://www.w3.org/2000/svg}text")]
    assert texts == ["C"]


MIME = """<MIME_INFO>
        <MIME><MIME_TYPE>application/pdf</MIME_TYPE><MIME_SOURCE>sheet.pdf</MIME_SOURCE></MIME>
        <MIME><MIME_TYPE>image/jpeg</MIME_TYPE><MIME_SOURCE>{source}</MIME_SOURCE>
          <MIME_PURPOSE>normal</MIME_PURPOSE></MIME>
      </MIME_INFO>
    </PRODUCT>"""


def _catalog_with_picture(folder: Path, source: str) -> bytes:
    """The BMEcat fixture with a MIME_INFO picture on its first product."""
    text = (FIXTURES / "bmecat/office_supplies_2005.xml").read_text(encoding="utf-8")
    return text.replace("</PRODUCT>", MIME.format(source=source), 1).encode()


def test_a_bmecat_mime_info_picture_is_stored(db_session: Session, tmp_path: Path) -> None:
    (tmp_path / "img").mkdir()
    (tmp_path / "img" / "pen.jpg").write_bytes(JPEG)
    body = _catalog_with_picture(tmp_path, "img/pen.jpg")
    assert bmecat.read(body).products[0].image_source == "img/pen.jpg"
    summary = import_bmecat(db_session, body=body, image_folder=tmp_path)
    assert summary.images == 1
    sku = bmecat.read(body).products[0].sku
    image = db_session.scalars(select(ProductImage).join(Product).where(Product.sku == sku)).one()
    assert (image.content_type, image.data) == ("image/jpeg", JPEG)


def test_a_bmecat_picture_url_is_not_fetched(db_session: Session, tmp_path: Path) -> None:
    body = _catalog_with_picture(tmp_path, "https://cdn.example.com/pen.jpg")
    summary = import_bmecat(db_session, body=body, image_folder=tmp_path)
    assert summary.images == 0
    assert summary.images_not_fetched == (bmecat.read(body).products[0].sku,)


def test_a_bad_bmecat_picture_refuses_the_whole_catalog(
    db_session: Session, tmp_path: Path
) -> None:
    (tmp_path / "pen.jpg").write_bytes(b"<svg/>")
    body = _catalog_with_picture(tmp_path, "pen.jpg")
    with pytest.raises(bmecat.CatalogError, match="SVG images are not accepted"):
        import_bmecat(db_session, body=body, image_folder=tmp_path)
    assert db_session.scalar(select(Product).where(Product.sku == "BME-1001")) is None
