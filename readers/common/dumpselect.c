// SPDX-License-Identifier: BSD-2-Clause
/* dumpselect.c - the packets an extraction takes, and the files it skips. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "capfile.h"
#include "capindex.h"
#include "dumpselect.h"
#include "frame.h"
#include "pcapng.h"
#include "readloop.h"
#include "readopt.h"
#include "ring_feed.h"

static bool name_ok(const char *name)
{
	return *name && strlen(name) < RING_FEED_NAME_LEN;
}

int dumpselect_take_feed(struct dumpselect *s, const char *arg, char *err, size_t errlen)
{
	if (!name_ok(arg)) {
		snprintf(err, errlen, "--feed %s: not a feed name (1 to %d characters)", arg,
			 RING_FEED_NAME_LEN - 1);
		return -EINVAL;
	}
	if (s->nfeeds == DUMPSELECT_FEEDS_MAX) {
		snprintf(err, errlen, "--feed %s: at most %d feeds", arg, DUMPSELECT_FEEDS_MAX);
		return -EINVAL;
	}
	s->feed[s->nfeeds++] = arg;
	return 0;
}

int dumpselect_take_seq(struct dumpselect *s, const char *arg, char *err, size_t errlen)
{
	static char feed[RING_FEED_NAME_LEN];
	const char *colon = strrchr(arg, ':');
	const char *dash;
	char num[24];
	size_t n;

	if (!colon || colon == arg || (size_t)(colon - arg) >= sizeof(feed))
		goto bad;
	memcpy(feed, arg, (size_t)(colon - arg));
	feed[colon - arg] = '\0';
	dash = strchr(colon + 1, '-');
	n = dash ? (size_t)(dash - colon - 1) : strlen(colon + 1);
	if (!n || n >= sizeof(num))
		goto bad;
	memcpy(num, colon + 1, n);
	num[n] = '\0';
	if (!readopt_count(num, UINT64_MAX, &s->seq_from))
		goto bad;
	s->seq_to = s->seq_from;
	if (dash && !readopt_count(dash + 1, UINT64_MAX, &s->seq_to))
		goto bad;
	if (s->seq_to < s->seq_from) {
		snprintf(err, errlen, "--seq %s: the range ends before it starts", arg);
		return -EINVAL;
	}
	s->seq_feed = feed;
	return 0;
bad:
	snprintf(err, errlen, "--seq %s: give FEED:FROM-TO (sequence numbers, inclusive) or FEED:N",
		 arg);
	return -EINVAL;
}

bool dumpselect_active(const struct dumpselect *s)
{
	return s->start_ns || s->end_ns || s->nfeeds || s->seq_feed;
}

static bool named(const struct dumpselect *s, const char *name, size_t len)
{
	unsigned int i;

	for (i = 0; i < s->nfeeds; i++)
		if (!strncmp(s->feed[i], name, len))
			return true;
	return false;
}

/* The feed of a file's Ethernet frame, as the index attributes it. */
static const struct ring_feed *file_feed(const struct readloop_pkt *p, struct frame_info *fi)
{
	const struct capfile_iface *ci = capfile_iface(p->file, p->if_id);
	const struct ring_feed *feeds;
	unsigned int n = 0;
	int fam, i;

	feeds = capfile_feeds(p->file, &n);
	if (!n || !ci || ci->linktype != PCAPNG_LINKTYPE_ETHERNET ||
	    frame_decode(p->data, p->caplen, fi))
		return NULL;
	fam = fi->family == AF_INET ? 4 : fi->family == AF_INET6 ? 6 : 0;
	if (!fam)
		return NULL;
	i = ring_feed_match(feeds, n, fam, fi->dst, fi->proto == 17 ? fi->dport : 0);
	return i < 0 ? NULL : &feeds[i];
}

/* Whether the packet carries a sequenced message in [from, to]. */
static bool in_range(const struct dumpselect *s, const struct ring_feed *feed,
		     const struct frame_info *fi, const uint8_t *data)
{
	struct seqdec dec;
	struct seqdec_msg m;

	if (ring_feed_seqdec(feed, &dec) < 0 || fi->proto != 17 || !fi->payload_off ||
	    seqdec_decode(&dec, data + fi->payload_off, fi->payload_len, &m) != SEQDEC_OK ||
	    (m.flags & SEQDEC_F_UNSEQUENCED) || !m.count)
		return false;
	/* [seq, seq + count - 1] meets [from, to]; the last may wrap: saturate */
	return m.seq <= s->seq_to &&
	       (m.seq + (m.count - 1) < m.seq ? UINT64_MAX : m.seq + (m.count - 1)) >= s->seq_from;
}

