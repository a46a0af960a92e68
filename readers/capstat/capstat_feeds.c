// SPDX-License-Identifier: BSD-2-Clause
/*
 * capstat_feeds.c - capstat's feeds: one per (destination group, UDP port),
 * found by hash, named, and given their decoder (from --proto or the
 * input's feed table) and A/B line when they first show.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "capstat.h"
#include "frame.h"
#include "ring_feed.h"

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

/* NAME@GROUP:PORT: @return GROUP:PORT when word starts with "name@", else NULL. */
static const char *after_name(const char *word, const char *name)
{
	size_t n = strlen(name);

	return n && !strncmp(word, name, n) && word[n] == '@' ? word + n + 1 : NULL;
}

/*
 * A --proto or --ab word names this feed: by name, by GROUP:PORT, or as
 * NAME@GROUP:PORT (how a feed of several groups or ports names each).
 */
static bool names(const struct capstat_feed *f, const char *word)
{
	const char *a = after_name(word, f->base);

	return !strcmp(word, f->name) || !strcmp(word, f->addr) || (a && !strcmp(a, f->addr));
}

static bool name_taken(const struct capstat *cs, const char *name)
{
	unsigned int i;

	for (i = 0; i < cs->nfeeds; i++)
		if (!strcmp(cs->feeds[i]->name, name))
			return true;
	return false;
}

/*
 * The protocol the input names for the feed: its ring feed's, else that of
 * the entry of the file's feed table that selects it.  A value this reader
 * does not know (a hostile ring or file) is none.
 */
static void input_proto(struct capstat_feed *f, const struct ring_feed *rf,
			const struct capfile *file)
{
	const struct ring_feed *ft;
	unsigned int n;
	int i;

	if (!rf && file) {
		ft = capfile_feeds(file, &n);
		i = ring_feed_match(ft, n, f->family == AF_INET6 ? 6 : 4, f->dst, f->port);
		if (i >= 0 && !ring_feed_seqdec(&ft[i], &f->dec)) {
			f->has_dec = true;
			f->dec_from = "file";
		}
	} else if (rf && !ring_feed_seqdec(rf, &f->dec)) {
		f->has_dec = true;
		f->dec_from = "ring";
	}
}

static void rule_apply(struct capstat_feed *f, const struct capstat_proto_rule *p)
{
	f->has_dec = !p->none;
	f->dec = p->dec;
	f->itch = p->itch;
	f->dec_from = "--proto";
}

static bool names_cb(const void *f, const char *word)
{
	return names(f, word);
}

/* App-to-wire latency for the feeds whose format carries sender times. */
static int a2w_setup(struct capstat *cs, struct capstat_feed *f)
{
	enum sendtime_proto p;

	if (cs->o.a2w.off || !f->has_dec)
		return 0;
	if (f->dec.proto == SEQDEC_MDP3)
		p = SENDTIME_MDP3;
	else if (f->dec.proto == SEQDEC_PITCH)
		p = SENDTIME_PITCH;
	else if (f->dec.proto == SEQDEC_MOLDUDP64 && f->itch)
		p = SENDTIME_ITCH50;
	else
		return 0;
	f->a2w = app2wire_new(p, app2wire_tz_of(&cs->o.a2w, names_cb, f));
	return f->a2w ? 0 : -ENOMEM;
}

