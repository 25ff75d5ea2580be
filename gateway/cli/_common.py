"""What every command module needs: the app's database and the usage error for bad input."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import click
from flask import current_app

from gateway.db import Database
from gateway.errors import InvalidInput


def database() -> Database:
    """The database of the app the command runs in."""
    found: Database = current_app.extensions["gateway.db"]
    return found


@contextmanager
def usage_errors() -> Iterator[None]:
    """Report a service's `InvalidInput` as a usage error (exit status 2, the reason shown)."""
    try:
        yield
    except InvalidInput as exc:
        raise click.UsageError(str(exc)) from exc
