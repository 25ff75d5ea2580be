"""The shared form fields: what posted text each converts to, and what it refuses."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from werkzeug.datastructures import MultiDict

from gateway.errors import InvalidInput
from gateway.web.forms import (
    AmountField,
    IdSetField,
    InputForm,
    IsoDateField,
    TextField,
    WholeNumberField,
)


class SampleForm(InputForm):
    title = TextField()
    country = TextField(default="NL")
    amount = AmountField()
    month = WholeNumberField("Not a month.")
    ids = IdSetField("Not an id.")
    day = IsoDateField("Not a date.")


def read(**fields: str | list[str]) -> SampleForm:
    return SampleForm.read(MultiDict(fields))


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("12.50", Decimal("12.50")),
        ("12,50", Decimal("12.50")),
        (" 1250,5 ", Decimal("1250.5")),
        ("0", Decimal(0)),
        ("-3", Decimal(-3)),
        ("", None),
        ("   ", None),
    ],
)
def test_an_amount_takes_a_point_or_a_dutch_comma(text: str, amount: Decimal | None) -> None:
    assert read(amount=text).amount.data == amount


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("abc", "'abc' is not an amount."),
        ("1,2,3", "'1,2,3' is not an amount."),
        ("NaN", "'NaN' is not an amount."),
        ("Infinity", "'Infinity' is not an amount."),
        ("x" * 30, f"'{'x' * 20}' is not an amount."),
    ],
)
def test_text_that_is_no_amount_is_refused_with_the_text(text: str, message: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        read(amount=text)
    assert str(refused.value) == message


@pytest.mark.parametrize(("text", "number"), [("7", 7), (" 12 ", 12), ("", None)])
def test_a_whole_number(text: str, number: int | None) -> None:
    assert read(month=text).month.data == number


@pytest.mark.parametrize("text", ["-1", "1.5", "x", "²", "1234567890"])
def test_text_that_is_no_whole_number_is_refused_with_the_fields_message(text: str) -> None:
    with pytest.raises(InvalidInput, match=r"^Not a month\.$"):
        read(month=text)


def test_repeated_ids_become_a_set() -> None:
    assert read(ids=["3", " 5", "3"]).ids.data == {3, 5}
    assert read().ids.data == set()


@pytest.mark.parametrize("value", ["x", "", "-2"])
def test_a_repeated_value_that_is_no_id_is_refused(value: str) -> None:
    with pytest.raises(InvalidInput, match=r"^Not an id\.$"):
        read(ids=["3", value])


def test_an_iso_date() -> None:
    assert read(day="2026-12-01").day.data == date(2026, 12, 1)
    assert read(day=" ").day.data is None


@pytest.mark.parametrize("text", ["31-12-2099", "2026-02-30", "tomorrow"])
def test_text_that_is_no_iso_date_is_refused(text: str) -> None:
    with pytest.raises(InvalidInput, match=r"^Not a date\.$"):
        read(day=text)


def test_absent_fields_take_their_defaults() -> None:
    form = read()
    assert (form.title.data, form.country.data) == ("", "NL")
    assert (form.amount.data, form.month.data, form.day.data) == (None, None, None)


def test_text_is_kept_as_posted() -> None:
    assert read(title="  Mixed Case ", country="").data["title"] == "  Mixed Case "
    assert read(country="").country.data == ""


def test_every_unreadable_field_is_a_problem_in_declaration_order() -> None:
    form = SampleForm(MultiDict({"day": "x", "amount": "y", "month": "z"}))
    assert form.problems() == {
        "amount": "'y' is not an amount.",
        "month": "Not a month.",
        "day": "Not a date.",
    }
    with pytest.raises(InvalidInput, match="is not an amount"):
        SampleForm.read(MultiDict({"day": "x", "amount": "y"}))
