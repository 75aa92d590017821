#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The multi-node differential run, inside one boot of two or three nodes
# (tools/cluster-test.sh starts it): every cluster test once per module pairing, node 1's
# module against node 2's: C-C (the reference), ours-C, C-ours, ours-ours; or, on three
# nodes, once per module triple (c-c-c the reference) with cluster3.py's tests. Runs on node
# 1; each other node runs cluster_agent.sh SHARED, which executes what this script asks
# through files in SHARED.
#
# Per pairing, on every node: unload whatever tipc module is loaded, load the pairing's
# module, set the node identity (node1, node2, node3), enable the bearer, wait for node 1's
# links to every other node (recording how long it took), run cluster.py (cluster3.py for a
# triple), unload, check dmesg for splats.
#
# A failure of C-C needs a reason in c_cluster_known_failures; one of a pairing with ours is
# expected while it is listed in ours_cluster_known_failures ("test|pairing: reason" lines):
# then it counts as xfail, and a pass of a listed test as xpass (a pass, flagged, so the list
# can shrink).
#
# Usage: run_cluster.sh SHARED [PAIRING...]   PAIRING: [BEARER:]M1-M2[-M3], each M c or
# ours (node N runs MN); BEARER one of eth (the default), udp4, udp6, udp-rcast (see
# cluster_node.sh's bearer), e.g. udp4:ours-c or ours-c-c. A triple needs a third node with
# its agent. A known failure names the pairing as given.
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
ID=('' node1 node2 node3) # ID[N]: node N's identity
NIC=('' "$TIPC_IF")     # NIC[N]: node N's interface, as its agent reports it

SERVE=$SHARED/ctl/server

# A FIFO held open for reading and writing never delivers anything: read -t on it is a sleep
# that starts no process (under TCG every program started costs much).
tick=$(mktemp -u /tmp/run-cluster.XXXXXX)
mkfifo "$tick" && exec 9<>"$tick" && rm -f "$tick"
nap() { read -r -t "$1" -u 9 _ || true; }

