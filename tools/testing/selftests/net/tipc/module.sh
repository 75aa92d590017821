#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The loaded TIPC module as user space sees it: its name in /proc/modules and its protocol in
# /proc/net/protocols.
source "$(dirname "$0")/tipc_ktap.sh"

ktap_print_header
ktap_set_plan 2

grep -q '^tipc ' /proc/modules
ktap_test_result "proc_modules_names_tipc" test $? -eq 0

awk '$1 == "TIPC" { found = 1 } END { exit !found }' /proc/net/protocols
ktap_test_result "proc_net_protocols_lists_TIPC" test $? -eq 0

ktap_finished
