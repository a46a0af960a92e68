// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "filter.h"

struct filter {
	struct bpf_program prog;
	int all;
	char expr[];
};

/*
 * The DLT_ value libpcap compiles for, of a file's LINKTYPE_ value: the two
 * differ for some types (LINKTYPE_RAW 101 is DLT_RAW 12 here).  libpcap
 * maps them when it reads a pcap file, so it is handed the header of one.
 */
static int dlt_of(int linktype)
{
	struct pcap_file_header h = {
		.magic = 0xa1b2c3d4,
		.version_major = PCAP_VERSION_MAJOR,
		.version_minor = PCAP_VERSION_MINOR,
		.snaplen = 65535,
		.linktype = (bpf_u_int32)linktype,
	};
	char perr[PCAP_ERRBUF_SIZE];
	int dlt = linktype;
	FILE *mem;
	pcap_t *p;

	mem = fmemopen(&h, sizeof(h), "r");
	if (!mem)
		return dlt;
	p = pcap_fopen_offline(mem, perr); /* takes mem, closes it */
	if (!p) {
		fclose(mem);
		return dlt;
	}
	dlt = pcap_datalink(p);
	pcap_close(p);
	return dlt;
}

int filter_open(const char *expr, int linktype, uint32_t snaplen, struct filter **ret, char *err,
		size_t errlen)
{
	struct filter *f;
	pcap_t *p;
	int r = 0;

	if (!expr)
		expr = "";
	f = calloc(1, sizeof(*f) + strlen(expr) + 1);
	if (!f)
		return -ENOMEM;
	strcpy(f->expr, expr);
	f->all = !*expr;
	if (!f->all) {
		p = pcap_open_dead(dlt_of(linktype), (int)snaplen);
		if (!p) {
			free(f);
			return -ENOMEM;
		}
		if (pcap_compile(p, &f->prog, expr, 1, PCAP_NETMASK_UNKNOWN) < 0) {
			snprintf(err, errlen, "filter '%s': %s", expr, pcap_geterr(p));
			r = -EINVAL;
		}
		pcap_close(p);
		if (r < 0) {
			free(f);
			return r;
		}
	}
	*ret = f;
	return 0;
}

int filter_match(const struct filter *f, const uint8_t *data, uint32_t caplen, uint32_t wirelen)
{
	struct pcap_pkthdr h = { .caplen = caplen, .len = wirelen };

	return f->all || pcap_offline_filter(&f->prog, &h, data) != 0;
}

const char *filter_expr(const struct filter *f)
{
	return f->expr;
}

void filter_close(struct filter *f)
{
	if (!f)
		return;
	if (!f->all)
		pcap_freecode(&f->prog);
	free(f);
}
