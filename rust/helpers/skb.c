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

__rust_helper unsigned int rust_helper_skb_headroom(const struct sk_buff *skb)
{
	return skb_headroom(skb);
}

__rust_helper int rust_helper_skb_shared(const struct sk_buff *skb)
{
	return skb_shared(skb);
}

__rust_helper int rust_helper_skb_cloned(const struct sk_buff *skb)
{
	return skb_cloned(skb);
}

__rust_helper void rust_helper_skb_mark_not_on_list(struct sk_buff *skb)
{
	skb_mark_not_on_list(skb);
}

__rust_helper void rust_helper_skb_reserve(struct sk_buff *skb, int len)
{
	skb_reserve(skb, len);
}

__rust_helper int rust_helper_skb_linearize(struct sk_buff *skb)
{
	return skb_linearize(skb);
}

__rust_helper int rust_helper_skb_cow_head(struct sk_buff *skb, unsigned int headroom)
{
	return skb_cow_head(skb, headroom);
}

__rust_helper struct sk_buff *rust_helper___pskb_copy(struct sk_buff *skb, int headroom,
						      gfp_t gfp_mask)
{
	return __pskb_copy(skb, headroom, gfp_mask);
}

__rust_helper unsigned char rust_helper_skb_pkt_type(const struct sk_buff *skb)
{
	return skb->pkt_type;
}

__rust_helper void rust_helper_skb_prepare_xmit(struct sk_buff *skb, struct net_device *dev,
						unsigned short protocol)
{
	skb_reset_network_header(skb);
	skb->dev = dev;
	skb->protocol = htons(protocol);
}

__rust_helper void rust_helper_skb_queue_head_init(struct sk_buff_head *list)
{
	skb_queue_head_init(list);
}

__rust_helper unsigned int rust_helper_skb_queue_len_lockless(const struct sk_buff_head *list)
{
	return skb_queue_len_lockless(list);
}
