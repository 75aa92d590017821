#!/bin/bash
# Installs or removes net/tipc/tipc.ko so that `modprobe tipc` prefers it over the in-tree C
# module: the module goes to /lib/modules/RELEASE/updates/net/tipc/, and a depmod override
# names that directory for tipc. tipc.ko answers sock_diag (`ss --tipc`) itself, so the C
# module's tipc_diag, which shares its alias net-pf-16-proto-4-type-30 and needs the C tipc, is
# blacklisted: autoloading by that alias then loads ours alone. Used by `make install`/`make
# uninstall` and by the selftests.
# Usage: install-module.sh install|uninstall [RELEASE]   (RELEASE defaults to uname -r)
# INSTALL_MOD_PATH and DESTDIR stage the install under another root, as for Kbuild.
set -euo pipefail
TOP=$(cd "$(dirname "$0")/.." && pwd)
action=${1:?usage: install-module.sh install|uninstall [RELEASE]}
release=${2:-$(uname -r)}
root=${INSTALL_MOD_PATH:-}
dest=$root/lib/modules/$release/updates/net/tipc
conf=${DESTDIR:-}/etc/depmod.d/tipc-rs.conf
blacklist=${DESTDIR:-}/etc/modprobe.d/tipc-rs.conf

case $action in
install)
    [ -f "$TOP/net/tipc/tipc.ko" ] || { echo "install-module.sh: build tipc.ko first (make)" >&2; exit 1; }
    install -D -m 644 "$TOP/net/tipc/tipc.ko" "$dest/tipc.ko"
    mkdir -p "$(dirname "$conf")"
    echo "override tipc $release updates" >"$conf"
    mkdir -p "$(dirname "$blacklist")"
    echo "blacklist tipc_diag" >"$blacklist"
    ;;
uninstall)
    rm -f "$dest/tipc.ko" "$conf" "$blacklist"
    ;;
*)
    echo "install-module.sh: unknown action $action" >&2
    exit 1
    ;;
esac
depmod ${root:+-b "$root"} "$release"
