#!/usr/bin/env bash
# Make this machine able to build and run the production image without a Docker
# daemon: podman/buildah from Debian, a containers.conf drop-in, and the base image
# debian:bookworm-slim, built locally with debootstrap when the store lacks it (no
# container registry is reachable from CI). Idempotent: each step is skipped when it
# is already done, so a second run takes a second or two.
#
# Needs root (CI runs as root) for the package install and the drop-in. The install
# keeps apt's recommends, as verified: netavark (podman's network backend) is one.
set -euo pipefail

BASE_IMAGE="${BASE_IMAGE:-docker.io/library/debian:bookworm-slim}"
SUITE=bookworm
MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
SECURITY_MIRROR="${DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}"
PACKAGES=(podman buildah runc debootstrap uidmap fuse-overlayfs slirp4netns)
DROP_IN=/etc/containers/containers.conf.d/10-ci.conf

log() { printf '[container-base] %s\n' "$*"; }

as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null; then
        sudo "$@"
    else
        log "needs root for: $*" >&2
        exit 1
    fi
}

# --- 1. packages --------------------------------------------------------------------
missing=()
for package in "${PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed'; then
        missing+=("$package")
    fi
done
if [ "${#missing[@]}" -gt 0 ]; then
    log "installing ${missing[*]}"
    as_root apt-get update -q
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"
else
    log "packages present: ${PACKAGES[*]}"
fi

# --- 2. containers.conf drop-in -----------------------------------------------------
# runc as the runtime (Debian's default crun is not installed here) and explicit
# ulimits, so containers do not inherit whatever the CI shell happens to have.
drop_in_text='[containers]
default_ulimits = ["nofile=16384:16384", "nproc=16384:16384"]

[engine]
runtime = "runc"'
if [ "$(cat "$DROP_IN" 2>/dev/null || true)" != "$drop_in_text" ]; then
    log "writing $DROP_IN"
    as_root mkdir -p "$(dirname "$DROP_IN")"
    printf '%s\n' "$drop_in_text" | as_root tee "$DROP_IN" >/dev/null
fi

# --- 3. base image --------------------------------------------------------------------
if podman image exists "$BASE_IMAGE"; then
    log "base image present: $BASE_IMAGE"
    exit 0
fi

log "building $BASE_IMAGE with debootstrap (no registry needed)"
started=$(date +%s)
rootfs=$(mktemp -d /var/tmp/debian-rootfs.XXXXXX)
trap 'as_root rm -rf "$rootfs"' EXIT

as_root debootstrap --variant=minbase "$SUITE" "$rootfs" "$MIRROR" >/dev/null

# What the official slim image configures (debuerreotype's minimizing settings), so
# that images built on it stay as small as on the real one.
as_root tee "$rootfs/etc/apt/sources.list" >/dev/null <<EOF
deb $MIRROR $SUITE main
deb $MIRROR $SUITE-updates main
deb $SECURITY_MIRROR $SUITE-security main
EOF
as_root tee "$rootfs/etc/apt/apt.conf.d/docker-clean" >/dev/null <<'EOF'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
EOF
as_root tee "$rootfs/etc/apt/apt.conf.d/docker-autoremove-suggests" >/dev/null <<'EOF'
Apt::AutoRemove::SuggestsImportant "false";
EOF
as_root tee "$rootfs/etc/apt/apt.conf.d/docker-no-languages" >/dev/null <<'EOF'
Acquire::Languages "none";
EOF
as_root tee "$rootfs/etc/dpkg/dpkg.cfg.d/docker-apt-speedup" >/dev/null <<'EOF'
force-unsafe-io
EOF
as_root tee "$rootfs/etc/dpkg/dpkg.cfg.d/docker" >/dev/null <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/lintian/overrides/*
path-exclude /usr/share/locale/*
path-exclude /usr/share/man/*
EOF
# No services start inside image builds.
printf '#!/bin/sh\nexit 101\n' | as_root tee "$rootfs/usr/sbin/policy-rc.d" >/dev/null
as_root chmod 0755 "$rootfs/usr/sbin/policy-rc.d"

# Remove what those settings would have kept out, and the caches.
as_root find "$rootfs/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
as_root find "$rootfs/usr/share/doc" -mindepth 1 -type d -empty -delete
as_root rm -rf "$rootfs/usr/share/man/"* "$rootfs/usr/share/locale/"* "$rootfs/usr/share/info/"* \
    "$rootfs/usr/share/groff/"* "$rootfs/usr/share/lintian/"* "$rootfs/usr/share/linda/"* \
    "$rootfs/var/lib/apt/lists/"* "$rootfs/var/cache/apt/"*.bin "$rootfs/var/cache/apt/archives/"*.deb \
    "$rootfs/var/cache/debconf/"*-old "$rootfs/var/log/"*.log "$rootfs/var/log/apt/"* \
    "$rootfs/tmp/"* "$rootfs/root/.cache"

as_root tar --numeric-owner -C "$rootfs" -c . \
    | podman import --change 'CMD ["bash"]' - "$BASE_IMAGE" >/dev/null
log "base image ready in $(($(date +%s) - started)) s: $(podman image inspect --format '{{.Size}}' "$BASE_IMAGE") bytes"
