#!/usr/bin/env bash
# What the headless-browser tests (tests/browser/) need, and nothing else; safe to run again:
#   - Debian's chromium: the browser Playwright drives (Playwright's own browser download
#     is never used: it needs a host this project does not reach);
#   - fonts: DejaVu (Latin, Cyrillic, Arabic, Persian, Pashto) and Noto core (Arabic Naskh
#     and Sans, with Urdu's letters), so Arabic screenshots show letters, not boxes;
#   - axe-core from npm at the version package-lock.json pins (npm ci, as contract-lint.sh does).
# Usage: scripts/browser-deps.sh   (.ci/run runs it before `make test`)
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(chromium fonts-dejavu-core fonts-noto-core)
missing=()
for package in "${packages[@]}"; do
    # dpkg-query answers "install ok installed" only for a fully installed package.
    if [ "$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null)" != "install ok installed" ]; then
        missing+=("$package")
    fi
done
if [ "${#missing[@]}" -gt 0 ]; then
    echo "browser-deps: installing ${missing[*]} from Debian"
    sudo_cmd=()
    [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
    export DEBIAN_FRONTEND=noninteractive
    "${sudo_cmd[@]}" apt-get update -qq
    "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
    echo "browser-deps: ${packages[*]} already installed"
fi

# npm ci empties node_modules first: run it only when the locked axe-core is not there.
export SCARF_ANALYTICS=false
wanted="$(node -p "require('./package-lock.json').packages['node_modules/axe-core'].version")"
have="$(node -p "try { require('./node_modules/axe-core/package.json').version } catch (e) { '' }")"
if [ "$wanted" != "$have" ]; then
    echo "browser-deps: npm ci (axe-core $wanted)"
    npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
else
    echo "browser-deps: axe-core $have already installed"
fi

chromium --version 2>/dev/null | tail -n 1
test -s node_modules/axe-core/axe.min.js
