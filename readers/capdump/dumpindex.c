// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "capfile.h"
#include "capindex.h"
#include "dumpindex.h"
#include "filelist.h"
#include "log.h"

struct dumpindex {
	enum dumpindex_table how;
	struct capindex_build *b;
	bool begun;  /* a file is being indexed */
	bool tabled; /* its feed table is set */
	bool ready;  /* begun, tabled and built from the packets: the usual packet */
	unsigned int nring;
	struct ring_feed ring[CAPINDEX_FEEDS_MAX]; /* the table of every file (RINGS) */
	struct ring_feed tmp[CAPINDEX_FEEDS_MAX];
};

int dumpindex_new(struct dumpindex **ret, enum dumpindex_table how, const struct ring_feed *feeds,
		  unsigned int n)
{
	struct dumpindex *x = calloc(1, sizeof(*x));

	if (!x || capindex_build_new(&x->b) < 0) {
		free(x);
		return -ENOMEM;
	}
	x->how = how;
	if (how == DUMPINDEX_RINGS)
		x->nring = capindex_build_ring_feeds(feeds, n, x->ring, CAPINDEX_FEEDS_MAX);
	*ret = x;
	return 0;
}

void dumpindex_free(struct dumpindex *x)
{
	if (!x)
		return;
	capindex_build_free(x->b);
	free(x);
}

static void begin(struct dumpindex *x)
{
	if (x->begun)
		return;
	capindex_build_begin(x->b);
	x->begun = true;
	x->tabled = x->how != DUMPINDEX_INPUT;
	if (x->how == DUMPINDEX_RINGS)
		capindex_build_feeds(x->b, x->ring, x->nring);
}

/* A file's first packet: out of the way of every other one. */
static __attribute__((noinline)) void first_packet(struct dumpindex *x, const struct capfile *in,
						   const struct capindex_build_pkt *p)
{
	begin(x);
	/* The output holds the input's names up to here, and only those. */
	if (!x->tabled && in) {
		capindex_build_feeds(x->b, x->tmp,
				     capindex_build_file_feeds(in, x->tmp, CAPINDEX_FEEDS_MAX));
		x->tabled = true;
	}
	x->ready = x->tabled;
	capindex_build_packet(x->b, p);
}

void dumpindex_packet(struct dumpindex *x, const struct capfile *in,
		      const struct capindex_build_pkt *p)
{
	if (x && x->ready)
		capindex_build_packet(x->b, p);
	else if (x && x->how != DUMPINDEX_RESCAN)
		first_packet(x, in, p);
}

void dumpindex_isb_info(struct dumpindex *x, uint32_t if_id, const struct pcapng_isb_info *i,
			uint8_t tsresol, int64_t tsoffset)
{
	uint32_t present = 0;

	if (!x || x->how == DUMPINDEX_RESCAN)
		return;
	begin(x);
	present |= i->ifrecv != PCAPNG_ABSENT ? CAPINDEX_IFRECV : 0;
	present |= i->ifdrop != PCAPNG_ABSENT ? CAPINDEX_IFDROP : 0;
	present |= i->osdrop != PCAPNG_ABSENT ? CAPINDEX_OSDROP : 0;
	present |= i->filteraccept != PCAPNG_ABSENT ? CAPINDEX_FILTERACCEPT : 0;
	present |= i->usrdeliv != PCAPNG_ABSENT ? CAPINDEX_USRDELIV : 0;
	capindex_build_isb(x->b, if_id, present, i->ifrecv, i->ifdrop, i->osdrop, i->filteraccept,
			   i->usrdeliv);
	/* as a rebuild reads them back from the file: in the interface's units */
	capindex_build_span(
		x->b, i->starttime != PCAPNG_ABSENT, pcapng_ts_ns(i->starttime, tsresol, tsoffset),
		i->endtime != PCAPNG_ABSENT, pcapng_ts_ns(i->endtime, tsresol, tsoffset));
}

void dumpindex_isb_block(struct dumpindex *x, uint32_t if_id, const void *blk, uint32_t len,
			 uint8_t tsresol, int64_t tsoffset)
{
	if (!x || x->how == DUMPINDEX_RESCAN)
		return;
	begin(x);
	capindex_build_isb_block(x->b, if_id, blk, len, tsresol, tsoffset);
}

void dumpindex_file(const char *path)
{
	char err[PATH_MAX + 256];

	if (capindex_build_file(path, err, sizeof(err)) < 0)
		pr_warn("%s: no index written: %s", path, err);
}

void dumpindex_closed(struct dumpindex *x, const char *path, bool failed)
{
	bool tabled;
	int r;

	if (!x)
		return;
	tabled = x->tabled;
	begin(x);
	x->begun = x->ready = false;
	/* A file of -r without a packet: its table is what it carried, read it. */
	if (failed || x->how == DUMPINDEX_RESCAN || (x->how == DUMPINDEX_INPUT && !tabled)) {
		dumpindex_file(path);
		return;
	}
	r = capindex_build_write(x->b, path);
	if (r < 0)
		pr_warn("%s" CAPINDEX_SUFFIX ": not written: %s", path, strerror(-r));
}

/* One file of --index: its line, and whether it ends with a trusted index. */
static bool index_one(const char *path, bool force)
{
	char why[512], err[PATH_MAX + 256], was[600] = "";
	struct capindex *ix = NULL;
	int r;

	r = capindex_load(path, &ix, why, sizeof(why));
	if (!r && !force) {
		printf("%s: index ok (%llu packets, %u feeds)\n", path,
		       (unsigned long long)capindex_hdr(ix)->packets, capindex_hdr(ix)->nfeeds);
		capindex_free(ix);
		return true;
	}
	capindex_free(ix);
	if (r == 0)
		snprintf(was, sizeof(was), "rebuilt (--force)");
	else if (r == -ENOENT)
		snprintf(was, sizeof(was), "indexed");
	else
		snprintf(was, sizeof(was), "index not trusted (%s), rebuilt", why);
	r = capindex_build_file(path, err, sizeof(err));
	if (r < 0) {
		printf("%s: not indexed: %s\n", path, err);
		return false;
	}
	r = capindex_load(path, &ix, why, sizeof(why));
	if (r < 0) {
		printf("%s: not indexed: the index written does not check: %s\n", path, why);
		return false;
	}
	printf("%s: %s (%llu packets, %u feeds)\n", path, was,
	       (unsigned long long)capindex_hdr(ix)->packets, capindex_hdr(ix)->nfeeds);
	capindex_free(ix);
	return true;
}

int dumpindex_command(char *const *paths, int n, bool force)
{
	struct filelist l = { 0 };
	char err[PATH_MAX + 64];
	struct stat st;
	bool ok = true;
	size_t k;
	int i, r;

	for (i = 0; i < n; i++) {
		if (stat(paths[i], &st) < 0) {
			printf("%s: not indexed: %s\n", paths[i], strerror(errno));
			ok = false;
			continue;
		}
		r = filelist_add(&l, paths[i], err, sizeof(err));
		/* a directory without capture files has nothing to index */
		if (r < 0 && !(r == -ENOENT && S_ISDIR(st.st_mode))) {
			printf("not indexed: %s\n", err);
			ok = false;
		}
		for (k = 0; k < l.n; k++) {
			ok &= index_one(l.path[k], force);
			fflush(stdout);
		}
		filelist_free(&l);
	}
	return ok ? 0 : 1;
}
