"""Security headers on every answer, CORS for configured origins only, tokens hashed at
rest, no server version, and bandit clean (see service/security.py)."""

from __future__ import annotations

import base64
import hashlib
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from service import config
from service.store.database import db as _db
from service.store.tokens import TOKEN_PREFIX, create_token
from tests.support.constants import PROBLEM, PROJECT_ROOT, RECOGNITION
from tests.support.served import request, served

DESK = "https://desk.example.org"
API_CSP = "default-src 'none'; frame-ancestors 'none'"
CORS_HEADERS = (
    "Access-Control-Allow-Origin",
    "Access-Control-Allow-Methods",
    "Access-Control-Allow-Headers",
    "Access-Control-Expose-Headers",
    "Access-Control-Allow-Credentials",
    "Access-Control-Max-Age",
)


def assert_security_headers(response, csp: str = API_CSP) -> None:
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Content-Security-Policy"] == csp
    assert not re.search(r"\d", response.headers.get("Server", "")), "no server version"


def cors_headers(response) -> dict[str, str]:
    return {name: response.headers[name] for name in CORS_HEADERS if name in response.headers}


@pytest.fixture
def cors(app, monkeypatch):
    monkeypatch.setitem(app.config, "CORS_ORIGINS", (DESK, "http://127.0.0.1:3000"))


# --- headers on every answer -------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "headers", "status"),
    [
        ("/healthz", {}, 200),
        ("/v1/governments", {}, 200),
        ("/v1/governments/af-islamic-emirate", {}, 200),
        ("/v1/governments?format=csv", {}, 200),
        ("/v1/openapi.json", {}, 200),
        ("/v1/governments/nobody", {}, 404),
        ("/nowhere", {}, 404),
        ("/v1/governments?contry=RU", {}, 422),
        ("/v1/governments", {"Accept": "text/html"}, 406),
        ("/v1/sources?cursor=bm90LWEtY3Vyc29y", {}, 400),
    ],
)
def test_security_headers_on_every_answer(client, seeded, path, headers, status):
    response = client.get(path, headers=headers)
    assert response.status_code == status
    assert_security_headers(response)


def test_security_headers_on_writes_errors_and_304(client, seeded, editor):
    assert_security_headers(client.post("/v1/sources", json={"x": 1}))  # 401
    assert_security_headers(client.post("/v1/sources", json={"x": 1}, headers=editor))  # 422
    assert_security_headers(client.delete("/healthz"))  # 405
    first = client.get("/v1/governments")
    not_modified = client.get("/v1/governments", headers={"If-None-Match": first.headers["ETag"]})
    assert not_modified.status_code == 304
    assert_security_headers(not_modified)
    created = client.post(
        "/v1/sources", headers=editor, json={"publisher": "AP", "title": "<script>alert(1)</script>", "kind": "news"}
    )
    assert created.status_code == 201
    assert_security_headers(created)


def test_security_headers_on_a_500(app, db, monkeypatch):
    def explode(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)  # as in production
    monkeypatch.setattr(_db.session, "get", explode)
    response = app.test_client().get("/v1/governments/af-islamic-emirate")
    assert response.status_code == 500
    assert response.mimetype == PROBLEM
    assert_security_headers(response)


