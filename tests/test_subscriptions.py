"""Webhook subscriptions over HTTP: write scope, the secret shown once, SSRF refusals, pause and delete."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from service.store.models import OutboxAttempt, OutboxMessage, Subscription
from tests.support.constants import CNN, GOVERNMENT

SUBSCRIPTIONS = "/v1/subscriptions"


@pytest.fixture
def development(app):
    """Development mode for one test: http to loopback is allowed."""
    app.config["WEBHOOK_ALLOW_PRIVATE"] = True
    yield
    app.config["WEBHOOK_ALLOW_PRIVATE"] = False


@pytest.fixture
def resolver(app):
    """Names resolve from this table only: the tests never ask a real DNS server."""
    table: dict[str, list[str]] = {}
    app.config["WEBHOOK_RESOLVER"] = lambda host, port: (
        table.get(host) or (_ for _ in ()).throw(OSError("not in the test's table"))
    )
    yield table
    app.config.pop("WEBHOOK_RESOLVER")


def subscribe(client, editor, **body):
    return client.post(SUBSCRIPTIONS, json={"url": "https://93.184.215.14/hook", **body}, headers=editor)


def test_subscribing_needs_a_write_token(client, seeded, read_token):
    assert client.post(SUBSCRIPTIONS, json={"url": "https://93.184.215.14/h"}).status_code == 401
    read = {"Authorization": f"Bearer {read_token}"}
    assert client.post(SUBSCRIPTIONS, json={"url": "https://93.184.215.14/h"}, headers=read).status_code == 403
    assert client.get(SUBSCRIPTIONS, headers=read).status_code == 403
    assert client.get(SUBSCRIPTIONS).status_code == 401


def test_the_secret_is_shown_once(client, seeded, editor):
    response = subscribe(client, editor, government=GOVERNMENT, countries=["rus", "CN"], categories=["recognized"])
    assert response.status_code == 201, response.json
    created = response.json
    assert created["secret"].startswith("whsec_") and len(created["secret"]) > 40
    assert created["countries"] == ["CN", "RU"] and created["state"] == "active"
    assert response.headers["Location"].endswith(f"/v1/subscriptions/{created['id']}")
    listed = client.get(SUBSCRIPTIONS, headers=editor)
    one = client.get(response.headers["Location"], headers=editor)
    assert "secret" not in listed.json["items"][0] and "secret" not in one.json
    assert created["secret"] not in listed.get_data(as_text=True) + one.get_data(as_text=True)


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("ftp://93.184.215.14/hook", "https"),
        ("http://93.184.215.14/hook", "https"),
        ("https://127.0.0.1/hook", "loopback"),
        ("https://10.1.2.3/hook", "private"),
        ("https://192.168.0.1/hook", "private"),
        ("https://169.254.169.254/latest/meta-data", "link-local"),
        ("https://224.0.0.1/hook", "multicast"),
        ("https://0.0.0.0/hook", "unspecified"),
        ("https://240.0.0.1/hook", "reserved"),
        ("https://100.64.0.1/hook", "shared"),
        ("https://[::1]/hook", "loopback"),
        ("https://[fe80::1]/hook", "link-local"),
        ("https://[::ffff:10.0.0.1]/hook", "private"),
        ("https://192.0.0.8/hook", "192.0.0.0/24"),
        ("https://198.18.0.1/hook", "198.18.0.0/15"),
        ("https://239.255.255.250/hook", "multicast"),
        ("https://[fd00::1]/hook", "unique local"),
        ("https://[2002:a00:1::]/hook", "embedding 10.0.0.1"),
        ("https://[64:ff9b::7f00:1]/hook", "embedding 127.0.0.1"),
        ("https://[::ffff:192.0.0.8]/hook", "embedding 192.0.0.8"),
        ("javascript:alert(1)", "https"),
        ("file:///etc/passwd", "https"),
        ("https://user:pw@93.184.215.14/hook", "password"),
        ("https://internal.test/hook", "10.9.8.7"),
        ("https://nowhere.test/hook", "does not resolve"),
    ],
)
def test_urls_that_would_reach_internal_hosts_are_422_and_nothing_is_sent(client, seeded, editor, resolver, url, why):
    resolver["internal.test"] = ["93.184.215.15", "10.9.8.7"]  # one bad address is enough to refuse
    response = subscribe(client, editor, url=url)
    assert response.status_code == 422, response.json
    assert why in response.json["detail"] and "url" in response.json["errors"]
    assert response.headers["Content-Type"] == "application/problem+json"
    if why not in ("password", "does not resolve"):
        assert "use an https:// URL" in response.json["detail"] or "give a URL whose host" in response.json["detail"]
    assert seeded.session.scalar(select(func.count()).select_from(Subscription)) == 0
    assert seeded.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
    assert seeded.session.scalar(select(func.count()).select_from(OutboxAttempt)) == 0


def test_development_mode_allows_http_to_loopback_only(client, seeded, editor, development, resolver):
    resolver["receiver.test"] = ["127.0.0.1"]
    assert subscribe(client, editor, url="http://127.0.0.1:9/hook").status_code == 201
    assert subscribe(client, editor, url="http://receiver.test:9/hook").status_code == 201
    assert subscribe(client, editor, url="http://93.184.215.14/hook").status_code == 422


def test_bad_bodies_are_422(client, seeded, editor):
    assert subscribe(client, editor, government="nobody").status_code == 422
    assert subscribe(client, editor, categories=["friendly"]).status_code == 422
    assert subscribe(client, editor, countries=["XX"]).status_code == 422
    assert subscribe(client, editor, colour="red").status_code == 422


def test_matching_transitions_are_queued_for_the_subscriptions_that_want_them(client, seeded, editor):
    everything = subscribe(client, editor).json["id"]
    russia_recognized = subscribe(client, editor, countries=["RU"], categories=["recognized"]).json["id"]
    other_government = subscribe(client, editor, government=GOVERNMENT, countries=["CN"]).json["id"]
    body = {"government": GOVERNMENT, "country": "CN", "form": "de_jure", "start": "2025-08-01", "sources": [CNN]}
    assert client.post("/v1/recognitions", json=body, headers=editor).status_code == 201
    queued = seeded.session.execute(select(OutboxMessage.target, OutboxMessage.payload)).all()
    assert sorted(target for target, _payload in queued) == sorted([everything, other_government])
    assert {payload["country"] for _target, payload in queued} == {"CN"}
    assert russia_recognized not in {target for target, _payload in queued}


def test_pause_resume_and_delete_need_the_current_etag(client, seeded, editor):
    created = subscribe(client, editor)
    location = created.headers["Location"]
    assert client.delete(location, headers=editor).status_code == 428
    paused = client.patch(location, json={"state": "paused"}, headers={**editor, "If-Match": created.headers["ETag"]})
    assert paused.status_code == 200 and paused.json["state"] == "paused" and paused.json["paused_reason"]
    assert client.patch(location, json={"state": "active"}, headers={**editor, "If-Match": '"v1"'}).status_code == 412
    resumed = client.patch(location, json={"state": "active"}, headers={**editor, "If-Match": paused.headers["ETag"]})
    assert resumed.json["state"] == "active" and resumed.json["paused_reason"] is None
    assert client.delete(location, headers={**editor, "If-Match": resumed.headers["ETag"]}).status_code == 204
    assert client.get(location, headers=editor).status_code == 404
    assert client.get(f"{location}/deliveries", headers=editor).status_code == 404
