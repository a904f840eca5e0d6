"""Live tests: HTTP against a running service named by LIVE_BASE_URL.

Unset (the normal `make test`), the live test modules skip themselves. Set, e.g.
`LIVE_BASE_URL=http://127.0.0.1:8000`, they talk to that server over HTTP only:
no database, no app object. `scripts/container-test.sh` sets it to the container.
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit

import pytest

LIVE_BASE_URL = os.environ.get("LIVE_BASE_URL", "").rstrip("/")
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}


@pytest.fixture(scope="session")
def base_url() -> str:
    """The running service's base URL, without a trailing slash (loopback only)."""
    if not LIVE_BASE_URL:
        pytest.skip("LIVE_BASE_URL is not set")
    host = urlsplit(LIVE_BASE_URL).hostname
    if host not in LOOPBACK_HOSTS and not (host or "").startswith("127."):
        pytest.fail(f"LIVE_BASE_URL must name a loopback address, not {host!r}")
    return LIVE_BASE_URL
