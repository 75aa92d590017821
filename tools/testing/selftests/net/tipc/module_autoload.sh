#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Autoloading: with no TIPC module loaded, socket(AF_TIPC, ...) loads one through the module
# alias net-pf-30, and a generic netlink lookup of the TIPCv2 family through
# net-pf-16-proto-16-family-TIPCv2.
source "$(dirname "$0")/tipc_ktap.sh"

ktap_print_header
ktap_set_plan 2

loaded() { grep -q '^tipc ' /proc/modules; }
unload() { rmmod tipc_diag 2>/dev/null; rmmod tipc 2>/dev/null; ! loaded; }

if unload; then
    python3 -c 'import socket; socket.socket(socket.AF_TIPC, socket.SOCK_RDM).close()' 2>/dev/null
    ktap_test_result "socket_autoloads_module" loaded
else
    ktap_test_skip "socket_autoloads_module: the module is in use"
fi

if unload; then
    # Any `tipc` command resolves the TIPCv2 family first; what it prints does not matter.
    tipc node get identity >/dev/null 2>&1
    ktap_test_result "genl_family_autoloads_module" loaded
else
    ktap_test_skip "genl_family_autoloads_module: the module is in use"
fi

ktap_finished
