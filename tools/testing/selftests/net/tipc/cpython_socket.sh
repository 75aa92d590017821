#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# CPython's own TIPC socket tests (Lib/test/test_socket.py: TIPCTest, an RDM round trip to a
# service range, and TIPCThreadableTest, a STREAM connection to it from a thread), run by
# regrtest against whichever TIPC module is loaded. CPython skips them unless /proc/modules has
# a line starting "tipc ", so each case passes only when its test actually ran and passed.
#
# It needs the Debian python3 with its test package (libpython3.11-testsuite); PYTHON
# overrides the interpreter. Importing test_socket alone takes 15-45 s in a TCG guest. By hand:
# tools/vm.sh -n 1 -m none -- \
#     sh -c 'modprobe tipc && tools/testing/selftests/net/tipc/cpython_socket.sh'
source "$(dirname "$0")/tipc_ktap.sh"

PYTHON=${PYTHON:-/usr/bin/python3}
# The TIPC tests of Python 3.11's test_socket: class.method. More may run; none may be missing.
EXPECTED=(TIPCTest.testRDM TIPCThreadableTest.testStream)

ktap_print_header

if ! [ -x "$PYTHON" ]; then
    echo "1..0 # SKIP $PYTHON not found"
    exit 4
fi
if ! err=$("$PYTHON" -c 'import test.support, test.test_socket' 2>&1); then
    echo "$err" | tail -3 | sed 's/^/# /'
    echo "1..0 # SKIP $PYTHON has no test.test_socket (Debian: libpython3-testsuite)"
    exit 4
fi

ktap_set_plan $((${#EXPECTED[@]} + 1))

if ! grep -q '^tipc ' /proc/modules 2>/dev/null; then
    echo "# no line starting 'tipc ' in /proc/modules: CPython will skip its TIPC tests"
fi

# regrtest runs in a temporary directory of its own; -v prints one line per test:
# "testRDM (test.test_socket.TIPCTest.testRDM) ... ok"
out=$(cd /tmp && timeout 120 "$PYTHON" -m test test_socket -m '*TIPC*' -v 2>&1)
rc=$?
echo "$out" | sed 's/^/# /'

# The result word of each TIPC test line; a thread's output can push it to a later line, so
# take the test's own line first and fall back on a bare result line after it.
results=$(echo "$out" | awk '
    match($0, /^test[A-Za-z0-9_]+ \(test\.test_socket\.TIPC[A-Za-z0-9_.]*\) \.\.\. ?/) {
        name = $0
        sub(/^[^(]*\(test\.test_socket\./, "", name)
        sub(/\).*/, "", name)
        rest = substr($0, RSTART + RLENGTH)
        if (rest == "") { pending = name; next }
        split(rest, w, " "); print name, w[1]; pending = ""; next
    }
    pending != "" && /^(ok|skipped|FAIL|ERROR|expected failure|unexpected success)/ {
        split($0, w, " "); print pending, w[1]; pending = ""
    }')

ran=0 ok=0 skipped=0 failed=0 errored=0 other=0
while read -r name word; do
    [ -n "$name" ] || continue
    ran=$((ran + 1))
    case $word in
    ok) ok=$((ok + 1)) ;;
    skipped) skipped=$((skipped + 1)) ;;
    FAIL) failed=$((failed + 1)) ;;
    ERROR) errored=$((errored + 1)) ;;
    *) other=$((other + 1)) ;;
    esac
done <<<"$results"

echo "# TIPC tests: expected ${#EXPECTED[@]}, ran $ran, ok $ok, skipped $skipped," \
    "failed $failed, errors $errored, other $other; regrtest exit $rc"

for t in "${EXPECTED[@]}"; do
    word=$(awk -v t="$t" '$1 == t { print $2 }' <<<"$results")
    if [ "$word" = ok ]; then
        ktap_test_pass "cpython_${t/./_}"
    else
        echo "# $t: ${word:-did not run}"
        ktap_test_fail "cpython_${t/./_}"
    fi
done

# Every TIPC test that ran passed, none was skipped, at least the expected ones ran, and
# regrtest agrees.
[ "$ran" -ge "${#EXPECTED[@]}" ] && [ "$ok" -eq "$ran" ] && [ "$rc" -eq 0 ] &&
    grep -qE "^(Tests )?[Rr]esult: SUCCESS" <<<"$out"
ktap_test_result "cpython_test_socket_tipc_all_ran_and_passed" test $? -eq 0

ktap_finished
