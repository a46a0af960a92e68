// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "dumpfile.h"
#include "clock_ns.h"
#include "fname.h"
#include "zout.h"

#define BLOCK_BUF  (128u << 10) /* one EPB of 64 KiB plus options, or an NRB */
#define NAME_TRIES 10000	/* taken names skipped before giving up */
#define OPEN_TRIES 100		/* names taken by another writer meanwhile */

/* A file this run wrote and closed, as it was then (-W). */
struct dumpfile_kept {
	char *name;
	dev_t dev;
	ino_t ino;
};

/* An interface as kept: i.opts is blob, the caller's comment its first option. */
struct df_iface {
	struct dumpfile_iface i;
	uint8_t *blob;
};

struct dumpfile {
	struct dumpfile_opts o; /* its ifaces: none, they are in ifs */
	struct df_iface ifs[DUMPFILE_MAX_IFACES];
	unsigned int nifs;
	uint8_t *sticky; /* the sticky blocks, in order (dumpfile_block()) */
	size_t sticky_len;
	uint64_t blocks_dropped;
	bool pcap_hdr; /* the current pcap file has its header */
	struct zout *z;
	uint8_t *hbuf;	      /* the block being written */
	char name[4096];      /* final name of the current file */
	uint64_t period_end;  /* where the current file's -G period ends (ns) */
	uint64_t opened_ns;   /* UTC when the current file was opened */
	uint64_t isb_reserve; /* room -C keeps for the closing ISBs */
	uint64_t file_packets;
	uint64_t packets;     /* all files; zout_mark() of the safe points */
	uint64_t safe_closed; /* the packets of the files closed, up to their last flush */
	unsigned int files;   /* files opened */
	unsigned int num;     /* the number of the next numbered name */
	char last_want[4096]; /* the strftime name of the last rotated file... */
	unsigned int dup;     /* ... and the number it got (0: none) */
	unsigned int nkept;
	struct dumpfile_kept *kept; /* closed files, oldest first (-W) */
	int err;
	struct dumpfile_last last; /* the last packet written */
};

static bool rotating(const struct dumpfile *d)
{
	return d->o.rotate_bytes || d->o.rotate_ns;
}

/*
 * The name of the next file, starting at UTC time t (see dumpfile.h).  A
 * rotated file never takes the name of a file that exists, this run's or
 * another's: a numbered name takes the next free number, a strftime name
 * the next free "_NNNNN" after the one the last file of that name got, so
 * that the names sort in the order the files were written.
 */
static int make_name(struct dumpfile *d, uint64_t t, char *out, size_t len)
{
	const char *pat = d->o.pattern, *ext;
	time_t secs = (time_t)(t / 1000000000u);
	char want[sizeof(d->last_want)], stamp[32];
	unsigned int i, dup;
	struct tm tm;
	int n;

	gmtime_r(&secs, &tm);
	if (strchr(pat, '%')) {
		n = (int)strftime(want, sizeof(want), pat, &tm);
		if (n <= 0)
			return -ENAMETOOLONG;
	} else {
		n = snprintf(want, sizeof(want), "%s", pat);
		if ((size_t)n >= sizeof(want))
			return -ENAMETOOLONG;
	}
	if (!rotating(d)) {
		if (d->o.keep_existing)
			return fname_free(want, out, len);
		return (size_t)snprintf(out, len, "%s", want) < len ? 0 : -ENAMETOOLONG;
	}
	ext = fname_ext(want);
	if (strchr(pat, '%')) {
		/* NAME.EXT, NAME_00001.EXT, ... */
		dup = strcmp(want, d->last_want) ? 0 : d->dup + 1;
		snprintf(d->last_want, sizeof(d->last_want), "%s", want);
		for (i = 0; i < NAME_TRIES; i++, dup++) {
			if (dup)
				n = snprintf(out, len, "%.*s_%05u%s", (int)(ext - want), want, dup,
					     ext);
			else
				n = snprintf(out, len, "%s", want);
			if ((size_t)n >= len)
				return -ENAMETOOLONG;
			d->dup = dup;
			if (!fname_taken(out))
				return 0;
		}
		return -EEXIST;
	}
	/* dumpcap's habit: NAME_NNNNN_YYYYmmddHHMMSS.EXT */
	strftime(stamp, sizeof(stamp), "%Y%m%d%H%M%S", &tm);
	for (i = 0; i < NAME_TRIES; i++) {
		n = snprintf(out, len, "%.*s_%05u_%s%s", (int)(ext - want), want, d->num++, stamp,
			     ext);
		if ((size_t)n >= len)
			return -ENAMETOOLONG;
		if (!fname_taken(out))
			return 0;
	}
	return -EEXIST;
}

