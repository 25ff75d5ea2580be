"""OCI field names, lengths and number formats."""

from __future__ import annotations

from decimal import Decimal

import pytest

from gateway.oci import FieldLengthError, InvalidSetupError, OCIError, fields


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("1", "1"),
        ("2.500", "2.5"),
        ("1234.567", "1234.567"),
        ("0.001", "0.001"),
        ("12345678901.999", "12345678901.999"),
        ("1000000", "1000000"),
        ("0.0000", "0"),
    ],
)
def test_numbers_use_a_point_no_grouping_and_at_most_three_decimals(value: str, text: str) -> None:
    assert fields.format_number(Decimal(value)) == text
    assert len(text) <= fields.LENGTHS["QUANTITY"]


@pytest.mark.parametrize("value", ["123456789012", "1.0001", "-1", "NaN", "Infinity"])
def test_numbers_that_do_not_fit_raise_instead_of_being_cut(value: str) -> None:
    with pytest.raises(FieldLengthError) as raised:
        fields.format_number(Decimal(value), field="PRICE")
    assert "PRICE" in raised.value.reason
    assert raised.value.status == 500


def test_integers_must_fit_their_field() -> None:
    assert fields.format_integer(99999, field="LEADTIME") == "99999"
    with pytest.raises(FieldLengthError):
        fields.format_integer(100000, field="LEADTIME")


def test_names_count_from_one_and_long_text_uses_the_sap_spelling() -> None:
    assert fields.field_name("DESCRIPTION", 1) == "NEW_ITEM-DESCRIPTION[1]"
    assert fields.longtext_name(12) == "NEW_ITEM-LONGTEXT_12:132[]"
    with pytest.raises(ValueError, match="start at 1"):
        fields.field_name("DESCRIPTION", 0)
    with pytest.raises(ValueError, match="start at 1"):
        fields.longtext_name(0)


@pytest.mark.parametrize(
    ("name", "parts"),
    [
        ("NEW_ITEM-PRICE[3]", ("PRICE", 3)),
        ("NEW_ITEM-LONGTEXT_2:132[]", ("LONGTEXT", 2)),
        ("NEW_ITEM-LONGTEXT_2:132", ("LONGTEXT", 2)),
        ("NEW_ITEM-LONGTEXT_2:132[1]", ("LONGTEXT", 2)),
        ("NEW_ITEM-CUST_FIELD5[10]", ("CUST_FIELD5", 10)),
        ("~OkCode", None),
        ("NEW_ITEM-PRICE", None),
    ],
)
def test_split_name_reads_every_spelling(name: str, parts: tuple[str, int] | None) -> None:
    assert fields.split_name(name) == parts


def test_truncation_counts_characters_not_bytes() -> None:
    text = "ü" * 45
    assert fields.truncate("DESCRIPTION", text) == "ü" * 40
    assert fields.truncate("CUST_FIELD5", "x" * 60) == "x" * 50
    assert fields.truncate("LONGTEXT", "y" * 500) == "y" * 500  # unlimited
    assert fields.truncate("DESCRIPTION", "a\x00b\x1bc") == "abc"


def test_charset_fitting_replaces_visibly_never_silently() -> None:
    assert fields.fit_charset("Müller", "ISO-8859-1") == ("Müller", False)
    assert fields.fit_charset("Dvořák €5", "ISO-8859-1") == ("Dvorák ?5", True)
    assert fields.fit_charset("Dvořák €5", "UTF-8") == ("Dvořák €5", False)
    assert fields.fit_charset("東京", "ISO-8859-1") == ("??", True)


@pytest.mark.parametrize(
    ("name", "label"),
    [("utf-8", "UTF-8"), ("UTF8", "UTF-8"), ("iso-8859-1", "ISO-8859-1"), ("latin1", "ISO-8859-1")],
)
def test_charsets_are_normalised(name: str, label: str) -> None:
    assert fields.normalise_charset(name) == label


@pytest.mark.parametrize("name", ["utf-7", "ebcdic-cp-us", "nonsense"])
def test_other_charsets_are_refused(name: str) -> None:
    with pytest.raises(InvalidSetupError, match="http_content_charset"):
        fields.normalise_charset(name)


@pytest.mark.parametrize("target", ["_top", "_parent", "_self", "_blank", "srm_window_1"])
def test_window_targets_are_accepted(target: str) -> None:
    assert fields.check_target(target) == target


@pytest.mark.parametrize("target", ['_top" onmouseover="x', "a b", "javascript:alert(1)", "x-y"])
def test_other_targets_are_refused(target: str) -> None:
    with pytest.raises(InvalidSetupError):
        fields.check_target(target)


def test_errors_form_one_tree() -> None:
    assert issubclass(InvalidSetupError, OCIError)
    assert issubclass(InvalidSetupError, ValueError)
    assert issubclass(FieldLengthError, OCIError)
    assert InvalidSetupError("x").status == 400