bool dumpselect_packet(const struct dumpselect *s, const struct readloop_pkt *p)
{
	const struct ring_feed *feed = p->feed;
	struct frame_info fi;

	if ((s->start_ns || s->end_ns) &&
	    ((p->frec && !p->frec->has_ts) || (s->start_ns && p->ts < s->start_ns) ||
	     (s->end_ns && p->ts >= s->end_ns)))
		return false;
	if (!s->nfeeds && !s->seq_feed)
		return true;
	if (p->file)
		feed = file_feed(p, &fi);
	else if (feed && frame_decode(p->data, p->caplen, &fi))
		feed = NULL;
	if (!feed)
		return false;
	if (s->nfeeds && !named(s, feed->name, sizeof(feed->name)))
		return false;
	if (s->seq_feed && (strncmp(s->seq_feed, feed->name, sizeof(feed->name)) ||
			    !in_range(s, feed, &fi, p->data)))
		return false;
	return true;
}

/* Whether feed record f can hold a selected packet, by what it says. */
static bool feed_may(const struct dumpselect *s, const struct capindex_feed *f)
{
	if (!f->packets)
		return false;
	if ((s->start_ns || s->end_ns) &&
	    (!f->first_ns || (s->end_ns && f->first_ns >= s->end_ns) ||
	     (s->start_ns && f->last_ns < s->start_ns)))
		return false;
	if (s->nfeeds && !named(s, f->name, sizeof(f->name)))
		return false;
	if (s->seq_feed && (strncmp(s->seq_feed, f->name, sizeof(f->name)) || !f->seq_msg_packets ||
			    f->seq_min > s->seq_to || f->seq_max < s->seq_from))
		return false;
	return true;
}

bool dumpselect_index_excludes(const struct dumpselect *s, const struct capindex *ix)
{
	const struct capindex_hdr *h = capindex_hdr(ix);
	unsigned int i;

	if (s->start_ns || s->end_ns) {
		if (h->packets == h->packets_nots || (s->end_ns && h->first_ns >= s->end_ns) ||
		    (s->start_ns && h->last_ns < s->start_ns))
			return true;
	}
	if (!s->nfeeds && !s->seq_feed)
		return false;
	for (i = 0; i < h->nfeeds; i++)
		if (feed_may(s, capindex_feed(ix, i)))
			return false;
	return true;
}

unsigned int dumpselect_prune(const struct dumpselect *s, struct readopt_input *in,
			      uint64_t **start_at, void (*warn)(const char *line))
{
	unsigned int i, kept = 0, skipped = 0;
	char why[256];
	char **skip;

	*start_at = NULL;
	if (!in->nfiles)
		return 0;
	skip = malloc(in->nfiles * sizeof(*skip));
	*start_at = calloc(in->nfiles, sizeof(**start_at));
	for (i = 0; skip && *start_at && i < in->nfiles; i++) {
		struct capindex *ix = NULL;
		int r = strcmp(in->files[i], "-")
				? capindex_load(in->files[i], &ix, why, sizeof(why))
				: 0;

		if (r < 0 && warn) {
			char line[512];

			snprintf(line, sizeof(line),
				 "%s: %s: the file is read whole (capdump --index %s)",
				 in->files[i], r == -ENOENT ? "no index" : why,
				 r == -ENOENT ? "makes one" : "rebuilds it");
			warn(line);
		}
		if (ix && dumpselect_index_excludes(s, ix)) {
			skip[skipped++] = in->files[i];
		} else {
			const struct capindex_pos *pos =
				ix && s->start_ns ? capindex_seek(ix, s->start_ns) : NULL;

			(*start_at)[kept] = pos ? pos->offset : 0;
			in->files[kept++] = in->files[i];
		}
		capindex_free(ix);
	}
	if (!skip || !*start_at) {
		/* no memory: every file is read whole, which selects the same */
		free(skip);
		free(*start_at);
		*start_at = NULL;
		return 0;
	}
	/* The list still owns every name: the skipped ones after the kept. */
	memcpy(in->files + kept, skip, skipped * sizeof(*skip));
	in->nfiles = kept;
	free(skip);
	return skipped;
}
