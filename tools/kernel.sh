#!/bin/bash
# Builds the test kernel: Debian's linux-source with our rust/ laid over the tree's rust/, the
# virtme-ng configuration plus tools/kernel/tipc-rs.config, built with clang so that Rust gets
# KASAN. Incremental: only what changed since the last run is rebuilt.
# Usage: tools/kernel.sh [debug|release]   prints the build directory on its last line
#   debug (the default): the test kernel, with KASAN, lockdep, kmemleak, UBSAN, ...
#   release: the same tree, overlay and configuration with tools/kernel/release.config applied
#            after it, which turns the debugging off: the kernel `make bench` measures on.
# Each flavour has its own build directory (kbuild_dir in tools/lib.sh), built on demand.
source "$(dirname "$0")/lib.sh"

FLAVOUR=${1:-debug}
case $FLAVOUR in
debug) FRAGMENTS=("$TOP/tools/kernel/tipc-rs.config") ;;
release) FRAGMENTS=("$TOP/tools/kernel/tipc-rs.config" "$TOP/tools/kernel/release.config") ;;
*) die "usage: tools/kernel.sh [debug|release]" ;;
esac
KB=$(kbuild_dir "$FLAVOUR")
DEB=$CACHE/dl/${KERNEL_PKG}_${KERNEL_PKG_VERSION}_all.deb
PRISTINE_RUST=$KSRC.rust-pristine

[ -s "$DEB" ] || die "kernel source package missing: run tools/setup.sh first"

extract() {
    [ "$(cat "$KSRC/.tipc-rs-extracted" 2>/dev/null)" = "$KERNEL_PKG_VERSION" ] && return
    log "extracting $KERNEL_PKG $KERNEL_PKG_VERSION into $KSRC"
    local tmp=$KSRC.tmp
    rm -rf "$tmp" "$KSRC" "$PRISTINE_RUST"
    mkdir -p "$tmp"
    dpkg-deb --fsys-tarfile "$DEB" |
        tar -xO "./usr/src/$KERNEL_PKG.tar.xz" | xz -d -T2 | tar -x -C "$tmp"
    mv "$tmp/$KERNEL_PKG" "$KSRC"
    rmdir "$tmp"
    cp -a "$KSRC/rust" "$PRISTINE_RUST"
    echo "$KERNEL_PKG_VERSION" >"$KSRC/.tipc-rs-extracted"
}

# Lays our rust/ over a pristine copy of the tree's rust/, applies the wiring patch, and syncs
# the result into the tree by content, so untouched files keep their timestamps and make
# rebuilds only what changed. Files we stop shipping go back to the pristine version.
overlay() {
    local stage=$CACHE/overlay-stage
    rm -rf "$stage"
    mkdir -p "$stage"
    cp -a "$PRISTINE_RUST" "$stage/rust"
    rsync -r --exclude=kernel-tree.patch "$TOP/rust/" "$stage/rust/"
    patch -s -p1 -d "$stage" <"$TOP/rust/kernel-tree.patch" ||
        die "rust/kernel-tree.patch does not apply to $KERNEL_PKG $KERNEL_PKG_VERSION"
    rsync -rc --delete "$stage/rust/" "$KSRC/rust/"
    rm -rf "$stage"
}

configure() {
    local want
    # For the debug flavour this hashes exactly what it always did (the one fragment), so a
    # cached debug build stays valid.
    want=$(cat "${FRAGMENTS[@]}" <(echo "vng $VIRTME_NG_VERSION llvm $LLVM_VERSION") | sha256sum | cut -c1-16)
    if [ -f "$KB/.config" ] && [ "$(cat "$KB/.tipc-rs-config" 2>/dev/null)" = "$want" ]; then
        return
    fi
    log "configuring the $FLAVOUR kernel in $KB"
    mkdir -p "$KB"
    (cd "$KSRC" && vng --kconfig LLVM="$LLVM" O="$KB" >"$KB/.tipc-rs-kconfig.log" 2>&1) ||
        die "vng --kconfig failed: see $KB/.tipc-rs-kconfig.log"
    cat "${FRAGMENTS[@]}" >>"$KB/.config"
    make -s -C "$KSRC" LLVM="$LLVM" O="$KB" olddefconfig >>"$KB/.tipc-rs-kconfig.log" 2>&1
    # Every option must have stuck; where fragments set a symbol twice, the later one counts,
    # as it does for Kconfig.
    local bad=() line sym val
    local -A wanted=()
    local order=()
    while read -r line; do
        case $line in
        CONFIG_*=*) sym=${line%%=*} val=${line#*=} ;;
        "# CONFIG_"*" is not set") sym=${line#\# } sym=${sym%% *} val=n ;;
        *) continue ;;
        esac
        [ -n "${wanted[$sym]+set}" ] || order+=("$sym")
        wanted[$sym]=$val
    done < <(cat "${FRAGMENTS[@]}")
    for sym in "${order[@]}"; do
        val=${wanted[$sym]}
        if [ "$val" = n ]; then
            grep -q "^$sym=" "$KB/.config" && bad+=("$sym should be off")
        else
            grep -qx "$sym=$val" "$KB/.config" || bad+=("$sym=$val did not stick")
        fi
    done
    [ ${#bad[@]} -eq 0 ] || die "kernel configuration: ${bad[*]}"
    echo "$want" >"$KB/.tipc-rs-config"
}

build() {
    log "building the kernel (incremental) in $KB"
    make -s -C "$KSRC" LLVM="$LLVM" O="$KB" CLIPPY=1 -j"$(nproc)" >"$KB/.tipc-rs-build.log" 2>&1 || {
        tail -40 "$KB/.tipc-rs-build.log" >&2
        die "kernel build failed: see $KB/.tipc-rs-build.log"
    }
    # virtme-ng's module directory, so that modprobe works in the guest.
    (cd "$KB" && virtme-prep-kdir-mods >/dev/null 2>&1) || die "virtme-prep-kdir-mods failed in $KB"
}

extract
overlay
configure
build
log "$FLAVOUR kernel $(cat "$KB/include/config/kernel.release") ready"
echo "$KB"
