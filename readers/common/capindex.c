// SPDX-License-Identifier: BSD-2-Clause
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "capindex.h"
#include "file_slurp.h"
#include "file_replace.h"

/* The layouts are the file format: any change is a new version. */
_Static_assert(sizeof(struct capindex_hdr) == 160, "capindex_hdr layout");
_Static_assert(offsetof(struct capindex_hdr, span_start_ns) == 144, "capindex_hdr layout");
_Static_assert(offsetof(struct capindex_hdr, total_len) == 16, "capindex_hdr layout");
_Static_assert(offsetof(struct capindex_hdr, packets) == 48, "capindex_hdr layout");
_Static_assert(offsetof(struct capindex_hdr, nifaces) == 120, "capindex_hdr layout");
_Static_assert(sizeof(struct capindex_iface) == 64, "capindex_iface layout");
_Static_assert(sizeof(struct capindex_gap) == 24, "capindex_gap layout");
_Static_assert(offsetof(struct capindex_feed, ports) == 84, "capindex_feed layout");
_Static_assert(offsetof(struct capindex_feed, session) == 124, "capindex_feed layout");
_Static_assert(offsetof(struct capindex_feed, packets) == 136, "capindex_feed layout");
_Static_assert(offsetof(struct capindex_feed, ngaps) == 240, "capindex_feed layout");
_Static_assert(offsetof(struct capindex_feed, gap) == 248, "capindex_feed layout");
_Static_assert(offsetof(struct capindex_feed, seq_min) == 632, "capindex_feed layout");
_Static_assert(offsetof(struct capindex_feed, first_session_len) == 656, "capindex_feed layout");
_Static_assert(offsetof(struct capindex_feed, first_session) == 660, "capindex_feed layout");
_Static_assert(offsetof(struct capindex_feed, pauses) == 672, "capindex_feed layout");
_Static_assert(offsetof(struct capindex_feed, pause) == 688, "capindex_feed layout");
_Static_assert(sizeof(struct capindex_pause) == 16, "capindex_pause layout");
_Static_assert(sizeof(struct capindex_feed) == 1200, "capindex_feed layout");
_Static_assert(sizeof(struct capindex_pos) == 32, "capindex_pos layout");

struct capindex {
	struct capindex_hdr h;
	struct capindex_iface *ifs;
	struct capindex_feed *feeds;
	struct capindex_pos *pos;
};

uint64_t capindex_fnv(uint64_t h, const void *p, size_t len)
{
	const uint8_t *b = p;
	size_t i;

	/* Each step is a bijection of the state: any one byte changed changes the result. */
	for (i = 0; i < len; i++)
		h = (h ^ b[i]) * 0x100000001b3ull;
	return h;
}

/* Host <-> little-endian, in place (the same operation both ways). */
#define SW16(x) ((x) = htole16(x))
#define SW32(x) ((x) = htole32(x))
#define SW64(x) ((x) = htole64(x))

static void swap_hdr(struct capindex_hdr *h)
{
	SW32(h->version);
	SW32(h->hdr_len);
	SW64(h->total_len);
	SW64(h->data_size);
	SW64(h->data_mtime_ns);
	SW64(h->data_tail_hash);
	SW64(h->packets);
	SW64(h->packets_nots);
	SW64(h->bytes_cap);
	SW64(h->bytes_wire);
	SW64(h->first_ns);
	SW64(h->last_ns);
	SW64(h->unattributed);
	SW64(h->pos_bytes);
	SW64(h->pos_ns);
	SW32(h->nifaces);
	SW32(h->nfeeds);
	SW32(h->npos);
	SW32(h->flags);
	SW64(h->reserved);
	SW64(h->span_start_ns);
	SW64(h->span_end_ns);
}

static void swap_iface(struct capindex_iface *i)
{
	SW32(i->if_id);
	SW32(i->present);
	SW64(i->packets);
	SW64(i->dropcount);
	SW64(i->ifrecv);
	SW64(i->ifdrop);
	SW64(i->osdrop);
	SW64(i->filteraccept);
	SW64(i->usrdeliv);
}

