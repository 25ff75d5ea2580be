"""What the blueprints' form classes share: a base class and fields that turn posted text into
the types the services take.

A form only converts. Text it cannot read is reported with the field's message; whether a
readable value is acceptable stays the service's rule (`budgets.validate`, `guests.validate` …).
The forms are plain `wtforms.Form`s: CSRFProtect checks every post app-wide, so they carry no
token of their own, and templates write their inputs by hand (no WTForms widgets).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any, Self

import wtforms
from werkzeug.datastructures import MultiDict

from gateway.errors import InvalidInput
from gateway.numbers import NumberError, Problem, read_decimal, read_whole

MAX_DIGITS = 9  # ids, months and limits; longer text is no such number
AMOUNT_DIGITS, AMOUNT_DECIMALS = 12, 4  # up to 999 999 999 999.9999
STRIP: tuple[Callable[[str], str], ...] = (str.strip,)


class InputForm(wtforms.Form):
    """A posted form, converted field by field when it is made."""

    @classmethod
    def read(cls, formdata: MultiDict[str, str]) -> Self:
        """The converted form, or InvalidInput with the first unreadable field's message."""
        form = cls(formdata)
        problems = form.problems()
        if problems:
            raise InvalidInput(next(iter(problems.values())))
        return form

    def problems(self) -> dict[str, str]:
        """Field name → why its text could not be read, in the order the fields are declared."""
        self.validate()
        return {field.name: field.errors[0] for field in self if field.errors}


class TextField(wtforms.StringField):
    """Text as posted; `default` (empty unless given) when the field is not posted at all."""

    data: str

    def __init__(self, *, default: str = "", **kwargs: Any) -> None:
        super().__init__(default=default, **kwargs)


class TextSetField(wtforms.Field):
    """A repeated text field (checked boxes whose values are words) as a set of stripped,
    non-blank values."""

    data: frozenset[str]

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.data = frozenset(v.strip()[:100] for v in valuelist if v.strip())


class _ConvertedField(wtforms.Field):
    """Posted text, stripped, converted by `convert`; blank or absent is None. `message` says
    why text could not be read."""

    def __init__(self, message: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.message = message

    def process_formdata(self, valuelist: list[Any]) -> None:
        text = valuelist[0].strip() if valuelist else ""
        self.data = self.convert(text) if text else None

    def convert(self, text: str) -> object:
        """The value of non-blank `text`; ValueError(`message`) when it cannot be read."""
        raise NotImplementedError


class AmountField(_ConvertedField):
    """An amount typed with a decimal point or a Dutch decimal comma (`12.50`, `12,50`), read
    by `gateway.numbers`: at most AMOUNT_DIGITS digits before the point and AMOUNT_DECIMALS
    after it, what the price columns hold."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__("{!r} is not an amount.", **kwargs)

    def convert(self, text: str) -> Decimal:
        try:
            return read_decimal(text, digits=AMOUNT_DIGITS, decimals=AMOUNT_DECIMALS, comma=True)
        except NumberError as exc:
            if exc.kind == Problem.SYNTAX:
                raise ValueError(self.message.format(text[:20])) from None
            raise ValueError(exc.about("An amount")) from None


class WholeNumberField(_ConvertedField):
    """A whole number such as an id or a month, of at most MAX_DIGITS digits."""

    def convert(self, text: str) -> int:
        try:
            return read_whole(text, digits=MAX_DIGITS)
        except NumberError:
            raise ValueError(self.message) from None


class IdSetField(WholeNumberField):
    """A repeated field of ids (checked boxes) as a set; every value must be a whole number."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.data = {self.convert(value.strip()) for value in valuelist}


class IsoDateField(_ConvertedField):
    """A date as `YYYY-MM-DD`, what `<input type=date>` posts."""

    def convert(self, text: str) -> date:
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise ValueError(self.message) from None
