#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Records TIPC traffic between two VMs running the kernel's C module and trims it into the test
# vectors that the host test `cargo test captured_frames_round_trip` parses and re-emits byte
# for byte. Each run boots two VMs (2 to 4 minutes under TCG).
#
# Usage: capture.sh [links [OUT.pcap]]
#          traffic.py on node 1 against node 2's kernel (link setup and probing, name
#          distribution, topology server, fragments, bundles): c-two-nodes.pcap
#        capture.sh sockets [OUT-PLAIN.pcap OUT-ENCRYPTED.pcap OUT-DECRYPTED.pcap]
#          conversation.py on both nodes (RDM, multicast, SEQPACKET and STREAM connections,
#          connection acks, returned messages, then encryption with a master key):
#          c-sockets.pcap (before the first encrypted frame), c-encrypted.pcap (from it) and
#          c-decrypted.pcap (the messages inside c-encrypted.pcap's encrypted frames)
# TIPC_CAPTURE_RAW=FILE keeps the untrimmed capture there.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)
mode=${1:-links}
raw=${TIPC_CAPTURE_RAW:-$(mktemp /tmp/tipc-capture.XXXXXX.pcap)}
[ -n "${TIPC_CAPTURE_RAW:-}" ] || trap 'rm -f "$raw"' EXIT
case $mode in
links)
    out=${2:-$here/c-two-nodes.pcap}
    "$top/tools/vm.sh" -n 2 -m c --pcap "$raw" -- python3 "$here/traffic.py"
    python3 "$here/trim.py" "$raw" "$out"
    ;;
sockets)
    plain=${2:-$here/c-sockets.pcap} enc=${3:-$here/c-encrypted.pcap}
    dec=${4:-$here/c-decrypted.pcap}
    "$top/tools/vm.sh" -n 2 -m c --pcap "$raw" \
        --on 2 "python3 $here/conversation.py server" -- python3 "$here/conversation.py" client
    # One whole fragmented message per node keeps the file under 200 KB.
    python3 "$here/trim.py" --until-encrypted --split-data --fragmented 1 "$raw" "$plain"
    python3 "$here/trim.py" --from-encrypted "$raw" "$enc"
    python3 "$here/decrypt.py" "$enc" "$dec"
    ;;
*)
    echo "usage: capture.sh [links [OUT.pcap]] | sockets [OUT-PLAIN.pcap OUT-ENCRYPTED.pcap]" >&2
    exit 2
    ;;
esac
