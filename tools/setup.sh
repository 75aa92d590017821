#!/bin/bash
# Installs the toolchain that builds the test kernel and tipc.ko and runs the VMs.
# Idempotent: what is present at the pinned version is left alone.
source "$(dirname "$0")/lib.sh"

[ "$(id -u)" = 0 ] || die "run as root: the setup installs Debian packages"
command -v apt-get >/dev/null || die "needs a Debian system with apt-get"
command -v rustup >/dev/null || die "needs rustup's stable Rust toolchain (see README.md)"

# Debian packages from the system's own suites (bookworm and bookworm-security).
SYSTEM_PKGS=(
    "clang-$LLVM_VERSION" "lld-$LLVM_VERSION" "llvm-$LLVM_VERSION" "libclang-$LLVM_VERSION-dev"
    make flex bison bc cpio rsync kmod libelf-dev libssl-dev dwarves zstd xz-utils patch
    udev iproute2 tshark python3 python3-venv libpython3.11-testsuite
    gcc gnuplot-nox # make bench: tools/bench/tipc-bench.c and its latency plot
)
# From bookworm-backports, through a private sources list: virtme-ng wants a recent QEMU.
BACKPORTS_PKGS=(qemu-system-x86)

missing=()
for p in "${SYSTEM_PKGS[@]}"; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    log "installing Debian packages: ${missing[*]}"
    apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" \
        >"$CACHE/apt-install.log" 2>&1 || die "apt-get install failed: see $CACHE/apt-install.log"
fi

apt_private() {
    # apt with a private sources list and state under $CACHE/apt-$1; the system's apt
    # configuration is never touched.
    local name=$1 dir=$CACHE/apt-$1
    shift
    mkdir -p "$dir/lists/partial"
    apt-get -o Dir::Etc::sourcelist="$dir/sources.list" -o Dir::Etc::sourceparts=- \
        -o Dir::State::Lists="$dir/lists" -o APT::Sandbox::User=root "$@"
}

write_sources() {
    local dir=$CACHE/apt-$1
    shift
    mkdir -p "$dir"
    printf '%s\n' "$@" >"$dir/sources.list"
}

KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
MIRROR=http://deb.debian.org/debian
if ! dpkg -s "${BACKPORTS_PKGS[@]}" >/dev/null 2>&1; then
    log "installing ${BACKPORTS_PKGS[*]} from bookworm-backports"
    write_sources bpo \
        "deb [signed-by=$KEYRING] $MIRROR bookworm main" \
        "deb [signed-by=$KEYRING] $MIRROR bookworm-updates main" \
        "deb [signed-by=$KEYRING] http://deb.debian.org/debian-security bookworm-security main" \
        "deb [signed-by=$KEYRING] $MIRROR bookworm-backports main"
    apt_private bpo update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive apt_private bpo install -y -q --no-install-recommends \
        -t bookworm-backports "${BACKPORTS_PKGS[@]}" >"$CACHE/apt-bpo.log" 2>&1 ||
        die "installing QEMU from bookworm-backports failed: see $CACHE/apt-bpo.log"
fi

# The kernel source package, from sid (trixie-backports stops before our pinned version).
DEB=$CACHE/dl/${KERNEL_PKG}_${KERNEL_PKG_VERSION}_all.deb
if [ ! -s "$DEB" ]; then
    log "downloading $KERNEL_PKG $KERNEL_PKG_VERSION from sid"
    write_sources sid "deb [signed-by=$KEYRING] $MIRROR sid main"
    apt_private sid update -q >/dev/null
    mkdir -p "$CACHE/dl"
    (cd "$CACHE/dl" && apt_private sid download -q "$KERNEL_PKG=$KERNEL_PKG_VERSION" >/dev/null) ||
        die "could not download $KERNEL_PKG=$KERNEL_PKG_VERSION from Debian sid"
fi

rustup component list --installed 2>/dev/null | grep -q '^rust-src' || {
    log "adding rust-src to the Rust toolchain"
    rustup component add rust-src >/dev/null
}

if [ "$("$BINDGEN_ROOT/bin/bindgen" --version 2>/dev/null)" != "bindgen $BINDGEN_VERSION" ]; then
    log "installing bindgen-cli $BINDGEN_VERSION"
    cargo install --locked --quiet --root "$BINDGEN_ROOT" "bindgen-cli@$BINDGEN_VERSION"
fi

if [ "$("$VNG_VENV/bin/vng" --version 2>/dev/null)" != "virtme-ng $VIRTME_NG_VERSION" ]; then
    log "installing virtme-ng $VIRTME_NG_VERSION"
    python3 -m venv "$VNG_VENV"
    "$VNG_VENV/bin/pip" install -q "virtme-ng==$VIRTME_NG_VERSION"
fi

log "toolchain ready: $(rustc --version), bindgen $BINDGEN_VERSION, clang $(clang-$LLVM_VERSION --version | sed -n 's/.*version \([^ ]*\).*/\1/p;q'), $(qemu-system-x86_64 --version | head -1)"
