"""The full schemathesis suite in-process, with a write token, on both engines.

Every check schemathesis has (server errors, status codes, content types, headers,
body schemas, negative data rejected, positive data accepted, missing required
headers, unsupported methods, use after free, resource availability, ignored auth)
over every operation, in every phase: the documented examples, coverage of edge
values, random fuzzing, and stateful sequences following the contract's links
(create → read → update → delete → history). Zero failures is the bar.
"""

from __future__ import annotations

import os

import pytest
from schemathesis.transport.wsgi import WSGI_TRANSPORT

from tests.support.contract_runs import operations_in_contract, run_in_process

EXAMPLES = int(os.environ.get("CONTRACT_EXAMPLES_FULL", "5"))


@pytest.fixture
def wsgi_transport_without_socket_options(monkeypatch):
    """schemathesis 4.32 hands socket options (max_redirects, …) to werkzeug's test client
    when a check re-sends a request in-process; werkzeug refuses them. Drop them, as
    the same transport already does for requests sessions."""
    transport = type(WSGI_TRANSPORT)
    original = transport.send

    def send(self, case, *, session=None, **kwargs):
        for name in ("max_redirects", "verify", "cert", "proxies"):
            kwargs.pop(name, None)
        return original(self, case, session=session, **kwargs)

    monkeypatch.setattr(transport, "send", send)


def test_every_check_on_every_operation_in_process(app, seeded, write_token, wsgi_transport_without_socket_options):
    figures = run_in_process(app, write_token, max_examples=EXAMPLES, seed=20250703)
    print(f"\nschemathesis in-process ({app.config['SQLALCHEMY_DATABASE_URI'].split(':')[0]}): {figures.summary()}")
    assert not figures.errors, "\n".join(figures.errors[:20])
    assert not figures.failures, "\n".join(figures.failures[:20])
    assert len(figures.operations) >= operations_in_contract(), sorted(figures.operations)
    assert figures.cases > 500
    for phase in ("examples", "coverage", "fuzzing", "stateful"):
        assert figures.phases.get(phase) == "success", figures.summary()
