#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The differential run, inside one boot: every test in TEST_PROGS against the kernel's C TIPC
# module, then the same tests against tipc-rs, then a table of test by module. A module must
# also load, unload, leave no kmemleak report and leave dmesg free of any splat. The Rust
# KUnit doctests that ran at boot count in the same totals.
#
# Before the tipc-rs phase, tipc-rs is installed as `make install` does it (under updates/,
# with a depmod override: tools/install-module.sh) into a guest-private copy of the module
# directory, and from then on loaded with `modprobe tipc`, as a user would.
#
# Usage: run_differential.sh TIPC_RS_CHECKOUT [TEST...]
# Last line: "N passed, N failed, N skipped". Exit status 0 when nothing failed.

DIR=$(cd "$(dirname "$0")" && pwd)
TIPC_RS=$(cd "$1" && pwd)
shift
OUT=${TIPC_SELFTEST_OUT:-/tmp/tipc-selftests}
rm -rf "$OUT"
mkdir -p "$OUT"

if [ $# -gt 0 ]; then
    tests=("$@")
else
    read -r -a tests <<<"$(sed -n 's/^TEST_PROGS *[:+]\?= *//p' "$DIR/Makefile" | tr '\n' ' ')"
fi

passed=0 failed=0 skipped=0
declare -A result
note_result() { # note_result NAME MODULE pass|fail|skip|xfail
    result["$1|$2"]=$3
    case $3 in
    pass | xfail) passed=$((passed + 1)) ;;
    fail) failed=$((failed + 1)) ;;
    skip) skipped=$((skipped + 1)) ;;
    esac
}

# Known failures of the C module: "test: reason" lines. A C failure without a reason here is a
# failure of the test.
c_reason() { sed -n "s/^$1: *//p" "$DIR/c_known_failures" 2>/dev/null; }

mountpoint -q /sys/kernel/debug || mount -t debugfs none /sys/kernel/debug
KMEMLEAK=/sys/kernel/debug/kmemleak
[ -w "$KMEMLEAK" ] && echo clear >"$KMEMLEAK"

SPLAT='BUG:|WARNING:|KASAN:|UBSAN:|KFENCE:|Oops|kernel BUG at|general protection fault|possible recursive locking|possible circular locking|inconsistent lock state|suspicious RCU usage|sleeping function called from invalid context|unreferenced object|panicked at|Kernel panic|refcount_t:|list_add corruption|list_del corruption'

# Checks dmesg since the mark for splats; prints them and returns 1 when it finds any.
dmesg_clean_since() {
    local since=$1 log
    # virtme-ng-init's own warnings (about udev, which tools/vm.sh hides) are not the kernel's.
    log=$(dmesg | tail -n +"$((since + 1))" | grep -v 'virtme-ng-init:')
    grep -qE "$SPLAT" <<<"$log" || return 0
    echo "# dmesg shows:"
    grep -E -A 30 "$SPLAT" <<<"$log" | head -80 | sed 's/^/#   /'
    return 1
}

kmemleak_clean() {
    [ -w "$KMEMLEAK" ] || return 0
    # An object is reported once it has stayed unreferenced past kmemleak's minimum age (5 s).
    sleep 6
    echo scan >"$KMEMLEAK"
    local report
    report=$(cat "$KMEMLEAK")
    [ -z "$report" ] && return 0
    echo "# kmemleak:"
    echo "$report" | head -60 | sed 's/^/#   /'
    echo clear >"$KMEMLEAK"
    return 1
}

unload_tipc() {
    grep -q '^tipc ' /proc/modules || return 0
    rmmod tipc_diag 2>/dev/null
    rmmod tipc
}

# Both modules are named tipc; the out-of-tree one taints the kernel with O.
is_ours_loaded() { grep -q O /sys/module/tipc/taint; }

load_module() { # load_module c|ours
    modprobe tipc || return 1
    case $1 in
    c) ! is_ours_loaded ;;
    ours) is_ours_loaded ;;
    esac
}

