#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Records TIPC traffic between two VMs running the kernel's C module (traffic.py on node 1)
# and trims it into the test vector c-two-nodes.pcap that the host test
# `cargo test captured_frames_round_trip` parses and re-emits byte for byte.
# Boots two VMs (about 3 minutes under TCG). Usage: capture.sh [OUT.pcap]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)
out=${1:-$here/c-two-nodes.pcap}
raw=$(mktemp /tmp/tipc-capture.XXXXXX.pcap)
trap 'rm -f "$raw"' EXIT
"$top/tools/vm.sh" -n 2 -m c --pcap "$raw" -- python3 "$here/traffic.py"
python3 "$here/trim.py" "$raw" "$out"
