#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The multi-node differential run, inside one boot of two nodes (tools/cluster-test.sh starts
# it): every cluster test once per module pairing, node 1's module against node 2's:
# C-C (the reference), ours-C, C-ours, ours-ours. Runs on node 1; node 2 runs
# cluster_agent.sh SHARED, which executes what this script asks through files in SHARED.
#
# Per pairing, on both nodes: unload whatever tipc module is loaded, load the pairing's
# module, set the node identity (node1, node2), enable the Ethernet bearer on $TIPC_IF, wait
# for the link (recording how long it took), run cluster.py, unload, check dmesg for splats.
#
# A failure of C-C needs a reason in c_cluster_known_failures; one of a pairing with ours is
# expected while it is listed in ours_cluster_known_failures ("test|pairing: reason" lines):
# then it counts as xfail, and a pass of a listed test as xpass (a pass, flagged, so the list
# can shrink).
#
# Usage: run_cluster.sh SHARED [PAIRING...]   PAIRING: [BEARER:]M1-M2, M1-M2 one of c-c,
# ours-c, c-ours, ours-ours; BEARER one of eth (the default), udp4, udp6, udp-rcast (see
# cluster_node.sh's bearer), e.g. udp4:ours-c. A known failure names the pairing as given.
# Environment: TIPC_CLUSTER_KO (ours, default SHARED/tipc.ko), TIPC_CLUSTER_PCAP (the
# segment's capture, as tools/vm.sh --pcap writes it), TIPC_CLUSTER_IMPAIR (the file the
# hub takes impairments from, tools/vm/hub.py), TIPC_CLUSTER_LINK_TIMEOUT (60 s).
# Last line: "N passed, N failed, N skipped". Exit status 0 when nothing failed.

DIR=$(cd "$(dirname "$0")" && pwd)
SHARED=$(cd "$1" && pwd) || exit 1
shift
pairings=("$@")
[ ${#pairings[@]} -gt 0 ] || pairings=(c-c ours-c c-ours ours-ours)
KO=${TIPC_CLUSTER_KO:-$SHARED/tipc.ko}
PCAP=${TIPC_CLUSTER_PCAP:-}
LINK_TIMEOUT=${TIPC_CLUSTER_LINK_TIMEOUT:-60}
OUT=$SHARED/results
mkdir -p "$OUT"
export TIPC_CLUSTER_SHARED=$SHARED TIPC_CLUSTER_DIR=$DIR
ID1=node1 ID2=node2

CTL=$SHARED/ctl/node2
SERVE=$SHARED/ctl/server

# A FIFO held open for reading and writing never delivers anything: read -t on it is a sleep
# that starts no process (under TCG every program started costs much).
tick=$(mktemp -u /tmp/run-cluster.XXXXXX)
mkfifo "$tick" && exec 9<>"$tick" && rm -f "$tick"
nap() { read -r -t "$1" -u 9 _ || true; }

# peer TIMEOUT SCRIPT: runs SCRIPT on node 2 through its agent (the protocol tipc_cluster.py
# describes, which cluster.py speaks too); prints its output, returns its status, or 255 when
# the agent did not answer within TIMEOUT plus a margin (then it is given up for the run).
peer() {
    local seq=0 base rc line end
    if [ -e "$CTL/dead" ]; then
        echo "node 2's agent is not answering ($(<"$CTL/dead"))"
        return 255
    fi
    [ -e "$CTL/seq" ] && read -r seq <"$CTL/seq"
    seq=$((seq + 1))
    echo "$seq" >"$CTL/seq"
    printf -v base '%s/%06d' "$CTL" "$seq"
    printf '# timeout=%s\n%s\n' "$1" "$2" >"$base.cmd.tmp"
    mv "$base.cmd.tmp" "$base.cmd"
    end=$((SECONDS + $1 + 15))
    while [ ! -e "$base.rc" ]; do
        if [ "$SECONDS" -gt "$end" ]; then
            echo "command $seq ($2) got no answer in $(($1 + 15)) s" >"$CTL/dead"
            echo "node 2's agent is not answering: command $seq ($2) got no answer"
            return 255
        fi
        nap 0.05
    done
    while IFS= read -r line || [ -n "$line" ]; do echo "$line"; done <"$base.out"
    read -r rc <"$base.rc"
    return "$rc"
}

passed=0 failed=0 skipped=0 xfailed=0 xpassed=0
rows=("(load)" "(identity)" "(bearer)" "(link up)")
declare -A result
# Known failures, read once ("test|pairing: reason" lines): a program started costs seconds in
# a starved TCG guest, so the bookkeeping below starts none.
declare -A known
for f in c_cluster_known_failures ours_cluster_known_failures; do
    [ -f "$DIR/$f" ] || continue
    while IFS= read -r line || [ -n "$line" ]; do
        [[ $line =~ ^([^#][^:|]*[|]((eth|udp4|udp6|udp-rcast):)?(c-c|ours-c|c-ours|ours-ours)):\ *(.*)$ ]] || continue
        # C-C's reasons come from c_cluster_known_failures only, the others' from
        # ours_cluster_known_failures only.
        [ "${BASH_REMATCH[4]}" = c-c ] && [ "$f" != c_cluster_known_failures ] && continue
        [ "${BASH_REMATCH[4]}" != c-c ] && [ "$f" = c_cluster_known_failures ] && continue
        known["${BASH_REMATCH[1]}"]=${BASH_REMATCH[5]}
    done <"$DIR/$f"
done
known_reason() { echo "${known["$1|$2"]:-}"; }
note() { # note NAME PAIRING pass|fail|skip
    local status=$3 reason
    [[ " ${rows[*]} " == *" $1 "* ]] || rows+=("$1")
    reason=$(known_reason "$1" "$2")
    if [ -n "$reason" ]; then
        case $status in
        fail) status=xfail; echo "# $1 on $2 fails, as known: $reason" ;;
        pass) status=xpass; echo "# XPASS: $1 on $2 passes; drop it from the known failures ($reason)" ;;
        esac
    fi
    result["$1|$2"]=$status
    case $status in
    pass) passed=$((passed + 1)) ;;
    xpass) passed=$((passed + 1)) xpassed=$((xpassed + 1)) ;;
    xfail) passed=$((passed + 1)) xfailed=$((xfailed + 1)) ;;
    fail) failed=$((failed + 1)) ;;
    skip) skipped=$((skipped + 1)) ;;
    esac
}
ok() { if [ "$1" -eq 0 ]; then echo pass; else echo fail; fi; }

