"""OCI launches put the login in the query under partner-chosen names: log lines blank it all."""

from __future__ import annotations

from gateway.logging import redact_line


def test_every_value_of_an_oci_query_is_blanked() -> None:
    line = '127.0.0.1 - - "GET /oci?LOGIN=srm&KENNWORT=geheim99&HOOK_URL=https://x HTTP/1.1" 302'
    redacted = redact_line(line)
    assert "geheim99" not in redacted
    assert "srm" not in redacted
    assert '"GET /oci?LOGIN=***&KENNWORT=***&HOOK_URL=*** HTTP/1.1" 302' in redacted


def test_other_paths_keep_their_queries() -> None:
    assert redact_line("GET /catalog?q=pen") == "GET /catalog?q=pen"
