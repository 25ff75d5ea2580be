"""CIF 3.0: the header Ariba and Coupa read, one quoted line per item, ITEMCOUNT kept true."""

from __future__ import annotations

import io
from dataclasses import replace

import pytest

from gateway.catalogs import CatalogHeader, CatalogItem, cif
from tests.catalog_checks import read_cif
from tests.unit.catalogs.samples import GONE, HEADER, PAPER, PEN


def _write(header: CatalogHeader = HEADER, items: tuple[CatalogItem, ...] = (PEN, PAPER)) -> str:
    stream = io.StringIO()
    cif.write(stream, header, items)
    return stream.getvalue()


def test_a_full_catalog_has_the_cif_3_header_and_one_line_per_item() -> None:
    text = _write()
    found = read_cif(text)
    assert found.first_line == "CIF_I_V3.0"
    assert found.header["CHARSET"] == "UTF-8"
    assert found.header["LOADMODE"] == "F"
    assert found.header["CODEFORMAT"] == "UNSPSC"
    assert found.header["CURRENCY"] == "EUR"
    assert found.header["SUPPLIERID_DOMAIN"] == "NetworkID"
    assert found.header["TIMESTAMP"] == "2026-12-01 09:30:00"
    assert found.header["UNUOM"] == "TRUE"
    assert int(found.header["ITEMCOUNT"]) == len(found.rows) == 2
    assert found.last_line == "ENDOFDATA"
    assert text.endswith("ENDOFDATA\n")
    pen = found.rows[0]
    assert pen["Supplier ID"] == "AN-SUPPLIER"
    assert pen["Supplier Part ID"] == "PEN-1"
    assert pen["SPSC Code"] == "44121701"
    assert pen["Unit Price"] == "0.69"
    assert pen["Market Price"] == "0.85"
    assert pen["Unit of Measure"] == "EA"
    assert pen["Lead Time"] == "2"
    assert pen["Supplier URL"] == "https://shop.example/products/PEN-1"
    assert pen["Short Name"] == 'Ballpoint pen "Classic"'
    assert pen["Item Description"] == "Ballpoint pen, blue, refillable"  # one line per item
    assert pen["Image"] == PEN.image_url
    assert found.rows[1]["Image"] == ""  # no picture
    assert "PunchOut Enabled" not in found.fieldnames
    assert "Delete" not in found.fieldnames


def test_texts_are_quoted_and_numbers_bare() -> None:
    line = _write().split("\n")[12]
    assert line.startswith('"AN-SUPPLIER","PEN-1","SCR-1",')
    assert ',"44121701",0.69,"EA",2,' in line
    assert '"Ballpoint pen ""Classic"""' in line  # a quote inside a text is doubled


def test_punchout_items_say_so_in_two_columns() -> None:
    found = read_cif(_write(replace(HEADER, punchout_url="https://shop.example/cxml")))
    assert found.fieldnames[-2:] == ["PunchOut Enabled", "PunchOut Level"]
    assert {(row["PunchOut Enabled"], row["PunchOut Level"]) for row in found.rows} == {
        ("TRUE", "product")
    }


def test_an_incremental_catalog_marks_deleted_items() -> None:
    found = read_cif(_write(replace(HEADER, full=False), (PEN, GONE)))
    assert found.header["LOADMODE"] == "I"
    assert [row["Delete"] for row in found.rows] == ["", "TRUE"]


def test_the_item_count_must_match_the_items() -> None:
    with pytest.raises(ValueError, match="ITEMCOUNT says 2 but 1"):
        _write(items=(PEN,))
