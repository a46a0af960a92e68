// SPDX-License-Identifier: BSD-2-Clause
/*
 * seqdec.c - --proto specifications and the dispatch to the decoder of
 * each protocol.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "seqdec.h"

int seqdec_parse(const char *spec, struct seqdec *d)
{
	unsigned long off, width;
	char *end;

	memset(d, 0, sizeof(*d));
	if (!strcmp(spec, "moldudp64")) {
		d->proto = SEQDEC_MOLDUDP64;
		return 0;
	}
	if (!strcmp(spec, "mdp3")) {
		d->proto = SEQDEC_MDP3;
		return 0;
	}
	if (!strcmp(spec, "pitch")) {
		d->proto = SEQDEC_PITCH;
		return 0;
	}
	if (strncmp(spec, "seq:", 4))
		return -EINVAL;
	spec += 4;
	/* strtoul() would take a sign or blanks: digits only. */
	if (*spec < '0' || *spec > '9')
		return -EINVAL;
	errno = 0;
	off = strtoul(spec, &end, 10);
	if (errno || *end != ':' || off > 65535)
		return -EINVAL;
	spec = end + 1;
	if (*spec < '0' || *spec > '9')
		return -EINVAL;
	width = strtoul(spec, &end, 10);
	if (*end != ':' || (width != 1 && width != 2 && width != 4 && width != 8))
		return -EINVAL;
	if (strcmp(end + 1, "be") && strcmp(end + 1, "le"))
		return -EINVAL;
	d->proto = SEQDEC_GENERIC;
	d->offset = (uint32_t)off;
	d->width = (uint8_t)width;
	d->big_endian = end[1] == 'b';
	return 0;
}

const char *seqdec_name(const struct seqdec *d, char *buf, size_t len)
{
	switch (d->proto) {
	case SEQDEC_MOLDUDP64:
		snprintf(buf, len, "moldudp64");
		break;
	case SEQDEC_MDP3:
		snprintf(buf, len, "mdp3");
		break;
	case SEQDEC_PITCH:
		snprintf(buf, len, "pitch");
		break;
	case SEQDEC_GENERIC:
		snprintf(buf, len, "seq:%u:%u:%s", d->offset, d->width,
			 d->big_endian ? "be" : "le");
		break;
	}
	return buf;
}

int seqdec_decode(const struct seqdec *d, const uint8_t *p, size_t len, struct seqdec_msg *m)
{
	/* each decoder clears *m itself: once per packet is enough */
	switch (d->proto) {
	case SEQDEC_MOLDUDP64:
		return seqdec_moldudp64(p, len, m);
	case SEQDEC_MDP3:
		return seqdec_mdp3(p, len, m);
	case SEQDEC_PITCH:
		return seqdec_pitch(p, len, m);
	case SEQDEC_GENERIC:
		return seqdec_generic(d, p, len, m);
	}
	memset(m, 0, sizeof(*m));
	return SEQDEC_UNDECODABLE;
}