static int feed_new(struct capstat *cs, struct capstat_feed *f, int family, const uint8_t *dst,
		    uint16_t port, const struct ring_feed *rf, const struct capfile *file)
{
	const char *fname = NULL;
	bool global = false;
	unsigned int i;
	int r;

	f->family = family;
	memcpy(f->dst, dst, family == AF_INET6 ? 16 : 4);
	f->port = port;
	f->pair = -1;
	frame_addr_str(family, dst, 0, f->group, sizeof(f->group));
	frame_addr_str(family, dst, port, f->addr, sizeof(f->addr));
	if (!rf && file)
		fname = capfile_name(file, family == AF_INET6 ? 6 : 4, dst);
	if (rf && rf->name[0])
		snprintf(f->base, sizeof(f->base), "%.*s", RING_FEED_NAME_LEN, rf->name);
	else if (!rf && fname)
		snprintf(f->base, sizeof(f->base), "%s", fname);
	if (!f->base[0])
		snprintf(f->name, sizeof(f->name), "%s", f->addr);
	else if (rf ? rf->prefix_len == (rf->family == 6 ? 128 : 32) && rf->nports == 1
		    : !name_taken(cs, f->base))
		snprintf(f->name, sizeof(f->name), "%s", f->base);
	else /* a feed of several groups or ports (a file: a second port): one name each */
		snprintf(f->name, sizeof(f->name), "%s@%s", f->base, f->addr);
	r = feedstat_init(&f->fs);
	if (r < 0)
		return r;
	r = seqtrack_init(&f->st);
	if (r < 0)
		return r;
	/* The most specific wins: a named --proto, the first default one, the input. */
	input_proto(f, rf, file);
	for (i = 0; i < cs->o.nprotos; i++) {
		const struct capstat_proto_rule *p = &cs->o.protos[i];

		if (!p->feed && !global) {
			rule_apply(f, p);
			global = true;
		}
	}
	for (i = 0; i < cs->o.nprotos; i++)
		if (cs->o.protos[i].feed && names(f, cs->o.protos[i].feed))
			rule_apply(f, &cs->o.protos[i]);
	r = a2w_setup(cs, f);
	if (r < 0)
		return r;
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
				      uint16_t port, const struct ring_feed *rf,
				      const struct capfile *file)
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
	if (feed_new(cs, f, family, dst, port, rf, file) < 0) {
		feedstat_free(&f->fs);
		seqtrack_free(&f->st);
		app2wire_free(f->a2w);
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
		app2wire_free(cs->feeds[i]->a2w);
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
	memset(&p->dec, 0, sizeof(p->dec));
	p->none = !strcmp(arg, "none");
	/* ITCH 5.0 is sequenced by MoldUDP64, which does not say what it carries. */
	p->itch = !strcmp(arg, "itch50");
	if (p->itch)
		arg = "moldudp64";
	if ((!p->none && seqdec_parse(arg, &p->dec) < 0) || (p->feed && !*p->feed))
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

/* word is GROUP:PORT exactly as capstat writes it (frame_addr_str()). */
static bool is_addr(const char *word)
{
	char a[64], again[64];
	const char *colon = strrchr(word, ':');
	uint8_t addr[16];
	unsigned long port;
	size_t n;
	char *end;
	int family = AF_INET;

	if (!colon || !colon[1] || colon[1] == '0')
		return false;
	port = strtoul(colon + 1, &end, 10);
	n = (size_t)(colon - word);
	if (*end || port > 65535 || n >= sizeof(a))
		return false;
	if (n > 2 && word[0] == '[' && word[n - 1] == ']') {
		family = AF_INET6;
		word++;
		n -= 2;
	}
	memcpy(a, word, n);
	a[n] = '\0';
	if (inet_pton(family, a, addr) != 1)
		return false;
	frame_addr_str(family, addr, (uint16_t)port, again, sizeof(again));
	return !strcmp(again, family == AF_INET6 ? word - 1 : word);
}

/* @return 0 if word can name a feed, else -ENOENT with the reason in err. */
static int word_check(const char *opt, const char *arg, const char *word,
		      const struct capstat_known *known, unsigned int n, const char *where,
		      char *err, size_t errlen)
{
	size_t len = 0;
	unsigned int i;
	const char *a;

	if (is_addr(word))
		return 0;
	for (i = 0; i < n; i++) {
		if (!strcmp(word, known[i].name)) {
			if (!known[i].several)
				return 0;
			snprintf(err, errlen,
				 "%s %s: feed %s of %s has several groups or ports: "
				 "name one as %s@GROUP:PORT",
				 opt, arg, word, where, word);
			return -ENOENT;
		}
		a = after_name(word, known[i].name);
		if (a && is_addr(a))
			return 0;
	}
	len = (size_t)snprintf(err, errlen, "%s %s: no feed %s in %s (", opt, arg, word, where);
	for (i = 0; i < n && len < errlen; i++)
		len += (size_t)snprintf(err + len, errlen - len, "%s%s",
					i ? ", " : "its feeds: ", known[i].name);
	if (len < errlen)
		snprintf(err + len, errlen - len, "%sGROUP:PORT)", n ? "; or " : "");
	return -ENOENT;
}

int capstat_names_check(const struct capstat_opts *o, const struct capstat_known *known,
			unsigned int n, const char *where, char *err, size_t errlen)
{
	char arg[2 * CAPSTAT_NAME_LEN + 2];
	unsigned int i;
	int r = 0, line;

	for (i = 0; i < o->nprotos && !r; i++) {
		if (!o->protos[i].feed)
			continue;
		snprintf(arg, sizeof(arg), "%s=...", o->protos[i].feed);
		r = word_check("--proto", arg, o->protos[i].feed, known, n, where, err, errlen);
	}
	for (i = 0; i < o->a2w.ntz && !r; i++) {
		if (!o->a2w.tz[i].feed)
			continue;
		snprintf(arg, sizeof(arg), "%s=...", o->a2w.tz[i].feed);
		r = word_check("--exchange-tz", arg, o->a2w.tz[i].feed, known, n, where, err,
			       errlen);
	}
	for (i = 0; i < o->npairs && !r; i++)
		for (line = ABARB_A; line <= ABARB_B && !r; line++)
			r = word_check("--ab", o->pairs[i].name, o->pairs[i].spec[line], known, n,
				       where, err, errlen);
	return r;
}
