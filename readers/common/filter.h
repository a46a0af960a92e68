/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * filter.h - pcap-filter expressions, compiled by libpcap exactly as
 * tcpdump compiles them, applied per packet.  The only translation unit of
 * the readers that includes <pcap/pcap.h>.
 */
#ifndef CAPD_FILTER_H
#define CAPD_FILTER_H

#include <stddef.h>
#include <stdint.h>

struct filter;

/*
 * Compile expr for linktype (a file's LINKTYPE_* value, www.tcpdump.org/
 * linktypes.html; 1 = Ethernet) and snaplen.  expr NULL or empty: a filter
 * that accepts everything.
 * @return 0, or -EINVAL with libpcap's message in err: also for an
 *         expression no packet can match ("udp and tcp"), which libpcap's
 *         optimizer finds ("expression rejects all packets").
 */
int filter_open(const char *expr, int linktype, uint32_t snaplen, struct filter **f, char *err,
		size_t errlen);

/* @return non-zero if the packet matches. */
int filter_match(const struct filter *f, const uint8_t *data, uint32_t caplen, uint32_t wirelen);

/* The expression as given ("" when none). */
const char *filter_expr(const struct filter *f);

void filter_close(struct filter *f);

#endif
