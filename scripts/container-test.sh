#!/usr/bin/env bash
# Build the production image with podman, run it on loopback, test it over HTTP, and
# stop it the way an orchestrator does (SIGTERM): it must exit 0.
#
#   make container-test      # = scripts/container-base.sh, then this script
#
# Steps: hadolint the Dockerfile; build (scripts/container-build.sh); run the image
# published on 127.0.0.1 only, on a free port; wait (bounded) for its HEALTHCHECK to
# pass; run tests/live against it; check it runs as non-root and that the image is at
# most 250 MB; `podman stop -t 30` (SIGTERM) and check the exit code is 0. The
# container and its anonymous /data volume are removed whatever happens.
set -euo pipefail
cd "$(dirname "$0")/.."

IMAGE="${IMAGE:-localhost/recognition-status:latest}"
NAME="recognition-status-test-$$"
PYTHON_BIN="${PYTHON_BIN:-.venv/bin/python}"
HADOLINT="${HADOLINT:-.venv/bin/hadolint}"
MAX_IMAGE_BYTES=$((250 * 1000 * 1000))   # 250 MB, as podman counts
HEALTH_TIMEOUT="${HEALTH_TIMEOUT:-90}"    # seconds

log() { printf '[container-test] %s\n' "$*"; }

contract_summary="" deliver_check=""
image_mb="?" build_seconds="?" tests_passed="?" exit_code="?" stop_seconds="?" run_uid="?"
cleanup() {
    status=$?
    if podman container exists "$NAME" 2>/dev/null; then
        if [ "$status" -ne 0 ]; then
            log "container logs (last 40 lines):"
            podman logs --tail 40 "$NAME" 2>&1 | sed 's/^/    /' || true
        fi
        podman rm --force --volumes "$NAME" >/dev/null 2>&1 || true
    fi
    echo
    echo "container-test summary"
    echo "  image:            $IMAGE, ${image_mb} MB (limit 250 MB)"
    echo "  build:            ${build_seconds} s"
    echo "  runs as uid:      ${run_uid}"
    echo "  live tests:       ${tests_passed} passed"
    echo "  contract suite:   ${contract_summary:-?}"
    echo "  deliverer:        ${deliver_check:-?}"
    echo "  SIGTERM exit:     ${exit_code} (stopped in ${stop_seconds} s)"
    if [ "$status" -eq 0 ]; then echo "  result:           OK"; else echo "  result:           FAILED ($status)"; fi
    exit "$status"
}
trap cleanup EXIT

fail() { log "FAIL: $*" >&2; exit 1; }

# --- lint ---------------------------------------------------------------------------
"$HADOLINT" --failure-threshold info Dockerfile || fail "hadolint found problems in Dockerfile"
log "hadolint: Dockerfile clean"

# --- build --------------------------------------------------------------------------
started=$(date +%s)
IMAGE="$IMAGE" scripts/container-build.sh
build_seconds=$(($(date +%s) - started))
image_bytes=$(podman image inspect --format '{{.Size}}' "$IMAGE")
image_mb=$((image_bytes / 1000000))
[ "$image_bytes" -le "$MAX_IMAGE_BYTES" ] || fail "image is ${image_mb} MB, over 250 MB"
[ "$(podman image inspect --format '{{.Config.Healthcheck}}' "$IMAGE")" != "<nil>" ] \
    || fail "the image has no HEALTHCHECK (built without --format docker?)"

