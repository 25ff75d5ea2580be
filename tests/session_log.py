"""The whole test run's log in one file, grepped for known secrets when the run ends.

`tests/conftest.py` calls `start` from `pytest_configure` and `finish` from
`pytest_sessionfinish`: every record any logger emits during the run (at INFO and above, plus
whatever a test turns up to DEBUG) is written to a file; a line holding a secret that the
fixtures or the demo data use fails the run, naming the line.
"""

from __future__ import annotations

import logging
import sys
import tempfile
from pathlib import Path

import pytest

# Values that must never appear in a log line (tests/conftest.py, the demo data, the fixtures).
KNOWN_SECRETS = (
    "demo-secret",  # the demo cXML partner's SharedSecret
    "PASSWORD=demo",  # the demo OCI partner's password, as a launch URL carries it
    "mac-secret-42",  # tests/integration/test_credential_mac.py
    "our-outbound-secret",  # tests/integration/test_outbox.py
    "test-secret-key",  # tests/conftest.py: Flask's session key
    "test-digest-key",  # tests/conftest.py: the credential digest key
    "jlS81uW9oC4ArBjUZXagHeXpx-GMKmjGDC1nejABz1Y=",  # tests/conftest.py: the Fernet key
)
# Loggers of test helpers and of SQL echo: the test SMTP server logs what it receives (it
# plays the recipient), and SQLAlchemy at INFO would write every statement of the run.
QUIET = ("mail.log", "sqlalchemy")
HANDLER_KEY = pytest.StashKey[logging.FileHandler]()


def start(config: pytest.Config) -> None:
    """Send every log record of the run to a file, the root logger at INFO."""
    folder = Path(tempfile.mkdtemp(prefix="gateway-test-log-"))
    handler = logging.FileHandler(folder / "run.log", encoding="utf-8", delay=False)
    handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
    handler.setLevel(logging.DEBUG)
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    for name in QUIET:
        logging.getLogger(name).setLevel(logging.WARNING)
    config.stash[HANDLER_KEY] = handler


def finish(session: pytest.Session) -> None:
    """Fail the run when a known secret is in the log, naming the offending lines."""
    handler = session.config.stash.get(HANDLER_KEY, None)
    if handler is None:
        return
    logging.getLogger().removeHandler(handler)
    handler.close()
    path = Path(handler.baseFilename)
    leaks = [
        f"{path}:{number}: {line[:300]}"
        for number, line in enumerate(path.read_text("utf-8", "replace").splitlines(), 1)
        if any(secret in line for secret in KNOWN_SECRETS)
    ]
    if not leaks:
        return
    session.exitstatus = pytest.ExitCode.TESTS_FAILED
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    message = "\n".join(
        ["SECRETS IN THE LOG: a known secret reached these log lines of the run:", *leaks[:50]]
    )
    if reporter is not None:
        reporter.write_line(message, red=True, bold=True)
    else:
        sys.stderr.write(message + "\n")