/* The message of a file that cannot be opened. */
static void open_error(const struct dumpfile *d, int r, char *err, size_t errlen)
{
	char target[4096];
	const char *kind;

	zout_target(d->name, &kind);
	if (r == -ELOOP && !strcmp(kind, "a symlink"))
		snprintf(err, errlen,
			 "%s is a symlink in a directory others can write: not followed, since "
			 "they could point it anywhere; to write into what it names, give -w %s",
			 d->name, realpath(d->name, target) ? target : "its target");
	else if (r == -ENXIO && *kind)
		snprintf(err, errlen,
			 "%s is %s: capdump writes into regular files, character devices and "
			 "FIFOs only",
			 d->name, kind);
	else if (r == -EINTR && !strcmp(kind, "a FIFO"))
		snprintf(err, errlen, "%s: stopped while waiting for the FIFO's reader", d->name);
	else
		snprintf(err, errlen, "%s: %s", d->name, strerror(-r));
}

/* What write(2) took, as of zout's last sync point. */
static void learn_delivered(struct dumpfile *d)
{
	if (d->o.delivery && d->z)
		delivery_reached(d->o.delivery, zout_bytes_out(d->z));
}

/* A packet just emitted ends at the stream's end. */
static int track_delivery(struct dumpfile *d)
{
	uint64_t end;
	int r;

	if (!d->o.delivery)
		return 0;
	end = zout_bytes_in(d->z);
	learn_delivered(d);
	if (delivery_add(d->o.delivery, end))
		return 0;
	/* In flight more than the ring holds: all of it out, then room. */
	r = zout_flush(d->z);
	learn_delivered(d);
	if (r < 0) {
		d->err = r;
		return r;
	}
	delivery_add(d->o.delivery, end);
	return 0;
}

static int emit(struct dumpfile *d, const uint8_t *buf, size_t n)
{
	int r;

	if (n > BLOCK_BUF)
		return -EMSGSIZE;
	r = zout_write(d->z, buf, n);
	if (r < 0)
		d->err = r;
	return r;
}

/* A block the caller built, of any size. */
static int emit_raw(struct dumpfile *d, const void *buf, size_t n)
{
	int r = zout_write(d->z, buf, n);

	if (r < 0)
		d->err = r;
	return r;
}

/* pcap has one link type, the first interface's; Ethernet if none ever came. */
static int write_pcap_header(struct dumpfile *d)
{
	const struct dumpfile_iface *f = d->nifs ? &d->ifs[0].i : NULL;
	int r;

	r = emit(d, d->hbuf,
		 pcap_file_header(d->hbuf, BLOCK_BUF, f ? f->snaplen : 65535,
				  f ? f->linktype : PCAPNG_LINKTYPE_ETHERNET));
	if (!r)
		d->pcap_hdr = true;
	return r;
}

/* Into hbuf; NULL buf: measure, without the idb callback. */
static size_t encode_idb(struct dumpfile *d, unsigned int k, uint8_t *buf)
{
	const struct dumpfile_iface *f = &d->ifs[k].i;
	struct pcapng_idb_info idb = {
		.linktype = f->linktype,
		.snaplen = f->snaplen,
		.name = f->name,
		.description = f->description[0] ? f->description : NULL,
		.hardware = f->hardware[0] ? f->hardware : NULL,
		.filter = d->o.filter && *d->o.filter ? d->o.filter : NULL,
		.tsresol = f->tsresol ? f->tsresol : 9,
		.tsoffset = f->tsoffset,
		.opts = f->opts,
		.optlen = f->optlen,
	};

	if (!buf)
		return pcapng_idb(NULL, 0, &idb);
	if (d->o.idb)
		d->o.idb(d->o.ctx, k, &idb);
	return pcapng_idb(buf, BLOCK_BUF, &idb);
}