# --- run on loopback ----------------------------------------------------------------
port=$("$PYTHON_BIN" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# The HEALTHCHECK is run on demand below with `podman healthcheck run`. podman would
# also schedule it with a systemd timer; CI has no systemd, and podman 4.3 then logs
# "unable to get systemd connection" errors that change nothing: those lines are
# filtered out of podman's stderr here (--health-interval=disable alone does not
# silence them in 4.3).
quiet_systemd() { grep -v 'unable to get systemd connection' >&2 || true; }
# WEBHOOK_RESOLVE_NAMES=0: webhook URLs the contract suite tries are never looked up in DNS.
podman run --detach --name "$NAME" --publish "127.0.0.1:${port}:8000" --env WEBHOOK_RESOLVE_NAMES=0 \
    --health-interval=disable "$IMAGE" >/dev/null 2> >(quiet_systemd)
log "started $NAME on 127.0.0.1:${port}"

started=$(date +%s)
until podman healthcheck run "$NAME" >/dev/null 2>&1; do
    [ "$(podman inspect --format '{{.State.Running}}' "$NAME")" = "true" ] || fail "the container exited while starting"
    [ "$(($(date +%s) - started))" -lt "$HEALTH_TIMEOUT" ] || fail "not healthy after ${HEALTH_TIMEOUT} s"
    sleep 1
done
log "healthy (its HEALTHCHECK passes) after $(($(date +%s) - started)) s"

# --- checks -------------------------------------------------------------------------
run_uid=$(podman exec "$NAME" id -u)
[ "$run_uid" != "0" ] || fail "the service runs as root"
log "runs as uid $run_uid"

# A write token made by the image's own CLI: the slow-client probe in tests/live adds
# the long sources it reads slowly, and the contract suite below writes with it.
token=$(podman exec "$NAME" python -m service tokens create --name container-test --scope write 2>/dev/null | tail -n 1)
[ -n "$token" ] || fail "could not make a write token in the container"

report=$(mktemp)
if ! LIVE_BASE_URL="http://127.0.0.1:${port}" LIVE_WRITE_TOKEN="$token" "$PYTHON_BIN" -m pytest tests/live -q -p no:cacheprovider 2>&1 | tee "$report"; then
    rm -f "$report"
    fail "live tests failed"
fi
tests_passed=$(grep -Eo '[0-9]+ passed' "$report" | tail -n 1 | cut -d' ' -f1 || true)
skipped=$(grep -Eo '[0-9]+ skipped' "$report" | tail -n 1 | cut -d' ' -f1 || true)
rm -f "$report"
[ -n "$tests_passed" ] && [ "$tests_passed" -gt 0 ] || fail "no live test ran"
[ -z "$skipped" ] || fail "$skipped live test(s) skipped"

# The image's `deliver` command on the same data: it sends what is due and exits (--once).
# Before the contract suite, which may register subscriptions: no subscription exists
# yet, so nothing is sent anywhere.
podman run --rm --volumes-from "$NAME" --env WEBHOOK_RESOLVE_NAMES=0 "$IMAGE" deliver --once \
        2> >(quiet_systemd) | tail -n 3 || fail "the image's deliver command failed"
deliver_check="deliver --once: exit 0"
log "$deliver_check"

# The full contract suite (every schemathesis check and phase) against the container,
# with the write token made above, as a consumer's CI would run it.
contract_report=$(mktemp)
if ! make --no-print-directory contract URL="http://127.0.0.1:${port}" TOKEN="$token" EXAMPLES=5 \
        >"$contract_report" 2>&1; then
    tail -n 60 "$contract_report"
    rm -f "$contract_report"
    fail "the contract suite failed against the container"
fi
contract_summary=$(grep -E "^ *(Tested: [0-9]+|[0-9]+ generated)" "$contract_report" | sed "s/^ *//" | paste -sd ";" -)
rm -f "$contract_report"
log "contract suite: ${contract_summary}"

# --- SIGTERM ------------------------------------------------------------------------
started=$(date +%s)
podman stop --time 30 "$NAME" >/dev/null 2> >(quiet_systemd)
stop_seconds=$(($(date +%s) - started))
exit_code=$(podman inspect --format '{{.State.ExitCode}}' "$NAME")
[ "$exit_code" = "0" ] || fail "exit code $exit_code after SIGTERM, expected 0"
podman logs "$NAME" 2>&1 | grep -q "Shutting down: Master" || fail "gunicorn did not log a clean shutdown"
log "SIGTERM: gunicorn shut down cleanly, exit code 0, in ${stop_seconds} s"
