// SPDX-License-Identifier: GPL-2.0

#include <linux/skbuff.h>

__rust_helper struct sk_buff *rust_helper_alloc_skb(unsigned int size, gfp_t priority)
{
	return alloc_skb(size, priority);
}

__rust_helper void rust_helper_kfree_skb(struct sk_buff *skb)
{
	kfree_skb(skb);
}

__rust_helper unsigned int rust_helper_skb_len(const struct sk_buff *skb)
{
	return skb->len;
}

__rust_helper unsigned int rust_helper_skb_headlen(const struct sk_buff *skb)
{
	return skb_headlen(skb);
}

__rust_helper unsigned char *rust_helper_skb_data(const struct sk_buff *skb)
{
	return skb->data;
}

__rust_helper int rust_helper_skb_tailroom(const struct sk_buff *skb)
{
	return skb_tailroom(skb);
}

__rust_helper unsigned int rust_helper_skb_truesize(const struct sk_buff *skb)
{
	return skb->truesize;
}

__rust_helper struct sk_buff *rust_helper_skb_peek(const struct sk_buff_head *list)
{
	return skb_peek(list);
}

__rust_helper void rust_helper_skb_orphan(struct sk_buff *skb)
{
	skb_orphan(skb);
}

__rust_helper void rust_helper_skb_queue_purge(struct sk_buff_head *list)
{
	skb_queue_purge(list);
}