# step_rc NAME OUTPUT: the status the "result NAME RC" line of cluster_node.sh's OUTPUT gives.
step_rc() {
    local line
    while IFS= read -r line; do
        [[ $line =~ ^result\ $1\ ([0-9]+)$ ]] && { echo "${BASH_REMATCH[1]}"; return; }
    done <<<"$2"
    echo 1
}
# field NAME OUTPUT: the value of the "NAME VALUE" line of OUTPUT.
field() {
    local line
    while IFS= read -r line; do
        [[ $line =~ ^$1\ (.*)$ ]] && { echo "${BASH_REMATCH[1]}"; return; }
    done <<<"$2"
}
# prefixed PREFIX TEXT: TEXT with PREFIX before each line.
prefixed() { echo "$1${2//$'\n'/$'\n'$1}"; }

declare -A figures
run_pairing() { # run_pairing [BEARER:]M1-M2
    local p=$1 mods=${1#*:} bearer=eth out1 out2 mark1 mark2 rc1 rc2 pcap_start=24 link='' t step
    [[ $p == *:* ]] && bearer=${p%%:*}
    local m1=${mods%-*} m2=${mods#*-}
    export TIPC_CLUSTER_BEARER=$bearer
    echo "# ---- pairing $p: node 1 runs $m1, node 2 runs $m2, over $bearer ----"
    if { [ "$m1" = ours ] || [ "$m2" = ours ]; } && [ ! -f "$KO" ]; then
        echo "# no $KO: skipping $p"
        for t in "${rows[@]}"; do note "$t" "$p" skip; done
        return
    fi
    [ -n "$PCAP" ] && pcap_start=$(python3 "$DIR/tipc_cluster.py" pcap-end "$PCAP")

    # Node 2 first: its server (python) starts slowly, and may while node 1 sets up.
    out2=$(peer 300 "TIPC_CLUSTER_BEARER=$bearer \$TIPC_CLUSTER_DIR/cluster_node.sh setup $m2 $KO $ID2 $SERVE.$p.json")
    prefixed "node2: " "$out2"
    out1=$("$DIR/cluster_node.sh" setup "$m1" "$KO" "$ID1")
    prefixed "node1: " "$out1"
    mark1=$(field mark "$out1")
    mark2=$(field mark "$out2")
    for step in load identity bearer; do
        rc1=$(step_rc "$step" "$out1")
        rc2=$(step_rc "$step" "$out2")
        note "($step)" "$p" "$(ok $((rc1 || rc2)))"
    done

    if [ "$rc1" -eq 0 ] && [ "$rc2" -eq 0 ]; then
        # Poll node 1's `tipc link list` from the moment both bearers are up.
        local t0=$EPOCHREALTIME end=$((SECONDS + LINK_TIMEOUT))
        while :; do
            t=$(tipc link list 2>&1)
            link=
            while IFS= read -r line; do
                [[ $line =~ ^(.+):\ up$ ]] && [ "${BASH_REMATCH[1]}" != broadcast-link ] && link=${BASH_REMATCH[1]}
            done <<<"$t"
            [ -n "$link" ] || [ "$SECONDS" -ge "$end" ] && break
            nap 0.1
        done
        if [ -n "$link" ]; then
            t=$((${EPOCHREALTIME/./} - ${t0/./}))
            printf -v t '%d.%02d' $((t / 1000000)) $((t % 1000000 / 10000))
            echo "# link $link up $t s after both bearers were enabled"
            figures[$p]="link up in $t s"
            note "(link up)" "$p" pass
        else
            echo "# no link up within $LINK_TIMEOUT s; node 1's tipc link list:"
            echo "#   ${t//$'\n'/$'\n'#   }"
            note "(link up)" "$p" fail
        fi
    else
        echo "# a bearer is missing: no link can come up"
        note "(link up)" "$p" fail
    fi

    echo "# running cluster.py on $p"
    : >"$OUT/$p.metrics"
    (cd "$DIR" && TIPC_CLUSTER_PAIRING=$p TIPC_CLUSTER_ID1=$ID1 TIPC_CLUSTER_ID2=$ID2 \
        TIPC_CLUSTER_IF2=$IF2 TIPC_CLUSTER_LINK=$link TIPC_CLUSTER_PCAP=$PCAP \
        TIPC_CLUSTER_PCAP_START=$pcap_start TIPC_CLUSTER_METRICS=$OUT/$p.metrics \
        timeout 2400 python3 ./cluster.py) >"$OUT/$p.ktap" 2>&1
    local plan='' n=0 line
    while IFS= read -r line || [ -n "$line" ]; do
        echo "  $line"
        [[ $line =~ ^1\.\.([0-9]+)$ ]] && plan=${BASH_REMATCH[1]}
        [[ $line =~ ^(not )?ok\ [0-9]+\ ([^ #]+) ]] || continue
        n=$((n + 1))
        case $line in
        "not ok "*) note "${BASH_REMATCH[2]}" "$p" fail ;;
        *"# SKIP"*) note "${BASH_REMATCH[2]}" "$p" skip ;;
        *) note "${BASH_REMATCH[2]}" "$p" pass ;;
        esac
    done <"$OUT/$p.ktap"
    if [ -z "$plan" ] || [ "$n" -ne "$plan" ]; then
        echo "# cluster.py planned ${plan:-no} cases and reported $n"
        note "(cluster.py)" "$p" fail
    fi

    out2=$(peer 300 "\$TIPC_CLUSTER_DIR/cluster_node.sh teardown ${mark2:-0} $SERVE.$p.json")
    prefixed "node2: " "$out2"
    out1=$("$DIR/cluster_node.sh" teardown "${mark1:-0}")
    prefixed "node1: " "$out1"
    note "(unload)" "$p" "$(ok $(($(step_rc unload "$out1") || $(step_rc unload "$out2"))))"
    note "(dmesg node1)" "$p" "$(ok "$(step_rc dmesg "$out1")")"
    note "(dmesg node2)" "$p" "$(ok "$(step_rc dmesg "$out2")")"
    while IFS= read -r line; do figures[$p]+="; $line"; done <"$OUT/$p.metrics"
}

start=$(date +%s)
echo "# waiting for node 2's agent"
end=$((SECONDS + 300))
until [ -e "$CTL/ready" ] || [ "$SECONDS" -ge "$end" ]; do nap 0.2; done
if ! IF2=$(sed -n 's/^if=//p' "$CTL/ready" 2>/dev/null) || [ -z "$IF2" ]; then
    echo "# node 2's agent did not start in 300 s"
    echo "0 passed, 1 failed, 0 skipped"
    exit 1
fi
echo "# node 1 on $TIPC_IF, node 2 on $IF2"
for p in "${pairings[@]}"; do
    case $p in
    c-c | ours-c | c-ours | ours-ours) run_pairing "$p" ;;
    eth:* | udp4:* | udp6:* | udp-rcast:*)
        case ${p#*:} in
        c-c | ours-c | c-ours | ours-ours) run_pairing "$p" ;;
        *) echo "# unknown pairing $p"; note "(pairing)" "$p" fail ;;
        esac
        ;;
    *) echo "# unknown pairing $p"; note "(pairing)" "$p" fail ;;
    esac
done
touch "$SHARED/ctl/stop"

{
    printf '#\n# %-34s' "test (node 1-node 2)"
    for p in "${pairings[@]}"; do printf ' %-10s' "$p"; done
    printf '\n'
    for t in "${rows[@]}"; do
        printf '# %-34s' "$t"
        for p in "${pairings[@]}"; do printf ' %-10s' "${result["$t|$p"]:--}"; done
        printf '\n'
    done
    echo "#"
    for p in "${pairings[@]}"; do
        [ -n "${figures[$p]:-}" ] && echo "# $p: ${figures[$p]}"
    done
    echo "# $xfailed xfail, $xpassed xpass (counted as passes); $(($(date +%s) - start)) s"
} | tee "$OUT/table.txt"
echo "$passed passed, $failed failed, $skipped skipped" | tee -a "$OUT/table.txt"
[ "$failed" -eq 0 ]