static void swap_feed(struct capindex_feed *f)
{
	unsigned int k;

	for (k = 0; k < 16; k++)
		SW16(f->ports[k]);
	SW32(f->proto_offset);
	SW64(f->packets);
	SW64(f->bytes_cap);
	SW64(f->bytes_wire);
	SW64(f->first_ns);
	SW64(f->last_ns);
	SW64(f->seq_first);
	SW64(f->seq_last);
	SW64(f->seq_packets);
	SW64(f->seq_undecodable);
	SW64(f->gaps);
	SW64(f->missing);
	SW64(f->late);
	SW64(f->sessions);
	SW32(f->ngaps);
	SW32(f->reserved1);
	for (k = 0; k < CAPINDEX_GAPS_MAX; k++) {
		SW64(f->gap[k].from);
		SW64(f->gap[k].to);
		SW64(f->gap[k].ts_ns);
	}
	SW64(f->seq_min);
	SW64(f->seq_max);
	SW64(f->seq_msg_packets);
	SW64(f->pauses);
	SW32(f->npauses);
	SW32(f->reserved3);
	for (k = 0; k < CAPINDEX_PAUSES_MAX; k++) {
		SW64(f->pause[k].from_ns);
		SW64(f->pause[k].to_ns);
	}
}

static void swap_pos(struct capindex_pos *p)
{
	SW64(p->offset);
	SW64(p->packet);
	SW64(p->ts_ns);
	SW64(p->max_before);
}

static uint64_t body_len(uint64_t nifaces, uint64_t nfeeds, uint64_t npos)
{
	return sizeof(struct capindex_hdr) + nifaces * sizeof(struct capindex_iface) +
	       nfeeds * sizeof(struct capindex_feed) + npos * sizeof(struct capindex_pos);
}

const char *capindex_proto_name(uint8_t p)
{
	static const char *const names[] = {
		[CAPINDEX_PROTO_NONE] = "none",	      [CAPINDEX_PROTO_MOLDUDP64] = "moldudp64",
		[CAPINDEX_PROTO_MDP3] = "mdp3",	      [CAPINDEX_PROTO_PITCH] = "pitch",
		[CAPINDEX_PROTO_GENERIC] = "generic",
	};

	return p <= CAPINDEX_PROTO_GENERIC ? names[p] : "none";
}

int capindex_path(const char *data_path, char *buf, size_t len)
{
	return (size_t)snprintf(buf, len, "%s" CAPINDEX_SUFFIX, data_path) < len ? 0
										 : -ENAMETOOLONG;
}

int capindex_encode(const struct capindex_hdr *h, const struct capindex_iface *ifs,
		    const struct capindex_feed *feeds, const struct capindex_pos *pos,
		    uint8_t **out, size_t *outlen)
{
	uint64_t len = body_len(h->nifaces, h->nfeeds, h->npos) + sizeof(uint64_t), sum;
	struct capindex_hdr hh = *h;
	uint8_t *buf, *p;
	uint32_t k;

	if (len > CAPINDEX_LEN_MAX)
		return -EFBIG;
	buf = malloc(len);
	if (!buf)
		return -ENOMEM;
	memcpy(hh.magic, CAPINDEX_MAGIC, sizeof(hh.magic));
	hh.version = CAPINDEX_VERSION;
	hh.hdr_len = sizeof(hh);
	hh.total_len = len;
	swap_hdr(&hh);
	memcpy(buf, &hh, sizeof(hh));
	p = buf + sizeof(hh);
	for (k = 0; k < h->nifaces; k++, p += sizeof(*ifs)) {
		struct capindex_iface i = ifs[k];

		swap_iface(&i);
		memcpy(p, &i, sizeof(i));
	}
	for (k = 0; k < h->nfeeds; k++, p += sizeof(*feeds)) {
		struct capindex_feed f = feeds[k];

		swap_feed(&f);
		memcpy(p, &f, sizeof(f));
	}
	for (k = 0; k < h->npos; k++, p += sizeof(*pos)) {
		struct capindex_pos e = pos[k];

		swap_pos(&e);
		memcpy(p, &e, sizeof(e));
	}
	sum = htole64(capindex_fnv(CAPINDEX_FNV_INIT, buf, (size_t)(p - buf)));
	memcpy(p, &sum, sizeof(sum));
	*out = buf;
	*outlen = (size_t)len;
	return 0;
}

