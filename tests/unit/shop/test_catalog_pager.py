"""The catalogue's pager shows a handful of links, however many pages a search has."""

from __future__ import annotations

import pytest

from gateway.shop.catalog_params import page_numbers


def _every_page_considered(page: int, pages: int) -> list[int | None]:
    """The rule as the template once applied it, walking every page number."""
    shown: list[int | None] = []
    for number in range(1, pages + 1):
        if number in (1, pages) or abs(number - page) <= 2:
            shown.append(number)
        elif abs(number - page) == 3:
            shown.append(None)
    return shown


@pytest.mark.parametrize(
    ("page", "pages", "expected"),
    [
        (1, 2, [1, 2]),
        (1, 2084, [1, 2, 3, None, 2084]),
        (5, 2084, [1, None, 3, 4, 5, 6, 7, None, 2084]),
        (4, 9, [1, 2, 3, 4, 5, 6, None, 9]),
        (2084, 2084, [1, None, 2082, 2083, 2084]),
    ],
)
def test_the_pager_links_the_ends_and_two_pages_either_side(
    page: int, pages: int, expected: list[int | None]
) -> None:
    assert page_numbers(page, pages) == expected


def test_the_pager_agrees_with_walking_every_page() -> None:
    for pages in range(1, 40):
        for page in range(1, pages + 1):
            assert page_numbers(page, pages) == _every_page_considered(page, pages)
