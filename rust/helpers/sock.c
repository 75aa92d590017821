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

__rust_helper bool rust_helper_sockptr_is_null(sockptr_t sockptr)
{
	return sockptr_is_null(sockptr);
}

__rust_helper int rust_helper_sk_rmem_alloc_get(const struct sock *sk)
{
	return sk_rmem_alloc_get(sk);
}

__rust_helper u32 rust_helper_sock_rcvqueue_len(const struct sock *sk)
{
	return skb_queue_len(&sk->sk_receive_queue);
}
