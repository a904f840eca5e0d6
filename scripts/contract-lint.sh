#!/usr/bin/env bash
# Lint the OpenAPI contract: Spectral (rules in .spectral.yaml; any warning fails), Redocly
# CLI's recommended rules (redocly.yaml; any error fails), both pinned in package.json /
# package-lock.json, then openapi-spec-validator (requirements-dev.txt).
# Installs the Node tools with `npm ci` when node_modules is missing or older than the lock.
# Usage: scripts/contract-lint.sh [FILE]   (default: openapi.yaml)   `make lint-contract` runs it.
set -euo pipefail
cd "$(dirname "$0")/.."

contract="${1:-openapi.yaml}"
python="${PYTHON:-.venv/bin/python}"
stamp=node_modules/.contract-lint-lock.sha256
# Spectral depends on @scarf/scarf, whose install script reports the install over the network:
# scripts are not run (--ignore-scripts; allowScripts in package.json), and analytics are off.
export SCARF_ANALYTICS=false
# Redocly CLI reports usage over the network unless told not to (redocly.yaml says so too),
# and announces releases; neither belongs in a lint.
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_NOTIFICATIONS=true

now() { date +%s.%N; }
took() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f s", b - a }'; }

for tool in node npm; do
    command -v "$tool" >/dev/null || { echo "contract-lint: $tool is needed (Node >= 20.17)" >&2; exit 2; }
done
[ -x "$python" ] || { echo "contract-lint: $python not found: run 'make install-dev' first" >&2; exit 2; }

lock_sum="$(cat package.json package-lock.json | sha256sum | cut -d' ' -f1)"
if [ ! -x node_modules/.bin/spectral ] || [ ! -x node_modules/.bin/redocly ] || [ "$(cat "$stamp" 2>/dev/null)" != "$lock_sum" ]; then
    start="$(now)"
    echo "contract-lint: npm ci (node_modules missing or older than package-lock.json)"
    npm ci --no-audit --no-fund --ignore-scripts
    echo "$lock_sum" > "$stamp"
    echo "contract-lint: npm ci took $(took "$start")"
fi

start="$(now)"
echo "contract-lint: spectral $(node_modules/.bin/spectral --version) on $contract"
node_modules/.bin/spectral lint --ruleset .spectral.yaml --fail-severity=warn "$contract"
echo "contract-lint: spectral took $(took "$start")"

start="$(now)"
echo "contract-lint: redocly $(node_modules/.bin/redocly --version) on $contract (recommended rules)"
node_modules/.bin/redocly lint --format stylish "$contract"
echo "contract-lint: redocly took $(took "$start")"

start="$(now)"
"$python" -m openapi_spec_validator "$contract"
echo "contract-lint: openapi-spec-validator took $(took "$start")"
echo "contract-lint: OK"
