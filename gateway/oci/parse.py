"""Reading what the buyer sends: the launch parameters and (for tests and the simulator) a cart."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal

from gateway.numbers import NumberError, read_decimal
from gateway.oci.documents import Function, OCIProfile, OCIReturn, OCISetup, ReturnedItem
from gateway.oci.errors import InvalidSetupError
from gateway.oci.fields import (
    NUMBER_DECIMALS,
    NUMBER_DIGITS,
    check_target,
    clean,
    normalise_charset,
    split_name,
)

MAX_TEXT = 200


def parse_setup(fields: Mapping[str, str], profile: OCIProfile) -> OCISetup:
    """The launch or FUNCTION call in `fields` (query and form merged), read per `profile`.

    Parameter names are matched case-insensitively. Raises InvalidSetupError for an unknown
    FUNCTION, a bad `returntarget`, `~TARGET`, `http_content_charset` or QUANTITY. Whether the
    login and HOOK_URL are acceptable is the caller's decision.
    """
    folded = {name.casefold(): value for name, value in fields.items()}

    def get(name: str) -> str:
        return clean(folded.get(name.casefold(), "")).strip()

    function_text = get("FUNCTION").upper()
    function: Function | None = None
    if function_text:
        try:
            function = Function(function_text)
        except ValueError:
            raise InvalidSetupError(
                f"FUNCTION {function_text[:40]!r} is not supported by this catalog"
            ) from None
    tilde = tuple((name, clean(value)) for name, value in fields.items() if name.startswith("~"))
    target = get("returntarget")
    for name, value in tilde:
        if name.casefold() == "~target" and value:
            check_target(value)
    password_key = profile.password_field.casefold()
    return OCISetup(
        username=get(profile.username_field),
        password=folded.get(password_key, ""),
        hook_url=get(profile.hook_url_field),
        function=function,
        product_id=(get("PRODUCTID") or get("EXT_PRODUCT_ID"))[:MAX_TEXT],
        quantity=_quantity(get("QUANTITY")) if function else None,
        search_string=get("SEARCHSTRING")[:MAX_TEXT],
        vendor=get("VENDOR")[:MAX_TEXT],
        return_target=check_target(target) if target else "",
        charset=normalise_charset(get("http_content_charset"))
        if get("http_content_charset")
        else "",
        oci_version=get("OCI_VERSION")[:10],
        tilde=tilde,
        login=tuple(
            (name, clean(value))
            for name, value in sorted(fields.items())
            if name.casefold() != password_key
        ),
    )


def parse_return(fields: Iterable[tuple[str, str]]) -> OCIReturn:
    """Read a returned form as SRM would: `NEW_ITEM-<FIELD>[n]` by index (gaps allowed), the
    long text as `NEW_ITEM-LONGTEXT_n:132[]` (also without or with an index in the brackets).
    """
    values: dict[int, dict[str, str]] = {}
    texts: dict[int, str] = {}
    other: list[tuple[str, str]] = []
    for name, value in fields:
        parts = split_name(name)
        field, index = parts if parts is not None else (name, None)
        if index is None:
            other.append((name, value))
            continue
        if field == "LONGTEXT":
            texts[index] = texts.get(index, "") + value
        else:
            values.setdefault(index, {})[field] = value
    return OCIReturn(
        items=tuple(
            ReturnedItem(index=index, fields=values.get(index, {}), long_text=texts.get(index, ""))
            for index in sorted(values.keys() | texts.keys())
        ),
        other=tuple(other),
    )


def _quantity(text: str) -> Decimal:
    """QUANTITY in OCI's 11.3 number format, positive; absent means 1."""
    if not text:
        return Decimal(1)
    try:
        quantity = read_decimal(text, digits=NUMBER_DIGITS, decimals=NUMBER_DECIMALS)
    except NumberError as exc:
        raise InvalidSetupError(exc.about("QUANTITY")) from None
    if quantity <= 0:
        raise InvalidSetupError("QUANTITY must be a positive number.")
    return quantity