def test_docs_policy_allows_exactly_the_page(client):
    """Local assets only, the one inline script by hash, no eval, no inline styles."""
    response = client.get("/docs")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    policy = dict(part.strip().split(" ", 1) for part in response.headers["Content-Security-Policy"].split(";"))
    inline = re.findall(r"<script>(.*?)</script>", page, re.DOTALL)
    assert len(inline) == 1
    digest = base64.b64encode(hashlib.sha256(inline[0].encode()).digest()).decode()
    assert policy["script-src"] == f"'self' 'sha256-{digest}'"
    assert policy["default-src"] == "'none'" and policy["style-src"] == "'self'"
    assert policy["connect-src"] == "'self'" and policy["img-src"] == "'self' data:"
    assert policy["frame-ancestors"] == "'none'" and policy["base-uri"] == "'none'"
    assert "unsafe" not in response.headers["Content-Security-Policy"]
    for url in re.findall(r'(?:src|href)="([^"]+)"', page):
        assert url.startswith("/"), f"{url} is not served by this origin"
        assert client.get(url).status_code == 200
    for asset in re.findall(r'(?:src|href)="(/docs/assets/[^"]+)"', page):
        assert_security_headers(client.get(asset))
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_docs_revalidation_keeps_the_policy(client):
    """A 304 replaces the cached page's headers: it must carry the same policy, hash included."""
    first = client.get("/docs")
    again = client.get("/docs", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert again.headers["Content-Security-Policy"] == first.headers["Content-Security-Policy"]


# --- CORS ----------------------------------------------------------------------------------


def test_no_cors_headers_without_configured_origins(app, client, seeded):
    assert not app.config["CORS_ORIGINS"]
    for response in (
        client.get("/v1/governments", headers={"Origin": DESK}),
        client.options("/v1/governments", headers={"Origin": DESK, "Access-Control-Request-Method": "POST"}),
    ):
        assert cors_headers(response) == {}
        assert "Origin" not in response.headers.get("Vary", "")


def test_an_allowed_origin_gets_the_cors_headers(client, seeded, cors):
    response = client.get("/v1/governments", headers={"Origin": DESK})
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == DESK
    exposed = {name.strip() for name in response.headers["Access-Control-Expose-Headers"].split(",")}
    assert {"ETag", "Location", "Link", "X-Request-ID"} <= exposed
    assert {"Accept", "Origin"} <= {v.strip() for v in response.headers["Vary"].split(",")}
    assert "Access-Control-Allow-Credentials" not in response.headers, "tokens are headers, never cookies"
    # Errors too, so the page can read the problem.
    refused = client.post("/v1/sources", json={}, headers={"Origin": DESK})
    assert refused.status_code == 401
    assert refused.headers["Access-Control-Allow-Origin"] == DESK


@pytest.mark.parametrize(
    "origin",
    [
        "https://evil.example",
        "null",
        "https://desk.example.org.evil.example",
        "http://desk.example.org",
        "https://desk.example.org:8443",
        "https://DESK.example.org",
        "https://desk.example.org/",
        "*",
        "",
    ],
)
def test_a_foreign_origin_gets_no_cors_headers(client, seeded, cors, origin):
    response = client.get("/v1/governments", headers={"Origin": origin})
    assert response.status_code == 200
    assert cors_headers(response) == {}
    assert "Origin" in response.headers["Vary"], "caches keep answers per origin"
    preflight = client.options("/v1/governments", headers={"Origin": origin, "Access-Control-Request-Method": "POST"})
    assert cors_headers(preflight) == {}


def test_preflight_from_an_allowed_origin(client, seeded, cors):
    response = client.options(
        RECOGNITION,
        headers={
            "Origin": "http://127.0.0.1:3000",
            "Access-Control-Request-Method": "PATCH",
            "Access-Control-Request-Headers": "authorization, if-match, content-type, x-change-reason",
        },
    )
    assert response.status_code == 204
    assert response.get_data() == b""
    assert response.headers["Access-Control-Allow-Origin"] == "http://127.0.0.1:3000"
    methods = {m.strip() for m in response.headers["Access-Control-Allow-Methods"].split(",")}
    assert {"GET", "POST", "PATCH", "DELETE"} <= methods
    allowed = {h.strip().lower() for h in response.headers["Access-Control-Allow-Headers"].split(",")}
    assert {"authorization", "if-match", "if-none-match", "x-change-reason", "content-type"} <= allowed
    assert int(response.headers["Access-Control-Max-Age"]) > 0
    assert "Origin" in response.headers["Vary"]
    assert_security_headers(response)


def test_preflight_to_an_unknown_path_is_a_404(client, cors):
    response = client.options("/v1/nothing", headers={"Origin": DESK, "Access-Control-Request-Method": "GET"})
    assert response.status_code == 404
    assert response.mimetype == PROBLEM


def test_a_plain_options_request_is_not_a_preflight(client, cors):
    response = client.options("/v1/governments", headers={"Origin": DESK})
    assert response.status_code == 200
    assert "GET" in response.headers["Allow"]
    assert "Access-Control-Allow-Methods" not in response.headers


def test_cors_origins_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("CORS_ORIGINS", f" {DESK}, http://127.0.0.1:3000 ,,")
    assert config.from_environment()["CORS_ORIGINS"] == (DESK, "http://127.0.0.1:3000")
    monkeypatch.setenv("CORS_ORIGINS", "")
    assert config.from_environment()["CORS_ORIGINS"] == ()
    monkeypatch.delenv("CORS_ORIGINS")
    assert config.from_environment()["CORS_ORIGINS"] == ()


# --- secrets ---------------------------------------------------------------------------------


def test_tokens_are_hashed_at_rest(db):
    """Read the table as the database has it: no column holds a token or its secret part."""
    tokens = [create_token("desk-editor", "write"), create_token("widget", "read")]
    rows = db.session.execute(text("SELECT * FROM api_tokens")).mappings().all()
    assert len(rows) == 2
    stored = " ".join(str(value) for row in rows for value in row.values())
    for token in tokens:
        assert token not in stored
        assert token[len(TOKEN_PREFIX) :] not in stored
        assert hashlib.sha256(token.encode()).hexdigest() in {row["token_hash"] for row in rows}


# --- how it is served -------------------------------------------------------------------------


def test_the_service_is_never_served_by_the_werkzeug_dev_server():
    """Werkzeug's dev server announces itself with its version; only gunicorn serves."""
    sources = [
        *PROJECT_ROOT.joinpath("service").rglob("*.py"),
        PROJECT_ROOT / "docker-entrypoint.sh",
        PROJECT_ROOT / "Dockerfile",
    ]
    for path in sources:
        content = path.read_text()
        assert "run_simple" not in content and "app.run(" not in content and "flask run" not in content, path
    assert "gunicorn" in (PROJECT_ROOT / "docker-entrypoint.sh").read_text()
    run_recipe = (PROJECT_ROOT / "Makefile").read_text().split("\nrun:", 1)[1].split("\n\n", 1)[0]
    assert "gunicorn" in run_recipe


def test_headers_and_cors_over_gunicorn(tmp_path):
    """Over real HTTP: gunicorn's Server header has no version; the headers and CORS arrive."""
    with served(
        f"sqlite:///{tmp_path / 'served.sqlite3'}", tmp_path / "gunicorn.log", WEB_CONCURRENCY="1", CORS_ORIGINS=DESK
    ) as running:
        answer = request("GET", f"{running.base_url}/v1/governments", headers={"Origin": DESK})
        assert answer.status == 200
        headers = {name.lower(): value for name, value in answer.headers.items()}
        assert headers["server"] == "gunicorn"
        assert headers["x-content-type-options"] == "nosniff" and headers["referrer-policy"] == "no-referrer"
        assert headers["access-control-allow-origin"] == DESK
        preflight = request(
            "OPTIONS",
            f"{running.base_url}{RECOGNITION}",
            headers={
                "Origin": DESK,
                "Access-Control-Request-Method": "DELETE",
                "Access-Control-Request-Headers": "authorization, if-match",
            },
        )
        assert preflight.status == 204
        assert preflight.headers["Access-Control-Allow-Origin"] == DESK
        foreign = request("GET", f"{running.base_url}/healthz", headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in {name.lower() for name in foreign.headers}
        missing = request("GET", f"{running.base_url}/nowhere")
        assert missing.status == 404 and not re.search(r"\d", missing.headers.get("Server", ""))
    assert running.process.returncode == 0


# --- static analysis ----------------------------------------------------------------------------


def test_bandit_finds_nothing_of_medium_or_high_severity():
    """The same check as scripts/security-audit.sh (whose pip-audit half needs the network)."""
    bandit = shutil.which("bandit", path=str(Path(sys.executable).parent))
    if bandit is None:
        pytest.fail("bandit is pinned in requirements-dev.txt: install it (make install-dev)")
    done = subprocess.run(
        [bandit, "-r", "service", "-ll", "--quiet"], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
