// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_netdev_route - netdev_route_prefix4() reads the routing table's
 * entry as `ip route get fibmatch` does: on lo, 127.0.0.1 is its own /32
 * entry and 127.1.2.3 falls under 127.0.0.0/8 (the local table every Linux
 * host has); an interface that does not exist is an error.  Needs no
 * privileges.
 */
#include <net/if.h>

#include "netdev.h"
#include "test.h"

int main(void)
{
	const uint8_t self[4] = { 127, 0, 0, 1 }, other[4] = { 127, 1, 2, 3 };
	unsigned int lo = if_nametoindex("lo"), len = 99;

	if (!lo)
		T_SKIP("no lo");
	T_EQ(netdev_route_prefix4((int)lo, self, &len), 0);
	T_EQ(len, 32);
	T_EQ(netdev_route_prefix4((int)lo, other, &len), 0);
	T_EQ(len, 8);
	len = 99;
	T_ASSERT(netdev_route_prefix4(999999, self, &len) < 0);
	T_EQ(len, 99);
	return T_EXIT_PASS;
}