static int bad(char *why, size_t len, int r, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int bad(char *why, size_t len, int r, const char *fmt, ...)
{
	va_list ap;

	if (why && len) {
		va_start(ap, fmt);
		vsnprintf(why, len, fmt, ap);
		va_end(ap);
	}
	return r;
}

/* A feed without a change of session began in the one it ended in. */
static bool same_session(const struct capindex_feed *f)
{
	return f->first_session_len == f->session_len &&
	       !memcmp(f->first_session, f->session, f->session_len);
}

/* Listed pauses long enough, in time order, apart, within the feed's time. */
static bool pauses_ok(const struct capindex_feed *f)
{
	uint32_t k;

	if (f->npauses > CAPINDEX_PAUSES_MAX || f->npauses > f->pauses)
		return false;
	for (k = 0; k < f->npauses; k++) {
		const struct capindex_pause *a = &f->pause[k];

		if (a->to_ns < a->from_ns || a->to_ns - a->from_ns < CAPINDEX_PAUSE_NS ||
		    a->from_ns < f->first_ns || a->to_ns > f->last_ns ||
		    (k && a->from_ns < f->pause[k - 1].to_ns))
			return false;
	}
	return true;
}

/* What a well-formed index must say of itself, beyond its checksum. */
static int check_content(const struct capindex *ix, char *why, size_t whylen)
{
	const struct capindex_hdr *h = &ix->h;
	uint32_t k;

	if (h->first_ns > h->last_ns || h->packets_nots > h->packets ||
	    h->unattributed > h->packets || h->span_start_ns > h->span_end_ns)
		return bad(why, whylen, -EBADMSG, "inconsistent totals");
	for (k = 0; k < h->nfeeds; k++) {
		const struct capindex_feed *f = &ix->feeds[k];

		if (f->ngaps > CAPINDEX_GAPS_MAX || f->ngaps > f->gaps || f->nports > 16 ||
		    f->session_len > sizeof(f->session) || f->name[sizeof(f->name) - 1] ||
		    (f->family != 4 && f->family != 6) ||
		    f->prefix_len > (f->family == 4 ? 32 : 128) ||
		    f->proto > CAPINDEX_PROTO_GENERIC || f->seq_min > f->seq_max ||
		    f->seq_msg_packets > f->seq_packets ||
		    (!f->seq_msg_packets && (f->seq_min || f->seq_max)) ||
		    f->first_session_len > sizeof(f->first_session) ||
		    (!f->seq_packets && f->first_session_len) ||
		    (!f->sessions && !same_session(f)) || !pauses_ok(f))
			return bad(why, whylen, -EBADMSG, "feed %u malformed", k);
	}
	for (k = 0; k < h->npos; k++) {
		const struct capindex_pos *p = &ix->pos[k];

		if (k &&
		    (p->offset <= ix->pos[k - 1].offset || p->packet <= ix->pos[k - 1].packet ||
		     p->max_before < ix->pos[k - 1].max_before))
			return bad(why, whylen, -EBADMSG, "position %u out of order", k);
		if (p->packet >= h->packets)
			return bad(why, whylen, -EBADMSG, "position %u beyond the packets", k);
	}
	return 0;
}

int capindex_parse(const void *buf, size_t len, struct capindex **ret, char *why, size_t whylen)
{
	const uint8_t *b = buf;
	struct capindex *ix;
	uint64_t sum, want;
	uint32_t k;
	int r;

	*ret = NULL;
	if (len < sizeof(struct capindex_hdr) + sizeof(sum))
		return bad(why, whylen, -EBADMSG, "truncated: %zu bytes", len);
	if (memcmp(b, CAPINDEX_MAGIC, 8))
		return bad(why, whylen, -EBADMSG, "not a capdump index");
	ix = calloc(1, sizeof(*ix));
	if (!ix)
		return -ENOMEM;
	memcpy(&ix->h, b, sizeof(ix->h));
	swap_hdr(&ix->h);
	r = -EPROTONOSUPPORT;
	if (ix->h.version != CAPINDEX_VERSION) {
		bad(why, whylen, r, "index format version %u, not %u", ix->h.version,
		    CAPINDEX_VERSION);
		goto fail;
	}
	r = -EBADMSG;
	if (ix->h.total_len != len) {
		bad(why, whylen, r, "truncated or extended: %zu bytes, its header says %llu", len,
		    (unsigned long long)ix->h.total_len);
		goto fail;
	}
	memcpy(&sum, b + len - sizeof(sum), sizeof(sum));
	sum = le64toh(sum);
	want = capindex_fnv(CAPINDEX_FNV_INIT, b, len - sizeof(sum));
	if (sum != want) {
		bad(why, whylen, r, "checksum mismatch (corrupt)");
		goto fail;
	}
	if (ix->h.hdr_len != sizeof(ix->h) || ix->h.nifaces > CAPINDEX_IFACES_MAX ||
	    ix->h.nfeeds > CAPINDEX_FEEDS_MAX || ix->h.npos > CAPINDEX_POS_MAX ||
	    body_len(ix->h.nifaces, ix->h.nfeeds, ix->h.npos) + sizeof(sum) != len) {
		bad(why, whylen, r, "counts do not fit its length");
		goto fail;
	}
	r = -ENOMEM;
	ix->ifs = calloc(ix->h.nifaces + 1, sizeof(*ix->ifs));
	ix->feeds = calloc(ix->h.nfeeds + 1, sizeof(*ix->feeds));
	ix->pos = calloc(ix->h.npos + 1, sizeof(*ix->pos));
	if (!ix->ifs || !ix->feeds || !ix->pos)
		goto fail;
	b += sizeof(ix->h);
	for (k = 0; k < ix->h.nifaces; k++, b += sizeof(*ix->ifs)) {
		memcpy(&ix->ifs[k], b, sizeof(*ix->ifs));
		swap_iface(&ix->ifs[k]);
	}
	for (k = 0; k < ix->h.nfeeds; k++, b += sizeof(*ix->feeds)) {
		memcpy(&ix->feeds[k], b, sizeof(*ix->feeds));
		swap_feed(&ix->feeds[k]);
	}
	for (k = 0; k < ix->h.npos; k++, b += sizeof(*ix->pos)) {
		memcpy(&ix->pos[k], b, sizeof(*ix->pos));
		swap_pos(&ix->pos[k]);
	}
	r = check_content(ix, why, whylen);
	if (r < 0)
		goto fail;
	*ret = ix;
	return 0;
fail:
	capindex_free(ix);
	return r;
}

void capindex_free(struct capindex *ix)
{
	if (!ix)
		return;
	free(ix->ifs);
	free(ix->feeds);
	free(ix->pos);
	free(ix);
}

int capindex_identify(int fd, uint64_t *size, uint64_t *mtime_ns, uint64_t *tail_hash)
{
	uint8_t *buf;
	struct stat st;
	size_t want, got = 0;
	ssize_t n;

	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -ENXIO;
	*size = (uint64_t)st.st_size;
	*mtime_ns = (uint64_t)st.st_mtim.tv_sec * 1000000000u + (uint64_t)st.st_mtim.tv_nsec;
	want = *size < CAPINDEX_TAIL ? (size_t)*size : CAPINDEX_TAIL;
	buf = malloc(want ? want : 1);
	if (!buf)
		return -ENOMEM;
	while (got < want) {
		n = pread(fd, buf + got, want - got, (off_t)(*size - want + got));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			free(buf);
			return n < 0 ? -errno : -EIO; /* shrunk meanwhile */
		}
		got += (size_t)n;
	}
	*tail_hash = capindex_fnv(CAPINDEX_FNV_INIT, buf, want);
	free(buf);
	return 0;
}

