#!/usr/bin/env bash
# What the Varnish tests (tests/test_varnish.py) need: Debian's varnish package (varnishd,
# varnishadm). Debian ships no xkey vmod, so the VCL purges with bans on Surrogate-Key.
# Safe to run again: installs only what is missing.
# Usage: scripts/varnish-deps.sh   (.ci/run runs it before `make test`)
set -euo pipefail

if [ "$(dpkg-query -W -f='${Status}' varnish 2>/dev/null)" = "install ok installed" ]; then
    echo "varnish-deps: varnish already installed ($(varnishd -V 2>&1 | head -n 1))"
    exit 0
fi
echo "varnish-deps: installing varnish from Debian"
sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
# The package's service is not wanted: the tests start their own varnishd.
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends varnish >/dev/null
if command -v systemctl >/dev/null && systemctl is-active --quiet varnish 2>/dev/null; then
    "${sudo_cmd[@]}" systemctl disable --now varnish >/dev/null 2>&1 || true
fi
echo "varnish-deps: $(varnishd -V 2>&1 | head -n 1)"
