// SPDX-License-Identifier: GPL-2.0

#include <linux/netdevice.h>

__rust_helper void rust_helper_dev_hold(struct net_device *dev)
{
	dev_hold(dev);
}

__rust_helper void rust_helper_dev_put(struct net_device *dev)
{
	dev_put(dev);
}

__rust_helper struct net *rust_helper_dev_net(const struct net_device *dev)
{
	return dev_net(dev);
}

__rust_helper int rust_helper_netdev_ifindex(const struct net_device *dev)
{
	return READ_ONCE(dev->ifindex);
}

__rust_helper unsigned int rust_helper_netdev_mtu(const struct net_device *dev)
{
	return READ_ONCE(dev->mtu);
}

__rust_helper unsigned int rust_helper_netdev_flags(const struct net_device *dev)
{
	return READ_ONCE(dev->flags);
}

__rust_helper unsigned short rust_helper_netdev_type(const struct net_device *dev)
{
	return READ_ONCE(dev->type);
}

__rust_helper unsigned char rust_helper_netdev_addr_len(const struct net_device *dev)
{
	return READ_ONCE(dev->addr_len);
}

__rust_helper const unsigned char *rust_helper_netdev_dev_addr(const struct net_device *dev)
{
	return dev->dev_addr;
}

__rust_helper const unsigned char *rust_helper_netdev_broadcast(const struct net_device *dev)
{
	return dev->broadcast;
}

__rust_helper unsigned short rust_helper_netdev_hard_header_len(const struct net_device *dev)
{
	return READ_ONCE(dev->hard_header_len);
}

__rust_helper unsigned int rust_helper_netdev_ll_reserved_space(const struct net_device *dev)
{
	return LL_RESERVED_SPACE(dev);
}

__rust_helper unsigned short rust_helper_netdev_needed_tailroom(const struct net_device *dev)
{
	return READ_ONCE(dev->needed_tailroom);
}

__rust_helper bool rust_helper_netif_running(const struct net_device *dev)
{
	return netif_running(dev);
}

__rust_helper bool rust_helper_netif_carrier_ok(const struct net_device *dev)
{
	return netif_carrier_ok(dev);
}

__rust_helper bool rust_helper_netif_oper_up(const struct net_device *dev)
{
	return netif_oper_up(dev);
}

__rust_helper struct net_device *
rust_helper_netdev_notifier_info_to_dev(const struct netdev_notifier_info *info)
{
	return netdev_notifier_info_to_dev(info);
}

__rust_helper int rust_helper_dev_hard_header(struct sk_buff *skb, struct net_device *dev,
					      unsigned short type, const void *daddr,
					      const void *saddr, unsigned int len)
{
	return dev_hard_header(skb, dev, type, daddr, saddr, len);
}

__rust_helper int rust_helper_dev_queue_xmit(struct sk_buff *skb)
{
	return dev_queue_xmit(skb);
}
