"""WSGI entry point: `gunicorn wsgi:app`."""

from __future__ import annotations

from gateway import create_app

app = create_app()