int capindex_load(const char *data_path, struct capindex **ix, char *why, size_t whylen)
{
	char path[PATH_MAX];
	uint64_t size, mtime, hash;
	uint8_t *buf = NULL;
	size_t len = 0;
	int fd, r;

	*ix = NULL;
	r = capindex_path(data_path, path, sizeof(path));
	if (r < 0)
		return bad(why, whylen, r, "%s: name too long", data_path);
	r = file_slurp(path, CAPINDEX_LEN_MAX, &buf, &len, NULL);
	if (r == -ENOENT)
		return bad(why, whylen, r, "%s: no index", path);
	if (r < 0)
		return bad(why, whylen, r, "%s: %s", path,
			   r == -EFBIG ? "too large for an index" : strerror(-r));
	r = capindex_parse(buf, len, ix, why, whylen);
	free(buf);
	if (r < 0)
		return r;
	fd = open(data_path, O_RDONLY | O_CLOEXEC);
	r = fd < 0 ? -errno : capindex_identify(fd, &size, &mtime, &hash);
	if (fd >= 0)
		close(fd);
	if (r < 0) {
		bad(why, whylen, r, "%s: %s", data_path, strerror(-r));
	} else if (size != (*ix)->h.data_size || mtime != (*ix)->h.data_mtime_ns) {
		r = bad(why, whylen, -ESTALE,
			"describes another version of the file (%s %llu, index says %llu)",
			size != (*ix)->h.data_size ? "size" : "mtime ns",
			(unsigned long long)(size != (*ix)->h.data_size ? size : mtime),
			(unsigned long long)(size != (*ix)->h.data_size ? (*ix)->h.data_size
									: (*ix)->h.data_mtime_ns));
	} else if (hash != (*ix)->h.data_tail_hash) {
		r = bad(why, whylen, -ESTALE,
			"describes another file of the same size and time (content differs)");
	}
	if (r < 0) {
		capindex_free(*ix);
		*ix = NULL;
	}
	return r;
}

