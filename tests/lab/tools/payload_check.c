// SPDX-License-Identifier: BSD-2-Clause
/*
 * payload_check - checks mcast_send payloads that an independent decoder
 * (tshark) extracted from a capture file.  Reads lines
 *
 *	EPOCH_SECONDS UDP_DSTPORT HEX_PAYLOAD
 *
 * (tshark -T fields -e frame.time_epoch -e udp.dstport -e udp.payload) and
 * prints one line per port:
 *
 *	port 30001 count=N first=S last=S order_errors=N dups=N bad_payload=N
 *	     max_skew_ns=N
 *
 * skew = |capture time - the send time the sender wrote in the payload|.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PORTS 64

struct port {
	unsigned int port;
	unsigned long long count, first, last, order_errors, dups, bad;
	long long max_skew;
};

static int hexbyte(const char *h)
{
	static const char digits[] = "0123456789abcdef";
	const char *a = strchr(digits, h[0]), *b = h[0] ? strchr(digits, h[1]) : NULL;

	if (!h[0] || !h[1] || !a || !b)
		return -1;
	return (int)((a - digits) << 4 | (b - digits));
}

int main(void)
{
	static char line[1 << 18];
	static struct port ports[MAX_PORTS];
	unsigned int nports = 0, i;

	while (fgets(line, sizeof(line), stdin)) {
		char *t = strtok(line, " \t\n"), *p = strtok(NULL, " \t\n"),
		     *h = strtok(NULL, " \t\n");
		unsigned long long seq = 0, sent = 0;
		long double epoch;
		struct port *pt = NULL;
		size_t n, k;
		long long skew;
		int ok = 1;

		if (!t || !p || !h)
			continue;
		for (i = 0; i < nports; i++)
			if (ports[i].port == (unsigned)atoi(p))
				pt = &ports[i];
		if (!pt) {
			if (nports == MAX_PORTS)
				continue;
			pt = &ports[nports++];
			pt->port = (unsigned)atoi(p);
		}
		n = strlen(h) / 2;
		if (n < 16) {
			pt->bad++;
			pt->count++;
			continue;
		}
		for (k = 0; k < 8; k++)
			seq = seq << 8 | (unsigned)hexbyte(h + 2 * k);
		for (k = 8; k < 16; k++)
			sent = sent << 8 | (unsigned)hexbyte(h + 2 * k);
		for (k = 16; k < n && ok; k++)
			ok = hexbyte(h + 2 * k) == (int)((seq + k) & 0xff);
		if (!ok)
			pt->bad++;
		epoch = strtold(t, NULL);
		skew = (long long)(epoch * 1e9L - (long double)sent);
		if (skew < 0)
			skew = -skew;
		if (skew > pt->max_skew)
			pt->max_skew = skew;
		if (pt->count && seq == pt->last)
			pt->dups++;
		else if (pt->count && seq != pt->last + 1)
			pt->order_errors++;
		if (!pt->count)
			pt->first = seq;
		pt->last = seq;
		pt->count++;
	}
	for (i = 0; i < nports; i++)
		printf("port %u count=%llu first=%llu last=%llu order_errors=%llu dups=%llu "
		       "bad_payload=%llu max_skew_ns=%lld\n",
		       ports[i].port, ports[i].count, ports[i].first, ports[i].last,
		       ports[i].order_errors, ports[i].dups, ports[i].bad, ports[i].max_skew);
	return 0;
}