static int write_headers(struct dumpfile *d)
{
	struct utsname u;
	char hw[128], os[256];
	unsigned int i;
	size_t n;
	int r;

	if (d->o.pcap)
		return d->nifs ? write_pcap_header(d) : 0;
	uname(&u);
	snprintf(hw, sizeof(hw), "%s", u.machine);
	snprintf(os, sizeof(os), "%s %s", u.sysname, u.release);
	n = pcapng_shb(d->hbuf, BLOCK_BUF,
		       &(struct pcapng_shb_info){ .hardware = hw,
						  .os = os,
						  .userappl = d->o.userappl,
						  .comment = d->o.comment });
	r = emit(d, d->hbuf, n);
	for (i = 0; !r && i < d->nifs; i++)
		r = emit(d, d->hbuf, encode_idb(d, i, d->hbuf));
	if (!r && (d->o.nnames || d->o.nfeeds))
		r = emit(d, d->hbuf,
			 pcapng_nrb_custom(d->hbuf, BLOCK_BUF, d->o.names, d->o.nnames, d->o.feeds,
					   d->o.nfeeds));
	if (!r && d->sticky_len)
		r = emit_raw(d, d->sticky, d->sticky_len);
	return r;
}

/* The ISB of interface i as the file would end now. */
static size_t encode_isb(struct dumpfile *d, unsigned int i, uint64_t now)
{
	const struct dumpfile_iface *f = &d->ifs[i].i;
	uint8_t res = f->tsresol ? f->tsresol : 9;
	struct pcapng_isb_info isb = {
		.if_id = i,
		.ifrecv = PCAPNG_ABSENT,
		.ifdrop = PCAPNG_ABSENT,
		.filteraccept = PCAPNG_ABSENT,
		.osdrop = PCAPNG_ABSENT,
		.usrdeliv = PCAPNG_ABSENT,
	};

	/* in the interface's units, like its packets' */
	isb.ts = pcapng_ns_ts(now, res, f->tsoffset);
	isb.starttime = pcapng_ns_ts(d->opened_ns, res, f->tsoffset);
	isb.endtime = isb.ts;
	if (d->o.isb)
		d->o.isb(d->o.ctx, i, &isb);
	return pcapng_isb(d->hbuf, BLOCK_BUF, &isb);
}

static int write_isbs(struct dumpfile *d)
{
	uint64_t now = clock_ns(CLOCK_REALTIME);
	unsigned int i;
	int r = 0;

	/* A pcap file that never got an interface gets its header now. */
	if (d->o.pcap)
		return d->pcap_hdr ? 0 : write_pcap_header(d);
	for (i = 0; !r && d->o.isb && i < d->nifs; i++)
		r = emit(d, d->hbuf, encode_isb(d, i, now));
	return r;
}

/* -C counts the closing ISBs in: their size now, plus room for their
 * comments to grow to the most a callback may write. */
static uint64_t isb_reserve(struct dumpfile *d)
{
	uint64_t sum = 0;
	unsigned int i;

	if (d->o.pcap || !d->o.rotate_bytes || !d->o.isb)
		return 0;
	for (i = 0; i < d->nifs; i++)
		sum += encode_isb(d, i, d->opened_ns) + DUMPFILE_COMMENT_MAX;
	return sum;
}

/* The safe point now, or after the file was closed (closed). */
static void fill_safe(const struct dumpfile *d, bool closed, struct dumpfile_safe *sp)
{
	*sp = (struct dumpfile_safe){ .final = d->name };
	if (closed || !d->z) {
		sp->packets = d->safe_closed;
		return;
	}
	sp->tmp = zout_tmp_path(d->z);
	sp->offset = zout_bytes_safe_out(d->z);
	sp->packets = zout_mark_safe(d->z);
	/* Marks count the packets of all files; this one began after the others'. */
	sp->file_packets = sp->packets - (d->packets - d->file_packets);
}

static void tell_safe(struct dumpfile *d, bool closed)
{
	struct dumpfile_safe sp;

	if (!d->o.safe)
		return;
	fill_safe(d, closed, &sp);
	d->o.safe(d->o.ctx, &sp);
}

