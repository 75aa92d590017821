#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Builds what a benchmark boots with: the kernel (tools/kernel.sh), our tipc.ko against it
# and tools/bench/tipc-bench.c; prints the path of that tipc.ko.
#
# On the release kernel, ours is built from a copy of its sources (Kbuild and the .rs files,
# copied with their times, so the build is incremental) in ~/.cache/tipc-rs/bench/module/:
# the checkout's net/tipc/tipc.ko stays the one `make` builds for the debug kernel (Kbuild's
# MO= would refuse a checkout that holds that build's objects). On the debug kernel it is
# the checkout's.
# Usage: tools/bench/build.sh release|debug
source "$(dirname "$0")/../lib.sh"

kernel=${1:-release}
BENCH=$CACHE/bench
mkdir -p "$BENCH"

stage setup "$TOP/tools/setup.sh" >&2
stage kernel "$TOP/tools/kernel.sh" "$kernel" >/dev/null || die "the $kernel kernel did not build"
KB=$(kbuild_dir "$kernel")

MODSRC=$BENCH/module
build_module() {
    mkdir -p "$MODSRC/net"
    cp -p "$TOP/Kbuild" "$MODSRC/Kbuild"
    rsync -a --delete --prune-empty-dirs --include='*/' --include=Kbuild --include='*.rs' \
        --exclude='*' "$TOP/net/" "$MODSRC/net/"
    make -C "$KB" M="$MODSRC" LLVM="$LLVM" -j"$(nproc)" modules >"$BENCH/module.log" 2>&1 || {
        tail -30 "$BENCH/module.log" >&2
        return 1
    }
}
if [ "$kernel" = release ]; then
    stage module build_module || die "tipc.ko did not build against the release kernel: see $BENCH/module.log"
    KO=$MODSRC/net/tipc/tipc.ko
else
    stage module make -C "$TOP" module >"$BENCH/module.log" 2>&1 || die "tipc.ko did not build: see $BENCH/module.log"
    KO=$TOP/net/tipc/tipc.ko
fi
[ -f "$KO" ] || die "no $KO after the module build"

CC=${CC:-gcc}
command -v "$CC" >/dev/null || CC=clang-$LLVM_VERSION
stage program "$CC" -O2 -Wall -Wextra -o "$BENCH/tipc-bench" "$TOP/tools/bench/tipc-bench.c" ||
    die "tools/bench/tipc-bench.c did not build"
echo "$KO"
