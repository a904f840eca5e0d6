"""The contract as served: ``/v1/openapi.yaml`` (the committed bytes, unchanged),
``/v1/openapi.json`` (the same document as JSON) and ``/docs``, Swagger UI from the
``flask-swagger-ui`` package's own files, so it works without any network. These
routes are about the document and are not described in it.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib.metadata import version as package_version
from pathlib import Path

import flask_swagger_ui
from flask import Blueprint, Response, abort, current_app, render_template_string, send_from_directory, url_for

from ..http.negotiation import JSON
from ..openapi.document import CONTRACT_FILE, load_yaml

YAML_MIMETYPE = "application/yaml"

blp = Blueprint("contract", __name__)

SWAGGER_UI_DIST = Path(flask_swagger_ui.__file__).resolve().parent / "dist"
SWAGGER_UI_VERSION = package_version("flask-swagger-ui")
ASSET_MAX_AGE = 365 * 24 * 3600  # the URL names the version, so an asset never changes

DOCS_PAGE = """\
<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>{{ title }} {{ version }}: API reference</title>
  <link rel="stylesheet" href="{{ asset('index.css') }}">
  <link rel="stylesheet" href="{{ asset('swagger-ui.css') }}">
  <link rel="icon" type="image/png" sizes="32x32" href="{{ asset('favicon-32x32.png') }}">
  <link rel="icon" type="image/png" sizes="16x16" href="{{ asset('favicon-16x16.png') }}">
</head>
<body>
  <noscript>
    <p>This reference needs JavaScript. The contract itself:
      <a href="{{ url_for('contract.openapi_yaml') }}">openapi.yaml</a>,
      <a href="{{ url_for('contract.openapi_json') }}">openapi.json</a>.</p>
  </noscript>
  <div id="swagger-ui"></div>
  <script src="{{ asset('swagger-ui-bundle.js') }}"></script>
  <script>
    window.ui = SwaggerUIBundle({{ config | tojson }});
  </script>
</body>
</html>
"""


def contract_path() -> Path:
    return Path(current_app.config.get("OPENAPI_CONTRACT_FILE") or CONTRACT_FILE)


@lru_cache(maxsize=4)
def _read_contract(path: str, mtime_ns: int, size: int) -> tuple[bytes, bytes]:
    raw = Path(path).read_bytes()
    as_json = json.dumps(load_yaml(raw), indent=2, ensure_ascii=False) + "\n"
    return raw, as_json.encode("utf-8")


def committed_contract() -> tuple[bytes, bytes]:
    """The committed file's bytes, and the same document as JSON (re-read when the file changes)."""
    path = contract_path()
    stat = path.stat()  # missing file: a 500, logged with its path
    return _read_contract(str(path), stat.st_mtime_ns, stat.st_size)


@blp.get("/v1/openapi.yaml")
def openapi_yaml() -> Response:
    return Response(committed_contract()[0], mimetype=YAML_MIMETYPE)


@blp.get("/v1/openapi.json")
def openapi_json() -> Response:
    return Response(committed_contract()[1], mimetype=JSON)


@blp.get("/docs")
def docs() -> str:
    def asset(filename: str) -> str:
        return url_for("contract.docs_asset", version=SWAGGER_UI_VERSION, filename=filename)

    config = {
        "url": url_for("contract.openapi_json"),
        "dom_id": "#swagger-ui",
        "deepLinking": True,
        "validatorUrl": None,  # the default would ask validator.swagger.io about the document
        "layout": "BaseLayout",
        "defaultModelsExpandDepth": 0,
    }
    return render_template_string(
        DOCS_PAGE,
        title=current_app.config["API_TITLE"],
        version=current_app.config["API_VERSION"],
        asset=asset,
        config=config,
    )


@blp.get("/docs/assets/<version>/<path:filename>")
def docs_asset(version: str, filename: str) -> Response:
    if version != SWAGGER_UI_VERSION:
        abort(404)
    response = send_from_directory(SWAGGER_UI_DIST, filename, max_age=ASSET_MAX_AGE)
    response.cache_control.public = True
    response.cache_control.immutable = True
    return response