/*
 * The file d->name is about to be created under its temporary name: the
 * state names it first (empty), so that a crash between its creation and
 * the next safe point leaves no file a restart does not know of.
 */
static int tell_creating(struct dumpfile *d, bool in_place)
{
	char tmp[PATH_MAX];
	int r;

	if (!d->o.safe || in_place)
		return 0;
	r = zout_tmp_name(d->name, tmp, sizeof(tmp));
	if (r < 0)
		return r;
	d->o.safe(d->o.ctx, &(struct dumpfile_safe){
				    .tmp = tmp,
				    .final = d->name,
				    .packets = d->packets,
			    });
	return 0;
}

static int open_file(struct dumpfile *d, uint64_t t, char *err, size_t errlen)
{
	struct zout_opts zo = {
		.level = d->o.compress ? d->o.level : 0,
		.workers = d->o.workers,
		.mode = 0640,
		/* tcpdump -w replaces a file; a rotated one never does (make_name()) */
		.overwrite = !d->o.keep_existing && !rotating(d),
		.threaded = 1, /* the ring is read while the last batch compresses */
		/* /dev/null, a FIFO into Wireshark, a symlink (dumpfile_open()) */
		.in_place = !d->o.keep_existing && !rotating(d),
		/* --resume: a state never describes more than is on disk */
		.sync_flush = d->o.durable,
		.fsync = d->o.durable,
	};
	unsigned int tries;
	int r;

	/* A file of a -G period is named for the start of the period. */
	if (d->o.rotate_ns)
		t -= t % d->o.rotate_ns;
	for (tries = 0;; tries++) {
		r = make_name(d, t, d->name, sizeof(d->name));
		if (r < 0) {
			snprintf(err, errlen, "-w %s: %s", d->o.pattern,
				 r == -ENAMETOOLONG ? "file name too long"
						    : "no free file name left");
			return r;
		}
		zo.path = d->name;
		r = tell_creating(d, zo.in_place);
		if (r < 0) {
			snprintf(err, errlen, "-w %s: %s", d->name, strerror(-r));
			return r;
		}
		r = zout_open(&zo, &d->z);
		/* Taken by another writer since make_name() looked: the next one. */
		if (r != -EEXIST || !rotating(d) || tries == OPEN_TRIES)
			break;
	}
	if (r < 0) {
		open_error(d, r, err, errlen);
		return r;
	}
	d->files++;
	d->opened_ns = clock_ns(CLOCK_REALTIME);
	/* Per packet a compare with the end, not a division (t is the start). */
	if (!d->o.rotate_ns || __builtin_add_overflow(t, d->o.rotate_ns, &d->period_end))
		d->period_end = UINT64_MAX;
	d->file_packets = 0;
	d->pcap_hdr = false;
	zout_mark(d->z, d->packets);
	r = write_headers(d);
	d->isb_reserve = isb_reserve(d);
	/* On disk at once: even a file that gets no packet (or a full disk)
	 * is a valid capture file. */
	if (!r)
		r = zout_flush(d->z);
	if (r < 0)
		d->err = r;
	else
		tell_safe(d, false);
	return r;
}

/*
 * Keep at most max_files files: the one just closed, those before it and,
 * if another follows, that one.  Only files this run wrote are counted and
 * removed, and only while they are still the file it wrote.
 */
static void retire(struct dumpfile *d, const char *closed, bool another)
{
	struct dumpfile_kept *k;
	struct stat st;

	if (!d->o.max_files)
		return;
	k = realloc(d->kept, (d->nkept + 1) * sizeof(*k));
	if (!k)
		return;
	d->kept = k;
	k = &d->kept[d->nkept++];
	k->name = strdup(closed);
	k->dev = 0;
	k->ino = 0;
	if (!lstat(closed, &st)) {
		k->dev = st.st_dev;
		k->ino = st.st_ino;
	}
	while (d->nkept && d->nkept + another > d->o.max_files) {
		k = &d->kept[0];
		if (k->name && !lstat(k->name, &st) && st.st_dev == k->dev && st.st_ino == k->ino) {
			char idx[4096 + 8];

			unlink(k->name);
			/* and capdump's index of it (FILE.idx, capindex.h) */
			if ((size_t)snprintf(idx, sizeof(idx), "%s.idx", k->name) < sizeof(idx))
				unlink(idx);
		}
		free(k->name);
		memmove(d->kept, d->kept + 1, --d->nkept * sizeof(*d->kept));
	}
}

