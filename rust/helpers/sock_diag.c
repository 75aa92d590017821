// SPDX-License-Identifier: GPL-2.0

#include <linux/sock_diag.h>
#include <net/netlink.h>

/* The namespace's sock_diag socket, which a request in `skb` came in on. */
__rust_helper struct sock *rust_helper_sock_diag_nlsk(const struct sk_buff *skb)
{
	return sock_net(skb->sk)->diag_nlsk;
}

/* The namespace of a dump's requester: its request came in on the namespace's socket. */
__rust_helper struct net *rust_helper_sock_diag_dump_net(const struct netlink_callback *cb)
{
	return sock_net(cb->skb->sk);
}

__rust_helper struct nlmsghdr *rust_helper_nlmsg_put_answer(struct sk_buff *skb,
							    struct netlink_callback *cb,
							    int type, int payload, int flags)
{
	return nlmsg_put_answer(skb, cb, type, payload, flags);
}

__rust_helper void rust_helper_nlmsg_end(struct sk_buff *skb, struct nlmsghdr *nlh)
{
	nlmsg_end(skb, nlh);
}

__rust_helper void rust_helper_nlmsg_cancel(struct sk_buff *skb, struct nlmsghdr *nlh)
{
	nlmsg_cancel(skb, nlh);
}

__rust_helper u16 rust_helper_sock_diag_sk_type(const struct sock *sk)
{
	return sk->sk_type;
}

__rust_helper u64 rust_helper_sock_i_ino(const struct sock *sk)
{
	return sock_i_ino(sk);
}

/* The owner of `sk` as the user namespace of the dump's requester sees it. */
__rust_helper u32 rust_helper_sock_diag_uid(const struct sock *sk,
					    const struct netlink_callback *cb)
{
	return from_kuid_munged(sk_user_ns(NETLINK_CB(cb->skb).sk), sk_uid(sk));
}

/* The socket's cookie, through the generator's export for modules. */
__rust_helper u64 rust_helper_sock_diag_cookie(struct sock *sk)
{
	u32 cookie[2];

	sock_diag_save_cookie(sk, cookie);
	return (u64)cookie[1] << 32 | cookie[0];
}

__rust_helper int rust_helper_sk_drops_read(const struct sock *sk)
{
	return sk_drops_read(sk);
}
