"""The catalogue's query string: search, category, view, filters, sorting and page.

Every choice lives in the URL, so a result list can be bookmarked, shared and paged, and works
without script. Unknown or unreadable values fall back to the default (a bad price is reported
on the page and ignored).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from gateway.numbers import NumberError, read_decimal
from gateway.services.catalog.search import Sort

VIEWS = ("list", "grid")
PARAMETERS = ("q", "category", "view", "sort", "manufacturer", "price_min", "price_max", "contract")


@dataclass(frozen=True, slots=True, kw_only=True)
class CatalogParams:
    """What the visitor asked the catalogue for."""

    query: str = ""
    category: str = ""
    view: str = "list"
    sort: Sort = Sort.SKU
    manufacturer: str = ""
    price_min: Decimal | None = None
    price_max: Decimal | None = None
    contract: bool = False
    page: int = 1
    price_error: bool = False  # a price bound could not be read and is ignored

    def args(self, **changes: object) -> dict[str, object]:
        """The query parameters for a link to this list with `changes` (defaults left out)."""
        values: dict[str, object] = {
            "q": self.query,
            "category": self.category,
            "view": "" if self.view == "list" else self.view,
            "sort": "" if self.sort is Sort.SKU else self.sort.value,
            "manufacturer": self.manufacturer,
            "price_min": "" if self.price_min is None else f"{self.price_min:f}",
            "price_max": "" if self.price_max is None else f"{self.price_max:f}",
            "contract": "1" if self.contract else "",
            "page": "" if self.page == 1 else self.page,
        }
        values.update(changes)
        return {key: value for key, value in values.items() if value not in ("", None, 1)}

    @property
    def filtered(self) -> bool:
        """True when a filter narrows the list (for "clear filters")."""
        return bool(
            self.manufacturer
            or self.price_min is not None
            or self.price_max is not None
            or self.contract
        )


def read(args: Mapping[str, str]) -> CatalogParams:
    """The catalogue parameters of a request's query string."""
    price_min, bad_min = _price(args.get("price_min", ""))
    price_max, bad_max = _price(args.get("price_max", ""))
    sort = args.get("sort", "")
    try:
        page = max(int(args.get("page", "1")), 1)
    except ValueError:
        page = 1
    return CatalogParams(
        query=args.get("q", "").strip()[:100],
        category=args.get("category", "").strip()[:64],
        view=args.get("view", "") if args.get("view", "") in VIEWS else "list",
        sort=Sort(sort) if sort in tuple(Sort) else Sort.SKU,
        manufacturer=args.get("manufacturer", "").strip()[:120],
        price_min=price_min,
        price_max=price_max,
        contract=args.get("contract", "") == "1",
        page=page,
        price_error=bad_min or bad_max,
    )


def _price(text: str) -> tuple[Decimal | None, bool]:
    """A price bound typed as `12`, `12.50` or `12,50`; (None, True) when unreadable."""
    if not text.strip():
        return None, False
    try:
        value = read_decimal(text, digits=10, decimals=2, comma=True)
    except NumberError:
        return None, True
    return (value, False) if value >= 0 else (None, True)


PAGER_REACH = 2  # the pager links this many pages either side of the current one


def page_numbers(page: int, pages: int) -> list[int | None]:
    """The pager's entries: the first and last page and `PAGER_REACH` either side of `page`,
    with None for a gap (in place of the next page out). A handful, however many pages."""
    near = range(max(1, page - PAGER_REACH - 1), min(pages, page + PAGER_REACH + 1) + 1)
    return [
        number if number in (1, pages) or abs(number - page) <= PAGER_REACH else None
        for number in sorted({1, pages, *near})
    ]
