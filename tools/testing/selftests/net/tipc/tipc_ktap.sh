# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# KTAP output for the shell TIPC selftests, with kselftest's exit codes (0 pass, 1 fail,
# 4 all skipped). Sourced by each test.

KTAP_CASE=0 KTAP_PASS=0 KTAP_FAIL=0 KTAP_SKIP=0

ktap_print_header() { echo "TAP version 13"; }
ktap_set_plan() { echo "1..$1"; }
ktap_test_pass() { KTAP_CASE=$((KTAP_CASE + 1)) KTAP_PASS=$((KTAP_PASS + 1)); echo "ok $KTAP_CASE $1"; }
ktap_test_fail() { KTAP_CASE=$((KTAP_CASE + 1)) KTAP_FAIL=$((KTAP_FAIL + 1)); echo "not ok $KTAP_CASE $1"; }
ktap_test_skip() { KTAP_CASE=$((KTAP_CASE + 1)) KTAP_SKIP=$((KTAP_SKIP + 1)); echo "ok $KTAP_CASE $1 # SKIP"; }

# ktap_test_result NAME COMMAND...: passes NAME when COMMAND succeeds.
ktap_test_result() {
    local name=$1
    shift
    if "$@"; then ktap_test_pass "$name"; else ktap_test_fail "$name"; fi
}

ktap_finished() {
    echo "# Totals: pass:$KTAP_PASS fail:$KTAP_FAIL xfail:0 xpass:0 skip:$KTAP_SKIP error:0"
    [ "$KTAP_FAIL" -eq 0 ] || exit 1
    [ "$KTAP_PASS" -eq 0 ] && [ "$KTAP_SKIP" -gt 0 ] && exit 4
    exit 0
}
