// SPDX-License-Identifier: GPL-2.0

#include <net/genetlink.h>

__rust_helper struct sk_buff *rust_helper_genlmsg_new(size_t payload, gfp_t flags)
{
	return genlmsg_new(payload, flags);
}

__rust_helper void rust_helper_genlmsg_end(struct sk_buff *skb, void *hdr)
{
	genlmsg_end(skb, hdr);
}

__rust_helper void rust_helper_genlmsg_cancel(struct sk_buff *skb, void *hdr)
{
	genlmsg_cancel(skb, hdr);
}

__rust_helper int rust_helper_genlmsg_reply(struct sk_buff *skb, struct genl_info *info)
{
	return genlmsg_reply(skb, info);
}

__rust_helper struct nlattr *rust_helper_nla_nest_start_noflag(struct sk_buff *skb, int attrtype)
{
	return nla_nest_start_noflag(skb, attrtype);
}

__rust_helper void rust_helper_nla_nest_end(struct sk_buff *skb, struct nlattr *start)
{
	nla_nest_end(skb, start);
}

__rust_helper void rust_helper_nla_nest_cancel(struct sk_buff *skb, struct nlattr *start)
{
	nla_nest_cancel(skb, start);
}

__rust_helper struct net *rust_helper_genl_info_net(const struct genl_info *info)
{
	return genl_info_net(info);
}

__rust_helper u8 rust_helper_genl_info_cmd(const struct genl_info *info)
{
	return info->genlhdr->cmd;
}

/*
 * The request of a dump, as generic netlink's start callback parsed it before the first
 * dumpit call: family, sequence number, port, header, attributes and namespace.
 */
__rust_helper const struct genl_info *rust_helper_genl_dump_info(struct netlink_callback *cb)
{
	return genl_info_dump(cb);
}

__rust_helper void rust_helper_nl_set_err_msg(struct netlink_ext_ack *extack, const char *msg)
{
	if (extack)
		extack->_msg = msg;
}
