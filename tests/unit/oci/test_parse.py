"""Reading OCI launches and returned forms."""

from __future__ import annotations

from decimal import Decimal

import pytest

from gateway.oci import Function, InvalidSetupError, OCIProfile, parse_return, parse_setup

PROFILE = OCIProfile()


def test_a_launch_is_read_case_insensitively() -> None:
    setup = parse_setup(
        {
            "username": "srm",
            "Password": "s3cret",
            "hook_url": "https://srm.example/sap/bc/gui?~OkCode=ADDI",
            "~TARGET": "_top",
            "~CALLER": "CTLG",
            "returntarget": "_parent",
            "http_content_charset": "iso-8859-1",
            "OCI_VERSION": "4.0",
        },
        PROFILE,
    )
    assert setup.username == "srm"
    assert setup.password == "s3cret"
    assert setup.hook_url == "https://srm.example/sap/bc/gui?~OkCode=ADDI"
    assert setup.function is None
    assert setup.return_target == "_parent"
    assert setup.charset == "ISO-8859-1"
    assert setup.tilde == (("~TARGET", "_top"), ("~CALLER", "CTLG"))
    assert all(name.casefold() != "password" for name, _ in setup.login)
    assert "s3cret" not in repr(setup.login)


def test_profile_names_the_login_and_hook_parameters() -> None:
    profile = OCIProfile(username_field="LOGIN", password_field="PWD", hook_url_field="MM_HOOK_URL")
    setup = parse_setup(
        {"login": "u", "pwd": "p", "MM_HOOK_URL": "https://h", "HOOK_URL": "https://other"}, profile
    )
    assert (setup.username, setup.password, setup.hook_url) == ("u", "p", "https://h")


@pytest.mark.parametrize(
    ("fields", "function", "quantity"),
    [
        ({"FUNCTION": "DETAIL", "PRODUCTID": "P1"}, Function.DETAIL, Decimal(1)),
        (
            {"FUNCTION": "validate", "PRODUCTID": "P1", "QUANTITY": "2.5"},
            Function.VALIDATE,
            Decimal("2.5"),
        ),
        ({"FUNCTION": "SOURCING", "SEARCHSTRING": "pen"}, Function.SOURCING, Decimal(1)),
        (
            {"FUNCTION": "BACKGROUND_SEARCH", "SEARCHSTRING": "pen"},
            Function.BACKGROUND_SEARCH,
            Decimal(1),
        ),
        ({"FUNCTION": "QUANTITYCHECK", "EXT_PRODUCT_ID": "P1"}, Function.QUANTITYCHECK, Decimal(1)),
    ],
)
def test_functions_are_recognised(
    fields: dict[str, str], function: Function, quantity: Decimal
) -> None:
    setup = parse_setup(fields, PROFILE)
    assert setup.function is function
    assert setup.quantity == quantity


def test_product_id_and_search_string_are_read() -> None:
    setup = parse_setup({"FUNCTION": "QUANTITYCHECK", "EXT_PRODUCT_ID": "P9"}, PROFILE)
    assert setup.product_id == "P9"
    assert (
        parse_setup({"FUNCTION": "SOURCING", "SEARCHSTRING": " pen "}, PROFILE).search_string
        == "pen"
    )


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"FUNCTION": "LOGIN"}, "FUNCTION 'LOGIN' is not supported"),
        ({"FUNCTION": "VALIDATE", "QUANTITY": "-1"}, "QUANTITY"),
        ({"FUNCTION": "VALIDATE", "QUANTITY": "many"}, "QUANTITY"),
        ({"FUNCTION": "VALIDATE", "QUANTITY": "1.0001"}, "at most 3 decimals"),
        ({"FUNCTION": "VALIDATE", "QUANTITY": "123456789012"}, "11 digits"),
        ({"returntarget": "javascript:x"}, "returntarget"),
        ({"~TARGET": '_top"><b>'}, "returntarget"),
        ({"http_content_charset": "utf-7"}, "http_content_charset"),
    ],
)
def test_bad_launch_values_are_refused(fields: dict[str, str], message: str) -> None:
    with pytest.raises(InvalidSetupError, match=message) as raised:
        parse_setup(fields, PROFILE)
    assert raised.value.status == 400


def test_a_returned_form_is_read_with_gaps_and_every_long_text_spelling() -> None:
    returned = parse_return(
        [
            ("~OkCode", "ADDI"),
            ("NEW_ITEM-DESCRIPTION[1]", "Pen"),
            ("NEW_ITEM-QUANTITY[1]", "2"),
            ("NEW_ITEM-LONGTEXT_1:132[]", "first"),
            ("NEW_ITEM-DESCRIPTION[3]", "Paper"),
            ("NEW_ITEM-LONGTEXT_3:132", "third"),
            ("NEW_ITEM-LONGTEXT_4:132[1]", "only text"),
        ]
    )
    assert [item.index for item in returned.items] == [1, 3, 4]
    assert returned.items[0].fields == {"DESCRIPTION": "Pen", "QUANTITY": "2"}
    assert [item.long_text for item in returned.items] == ["first", "third", "only text"]
    assert returned.other == (("~OkCode", "ADDI"),)
