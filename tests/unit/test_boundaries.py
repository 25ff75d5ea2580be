"""The protocol packages stay pure: importing them loads no web, database or HTTP library."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys

import pytest

FORBIDDEN = ("flask", "sqlalchemy", "requests")


def protocol_packages() -> list[str]:
    """gateway.cxml always; gateway.oci once it exists."""
    return ["gateway.cxml"] + [
        name for name in ("gateway.oci",) if importlib.util.find_spec(name) is not None
    ]


def modules_loaded_by(package: str) -> set[str]:
    script = (
        f"import json, sys, {package}; "
        "print(json.dumps(sorted(name.split('.')[0] for name in sys.modules)))"
    )
    result = subprocess.run(  # noqa: S603 - our own interpreter and a fixed script
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    return set(json.loads(result.stdout))


def test_gateway_cxml_is_always_checked() -> None:
    assert "gateway.cxml" in protocol_packages()


@pytest.mark.parametrize("package", protocol_packages())
def test_protocol_package_imports_no_web_database_or_http_library(package: str) -> None:
    loaded = modules_loaded_by(package)
    assert "gateway" in loaded
    assert loaded.isdisjoint(FORBIDDEN), sorted(loaded & set(FORBIDDEN))


def test_the_check_would_notice_a_forbidden_import() -> None:
    assert "requests" in modules_loaded_by("requests")


def test_gateway_oci_is_checked() -> None:
    assert "gateway.oci" in protocol_packages()


def test_the_models_never_import_the_policy() -> None:
    """The policy recognises models by class, so the models must not depend on it (no cycle)."""
    script = (
        "import json, sys, gateway.models; "
        "print(json.dumps(sorted(name for name in sys.modules if name.startswith('gateway.'))))"
    )
    result = subprocess.run(  # noqa: S603 - our own interpreter and a fixed script
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    loaded = set(json.loads(result.stdout))
    assert "gateway.models" in loaded
    assert not any(name.startswith(("gateway.auth", "gateway.services")) for name in loaded)


def test_the_policy_imports_no_web_library() -> None:
    assert "flask" not in modules_loaded_by("gateway.auth.policy")
