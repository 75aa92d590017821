// SPDX-License-Identifier: GPL-2.0

#include <net/dst_cache.h>

__rust_helper void rust_helper_dst_cache_reset(struct dst_cache *dst_cache)
{
	dst_cache_reset(dst_cache);
}
