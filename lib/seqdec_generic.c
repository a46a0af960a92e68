// SPDX-License-Identifier: BSD-2-Clause
/* seqdec_generic.c - seq:OFFSET:WIDTH:be|le, one message per datagram. */
#include <string.h>

#include "seqdec.h"

int seqdec_generic(const struct seqdec *d, const uint8_t *p, size_t len, struct seqdec_msg *m)
{
	uint64_t v = 0;
	unsigned int i;

	memset(m, 0, sizeof(*m));
	if (d->width == 0 || d->width > 8 || len < d->offset || len - d->offset < d->width)
		return SEQDEC_UNDECODABLE;
	p += d->offset;
	for (i = 0; i < d->width; i++)
		v |= (uint64_t)p[d->big_endian ? i : d->width - 1 - i] << (8 * (d->width - 1 - i));
	m->seq = v;
	m->count = 1;
	return SEQDEC_OK;
}
