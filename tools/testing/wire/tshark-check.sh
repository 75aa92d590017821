#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Writes a pcap of every message kind our emitter makes (an ignored cargo test) and has
# tshark dissect it; fails on any malformed packet or expert warning/error. The captured
# test vectors are dissected the same way, as a control.
# Encrypted frames (encryption header version 7, see net/tipc/proto/wire/ehdr.rs) are left out
# and counted: tshark 4.0 has no dissector for the encryption header and reads them as TIPC
# messages of version 7, malformed. Group protocol messages are left out of what we emit:
# tshark 4.0 reads user 9 as TIPC 1.x routing updates.
# Usage: tshark-check.sh   (needs tshark; run from anywhere in the checkout)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)
command -v tshark >/dev/null || { echo "tshark-check: tshark not installed" >&2; exit 1; }
tmp=$(mktemp -d /tmp/tipc-tshark.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

(cd "$top" && TIPC_WIRE_PCAP="$tmp/kinds.pcap" cargo test -q --lib write_pcap_of_every_kind \
    -- --ignored --exact proto::wire::tests::tshark::write_pcap_of_every_kind >"$tmp/cargo.log" 2>&1) || {
    cat "$tmp/cargo.log" >&2
    exit 1
}

fail=0
check() {
    local pcap=$1 name=$2 frames tipc bad experts
    frames=$(tshark -r "$pcap" -T fields -e frame.number 2>/dev/null | wc -l)
    tipc=$(tshark -r "$pcap" -Y tipc -T fields -e frame.number 2>/dev/null | wc -l)
    bad=$(tshark -r "$pcap" -Y '_ws.malformed || _ws.expert.severity >= "warning"' \
        -T fields -e frame.number 2>/dev/null | wc -l)
    experts=$(tshark -r "$pcap" -q -z expert,warn 2>/dev/null | grep -vE '^(=|$|Running as)' || true)
    echo "$name: $frames frames, $tipc dissected as TIPC, $bad malformed or with warnings"
    if [ "$tipc" -ne "$frames" ] || [ "$bad" -ne 0 ]; then
        echo "$experts"
        tshark -r "$pcap" -Y '_ws.malformed || _ws.expert.severity >= "warning" || !tipc' 2>/dev/null | head -20
        fail=1
    fi
}
check "$tmp/kinds.pcap" "every kind we emit"
for p in "$here"/*.pcap; do
    [ -e "$p" ] || continue
    # Captures hold other frames (IPv6 neighbour discovery): only TIPC frames must dissect.
    enc='eth.type == 0x88ca && frame[14] & 0xe0 == 0xe0'
    encrypted=$(tshark -r "$p" -Y "$enc" -T fields -e frame.number 2>/dev/null | wc -l)
    tshark -r "$p" -Y "tipc && !($enc)" -w "$tmp/tipc-only.pcap" 2>/dev/null
    check "$tmp/tipc-only.pcap" "capture ${p##*/}"
    [ "$encrypted" -eq 0 ] ||
        echo "capture ${p##*/}: $encrypted encrypted frames left out (tshark 4.0 cannot dissect them)"
done
if [ "$fail" -ne 0 ]; then
    echo "tshark-check: FAILED"
    exit 1
fi
echo "tshark-check: ok"
