#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The loaded TIPC module as user space sees it: its name in /proc/modules, its protocol in
# /proc/net/protocols, and autoloading on socket(AF_TIPC).
source "$(dirname "$0")/tipc_ktap.sh"

ktap_print_header
ktap_set_plan 3

grep -q '^tipc ' /proc/modules
ktap_test_result "proc_modules_names_tipc" test $? -eq 0

awk '$1 == "TIPC" { found = 1 } END { exit !found }' /proc/net/protocols
ktap_test_result "proc_net_protocols_lists_TIPC" test $? -eq 0

# With the module unloaded, socket(AF_TIPC) must bring it back through its net-pf-30 alias.
# TIPC_MODULE_LOAD (set by the runner) reloads the module under test if autoloading fails.
if rmmod tipc 2>/dev/null; then
    python3 -c 'import socket; socket.socket(socket.AF_TIPC, socket.SOCK_RDM).close()' 2>/dev/null
    grep -q '^tipc ' /proc/modules
    rc=$?
    grep -q '^tipc ' /proc/modules || eval "${TIPC_MODULE_LOAD:-modprobe tipc}"
    ktap_test_result "socket_autoloads_module" test $rc -eq 0
else
    ktap_test_skip "socket_autoloads_module: module in use"
fi

ktap_finished
