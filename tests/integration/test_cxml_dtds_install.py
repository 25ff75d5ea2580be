"""`gateway cxml dtds install`: the official DTD archive, served here by `responses` as an
archive these tests build from a small DTD written for them (tests/tiny_dtd.py)."""

from __future__ import annotations

import io
import stat
import zipfile
from pathlib import Path

import pytest
import responses
from click.testing import Result
from flask import Flask

from gateway import create_app, cxml_dtds
from gateway.cli import main
from gateway.config import load_settings
from tests.paths import FIXTURES
from tests.tiny_dtd import tiny_dtds

URL = "https://dtds.example/cXML_DTDs.zip"
LICENSE = b"cXML License Agreement (a stand-in written for the tests)\n"


def archive(members: dict[str, bytes] | None = None, *, links: tuple[str, ...] = ()) -> bytes:
    """A zip laid out like cxml.org's: the DTDs and the licence under a version folder."""
    if members is None:
        members = {f"cXML/1.2.071/{name}": text.encode() for name, text in tiny_dtds().items()}
        members["cXML/1.2.071/LICENSE-cXML.txt"] = LICENSE
        members["cXML/1.2.071/readme.html"] = b"<p>not kept</p>"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bundle:
        for name, data in members.items():
            bundle.writestr(name, data)
        for name in links:
            info = zipfile.ZipInfo(name)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            bundle.writestr(info, "/etc/passwd")
    return buffer.getvalue()


@pytest.fixture
def cli_app(tmp_path: Path) -> Flask:
    return create_app(
        {
            "GATEWAY_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}",
            "GATEWAY_SECRET_KEY": "cli-secret",
            "GATEWAY_CXML_DTD_DIR": "",
        }
    )


def install(app: Flask, body: bytes, *args: str, status: int = 200) -> Result:
    with responses.RequestsMock() as served:
        served.get(URL, body=body, status=status)
        return app.test_cli_runner().invoke(main, ["cxml", "dtds", "install", "--url", URL, *args])


def test_install_puts_the_dtds_and_their_licence_in_the_folder(
    cli_app: Flask, tmp_path: Path
) -> None:
    folder = tmp_path / "dtds"
    result = install(cli_app, archive(), "--dir", str(folder))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in folder.iterdir()) == ["LICENSE-cXML.txt", "Quote.dtd", "cXML.dtd"]
    assert (folder / "LICENSE-cXML.txt").read_bytes() == LICENSE
    assert result.output.splitlines() == [
        f"Installed cXML 1.2.071: 2 DTDs (Quote.dtd, cXML.dtd) and their licence "
        f"(LICENSE-cXML.txt) in {folder}",
        f"Set GATEWAY_CXML_DTD_DIR={folder} to check documents against them.",
    ]
    checking = create_app({**cli_app.config, "GATEWAY_CXML_DTD_DIR": str(folder)})
    coupa = FIXTURES / "cxml/valid/punchout_setup_request/coupa_contact_first.xml"
    validated = checking.test_cli_runner().invoke(main, ["cxml", "validate", str(coupa)])
    assert "[dtd] /cXML/Request/PunchOutSetupRequest: Element PunchOutSetupRequest content" in (
        validated.output
    )


