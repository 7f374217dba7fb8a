"""Test-wide options and fixtures."""

from __future__ import annotations

import pytest

# A real Redis (embedded, or REDIS_URL) for any test that asks for `redis_url` / `redis_client`.
pytest_plugins = ["tests.redis_fixtures", "tests.kit.fixtures"]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="rewrite golden dialogue logs from the current engine instead of comparing",
    )
