// SPDX-License-Identifier: GPL-2.0

#include <net/netns/generic.h>
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

__rust_helper void rust_helper_sock_hold(struct sock *sk)
{
	sock_hold(sk);
}

__rust_helper struct net *rust_helper_sock_net(const struct sock *sk)
{
	return sock_net(sk);
}

__rust_helper int rust_helper_sock_rcvbuf(const struct sock *sk)
{
	return READ_ONCE(sk->sk_rcvbuf);
}

__rust_helper void rust_helper_sock_set_rcvbuf_default(struct sock *sk, int bytes)
{
	WRITE_ONCE(sk->sk_rcvbuf, bytes);
}

__rust_helper long rust_helper_sock_rcvtimeo(const struct sock *sk, bool noblock)
{
	return sock_rcvtimeo(sk, noblock);
}

__rust_helper long rust_helper_sock_sndtimeo(const struct sock *sk, bool noblock)
{
	return sock_sndtimeo(sk, noblock);
}

__rust_helper struct sk_buff_head *rust_helper_sock_receive_queue(struct sock *sk)
{
	return &sk->sk_receive_queue;
}

__rust_helper void rust_helper_skb_set_owner_r(struct sk_buff *skb, struct sock *sk)
{
	skb_set_owner_r(skb, sk);
}

__rust_helper void rust_helper_sock_data_ready(struct sock *sk)
{
	sk->sk_data_ready(sk);
}

__rust_helper void rust_helper_sock_write_space(struct sock *sk)
{
	sk->sk_write_space(sk);
}

__rust_helper void rust_helper_lock_sock(struct sock *sk)
{
	lock_sock(sk);
}

__rust_helper wait_queue_head_t *rust_helper_sk_sleep(struct sock *sk)
{
	return sk_sleep(sk);
}

__rust_helper void rust_helper_init_wait_woken(struct wait_queue_entry *wq_entry)
{
	init_wait_func(wq_entry, woken_wake_function);
}

__rust_helper void rust_helper_sock_poll_wait(struct file *filp, struct socket *sock,
					      poll_table *p)
{
	sock_poll_wait(filp, sock, p);
}

__rust_helper void *rust_helper_net_generic(const struct net *net, unsigned int id)
{
	return net_generic(net, id);
}

__rust_helper u8 rust_helper_sock_get_state(const struct sock *sk)
{
	return READ_ONCE(sk->sk_state);
}

__rust_helper void rust_helper_sock_set_state(struct sock *sk, u8 state)
{
	WRITE_ONCE(sk->sk_state, state);
}

__rust_helper u8 rust_helper_sock_get_shutdown(const struct sock *sk)
{
	return READ_ONCE(sk->sk_shutdown);
}

__rust_helper void rust_helper_sock_set_shutdown(struct sock *sk, u8 mask)
{
	WRITE_ONCE(sk->sk_shutdown, mask);
}

__rust_helper void rust_helper_sock_set_err(struct sock *sk, int err)
{
	WRITE_ONCE(sk->sk_err, err);
}

__rust_helper void rust_helper_sock_state_change(struct sock *sk)
{
	sk->sk_state_change(sk);
}

__rust_helper int rust_helper_sock_error(struct sock *sk)
{
	return sock_error(sk);
}

__rust_helper void rust_helper_sock_drops_inc(struct sock *sk)
{
	sk_drops_inc(sk);
}
