#!/usr/bin/env bash
# Build the production image from the Dockerfile with podman (no Docker daemon),
# then print the build time and the image size.
#
#   scripts/container-build.sh            # tags localhost/recognition-status:latest
#   IMAGE=recognition-status:dev scripts/container-build.sh
#
# Needs the base image in podman's store: scripts/container-base.sh makes it.
#
# Certificates: where HTTPS goes through an intercepting proxy, the build's pip must
# trust the proxy's CA, which the host already trusts. The host bundle is copied into
# a throwaway folder mounted read-only over /root for the build steps only, with a
# pip.conf pointing pip at it. Nothing of it lands in a layer: the image is the same
# as one built without it. (Mounting the bundle over /etc/ssl/certs breaks the
# install of Debian's ca-certificates package, hence /root.)
set -euo pipefail
cd "$(dirname "$0")/.."

IMAGE="${IMAGE:-localhost/recognition-status:latest}"
CA_BUNDLE="${BUILD_CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}"

build_args=(--pull=never --format docker --tag "$IMAGE" --file Dockerfile)
# --format docker: the OCI format has no HEALTHCHECK, podman would drop it.

build_home=""
cleanup() { if [ -n "$build_home" ]; then rm -rf "$build_home"; fi; }
trap cleanup EXIT

if [ -s "$CA_BUNDLE" ]; then
    build_home=$(mktemp -d /var/tmp/container-build-home.XXXXXX)
    cp "$CA_BUNDLE" "$build_home/host-ca.crt"
    mkdir -p "$build_home/.config/pip"
    printf '[global]\ncert = /root/host-ca.crt\n' >"$build_home/.config/pip/pip.conf"
    chmod -R a+rX "$build_home"
    build_args+=(--volume "$build_home:/root:ro")
    echo "[container-build] build steps trust the host's CA bundle ($CA_BUNDLE), mounted at /root, not baked in"
fi

started=$(date +%s)
podman build "${build_args[@]}" "$@" .
seconds=$(($(date +%s) - started))

bytes=$(podman image inspect --format '{{.Size}}' "$IMAGE")
echo "[container-build] $IMAGE built in ${seconds} s, $((bytes / 1000000)) MB ($bytes bytes)"
