"""The quick setup's one SELECT names its columns as `_Found` names its fields, in that order:
the rows are read by position, so a column added or moved in one and not the other would hand
one check another's value (a staff flag read as `user_active`)."""

from __future__ import annotations

import pytest

from gateway.services.punchout.quick_setup import MAX_CREDENTIALS, MAX_THROTTLE_KEYS, _Found, _read


@pytest.mark.parametrize(
    ("credentials", "throttle_keys"), [(1, 1), (2, 3), (MAX_CREDENTIALS, MAX_THROTTLE_KEYS)]
)
def test_the_read_selects_the_fields_of_a_row_in_order(
    credentials: int, throttle_keys: int
) -> None:
    statement = _read(credentials, throttle_keys)
    assert list(statement.selected_columns.keys()) == list(_Found._fields)
    bound = set(statement.compile().params)
    assert {f"domain_{credentials - 1}", f"key_{throttle_keys - 1}"} <= bound
    assert f"domain_{credentials}" not in bound