# Installs tipc-rs as `make install` does, into a copy of the module directory private to this
# guest (the host's is read-only here).
install_ours() {
    local moddir real
    moddir=/lib/modules/$(uname -r)
    if [ -L "$moddir" ]; then
        real=$(readlink -f "$moddir")
        rm "$moddir" && mkdir "$moddir" || return 1
        # Everything but the build and source links, which lead to the whole kernel tree.
        find "$real" -mindepth 1 -maxdepth 1 ! -name build ! -name source \
            -exec cp -rL -t "$moddir" {} + || return 1
    fi
    "$TIPC_RS/tools/install-module.sh" install
}

run_phase() { # run_phase c|ours
    local module=$1 mark t rc reason
    mark=$(dmesg | wc -l)
    echo "# ---- module: $module ----"
    unload_tipc
    if load_module "$module" && grep -q '^tipc ' /proc/modules; then
        note_result "(load)" "$module" pass
    else
        note_result "(load)" "$module" fail
        return
    fi
    for t in "${tests[@]}"; do
        echo "# running $t against $module"
        (cd "$DIR" && timeout "${TIPC_SELFTEST_TIMEOUT:-300}" "./$t") >"$OUT/$module.$t.ktap" 2>&1
        rc=$?
        sed 's/^/  /' "$OUT/$module.$t.ktap"
        grep -q '^tipc ' /proc/modules || load_module "$module"
        case $rc in
        0) note_result "$t" "$module" pass ;;
        4) note_result "$t" "$module" skip ;;
        *)
            reason=$(c_reason "$t")
            if [ "$module" = c ] && [ -n "$reason" ]; then
                echo "# $t fails on the C module, as known: $reason"
                note_result "$t" "$module" xfail
            else
                note_result "$t" "$module" fail
            fi
            ;;
        esac
    done
    if unload_tipc; then note_result "(unload)" "$module" pass; else note_result "(unload)" "$module" fail; fi
    if kmemleak_clean; then note_result "(kmemleak)" "$module" pass; else note_result "(kmemleak)" "$module" fail; fi
    if dmesg_clean_since "$mark"; then note_result "(dmesg)" "$module" pass; else note_result "(dmesg)" "$module" fail; fi
}

# The Rust doctests ran as KUnit suites at boot; their KTAP results are in debugfs.
kunit_results() {
    local suite res n=0
    for suite in /sys/kernel/debug/kunit/rust_doctests_*; do
        [ -r "$suite/results" ] || continue
        res=$(cat "$suite/results")
        while read -r line; do
            case $line in
            "ok "*"# SKIP"*) skipped=$((skipped + 1)) ;;
            "ok "*) passed=$((passed + 1)); n=$((n + 1)) ;;
            "not ok "*) failed=$((failed + 1)); echo "# KUnit ${suite##*/}: $line" ;;
            esac
        done < <(echo "$res" | grep -E '^    (not )?ok ')
    done
    echo "# KUnit: $n Rust doctests passed"
    [ -n "$(ls -d /sys/kernel/debug/kunit/rust_doctests_* 2>/dev/null)" ] || {
        echo "# KUnit: no rust_doctests suite found"
        failed=$((failed + 1))
    }
}

boot_mark=0
if ! dmesg_clean_since "$boot_mark"; then
    echo "# the kernel splatted before any test ran"
    failed=$((failed + 1))
fi
kunit_results
run_phase c
if install_ours >"$OUT/install.log" 2>&1; then
    note_result "(install)" ours pass
else
    sed 's/^/# /' "$OUT/install.log"
    note_result "(install)" ours fail
fi
run_phase ours

printf '#\n# %-28s %-6s %-6s\n' test c ours
for t in "(install)" "(load)" "${tests[@]}" "(unload)" "(kmemleak)" "(dmesg)"; do
    printf '# %-28s %-6s %-6s\n' "$t" "${result["$t|c"]:--}" "${result["$t|ours"]:--}"
done
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
