#!/bin/bash
# The test command: installs what is missing, builds the kernel and tipc.ko (incrementally),
# then runs every test: lints, host tests of the protocol core, a short fuzzing run, tshark's
# verdict on our wire format, the differential selftests (C module, then ours) in one VM
# boot, and a short cluster run (two VMs, ours against C both ways). Prints how long each
# stage took and ends with the line "N passed, N failed, N skipped".
source "$(dirname "$0")/lib.sh"

LOGS=${TIPC_RS_LOGS:-$CACHE/logs}
mkdir -p "$LOGS"
passed=0 failed=0 skipped=0
start_all=$(date +%s)

item() { # item NAME COMMAND...: one pass/fail result, its output kept in $LOGS/NAME.log
    local name=$1
    shift
    if "$@" >"$LOGS/$name.log" 2>&1; then
        passed=$((passed + 1))
        log "ok: $name"
    else
        failed=$((failed + 1))
        log "FAILED: $name (log: $LOGS/$name.log)"
        tail -30 "$LOGS/$name.log" >&2
    fi
}

# Adds the counts of a line "N passed, N failed[, N skipped]" in a log.
add_counts() {
    local line
    line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$1" | tail -1)
    if [ -z "$line" ]; then
        failed=$((failed + 1))
        log "FAILED: no result line in $1"
        return
    fi
    passed=$((passed + $(echo "$line" | sed -E 's/^([0-9]+) passed.*/\1/')))
    failed=$((failed + $(echo "$line" | sed -E 's/.* ([0-9]+) failed.*/\1/')))
    if [[ $line == *skipped* ]]; then
        skipped=$((skipped + $(echo "$line" | sed -E 's/.* ([0-9]+) skipped.*/\1/')))
    fi
}

stage setup "$TOP/tools/setup.sh"
stage kernel "$TOP/tools/kernel.sh" >/dev/null || die "the kernel did not build"
KB=$(kbuild_dir debug)

lint_kernel_rust() {
    # The kernel builds with CLIPPY=1; any warning in a file of our rust/ fails this lint.
    local ours
    ours=$(cd "$TOP/rust" && find . -name '*.rs' -o -name '*.c' | sed 's|^\./|rust/|')
    ! grep -E -A8 "^(warning|error).*" "$KB/.tipc-rs-build.log" | grep -F "$ours"
}

run_lints() {
    item module-build-clippy make -C "$TOP" module
    item kernel-rust-clippy lint_kernel_rust
    item rustfmt rustfmt --check --edition 2021 $(find "$TOP/net" "$TOP/rust" -name '*.rs')
    item host-clippy cargo clippy --manifest-path "$TOP/Cargo.toml" --all-targets -- -D warnings
}
stage lints run_lints

run_host_tests() {
    cargo test --manifest-path "$TOP/Cargo.toml" >"$LOGS/cargo-test.log" 2>&1 || true
    cat "$LOGS/cargo-test.log"
    local counts
    # "test result: ok. 3 passed; 0 failed; ...", once per test binary.
    counts=$(awk '/^test result:/ { p += $4; f += $6; n++ } END { if (n) print p, f }' \
        "$LOGS/cargo-test.log")
    if [ -z "$counts" ]; then
        failed=$((failed + 1))
        log "FAILED: cargo test did not run (log: $LOGS/cargo-test.log)"
        return
    fi
    passed=$((passed + ${counts% *})) failed=$((failed + ${counts#* }))
}
stage host-tests run_host_tests

run_wire_checks() {
    # A short run of every fuzz target (tools/fuzz/run.sh SECONDS runs a longer one), and
    # tshark's TIPC dissector over every message kind we emit and over the captured traffic.
    item fuzz "$TOP/tools/fuzz/run.sh" "${TIPC_RS_FUZZ_SECONDS:-2}"
    item tshark "$TOP/tools/testing/wire/tshark-check.sh"
}
stage wire-checks run_wire_checks

if [ -f "$TOP/net/tipc/tipc.ko" ]; then
    stage selftests "$TOP/tools/vm.sh" -n 1 -m none --cpus 2 --mem 2G -- \
        "$TOP/tools/testing/selftests/net/tipc/run_differential.sh" "$TOP" \
        2>&1 | tee "$LOGS/selftests.log"
    add_counts "$LOGS/selftests.log"
else
    failed=$((failed + 1))
    log "FAILED: no tipc.ko, so no selftests ran"
fi

# Two nodes on the hub, C and ours on either side, a few of the cluster cases: the paths
# between nodes in every run. The whole cluster run (tools/cluster-test.sh: every case, four
# pairings, UDP bearers) takes 40 to 50 minutes and is run by hand.
CLUSTER_CASES=${TIPC_RS_CLUSTER_CASES-link_names_mirror nametable_shows_peer_bindings rdm_to_peer_service seqpacket_to_peer_service stream_to_peer_service multicast_to_members_on_both_nodes group_with_a_member_on_the_peer blocking_sends_wake_after_link_congestion}
if [ -f "$TOP/net/tipc/tipc.ko" ] && [ -n "$CLUSTER_CASES" ]; then
    stage cluster env TIPC_KTAP_ONLY="$CLUSTER_CASES" "$TOP/tools/cluster-test.sh" ours-c c-ours \
        2>&1 | tee "$LOGS/cluster.log"
    add_counts "$LOGS/cluster.log"
fi

log "total: $(($(date +%s) - start_all))s"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
