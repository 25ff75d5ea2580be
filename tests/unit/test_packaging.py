"""setup.cfg's explicit package list must name every package folder (find: cannot see the
mapped gateway.schemas, so the list is written by hand and checked here)."""

from __future__ import annotations

import configparser
from importlib.resources import files

from tests.paths import PROJECT_ROOT


def _declared() -> set[str]:
    config = configparser.ConfigParser()
    config.read(PROJECT_ROOT / "setup.cfg")
    return {name.strip() for name in config["options"]["packages"].split() if name.strip()}


def test_every_package_folder_is_declared() -> None:
    on_disk = {
        ".".join(init.parent.relative_to(PROJECT_ROOT).parts)
        for init in (PROJECT_ROOT / "gateway").rglob("__init__.py")
    }
    assert _declared() == on_disk | {"gateway.schemas"}


def test_our_schemas_ship_as_package_data() -> None:
    names = {entry.name for entry in (files("gateway.schemas") / "cxml").iterdir()}
    assert {"punchout_setup_request.xsd", "punchout_order_message.xsd"} <= names