# peer_on NODE TIMEOUT SCRIPT: runs SCRIPT on node NODE through its agent (the protocol
# tipc_cluster.py describes, which cluster.py speaks too); prints its output, returns its
# status, or 255 when the agent did not answer within TIMEOUT plus a margin (then it is given
# up for the run).
peer_on() {
    local node=$1 ctl=$SHARED/ctl/node$1 seq=0 base rc line end
    shift
    if [ -e "$ctl/dead" ]; then
        echo "node $node's agent is not answering ($(<"$ctl/dead"))"
        return 255
    fi
    [ -e "$ctl/seq" ] && read -r seq <"$ctl/seq"
    seq=$((seq + 1))
    echo "$seq" >"$ctl/seq"
    printf -v base '%s/%06d' "$ctl" "$seq"
    printf '# timeout=%s\n%s\n' "$1" "$2" >"$base.cmd.tmp"
    mv "$base.cmd.tmp" "$base.cmd"
    end=$((SECONDS + $1 + 15))
    while [ ! -e "$base.rc" ]; do
        if [ "$SECONDS" -gt "$end" ]; then
            echo "command $seq ($2) got no answer in $(($1 + 15)) s" >"$ctl/dead"
            echo "node $node's agent is not answering: command $seq ($2) got no answer"
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
# MODS: a pairing's modules, node by node (c-ours, ours-c-c); all C is the reference.
MODS='(c|ours)(-(c|ours)){1,2}'
all_c() { [[ $1 =~ ^c(-c)+$ ]]; }
for f in c_cluster_known_failures ours_cluster_known_failures; do
    [ -f "$DIR/$f" ] || continue
    while IFS= read -r line || [ -n "$line" ]; do
        [[ $line =~ ^([^#][^:|]*[|]((eth|udp4|udp6|udp-rcast):)?($MODS)):\ *(.*)$ ]] || continue
        key=${BASH_REMATCH[1]} reason=${BASH_REMATCH[8]}
        # C's reasons come from c_cluster_known_failures only, the others' from
        # ours_cluster_known_failures only.
        if all_c "${BASH_REMATCH[4]}"; then
            [ "$f" = c_cluster_known_failures ] || continue
        else
            [ "$f" = ours_cluster_known_failures ] || continue
        fi
        known["$key"]=$reason
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

# serve_file NODE PAIRING: where node NODE's services (tipc_cluster.py serve) write their
# addresses for PAIRING (cluster.py and cluster3.py read them).
serve_file() { echo "$SERVE$1.$2.json"; }

declare -A figures
run_pairing() { # run_pairing [BEARER:]M1-M2[-M3]
    local p=$1 mods=${1#*:} bearer=eth pcap_start=24 link='' t step i n rc line
    local -a m out mark
    [[ $p == *:* ]] && bearer=${p%%:*}
    IFS=- read -r -a m <<<"$mods"
    m=('' "${m[@]}") # m[N]: node N's module
    n=$((${#m[@]} - 1))
    export TIPC_CLUSTER_BEARER=$bearer TIPC_CLUSTER_NODES=$n
    echo "# ---- pairing $p: node 1 runs ${m[1]}, node 2 ${m[2]}${m[3]:+, node 3 ${m[3]}}, over $bearer ----"
    if [[ " ${m[*]} " == *" ours "* ]] && [ ! -f "$KO" ]; then
        echo "# no $KO: skipping $p"
        for t in "${rows[@]}"; do note "$t" "$p" skip; done
        return
    fi
    [ -n "$PCAP" ] && pcap_start=$(python3 "$DIR/tipc_cluster.py" pcap-end "$PCAP")

    # The other nodes first: their server (python) starts slowly, and may while node 1 sets up.
    for ((i = 2; i <= n; i++)); do
        out[i]=$(peer_on "$i" 300 "TIPC_CLUSTER_BEARER=$bearer TIPC_CLUSTER_NODES=$n \$TIPC_CLUSTER_DIR/cluster_node.sh setup ${m[i]} $KO ${ID[i]} $(serve_file "$i" "$p")")
        prefixed "node$i: " "${out[i]}"
    done
    out[1]=$("$DIR/cluster_node.sh" setup "${m[1]}" "$KO" "${ID[1]}")
    prefixed "node1: " "${out[1]}"
    for ((i = 1; i <= n; i++)); do mark[i]=$(field mark "${out[i]}"); done
    for step in load identity bearer; do
        rc=0
        for ((i = 1; i <= n; i++)); do rc=$((rc || $(step_rc "$step" "${out[i]}"))); done
        note "($step)" "$p" "$(ok "$rc")"
    done

    if [ "$rc" -eq 0 ]; then
        # Poll node 1's `tipc link list` from the moment every bearer is up, until it has a
        # unicast link up to each other node.
        local t0=$EPOCHREALTIME end=$((SECONDS + LINK_TIMEOUT)) up
        while :; do
            t=$(tipc link list 2>&1)
            up=()
            while IFS= read -r line; do
                [[ $line =~ ^(.+):\ up$ ]] && [ "${BASH_REMATCH[1]}" != broadcast-link ] && up+=("${BASH_REMATCH[1]}")
            done <<<"$t"
            [ "${#up[@]}" -ge $((n - 1)) ] || [ "$SECONDS" -ge "$end" ] && break
            nap 0.1
        done
        if [ "${#up[@]}" -ge $((n - 1)) ]; then
            link=${up[0]}
            t=$((${EPOCHREALTIME/./} - ${t0/./}))
            printf -v t '%d.%02d' $((t / 1000000)) $((t % 1000000 / 10000))
            echo "# links ${up[*]} up $t s after every bearer was enabled"
            figures[$p]="link${up[1]:+s} up in $t s"
            note "(link up)" "$p" pass
        else
            echo "# not $((n - 1)) links up within $LINK_TIMEOUT s; node 1's tipc link list:"
            echo "#   ${t//$'\n'/$'\n'#   }"
            note "(link up)" "$p" fail
        fi
    else
        echo "# a bearer is missing: no link can come up"
        note "(link up)" "$p" fail
    fi

    local tests=cluster.py
    [ "$n" -eq 3 ] && tests=cluster3.py
    echo "# running $tests on $p"
    : >"$OUT/$p.metrics"
    (cd "$DIR" && TIPC_CLUSTER_PAIRING=$p TIPC_CLUSTER_ID1=${ID[1]} TIPC_CLUSTER_ID2=${ID[2]} \
        TIPC_CLUSTER_ID3=${ID[3]} TIPC_CLUSTER_IF2=${NIC[2]} TIPC_CLUSTER_IF3=${NIC[3]:-} \
        TIPC_CLUSTER_LINK=$link TIPC_CLUSTER_PCAP=$PCAP \
        TIPC_CLUSTER_PCAP_START=$pcap_start TIPC_CLUSTER_METRICS=$OUT/$p.metrics \
        timeout 2400 python3 "./$tests") >"$OUT/$p.ktap" 2>&1
    local plan='' k=0
    while IFS= read -r line || [ -n "$line" ]; do
        echo "  $line"
        [[ $line =~ ^1\.\.([0-9]+)$ ]] && plan=${BASH_REMATCH[1]}
        [[ $line =~ ^(not )?ok\ [0-9]+\ ([^ #]+) ]] || continue
        k=$((k + 1))
        case $line in
        "not ok "*) note "${BASH_REMATCH[2]}" "$p" fail ;;
        *"# SKIP"*) note "${BASH_REMATCH[2]}" "$p" skip ;;
        *) note "${BASH_REMATCH[2]}" "$p" pass ;;
        esac
    done <"$OUT/$p.ktap"
    if [ -z "$plan" ] || [ "$k" -ne "$plan" ]; then
        echo "# $tests planned ${plan:-no} cases and reported $k"
        note "($tests)" "$p" fail
    fi

    for ((i = 2; i <= n; i++)); do
        out[i]=$(peer_on "$i" 300 "\$TIPC_CLUSTER_DIR/cluster_node.sh teardown ${mark[i]:-0} $(serve_file "$i" "$p")")
        prefixed "node$i: " "${out[i]}"
    done
    out[1]=$("$DIR/cluster_node.sh" teardown "${mark[1]:-0}")
    prefixed "node1: " "${out[1]}"
    rc=0
    for ((i = 1; i <= n; i++)); do rc=$((rc || $(step_rc unload "${out[i]}"))); done
    note "(unload)" "$p" "$(ok "$rc")"
    for ((i = 1; i <= n; i++)); do note "(dmesg node$i)" "$p" "$(ok "$(step_rc dmesg "${out[i]}")")"; done
    while IFS= read -r line; do figures[$p]+="; $line"; done <"$OUT/$p.metrics"
}

start=$(date +%s)
nodes=2
for p in "${pairings[@]}"; do
    [[ ${p#*:} =~ ^$MODS$ ]] && [[ ${p#*:} == *-*-* ]] && nodes=3
done
for ((i = 2; i <= nodes; i++)); do
    echo "# waiting for node $i's agent"
    end=$((SECONDS + 300))
    until [ -e "$SHARED/ctl/node$i/ready" ] || [ "$SECONDS" -ge "$end" ]; do nap 0.2; done
    if ! NIC[i]=$(sed -n 's/^if=//p' "$SHARED/ctl/node$i/ready" 2>/dev/null) || [ -z "${NIC[i]}" ]; then
        echo "# node $i's agent did not start in 300 s"
        echo "0 passed, 1 failed, 0 skipped"
        exit 1
    fi
    echo "# node $i on ${NIC[i]}"
done
echo "# node 1 on $TIPC_IF"
for p in "${pairings[@]}"; do
    bearer=eth
    [[ $p == *:* ]] && bearer=${p%%:*}
    if [[ $bearer =~ ^(eth|udp4|udp6|udp-rcast)$ ]] && [[ ${p#*:} =~ ^$MODS$ ]]; then
        run_pairing "$p"
    else
        echo "# unknown pairing $p"
        note "(pairing)" "$p" fail
    fi
done
touch "$SHARED/ctl/stop"

{
    printf '#\n# %-34s' "test (node 1-node 2[-node 3])"
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
