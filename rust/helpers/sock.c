// SPDX-License-Identifier: GPL-2.0

#include <net/sock.h>

__rust_helper void rust_helper_sock_orphan(struct sock *sk)
{
	sock_orphan(sk);
}

__rust_helper void rust_helper_sock_put(struct sock *sk)
{
	sock_put(sk);
}
