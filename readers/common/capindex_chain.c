// SPDX-License-Identifier: BSD-2-Clause
#include <stdlib.h>
#include <string.h>

#include "capindex_chain.h"

struct capindex_chain_iface *capindex_chain_ifaces_at(struct capindex_chain_ifaces *a,
						      uint32_t if_id)
{
	struct capindex_chain_iface *n;

	if (if_id >= CAPINDEX_IFACES_MAX)
		return NULL;
	if (if_id >= a->n) {
		n = realloc(a->ifs, (size_t)(if_id + 1) * sizeof(*n));
		if (!n)
			return NULL;
		memset(n + a->n, 0, (size_t)(if_id + 1 - a->n) * sizeof(*n));
		a->ifs = n;
		a->n = if_id + 1;
	}
	return &a->ifs[if_id];
}

void capindex_chain_ifaces_forget(struct capindex_chain_ifaces *a)
{
	uint32_t i;

	for (i = 0; i < a->n; i++)
		a->ifs[i].isb = false;
}

void capindex_chain_ifaces_free(struct capindex_chain_ifaces *a)
{
	free(a->ifs);
	memset(a, 0, sizeof(*a));
}

bool capindex_chain_drops(const struct capindex_chain_iface *prev, const struct capindex_iface *c,
			  uint64_t *ifdrop, uint64_t *osdrop)
{
	bool deliv = c->present & CAPINDEX_USRDELIV;
	bool same = prev->isb, first;

	if (!(c->present & CAPINDEX_ISB_SEEN))
		return false;
	if (same && (prev->present & c->present & CAPINDEX_IFRECV))
		same &= c->ifrecv >= prev->ifrecv;
	if (same && (prev->present & c->present & CAPINDEX_IFDROP))
		same &= c->ifdrop >= prev->ifdrop;
	if (same && (prev->present & c->present & CAPINDEX_OSDROP))
		same &= c->osdrop >= prev->osdrop;
	if (same && deliv && (prev->present & CAPINDEX_USRDELIV))
		same &= c->usrdeliv >= prev->usrdeliv && c->usrdeliv - prev->usrdeliv >= c->packets;
	/* without isb_usrdeliv (another tool's file): counters since its start */
	first = deliv ? c->usrdeliv == c->packets : !prev->isb;
	if (same) {
		*ifdrop = prev->present & CAPINDEX_IFDROP ? c->ifdrop - prev->ifdrop : c->ifdrop;
		*osdrop = prev->present & CAPINDEX_OSDROP ? c->osdrop - prev->osdrop : c->osdrop;
		return true;
	}
	if (first) {
		*ifdrop = c->ifdrop;
		*osdrop = c->osdrop;
		return true;
	}
	return false;
}

void capindex_chain_iface_next(struct capindex_chain_iface *a, const struct capindex_iface *c)
{
	if (a && (c->present & CAPINDEX_ISB_SEEN))
		*a = (struct capindex_chain_iface){ .isb = true,
						    .present = c->present,
						    .ifrecv = c->ifrecv,
						    .ifdrop = c->ifdrop,
						    .osdrop = c->osdrop,
						    .usrdeliv = c->usrdeliv };
}

bool capindex_chain_decoded(const struct capindex_feed *f)
{
	return f->proto != CAPINDEX_PROTO_NONE && f->seq_packets;
}

bool capindex_chain_gap(struct capindex_chain_feed *a, const struct capindex_feed *f,
			uint64_t *from, uint64_t *to)
{
	bool across = false;

	if (!capindex_chain_decoded(f))
		return false;
	/* Changes of session inside either file do not matter: the index
	 * tells both ends' sessions. */
	if (a->prev && a->session_len == f->first_session_len &&
	    !memcmp(a->session, f->first_session, f->first_session_len) && a->last < UINT64_MAX &&
	    f->seq_first > a->last + 1) {
		across = true;
		*from = a->last + 1;
		*to = f->seq_first;
	}
	a->prev = true;
	a->last = f->seq_last;
	a->session_len = f->session_len;
	memcpy(a->session, f->session, f->session_len);
	return across;
}
