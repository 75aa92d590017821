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

__rust_helper int rust_helper_copy_from_sockptr(void *dst, sockptr_t src, size_t size)
{
	return copy_from_sockptr(dst, src, size);
}

/* Rust never uses the generated layout of `struct sock` (see `rust/kernel/net/socket.rs`). */
__rust_helper void rust_helper_sock_set_destruct(struct sock *sk,
						 void (*destruct)(struct sock *sk))
{
	sk->sk_destruct = destruct;
}