static int close_file(struct dumpfile *d, bool another)
{
	int r, r2;

	if (!d->z)
		return 0;
	r = d->err ? d->err : write_isbs(d);
	/* The last batches' errors surface here, not first in zout_close(), so
	 * that a salvaged file is known below to have its final name.  All of
	 * it is a safe point before the rename, so that a crash after it does
	 * not have a restart record its packets again. */
	if (!r && (r = zout_flush(d->z)) < 0)
		d->err = r;
	learn_delivered(d);
	if (!r)
		tell_safe(d, false);
	/* What the file holds once closed: all, or up to a salvage's flush. */
	d->safe_closed = zout_mark_safe(d->z);
	r2 = zout_close(d->z);
	d->z = NULL;
	if (!r)
		r = r2;
	/* Closed without an error: all of it was written. */
	if (!r && d->o.delivery)
		delivery_reached(d->o.delivery, UINT64_MAX);
	/* A salvaged file gets its final name too (zout_close). */
	if (r2 == 0 || r2 == d->err) {
		tell_safe(d, true);
		if (d->o.closed)
			d->o.closed(d->o.ctx, d->name);
		retire(d, d->name, another);
	}
	return r;
}

int dumpfile_check_target(const char *pattern, char *err, size_t errlen)
{
	const char *kind;

	switch (zout_target(pattern, &kind)) {
	case ZOUT_TARGET_FILE:
		return 0;
	case ZOUT_TARGET_IN_PLACE:
		snprintf(err, errlen,
			 "-w %s is %s, written into as it is: -C, -G and --resume need a name for "
			 "new files",
			 pattern, kind);
		break;
	default:
		snprintf(err, errlen,
			 "-w %s is %s: capdump writes into regular files, character devices and "
			 "FIFOs only",
			 pattern, kind);
	}
	return -EINVAL;
}

/* What to call interface f in a message: its name, from the blob if need be. */
static void iface_label(const struct dumpfile_iface *f, unsigned int k, char *buf, size_t len)
{
	const uint8_t *p = f->opts;
	struct pcapng_opt_hdr h;
	size_t off = 0;

	if (f->name[0]) {
		snprintf(buf, len, "%.*s", (int)sizeof(f->name), f->name);
		return;
	}
	while (p && off + sizeof(h) <= f->optlen) {
		memcpy(&h, p + off, sizeof(h));
		if (h.code == PCAPNG_IF_NAME && h.len) {
			snprintf(buf, len, "%.*s", (int)h.len, (const char *)p + off + sizeof(h));
			return;
		}
		off += sizeof(h) + PCAPNG_PAD(h.len);
	}
	snprintf(buf, len, "#%u", k);
}

static void linktype_label(uint32_t lt, char *buf, size_t len)
{
	const char *n = pcapng_linktype_name(lt);

	if (n)
		snprintf(buf, len, "%s", n);
	else
		snprintf(buf, len, "LINKTYPE %u", lt);
}

