#!/usr/bin/env bash
# Security audit (`make security`):
#   1. bandit -r service -ll   : no finding of medium or high severity in the service's code;
#   2. pip-audit -r requirements.txt --strict : no known vulnerability in the runtime pins.
# Both always run; the script exits non-zero if either fails. pip-audit needs its
# vulnerability service (PyPI's per-release JSON API by default, or OSV with
# PIP_AUDIT_SERVICE=osv): when that cannot be reached the audit did not happen, and
# the script says so and fails. It never passes by skipping.
set -uo pipefail
cd "$(dirname "$0")/.."

BIN="${BIN:-.venv/bin}"
SERVICE="${PIP_AUDIT_SERVICE:-pypi}"
status=0

echo "== bandit -r service -ll"
if "$BIN/bandit" -r service -ll --quiet; then
    echo "bandit: no medium or high findings"
else
    echo "bandit: FAILED (findings above)"
    status=1
fi

echo
echo "== pip-audit -r requirements.txt --strict (vulnerability service: $SERVICE)"
# Ask the vulnerability service about one pinned package first, the way pip-audit
# will, so an unreachable service is named as such instead of as a missing package.
probe=$("$BIN/python" - "$SERVICE" <<'PY'
import json, re, sys, urllib.error, urllib.request

service = sys.argv[1]
name, version = next(
    re.match(r"^([A-Za-z0-9._-]+)==([^\s;#]+)", line).groups()
    for line in open("requirements.txt") if re.match(r"^[A-Za-z0-9._-]+==", line)
)
if service == "osv":
    url = "https://api.osv.dev/v1/query"
    data = json.dumps({"package": {"name": name, "ecosystem": "PyPI"}, "version": version}).encode()
else:
    url, data = f"https://pypi.org/pypi/{name}/{version}/json", None
try:
    with urllib.request.urlopen(urllib.request.Request(url, data=data), timeout=20) as answer:
        print(f"ok: {url} answered {answer.status}")
except urllib.error.HTTPError as error:
    print(f"unreachable: {url} answered HTTP {error.code}")
except OSError as error:
    print(f"unreachable: {url}: {getattr(error, 'reason', error)}")
PY
)
echo "probe: $probe"

if "$BIN/pip-audit" -r requirements.txt --strict --vulnerability-service "$SERVICE" --progress-spinner off; then
    echo "pip-audit: no known vulnerabilities in requirements.txt"
else
    if [[ "$probe" == unreachable* ]]; then
        echo "pip-audit: NOT AUDITED - its vulnerability service ($SERVICE) is not available from this machine"
        echo "           ($probe). The pins were NOT audited; run this where that service is reachable."
    else
        echo "pip-audit: FAILED (vulnerabilities or errors above)"
    fi
    status=1
fi

echo
if [ "$status" -eq 0 ]; then
    echo "security audit: passed"
else
    echo "security audit: FAILED"
fi
exit "$status"
