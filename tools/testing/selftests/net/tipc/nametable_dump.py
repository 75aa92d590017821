#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The name table dump (TIPC_NL_NAME_TABLE_GET) across several buffers when ranges of one type
share a lower bound: overlapping ranges such as {t, 5, 5} and {t, 5, 9}, bound by different
sockets, are each listed once, in table order, however the buffers fall.

The C module fails this: it resumes a dump at the first range with the remembered lower bound
and looks for the remembered publication key there only, so a dump whose buffer filled up in
another range with that lower bound ends there, its last message flagged NLM_F_DUMP_INTR
(see c_known_failures).

Like run_differential.sh, it expects the module loaded on a node without a bearer; by hand:
tools/vm.sh -n 1 -m none -- sh -c 'modprobe tipc && tools/testing/selftests/net/tipc/nametable_dump.py'
"""

from tipc_genl import CLUSTER, NODE, check_table_dump
from tipc_ktap import case, run


@case
def ranges_sharing_a_lower_bound_dump_across_buffers():
    """1200 publications: four sockets each bind 300 ranges; socket n binds {t, l, l + n}, so
    four ranges share each lower bound."""
    t1, t2 = 9101, 9102
    plan = []
    for i in range(300):
        lower = (i * 7919) % 1000
        for n in range(4):
            plan.append((n, t1 if i % 2 else t2, lower, lower + n, NODE if n % 2 else CLUSTER))
    check_table_dump(plan)


if __name__ == "__main__":
    run()