/* Check and keep interface src as the next one; nothing is written. */
static int iface_add(struct dumpfile *d, const struct dumpfile_iface *src, char *err, size_t errlen)
{
	struct df_iface *f = &d->ifs[d->nifs];
	char name[128], lt[64], lt0[64];
	size_t clen, n;

	if (d->nifs >= DUMPFILE_MAX_IFACES) {
		snprintf(err, errlen, "too many interfaces (at most %u)", DUMPFILE_MAX_IFACES);
		return -E2BIG;
	}
	if (!pcapng_opts_valid(src->opts, src->optlen)) {
		snprintf(err, errlen, "interface #%u: its options are not well formed", d->nifs);
		return -EINVAL;
	}
	iface_label(src, d->nifs, name, sizeof(name));
	if (pcapng_opts_has(src->opts, src->optlen, PCAPNG_IF_TSRESOL) ||
	    pcapng_opts_has(src->opts, src->optlen, PCAPNG_IF_TSOFFSET)) {
		snprintf(err, errlen, "interface %s: if_tsresol/if_tsoffset in its options", name);
		return -EINVAL;
	}
	if (d->o.pcap && d->nifs && src->linktype != d->ifs[0].i.linktype) {
		linktype_label(src->linktype, lt, sizeof(lt));
		linktype_label(d->ifs[0].i.linktype, lt0, sizeof(lt0));
		snprintf(err, errlen,
			 "pcap holds one link type: interface %s is %s, the file is %s; write "
			 "pcapng",
			 name, lt, lt0);
		return -EINVAL;
	}
	clen = pcapng_opt_str(NULL, 0, PCAPNG_OPT_COMMENT, src->comment);
	f->i = *src;
	f->i.name[sizeof(f->i.name) - 1] = '\0';
	f->i.description[sizeof(f->i.description) - 1] = '\0';
	f->i.hardware[sizeof(f->i.hardware) - 1] = '\0';
	f->i.comment = NULL;
	f->i.optlen = clen + src->optlen;
	f->blob = NULL;
	if (f->i.optlen) {
		f->blob = malloc(f->i.optlen);
		if (!f->blob)
			return -ENOMEM;
		pcapng_opt_str(f->blob, clen, PCAPNG_OPT_COMMENT, src->comment);
		if (src->optlen)
			memcpy(f->blob + clen, src->opts, src->optlen);
	}
	f->i.opts = f->blob;
	/* Room left for what the idb callback adds. */
	n = d->o.pcap ? 1 : encode_idb(d, d->nifs, NULL);
	if (!n || n > BLOCK_BUF / 2) {
		snprintf(err, errlen, "interface %s: its options are too long", name);
		free(f->blob);
		f->blob = NULL;
		return -EINVAL;
	}
	d->nifs++;
	return 0;
}

static void free_ifaces(struct dumpfile *d)
{
	unsigned int i;

	for (i = 0; i < d->nifs; i++)
		free(d->ifs[i].blob);
	d->nifs = 0;
}

int dumpfile_open(const struct dumpfile_opts *o, struct dumpfile **ret, char *err, size_t errlen)
{
	struct dumpfile *d;
	unsigned int i;
	int r;

	if ((o->rotate_bytes || o->rotate_ns || o->keep_existing) &&
	    dumpfile_check_target(o->pattern, err, errlen) < 0)
		return -EINVAL;
	if (o->nifaces > DUMPFILE_MAX_IFACES) {
		snprintf(err, errlen, "too many interfaces (%u)", o->nifaces);
		return -EINVAL;
	}
	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->o = *o;
	d->o.ifaces = NULL;
	d->o.nifaces = 0;
	if (rotating(d) && !strchr(o->pattern, '%'))
		d->num = fname_next_number(o->pattern);
	d->hbuf = malloc(BLOCK_BUF);
	r = -ENOMEM;
	if (!d->hbuf)
		goto fail;
	for (i = 0; i < o->nifaces; i++) {
		r = iface_add(d, &o->ifaces[i], err, errlen);
		if (r < 0)
			goto fail;
	}
	r = open_file(d, clock_ns(CLOCK_REALTIME), err, errlen);
	if (r < 0)
		goto fail;
	*ret = d;
	return 0;
fail:
	zout_abort(d->z);
	free_ifaces(d);
	free(d->hbuf);
	free(d);
	return r;
}

int dumpfile_add_iface(struct dumpfile *d, const struct dumpfile_iface *i, uint32_t *if_id,
		       char *err, size_t errlen)
{
	unsigned int k = d->nifs;
	int r;

	if (d->err) {
		snprintf(err, errlen, "%s: %s", d->name, strerror(-d->err));
		return d->err;
	}
	r = iface_add(d, i, err, errlen);
	if (r < 0)
		return r;
	/* Into the current file now; later files write all in write_headers(). */
	if (!d->o.pcap)
		r = emit(d, d->hbuf, encode_idb(d, k, d->hbuf));
	else if (!d->pcap_hdr)
		r = write_pcap_header(d);
	if (r < 0) {
		d->err = r;
		snprintf(err, errlen, "%s: %s", d->name, strerror(-r));
		return r;
	}
	d->isb_reserve = isb_reserve(d);
	*if_id = k;
	return 0;
}

