"""Shared pytest set-up: PostgreSQL-only tests run on PostgreSQL, and must run in CI."""

from __future__ import annotations

import os

import pytest
from django.db import connection


@pytest.fixture
def require_postgres(db):
    """Skip locally when the suite runs on SQLite; in CI (CI=true) that is a failure."""
    if connection.vendor != "postgresql":
        if os.environ.get("CI") == "true":
            pytest.fail("This test needs PostgreSQL and CI=true: set DATABASE_URL to PostgreSQL")
        pytest.skip("needs PostgreSQL (set DATABASE_URL=postgres://…)")
