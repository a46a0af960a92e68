// SPDX-License-Identifier: BSD-2-Clause
/*
 * fuzz_proc_net.c - libFuzzer target for the /proc/net parsers
 * (lib/proc_net.c): any bytes, every table, never a crash nor a read past
 * the input; what is stored is no more than max, interface names are
 * printable, families are 4 or 6.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proc_net.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_mships(const struct proc_net_mship *m, size_t n, int family)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		if (m[i].family != family)
			abort();
		for (j = 0; m[i].ifname[j]; j++)
			if (j >= PROC_NET_IFNAME_LEN - 1 || m[i].ifname[j] <= ' ' ||
			    m[i].ifname[j] > '~')
				abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct proc_net_udp u[4];
	struct proc_net_mship m[4];
	struct proc_net_count cnt;
	/* a copy of exactly size bytes, so that ASan sees any overread */
	char *buf = malloc(size ? size : 1);
	size_t i;

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	proc_net_udp_parse(buf, size, 4, u, 4, &cnt);
	for (i = 0; i < cnt.found && i < 4; i++)
		if (u[i].family != 4 || !u[i].port)
			abort();
	proc_net_udp_parse(buf, size, 6, u, 4, &cnt);
	for (i = 0; i < cnt.found && i < 4; i++)
		if (u[i].family != 6 || !u[i].port)
			abort();
	proc_net_igmp_parse(buf, size, m, 4, &cnt);
	check_mships(m, cnt.found < 4 ? cnt.found : 4, 4);
	proc_net_igmp6_parse(buf, size, m, 4, &cnt);
	check_mships(m, cnt.found < 4 ? cnt.found : 4, 6);
	free(buf);
	return 0;
}
