"""Service refusals are English in logs and on the command line, translated on pages."""

from __future__ import annotations

from decimal import Decimal

import pytest
from flask import Flask

from gateway.errors import InvalidInput, NotFound
from gateway.services.ordering import quantities
from gateway.web.i18n import error_text


def test_a_refusal_with_values_is_a_template(app: Flask) -> None:
    refusal = InvalidInput(
        "%(sku)s is sold per %(unit)s: whole numbers only.", sku="X-1", unit="%s"
    )
    assert str(refusal) == "X-1 is sold per %s: whole numbers only."  # values are not patterns
    assert refusal.args == ("X-1 is sold per %s: whole numbers only.",)
    with app.test_request_context(headers={"Accept-Language": "nl"}):
        assert error_text(refusal) == "X-1 wordt per %s verkocht: alleen hele aantallen."
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert error_text(refusal) == str(refusal)


def test_constant_refusals_are_translated_and_unknown_ones_pass(app: Flask) -> None:
    with app.test_request_context(headers={"Accept-Language": "nl"}):
        assert error_text(NotFound("No such order.")) == "Deze bestelling bestaat niet."
        assert error_text(InvalidInput("Something new 100 %")) == "Something new 100 %"
        with pytest.raises(InvalidInput) as refused:
            quantities.in_range(Decimal(0))
        assert error_text(refused.value) == "Het aantal moet groter zijn dan nul."
