// SPDX-License-Identifier: BSD-2-Clause
/*
 * capstat_feeds.c - capstat's feeds: one per (destination group, UDP port),
 * found by hash, named, and given their decoder and A/B line when they
 * first show.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "capstat.h"
#include "frame.h"

#define HASH_SIZE (4 * CAPSTAT_MAX_FEEDS)

static uint32_t feed_hash(int family, const uint8_t *dst, uint16_t port)
{
	uint32_t h = 2166136261u ^ (uint32_t)family;
	unsigned int i, n = family == AF_INET6 ? 16 : 4;

	for (i = 0; i < n; i++)
		h = (h ^ dst[i]) * 16777619u;
	h = (h ^ port) * 16777619u;
	return h ^ (h >> 15);
}

static bool same(const struct capstat_feed *f, int family, const uint8_t *dst, uint16_t port)
{
	return f->family == family && f->port == port &&
	       !memcmp(f->dst, dst, family == AF_INET6 ? 16 : 4);
}

/* A --proto or --ab word names this feed: by name or by GROUP:PORT. */
static bool names(const struct capstat_feed *f, const char *word)
{
	return !strcmp(word, f->name) || !strcmp(word, f->addr);
}

static int feed_new(struct capstat *cs, struct capstat_feed *f, int family, const uint8_t *dst,
		    uint16_t port, const struct ring_feed *rf)
{
	unsigned int i;
	int r;

	f->family = family;
	memcpy(f->dst, dst, family == AF_INET6 ? 16 : 4);
	f->port = port;
	f->pair = -1;
	frame_addr_str(family, dst, 0, f->group, sizeof(f->group));
	frame_addr_str(family, dst, port, f->addr, sizeof(f->addr));
	if (!rf || !rf->name[0])
		snprintf(f->name, sizeof(f->name), "%s", f->addr);
	else if (rf->prefix_len == (rf->family == 6 ? 128 : 32) && rf->nports == 1)
		snprintf(f->name, sizeof(f->name), "%.*s", RING_FEED_NAME_LEN, rf->name);
	else /* a ring feed of several groups or ports: one name each */
		snprintf(f->name, sizeof(f->name), "%.*s@%s", RING_FEED_NAME_LEN, rf->name,
			 f->addr);
	r = feedstat_init(&f->fs);
	if (r < 0)
		return r;
	r = seqtrack_init(&f->st);
	if (r < 0)
		return r;
	/* The most specific --proto wins: a named one over the default. */
	for (i = 0; i < cs->o.nprotos; i++) {
		const struct capstat_proto_rule *p = &cs->o.protos[i];

		if (!p->feed && !f->has_dec) {
			f->dec = p->dec;
			f->has_dec = true;
		}
	}
	for (i = 0; i < cs->o.nprotos; i++)
		if (cs->o.protos[i].feed && names(f, cs->o.protos[i].feed)) {
			f->dec = cs->o.protos[i].dec;
			f->has_dec = true;
		}
	for (i = 0; i < cs->o.npairs; i++) {
		struct capstat_pair *p = &cs->o.pairs[i];
		int line;

		for (line = ABARB_A; line <= ABARB_B; line++)
			if (p->feed[line] < 0 && names(f, p->spec[line])) {
				p->feed[line] = (int)cs->nfeeds;
				f->pair = (int)i;
				f->line = (enum abarb_line)line;
			}
	}
	return 0;
}

struct capstat_feed *capstat_feed_get(struct capstat *cs, int family, const uint8_t *dst,
				      uint16_t port, const struct ring_feed *rf)
{
	uint32_t h = feed_hash(family, dst, port) & (HASH_SIZE - 1);
	struct capstat_feed *f;

	/* At most a quarter full: probing ends soon. */
	for (; cs->hash[h]; h = (h + 1) & (HASH_SIZE - 1)) {
		f = cs->feeds[cs->hash[h] - 1];
		if (same(f, family, dst, port))
			return f;
	}
	if (cs->nfeeds == CAPSTAT_MAX_FEEDS)
		return NULL;
	f = calloc(1, sizeof(*f));
	if (!f)
		return NULL;
	if (feed_new(cs, f, family, dst, port, rf) < 0) {
		feedstat_free(&f->fs);
		seqtrack_free(&f->st);
		free(f);
		return NULL;
	}
	cs->feeds[cs->nfeeds++] = f;
	cs->hash[h] = cs->nfeeds;
	return f;
}

void capstat_feeds_free(struct capstat *cs)
{
	unsigned int i;

	for (i = 0; i < cs->nfeeds; i++) {
		feedstat_free(&cs->feeds[i]->fs);
		seqtrack_free(&cs->feeds[i]->st);
		free(cs->feeds[i]);
	}
	cs->nfeeds = 0;
	for (i = 0; i < cs->o.npairs; i++)
		abarb_free(&cs->o.pairs[i].ab);
}

int capstat_add_proto(struct capstat_opts *o, char *arg)
{
	struct capstat_proto_rule *p;
	char *eq = strchr(arg, '=');

	if (o->nprotos == CAPSTAT_MAX_RULES)
		return -EINVAL;
	p = &o->protos[o->nprotos];
	p->feed = NULL;
	if (eq) {
		*eq = '\0';
		p->feed = arg;
		arg = eq + 1;
	}
	if (seqdec_parse(arg, &p->dec) < 0 || (p->feed && !*p->feed))
		return -EINVAL;
	o->nprotos++;
	return 0;
}

int capstat_add_pair(struct capstat_opts *o, char *arg)
{
	struct capstat_pair *p;
	char *eq = strchr(arg, '=');
	int r;

	if (o->npairs == CAPSTAT_MAX_RULES || !eq || eq == arg || !eq[1])
		return -EINVAL;
	p = &o->pairs[o->npairs];
	*eq = '\0';
	p->spec[ABARB_A] = arg;
	p->spec[ABARB_B] = eq + 1;
	p->feed[ABARB_A] = p->feed[ABARB_B] = -1;
	snprintf(p->name, sizeof(p->name), "%s=%s", arg, eq + 1);
	r = abarb_init(&p->ab);
	if (r < 0)
		return r;
	o->npairs++;
	return 0;
}
