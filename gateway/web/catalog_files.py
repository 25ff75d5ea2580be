"""Send a customer's catalog file (CIF, cXML Index, BMEcat) as a download: written to a
temporary file first and sent in pieces, so a large catalog never sits in memory, and
recorded as an export (staff downloads and the API's)."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from datetime import datetime
from typing import IO

from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from gateway.services.catalog import exports

CHUNK_BYTES = 64 * 1024


def send(
    session: Session, plan: exports.ExportPlan, *, exported_by: str, now: datetime
) -> Response:
    """Write the planned catalog, record the export under `exported_by`, and answer the file."""
    file = tempfile.TemporaryFile()  # noqa: SIM115 - closed by _chunks once sent
    try:
        count = exports.write(session, plan, file)
    except BaseException:
        file.close()
        raise
    exports.record(session, plan, exported_by=exported_by, item_count=count, now=now)
    file.seek(0)
    options = plan.options
    name = exports.FILE_NAMES[options.format].format(number=plan.organisation.number)
    return Response(
        _chunks(file),
        mimetype=exports.CONTENT_TYPES[options.format],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _chunks(file: IO[bytes]) -> Iterator[bytes]:
    """The file in pieces, closed at the end or when the client goes away."""
    try:
        while chunk := file.read(CHUNK_BYTES):
            yield chunk
    finally:
        file.close()