/* The types a caller's block may not be: they would change the file's structure. */
static bool block_structural(uint32_t type)
{
	return type == PCAPNG_BT_SHB || type == PCAPNG_BT_IDB || type == PCAPNG_BT_PB ||
	       type == PCAPNG_BT_SPB || type == PCAPNG_BT_EPB;
}

int dumpfile_block(struct dumpfile *d, const void *blk, size_t len, bool sticky)
{
	struct pcapng_isb_hdr isb;
	struct pcapng_block_hdr h;
	uint32_t tail;
	uint8_t *p;
	int r;

	if (d->err)
		return d->err;
	if (!blk || len < sizeof(h) + sizeof(tail) || len % 4 || len > UINT32_MAX)
		return -EINVAL;
	memcpy(&h, blk, sizeof(h));
	memcpy(&tail, (const uint8_t *)blk + len - sizeof(tail), sizeof(tail));
	if (h.len != len || tail != len || block_structural(h.type))
		return -EINVAL;
	if (h.type == PCAPNG_BT_ISB) {
		if (len < sizeof(isb) + sizeof(tail))
			return -EINVAL;
		memcpy(&isb, blk, sizeof(isb));
		if (isb.if_id >= d->nifs)
			return -EINVAL;
	}
	if (d->o.pcap) {
		d->blocks_dropped++;
		return 0;
	}
	r = emit_raw(d, blk, len);
	if (r < 0 || !sticky)
		return r;
	if (len > DUMPFILE_STICKY_MAX - d->sticky_len)
		return -E2BIG;
	p = realloc(d->sticky, d->sticky_len + len);
	if (!p)
		return -ENOMEM;
	d->sticky = p;
	memcpy(d->sticky + d->sticky_len, blk, len);
	d->sticky_len += len;
	return 0;
}

static int rotate(struct dumpfile *d, uint64_t t)
{
	char err[256];
	int r;

	r = close_file(d, true);
	if (r < 0)
		return r;
	r = open_file(d, t, err, sizeof(err));
	if (r < 0)
		d->err = r;
	return r;
}

/* pcap: ts_ns; an SPB (spb); else an EPB. */
/*
 * Into zout's batch where it has room (zout_room(): no copy of the block
 * into it afterwards), else into hbuf; *in_place says which.
 */
static size_t encode_packet(struct dumpfile *d, const struct pcapng_epb_info *e, bool spb,
			    uint64_t ts_ns, bool *in_place)
{
	size_t cap = BLOCK_BUF;
	uint8_t *buf = zout_room(d->z, BLOCK_BUF, &cap);

	*in_place = buf != NULL;
	if (!buf) {
		buf = d->hbuf;
		cap = BLOCK_BUF;
	}
	if (d->o.pcap)
		return pcap_record(buf, cap, ts_ns, e->caplen, e->wirelen, e->data);
	if (spb)
		return pcapng_spb(buf, cap,
				  &(struct pcapng_spb_info){ .caplen = e->caplen,
							     .wirelen = e->wirelen,
							     .data = e->data });
	return pcapng_epb(buf, cap, e);
}

/* Whether p (without a timestamp) is told all by an SPB: the first
 * interface's, no option, the caplen a reader derives from its snaplen. */
static bool fits_spb(const struct dumpfile *d, const struct dumpfile_pkt *p)
{
	uint32_t snap = d->nifs ? d->ifs[0].i.snaplen : 0;

	return !d->o.pcap && p->if_id == 0 && d->nifs && !p->optlen && !p->epb_flags &&
	       !p->dropcount && p->queue == DUMPFILE_NO_QUEUE &&
	       p->caplen == (snap && p->wirelen > snap ? snap : p->wirelen);
}