def test_the_default_folder_becomes_the_default_dtd_dir(
    cli_app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.delenv("GATEWAY_CXML_DTD_DIR", raising=False)
    assert load_settings({}, tmp_path)["GATEWAY_CXML_DTD_DIR"] is None
    result = install(cli_app, archive())
    assert result.exit_code == 0, result.output
    folder = tmp_path / "data" / "punchout-gateway" / "cxml" / "1.2.071"
    assert (folder / "cXML.dtd").is_file()
    assert result.output.endswith("GATEWAY_CXML_DTD_DIR now defaults to this folder.\n")
    assert load_settings({}, tmp_path)["GATEWAY_CXML_DTD_DIR"] == folder.resolve()
    assert load_settings({"GATEWAY_CXML_DTD_DIR": ""}, tmp_path)["GATEWAY_CXML_DTD_DIR"] is None


def test_a_missing_licence_is_fetched_from_cxml_org(cli_app: Flask, tmp_path: Path) -> None:
    members = {name: text.encode() for name, text in tiny_dtds().items()}
    folder = tmp_path / "dtds"
    with responses.RequestsMock() as served:
        served.get(URL, body=archive(members))
        served.get(cxml_dtds.LICENSE_URL, body=b"<html>the licence</html>")
        result = cli_app.test_cli_runner().invoke(
            main, ["cxml", "dtds", "install", "--url", URL, "--dir", str(folder)]
        )
    assert result.exit_code == 0, result.output
    assert (folder / "LICENSE-cXML.html").read_bytes() == b"<html>the licence</html>"


def dtds(**extra: bytes) -> dict[str, bytes]:
    return {"cXML.dtd": tiny_dtds()["cXML.dtd"].encode(), "LICENSE.txt": LICENSE, **extra}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (archive(dtds(**{"../evil.dtd": b""})), "../evil.dtd: a member path leaves the archive"),
        (archive(dtds(**{"/etc/evil.dtd": b""})), "/etc/evil.dtd: a member path leaves the"),
        (archive(dtds(**{"C:/evil.dtd": b""})), "C:/evil.dtd: a member path leaves the archive"),
        (archive(dtds(), links=("Fulfill.dtd",)), "Fulfill.dtd: the archive holds a link"),
        (archive({**dtds(), "a/cXML.dtd": b""}), "a/cXML.dtd: two members are named cXML.dtd"),
        (archive({"LICENSE.txt": LICENSE}), "the archive holds no cXML.dtd"),
        (archive(dtds(**{"Bad.dtd": b"<!ELEMENT oops"})), "Bad.dtd does not load as a DTD"),
        (b"not a zip", "the download is not a zip archive"),
    ],
)
def test_unsafe_or_broken_archives_are_refused_and_nothing_is_written(
    cli_app: Flask, tmp_path: Path, body: bytes, message: str
) -> None:
    folder = tmp_path / "dtds"
    result = install(cli_app, body, "--dir", str(folder))
    assert result.exit_code == 1
    assert f"Error: {message}" in result.output
    assert not folder.exists() or not any(folder.iterdir())
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".dtds-")] == []


def test_another_version_in_the_archive_is_named(cli_app: Flask, tmp_path: Path) -> None:
    members = {"cXML.dtd": tiny_dtds("1.2.072")["cXML.dtd"].encode(), "LICENSE.txt": LICENSE}
    result = install(cli_app, archive(members), "--dir", str(tmp_path / "d"))
    assert result.exit_code == 1
    assert "the archive holds cXML 1.2.072, not 1.2.071: pass --version 1.2.072" in result.output
    installed = install(cli_app, archive(members), "--dir", str(tmp_path / "d"), "--version",
                        "1.2.072")  # fmt: skip
    assert installed.exit_code == 0, installed.output


def test_huge_members_and_downloads_are_refused(
    cli_app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    limit = len(dtds()["cXML.dtd"]) + 100
    monkeypatch.setattr(cxml_dtds, "MAX_MEMBER", limit)
    huge = archive(dtds(**{"Huge.dtd": b"<!-- -->" + b" " * limit}))
    result = install(cli_app, huge, "--dir", str(tmp_path / "d"))
    assert result.exit_code == 1
    assert f"Huge.dtd: larger than {limit} bytes, refused" in result.output
    monkeypatch.setattr(cxml_dtds, "MAX_DOWNLOAD", 100)
    result = install(cli_app, huge, "--dir", str(tmp_path / "d"))
    assert f"Error: {URL}: larger than 100 bytes, refused" in result.output


def test_too_many_or_too_large_members_are_refused(
    cli_app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cxml_dtds, "MAX_MEMBERS", 2)
    result = install(cli_app, archive(), "--dir", str(tmp_path / "d"))
    assert result.exit_code == 1
    assert "the archive has more than 2 members, refused" in result.output
    monkeypatch.setattr(cxml_dtds, "MAX_MEMBERS", 500)
    monkeypatch.setattr(cxml_dtds, "MAX_TOTAL", len(dtds()["cXML.dtd"]) + 10)
    result = install(cli_app, archive(), "--dir", str(tmp_path / "d"))
    assert result.exit_code == 1
    assert "the archive unpacks to more than" in result.output


def test_http_failures_and_bad_versions_are_clear(cli_app: Flask, tmp_path: Path) -> None:
    result = install(cli_app, b"gone", "--dir", str(tmp_path / "d"), status=404)
    assert result.exit_code == 1
    assert f"Error: {URL}: the server answered HTTP 404" in result.output
    result = cli_app.test_cli_runner().invoke(
        main, ["cxml", "dtds", "install", "--version", "2.0", "--dir", str(tmp_path / "d")]
    )
    assert result.exit_code == 1
    assert "--version must be a cXML version such as 1.2.071" in result.output
