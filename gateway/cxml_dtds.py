"""`gateway cxml dtds install`: fetch the official cXML DTDs from cxml.org into a local folder.

The DTDs are Ariba's text under the cXML License Agreement, so the project ships no copy: the
operator downloads them once. The archive is hostile until proven otherwise: a member with an
absolute path, a `..` component or a link, a member or archive beyond the size caps, or two
files with one name is refused before anything is written. The DTDs and the licence are
written to a staging folder beside the target, every DTD must load (lxml), `cXML.dtd` must
declare the requested version, and only then do the files move into the target folder.
"""

from __future__ import annotations

import io
import re
import shutil
import stat
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import requests
from lxml import etree

from gateway.errors import GatewayError

#: the archive cxml.org links as "Latest Downloads"; its cXML.dtd names the version it holds
ARCHIVE_URL = "https://xml.cxml.org/current/cXML_DTDs.zip"
#: the licence, fetched when the archive carries none (the DTDs' headers point at it)
LICENSE_URL = "https://www.cxml.org/license.html"
TIMEOUT = (10, 60)  # seconds to connect, seconds to wait for data
MAX_DOWNLOAD = 32 * 1024 * 1024  # bytes of the archive (about 3 MB today)
MAX_MEMBER = 8 * 1024 * 1024  # bytes of one unpacked file (the largest DTD is under 0.5 MB)
MAX_TOTAL = 64 * 1024 * 1024  # bytes of all unpacked files we keep
MAX_MEMBERS = 500
_CHUNK = 64 * 1024
_LICENSE = re.compile(r"licen[cs]e", re.IGNORECASE)
_VERSION = re.compile(r"1\.[12]\.\d{3}")
_DECLARED_VERSION = re.compile(rb'<!ENTITY\s+cxml\.version\s+"([^"]+)"')


class DTDInstallError(GatewayError):
    """The archive could not be fetched, is unsafe, or does not hold the requested DTDs."""


@dataclass(frozen=True, slots=True)
class Installed:
    """What `install` put where."""

    folder: Path
    version: str
    dtds: tuple[str, ...]
    license: str


def install(
    folder: Path,
    *,
    version: str,
    url: str = ARCHIVE_URL,
    license_url: str = LICENSE_URL,
) -> Installed:
    """Download the DTD archive at `url` and install `version`'s DTDs and licence in `folder`."""
    if _VERSION.fullmatch(version) is None:
        raise DTDInstallError("--version must be a cXML version such as 1.2.071")
    members = unpack(download(url), version=version)
    if not any(_LICENSE.search(name) for name in members):
        members["LICENSE-cXML.html"] = download(license_url)
    return _put(folder, members, version)


def download(url: str) -> bytes:
    """The body at `url`, at most MAX_DOWNLOAD bytes; DTDInstallError on any failure."""
    if not url.startswith(("https://", "http://")):
        raise DTDInstallError(f"{url}: only http(s) URLs can be downloaded")
    try:
        with requests.get(url, stream=True, timeout=TIMEOUT) as answer:
            if answer.status_code != 200:  # noqa: PLR2004 - HTTP OK
                raise DTDInstallError(f"{url}: the server answered HTTP {answer.status_code}")
            body = bytearray()
            for chunk in answer.iter_content(_CHUNK):
                body += chunk
                if len(body) > MAX_DOWNLOAD:
                    raise DTDInstallError(f"{url}: larger than {MAX_DOWNLOAD} bytes, refused")
            return bytes(body)
    except requests.RequestException as exc:
        raise DTDInstallError(f"{url}: could not download ({type(exc).__name__})") from None


def unpack(archive: bytes, *, version: str) -> dict[str, bytes]:
    """The DTDs and licence files of a zip `archive` by file name, checked for safety."""
    try:
        bundle = zipfile.ZipFile(io.BytesIO(archive))
    except zipfile.BadZipFile:
        raise DTDInstallError("the download is not a zip archive") from None
    with bundle:
        entries = bundle.infolist()
        if len(entries) > MAX_MEMBERS:
            raise DTDInstallError(f"the archive has more than {MAX_MEMBERS} members, refused")
        kept: dict[str, bytes] = {}
        total = 0
        for entry in entries:
            name = _safe_name(entry)
            if entry.is_dir() or not (name.endswith(".dtd") or _LICENSE.search(name)):
                continue
            if name in kept:
                raise DTDInstallError(f"{entry.filename}: two members are named {name}, refused")
            kept[name] = _read(bundle, entry)
            total += len(kept[name])
            if total > MAX_TOTAL:
                raise DTDInstallError(f"the archive unpacks to more than {MAX_TOTAL} bytes")
    if "cXML.dtd" not in kept:
        raise DTDInstallError("the archive holds no cXML.dtd")
    declared = _DECLARED_VERSION.search(kept["cXML.dtd"])
    found = declared[1].decode("ascii", "replace") if declared else "no version"
    if found != version:
        raise DTDInstallError(
            f"the archive holds cXML {found}, not {version}: pass --version {found}, or --url "
            f"with an archive of {version}"
        )
    return kept


def _safe_name(entry: zipfile.ZipInfo) -> str:
    """The member's file name; DTDInstallError for a path that could leave the folder."""
    raw = entry.filename
    path = PurePosixPath(raw.replace("\\", "/"))
    if path.is_absolute() or re.match(r"[A-Za-z]:", raw) or ".." in path.parts:
        raise DTDInstallError(f"{raw}: a member path leaves the archive folder, refused")
    if stat.S_ISLNK(entry.external_attr >> 16):
        raise DTDInstallError(f"{raw}: the archive holds a link, refused")
    return path.name


def _read(bundle: zipfile.ZipFile, entry: zipfile.ZipInfo) -> bytes:
    """The member's bytes, never more than MAX_MEMBER (the header's size is not trusted)."""
    if entry.file_size > MAX_MEMBER:
        raise DTDInstallError(f"{entry.filename}: larger than {MAX_MEMBER} bytes, refused")
    with bundle.open(entry) as member:
        data = member.read(MAX_MEMBER + 1)
    if len(data) > MAX_MEMBER:
        raise DTDInstallError(f"{entry.filename}: larger than {MAX_MEMBER} bytes, refused")
    return data


def _put(folder: Path, members: dict[str, bytes], version: str) -> Installed:
    folder.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".dtds-", dir=folder.parent))
    try:
        for name, data in members.items():
            (staging / name).write_bytes(data)
        dtds = sorted(name for name in members if name.endswith(".dtd"))
        for name in dtds:
            try:
                etree.DTD(str(staging / name))
            except etree.DTDParseError as exc:
                raise DTDInstallError(f"{name} does not load as a DTD: {exc}") from None
        for name in members:
            (staging / name).replace(folder / name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    license_name = next(name for name in sorted(members) if _LICENSE.search(name))
    return Installed(folder=folder, version=version, dtds=tuple(dtds), license=license_name)
