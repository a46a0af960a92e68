// SPDX-License-Identifier: BSD-2-Clause
#include <endian.h>
#include <errno.h>
#include <string.h>

#include "pcapng_feed.h"

void pcapng_feed_encode(struct pcapng_feed *o, const struct ring_feed *f)
{
	size_t n = strnlen(f->name, sizeof(f->name));
	unsigned int i;

	memset(o, 0, sizeof(*o));
	o->kind = PCAPNG_FEED_KIND;
	o->version = PCAPNG_FEED_VERSION;
	o->family = f->family;
	o->prefix_len = f->prefix_len;
	o->nports = f->nports;
	o->proto = f->proto;
	o->seq_width = f->seq_width;
	o->seq_flags = f->seq_flags;
	o->seq_offset = htole16(f->seq_offset);
	for (i = 0; i < RING_FEED_MAX_PORTS; i++)
		o->ports[i] = htole16(f->ports[i]);
	memcpy(o->addr, f->addr, sizeof(o->addr));
	memcpy(o->name, f->name, n);
}

int pcapng_feed_decode(const void *data, size_t len, struct ring_feed *f)
{
	struct pcapng_feed o;
	unsigned int i;

	if (len < sizeof(o))
		return -EBADMSG;
	memcpy(&o, data, sizeof(o));
	if (o.kind != PCAPNG_FEED_KIND || o.version < 1 || (o.family != 4 && o.family != 6))
		return -EBADMSG;
	memset(f, 0, sizeof(*f));
	f->family = o.family;
	f->prefix_len = o.prefix_len;
	f->nports = o.nports;
	f->proto = o.proto;
	f->seq_width = o.seq_width;
	f->seq_flags = o.seq_flags;
	f->seq_offset = le16toh(o.seq_offset);
	for (i = 0; i < RING_FEED_MAX_PORTS; i++)
		f->ports[i] = le16toh(o.ports[i]);
	memcpy(f->addr, o.addr, sizeof(f->addr));
	/* one byte short of the field: the entry's name is NUL terminated */
	memcpy(f->name, o.name, sizeof(f->name) - 1);
	for (i = 0; f->name[i]; i++)
		if ((unsigned char)f->name[i] < 0x20 || f->name[i] == 0x7f)
			f->name[i] = '?';
	return 0;
}
