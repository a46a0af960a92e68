// SPDX-License-Identifier: BSD-2-Clause
#include <endian.h>
#include <errno.h>
#include <string.h>

#include "pcapng.h"
#include "pcapng_wirets.h"

void pcapng_wirets_encode(struct pcapng_wirets *o, const struct wirets *w, uint64_t host_ts)
{
	memset(o, 0, sizeof(*o));
	o->version = PCAPNG_WIRETS_VERSION;
	o->kind = w->kind;
	o->status = w->status;
	o->flags = htole16(w->flags);
	o->device = htole16(w->device);
	o->port = htole16(w->port);
	o->sub_ns = htole32(w->sub_ns);
	o->host_ts = htole64(host_ts);
	o->seq = htole32(w->seq);
}

int pcapng_wirets_decode(const void *data, size_t len, struct wirets *w, uint64_t *host_ts)
{
	struct pcapng_wirets o;

	if (len < sizeof(o))
		return -EBADMSG;
	memcpy(&o, data, sizeof(o));
	if (o.version < 1 || o.kind == WIRETS_NONE || o.kind > WIRETS_KIND_MAX ||
	    o.status > WIRETS_STATUS_MAX)
		return -EBADMSG;
	memset(w, 0, sizeof(*w));
	w->kind = o.kind;
	w->status = o.status;
	w->flags = le16toh(o.flags);
	w->device = le16toh(o.device);
	w->port = le16toh(o.port);
	w->sub_ns = le32toh(o.sub_ns);
	w->seq = le32toh(o.seq);
	*host_ts = le64toh(o.host_ts);
	return 0;
}

void pcapng_wirets_if_encode(struct pcapng_wirets_if *o, enum wirets_kind kind)
{
	memset(o, 0, sizeof(*o));
	o->tag = PCAPNG_WIRETS_IF_TAG;
	o->version = PCAPNG_WIRETS_IF_VERSION;
	o->kind = (uint8_t)kind;
}

int pcapng_wirets_if_find(const void *opts, size_t len, enum wirets_kind *kind)
{
	const uint8_t *v = NULL;
	uint16_t n;

	while ((v = pcapng_opts_custom(opts, len, PCAPNG_OPT_CUSTOM_BIN, PCAPNG_PEN, v, &n))) {
		if (n < sizeof(struct pcapng_wirets_if) || v[0] != PCAPNG_WIRETS_IF_TAG ||
		    v[1] < 1 || v[2] > WIRETS_KIND_MAX)
			continue;
		*kind = (enum wirets_kind)v[2];
		return 0;
	}
	return -ENOENT;
}

int pcapng_wirets_find(const void *opts, size_t len, struct wirets *w, uint64_t *host_ts)
{
	const uint8_t *v = NULL;
	uint16_t n;

	while ((v = pcapng_opts_custom(opts, len, PCAPNG_OPT_CUSTOM_BIN, PCAPNG_PEN, v, &n)))
		if (pcapng_wirets_decode(v, n, w, host_ts) == 0)
			return 0;
	return -ENOENT;
}
