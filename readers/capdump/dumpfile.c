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

struct dumpfile {
	struct dumpfile_opts o;
	struct zout *z;
	uint8_t *hbuf;	      /* the block being written */
	char name[4096];      /* final name of the current file */
	uint64_t period;      /* -G period of the current file */
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

static int write_headers(struct dumpfile *d)
{
	struct utsname u;
	char hw[128], os[256];
	unsigned int i;
	size_t n;
	int r;

	if (d->o.pcap)
		return emit(d, d->hbuf,
			    pcap_file_header(d->hbuf, BLOCK_BUF,
					     d->o.nifaces ? d->o.ifaces[0].snaplen : 65535,
					     PCAPNG_LINKTYPE_ETHERNET));
	uname(&u);
	snprintf(hw, sizeof(hw), "%s", u.machine);
	snprintf(os, sizeof(os), "%s %s", u.sysname, u.release);
	n = pcapng_shb(d->hbuf, BLOCK_BUF,
		       &(struct pcapng_shb_info){ .hardware = hw,
						  .os = os,
						  .userappl = d->o.userappl,
						  .comment = d->o.comment });
	r = emit(d, d->hbuf, n);
	for (i = 0; !r && i < d->o.nifaces; i++) {
		const struct dumpfile_iface *f = &d->o.ifaces[i];
		struct pcapng_idb_info idb = {
			.linktype = PCAPNG_LINKTYPE_ETHERNET,
			.snaplen = f->snaplen,
			.name = f->name,
			.description = f->description[0] ? f->description : NULL,
			.hardware = f->hardware[0] ? f->hardware : NULL,
			.filter = d->o.filter && *d->o.filter ? d->o.filter : NULL,
			.tsresol = 9,
		};

		if (d->o.idb)
			d->o.idb(d->o.ctx, i, &idb);
		n = pcapng_idb(d->hbuf, BLOCK_BUF, &idb);
		r = emit(d, d->hbuf, n);
	}
	if (!r && d->o.nnames)
		r = emit(d, d->hbuf, pcapng_nrb(d->hbuf, BLOCK_BUF, d->o.names, d->o.nnames));
	return r;
}

/* The ISB of interface i as the file would end now. */
static size_t encode_isb(struct dumpfile *d, unsigned int i, uint64_t now)
{
	struct pcapng_isb_info isb = {
		.if_id = i,
		.ifrecv = PCAPNG_ABSENT,
		.ifdrop = PCAPNG_ABSENT,
		.filteraccept = PCAPNG_ABSENT,
		.osdrop = PCAPNG_ABSENT,
		.usrdeliv = PCAPNG_ABSENT,
	};

	if (d->o.isb)
		d->o.isb(d->o.ctx, i, &isb);
	isb.ts = now;
	isb.starttime = d->opened_ns;
	isb.endtime = now;
	return pcapng_isb(d->hbuf, BLOCK_BUF, &isb);
}

static int write_isbs(struct dumpfile *d)
{
	uint64_t now = clock_ns(CLOCK_REALTIME);
	unsigned int i;
	int r = 0;

	if (d->o.pcap)
		return 0;
	for (i = 0; !r && i < d->o.nifaces; i++)
		r = emit(d, d->hbuf, encode_isb(d, i, now));
	return r;
}

/* -C counts the closing ISBs in: their size now, plus room for their
 * comments to grow to the most a callback may write. */
static uint64_t isb_reserve(struct dumpfile *d)
{
	uint64_t sum = 0;
	unsigned int i;

	if (d->o.pcap || !d->o.rotate_bytes)
		return 0;
	for (i = 0; i < d->o.nifaces; i++)
		sum += encode_isb(d, i, d->opened_ns) + (d->o.isb ? DUMPFILE_COMMENT_MAX : 0);
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
	d->period = d->o.rotate_ns ? t / d->o.rotate_ns : 0;
	d->file_packets = 0;
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
		if (k->name && !lstat(k->name, &st) && st.st_dev == k->dev && st.st_ino == k->ino)
			unlink(k->name);
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

int dumpfile_open(const struct dumpfile_opts *o, struct dumpfile **ret, char *err, size_t errlen)
{
	struct dumpfile *d;
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
	if (rotating(d) && !strchr(o->pattern, '%'))
		d->num = fname_next_number(o->pattern);
	d->hbuf = malloc(BLOCK_BUF);
	r = -ENOMEM;
	if (!d->hbuf)
		goto fail;
	r = open_file(d, clock_ns(CLOCK_REALTIME), err, errlen);
	if (r < 0)
		goto fail;
	*ret = d;
	return 0;
fail:
	zout_abort(d->z);
	free(d->hbuf);
	free(d);
	return r;
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

static size_t encode_packet(struct dumpfile *d, const struct pcapng_epb_info *e)
{
	if (d->o.pcap)
		return pcap_record(d->hbuf, BLOCK_BUF, e->ts, e->caplen, e->wirelen, e->data);
	return pcapng_epb(d->hbuf, BLOCK_BUF, e);
}

int dumpfile_write(struct dumpfile *d, uint32_t if_id, uint64_t ts, const uint8_t *data,
		   uint32_t caplen, uint32_t wirelen, uint32_t epb_flags, uint64_t dropcount,
		   uint32_t queue)
{
	struct pcapng_epb_info e = { .if_id = if_id,
				     .ts = ts,
				     .caplen = caplen,
				     .wirelen = wirelen,
				     .data = data,
				     .flags = epb_flags,
				     .dropcount = dropcount,
				     .queue = queue,
				     .packetid = PCAPNG_ABSENT };
	size_t n;
	int r;

	if (d->err)
		return d->err;
	n = encode_packet(d, &e);
	if (!n || n > BLOCK_BUF)
		return -EMSGSIZE;
	/*
	 * A file never holds a packet of a later -G period, not even a file
	 * still empty (opened before the boundary, its first packet after
	 * it); a file rotated by size takes at least one packet.
	 */
	if ((d->o.rotate_ns && ts / d->o.rotate_ns > d->period) ||
	    (d->file_packets && d->o.rotate_bytes &&
	     zout_bytes_in(d->z) + n + d->isb_reserve > d->o.rotate_bytes)) {
		r = rotate(d, ts);
		if (r < 0)
			return r;
		/* The new file's headers took hbuf. */
		encode_packet(d, &e);
	}
	zout_mark(d->z, d->packets + 1);
	r = emit(d, d->hbuf, n);
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
	if (d->o.rotate_ns && now / d->o.rotate_ns > d->period) {
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
	free(d->hbuf);
	free(d);
	return r;
}

uint64_t dumpfile_packets(const struct dumpfile *d)
{
	return d->packets;
}

unsigned int dumpfile_files(const struct dumpfile *d)
{
	return d->files;
}

const char *dumpfile_current(const struct dumpfile *d)
{
	return d->name;
}
