# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Sourced by guest.sh and cluster_guest.sh: parse_rounds TIPC_BENCH_OPTION... sets `rounds`
# (--runs, default 5; 3 with --quick), which replace tipc-bench's own runs for TIPC, and
# `opts`, every other option, which goes to every run.
parse_rounds() {
    rounds=5 opts=()
    while [ $# -gt 0 ]; do
        case $1 in
        --runs) rounds=$2; shift 2; continue ;;
        --runs=*) rounds=${1#--runs=} ;;
        --quick) [ "$rounds" = 5 ] && rounds=3; opts+=("$1") ;;
        *) opts+=("$1") ;;
        esac
        shift
    done
}