int dumpfile_write(struct dumpfile *d, const struct dumpfile_pkt *p)
{
	struct pcapng_epb_info e = { .if_id = p->if_id,
				     .ts = p->ts,
				     .caplen = p->caplen,
				     .wirelen = p->wirelen,
				     .data = p->data,
				     .flags = p->epb_flags,
				     .dropcount = p->dropcount,
				     .queue = p->queue,
				     .packetid = PCAPNG_ABSENT,
				     .opts = p->opts,
				     .optlen = p->optlen };
	const struct dumpfile_iface *f = p->if_id < d->nifs ? &d->ifs[p->if_id].i : NULL;
	bool no_ts = p->ts == DUMPFILE_NO_TS, spb = false, in_place;
	uint64_t ts_ns = 0, t;
	size_t n;
	int r;

	if (d->err)
		return d->err;
	if (no_ts) {
		e.ts = 0;
		spb = fits_spb(d, p);
		if (!spb)
			e.comment = "no timestamp in the input: written as 0";
	} else {
		ts_ns = pcapng_ts_ns(p->ts, f && f->tsresol ? f->tsresol : 9, f ? f->tsoffset : 0);
	}
	n = encode_packet(d, &e, spb, ts_ns, &in_place);
	if (!n || n > BLOCK_BUF)
		return -EMSGSIZE;
	/*
	 * A file never holds a packet of a later -G period, not even a file
	 * still empty (opened before the boundary, its first packet after
	 * it); a file rotated by size takes at least one packet.
	 */
	if ((!no_ts && ts_ns >= d->period_end) ||
	    (d->file_packets && d->o.rotate_bytes &&
	     zout_bytes_in(d->z) + n + d->isb_reserve > d->o.rotate_bytes)) {
		/* A packet without a time starts a file named for now. */
		t = no_ts ? clock_ns(CLOCK_REALTIME) : ts_ns;
		r = rotate(d, t);
		if (r < 0)
			return r;
		/* The new file's headers took hbuf, or the batch is another. */
		encode_packet(d, &e, spb, ts_ns, &in_place);
	}
	d->last =
		(struct dumpfile_last){ .offset = zout_bytes_in(d->z), .ts_ns = ts_ns, .spb = spb };
	zout_mark(d->z, d->packets + 1);
	r = in_place ? zout_commit(d->z, n) : emit(d, d->hbuf, n);
	if (r < 0)
		return r;
	d->file_packets++;
	d->packets++;
	if (d->o.packet_flush) {
		r = zout_flush(d->z);
		if (r < 0) {
			d->err = r;
			learn_delivered(d);
			return r;
		}
	}
	return track_delivery(d);
}

int dumpfile_tick(struct dumpfile *d, uint64_t now)
{
	int r;

	if (d->err)
		return d->err;
	/* A quiet period still ends its file at the wall-clock boundary. */
	if (now >= d->period_end) {
		r = rotate(d, now);
		if (r < 0)
			return r;
	}
	r = zout_tick(d->z);
	if (r < 0)
		d->err = r;
	learn_delivered(d);
	return r;
}

bool dumpfile_safe_point(const struct dumpfile *d, struct dumpfile_safe *sp)
{
	if (!d->z || !zout_bytes_safe(d->z))
		return false;
	fill_safe(d, false, sp);
	return true;
}

int dumpfile_close(struct dumpfile *d)
{
	unsigned int i;
	int r;

	if (!d)
		return 0;
	r = close_file(d, false);
	for (i = 0; i < d->nkept; i++)
		free(d->kept[i].name);
	free(d->kept);
	free_ifaces(d);
	free(d->sticky);
	free(d->hbuf);
	free(d);
	return r;
}

uint64_t dumpfile_packets(const struct dumpfile *d)
{
	return d->packets;
}

uint64_t dumpfile_blocks_dropped(const struct dumpfile *d)
{
	return d->blocks_dropped;
}

unsigned int dumpfile_nifaces(const struct dumpfile *d)
{
	return d->nifs;
}

unsigned int dumpfile_files(const struct dumpfile *d)
{
	return d->files;
}

const char *dumpfile_current(const struct dumpfile *d)
{
	return d->name;
}

const struct dumpfile_last *dumpfile_last(const struct dumpfile *d)
{
	return &d->last;
}

void dumpfile_iface_ts(const struct dumpfile *d, uint32_t if_id, uint8_t *tsresol,
		       int64_t *tsoffset)
{
	const struct dumpfile_iface *f = d && if_id < d->nifs ? &d->ifs[if_id].i : NULL;

	*tsresol = f && f->tsresol ? f->tsresol : 9;
	*tsoffset = f ? f->tsoffset : 0;
}

int dumpfile_error(const struct dumpfile *d)
{
	return d->err;
}