const struct capindex_hdr *capindex_hdr(const struct capindex *ix)
{
	return &ix->h;
}

const struct capindex_iface *capindex_iface(const struct capindex *ix, unsigned int i)
{
	return i < ix->h.nifaces ? &ix->ifs[i] : NULL;
}

const struct capindex_feed *capindex_feed(const struct capindex *ix, unsigned int i)
{
	return i < ix->h.nfeeds ? &ix->feeds[i] : NULL;
}

const struct capindex_pos *capindex_pos(const struct capindex *ix, unsigned int i)
{
	return i < ix->h.npos ? &ix->pos[i] : NULL;
}

const struct capindex_pos *capindex_seek(const struct capindex *ix, uint64_t t_ns)
{
	uint32_t lo = 0, hi = ix->h.npos;

	if (!hi)
		return NULL;
	/* max_before never decreases: the last entry with max_before < t_ns. */
	while (hi - lo > 1) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (ix->pos[mid].max_before < t_ns)
			lo = mid;
		else
			hi = mid;
	}
	return &ix->pos[lo];
}

int capindex_store(const char *data_path, const void *buf, size_t len)
{
	char final[PATH_MAX], tmp[PATH_MAX];
	const char *slash = strrchr(data_path, '/');
	const char *base = slash ? slash + 1 : data_path;
	int dirlen = slash ? (int)(slash - data_path + 1) : 0;
	const uint8_t *p = buf;
	size_t done = 0;
	ssize_t n;
	int fd, r;

	r = capindex_path(data_path, final, sizeof(final));
	if (r < 0)
		return r;
	if ((size_t)snprintf(tmp, sizeof(tmp), "%.*s.%s" CAPINDEX_SUFFIX ".XXXXXX", dirlen,
			     data_path, base) >= sizeof(tmp))
		return -ENAMETOOLONG;
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (done < len) {
		n = write(fd, p + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = -errno;
			goto fail;
		}
		done += (size_t)n;
	}
	/* Readable as its data file is (capdump writes 0640). */
	if (fchmod(fd, 0640) < 0 || fsync(fd) < 0) {
		r = -errno;
		goto fail;
	}
	if (close(fd) < 0) {
		fd = -1;
		r = -errno;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, final) < 0) {
		r = -errno;
		goto fail;
	}
	return file_sync_dir(final);
fail:
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	return r;
}
