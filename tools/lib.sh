# shellcheck shell=bash
# Settings and helpers shared by the tipc-rs scripts. Sourced, never run.
#
# Everything costly (kernel source, kernel build, bindgen, virtme-ng) lives in $TIPC_RS_CACHE,
# keyed on what it depends on, so a second run reuses it.

set -euo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${TIPC_RS_CACHE:-$HOME/.cache/tipc-rs}
mkdir -p "$CACHE"

# Pinned versions. Changing one of these selects a new cache entry.
KERNEL_PKG=linux-source-7.2
KERNEL_PKG_VERSION=7.2.13-1
BINDGEN_VERSION=0.72.1
VIRTME_NG_VERSION=1.42
LLVM_VERSION=22
LLVM=-$LLVM_VERSION

# The extracted source; .tipc-rs-extracted in it names the package version it holds.
KSRC=$CACHE/src/$KERNEL_PKG
BINDGEN_ROOT=$CACHE/bindgen-$BINDGEN_VERSION
VNG_VENV=$CACHE/virtme-ng-$VIRTME_NG_VERSION

export PATH=$BINDGEN_ROOT/bin:$VNG_VENV/bin:$HOME/.cargo/bin:$PATH:/usr/sbin:/sbin

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'tipc-rs: %s\n' "$*" >&2; exit 1; }

# The kernel build directory: one per kernel package version and configuration flavour.
# Changes to rust/, to the configuration or to the compilers rebuild inside it incrementally
# (Kbuild tracks the compiler versions itself).
kbuild_dir() {
    printf '%s/build/%s-%s\n' "$CACHE" "$KERNEL_PKG_VERSION" "${1:-debug}"
}

# Runs a command and prints how long it took, for the stage timings CI prints.
stage() {
    local name=$1 start rc=0
    shift
    start=$(date +%s)
    log "stage $name"
    "$@" || rc=$?
    printf '==> stage %s: %ss (exit %s)\n' "$name" "$(($(date +%s) - start))" "$rc" >&2
    return "$rc"
}
