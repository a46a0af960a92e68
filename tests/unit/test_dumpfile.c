// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_dumpfile.c - capdump's output (readers/capdump/dumpfile.c) as a
 * re-writer of foreign captures uses it: no interface at open, interfaces
 * added between packets (IDBs in every later file on rotation), their link
 * types and time units, pre-built blocks in stream order (sticky ones in
 * every later file), packets without a timestamp, and -F pcap (one link
 * type; blocks dropped and counted).  Files are walked by a parser of this
 * test's own.
 *
 * "test_dumpfile tools" has capinfos and tshark judge the same files (exit
 * 77 only if one is not installed).
 */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "dumpfile.h"
#include "pcapng.h"
#include "test.h"
#include "zout.h"

#define TS 1700000000123456789ULL

static const char *tmpdir;
static bool judge; /* "tools": capinfos and tshark read every file */

/* ---- files as a list of blocks ---- */

struct blk {
	uint32_t type, len;
	uint32_t if_id; /* EPB, ISB; UINT32_MAX otherwise */
	uint64_t ts;	/* EPB */
	uint16_t linktype;
	const uint8_t *p;
};

struct file {
	uint8_t buf[1 << 23];
	size_t len;
	struct blk b[512];
	unsigned int n;
};

static struct file fa;

static void slurp(const char *path, struct file *f)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		T_FAIL("%s: %s", path, strerror(errno));
	f->len = 0;
	while ((n = read(fd, f->buf + f->len, sizeof(f->buf) - f->len)) > 0)
		f->len += (size_t)n;
	close(fd);
}

static uint32_t get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

/* Walk a pcapng file (host order): framing checked, blocks listed. */
static void walk(const char *path, struct file *f)
{
	size_t off = 0;
	struct blk *b;

	slurp(path, f);
	f->n = 0;
	while (off < f->len) {
		T_ASSERT(off + 12 <= f->len && f->n < 512);
		b = &f->b[f->n++];
		*b = (struct blk){ .type = get32(f->buf + off),
				   .len = get32(f->buf + off + 4),
				   .if_id = UINT32_MAX,
				   .p = f->buf + off };
		if (b->len < 12 || b->len % 4 || off + b->len > f->len)
			T_FAIL("%s: block %u (type %#x) at %zu: bad length %u", path, f->n - 1,
			       b->type, off, b->len);
		T_EQ(get32(f->buf + off + b->len - 4), b->len);
		if (b->type == PCAPNG_BT_SHB)
			T_EQ(get32(b->p + 8), PCAPNG_BYTE_ORDER_MAGIC);
		if (b->type == PCAPNG_BT_EPB || b->type == PCAPNG_BT_ISB) {
			b->if_id = get32(b->p + 8);
			b->ts = (uint64_t)get32(b->p + 12) << 32 | get32(b->p + 16);
		}
		if (b->type == PCAPNG_BT_IDB)
			memcpy(&b->linktype, b->p + 8, 2);
		off += b->len;
	}
	T_ASSERT(f->n && f->b[0].type == PCAPNG_BT_SHB);
}

/* Blocks of file f as a string of letters: S I E P N D C s (ISB). */
static const char *shape(const struct file *f)
{
	static char s[600];
	unsigned int i;

	for (i = 0; i < f->n; i++) {
		switch (f->b[i].type) {
		case PCAPNG_BT_SHB:
			s[i] = 'S';
			break;
		case PCAPNG_BT_IDB:
			s[i] = 'I';
			break;
		case PCAPNG_BT_EPB:
			s[i] = 'E';
			break;
		case PCAPNG_BT_SPB:
			s[i] = 'P';
			break;
		case PCAPNG_BT_NRB:
			s[i] = 'N';
			break;
		case PCAPNG_BT_DSB:
			s[i] = 'D';
			break;
		case PCAPNG_BT_CB:
			s[i] = 'C';
			break;
		case PCAPNG_BT_ISB:
			s[i] = 's';
			break;
		default:
			s[i] = '?';
		}
	}
	s[i] = '\0';
	return s;
}

#define T_SHAPE(f, want)                                                  \
	do {                                                              \
		if (strcmp(shape(f), want))                               \
			T_FAIL("blocks '%s', want '%s'", shape(f), want); \
	} while (0)

/* Whether the block holds the option code with the value v/len. */
static bool has_opt(const struct blk *b, size_t fixed, uint16_t code, const void *v, size_t len)
{
	size_t off = fixed;
	uint16_t c, l;

	while (off + 4 <= b->len - 4) {
		memcpy(&c, b->p + off, 2);
		memcpy(&l, b->p + off + 2, 2);
		if (c == code && l == len && !memcmp(b->p + off + 4, v, len))
			return true;
		if (!c)
			break;
		off += 4 + PCAPNG_PAD(l);
	}
	return false;
}

/* ---- the judges ---- */

/* cmd's standard output; fails on any exit status or line on stderr. */
static char *run(const char *cmd)
{
	static char out[1 << 16];
	char full[2048], errpath[300], line[512];
	size_t len = 0, n;
	FILE *p, *e;
	int st;

	snprintf(errpath, sizeof(errpath), "%s/stderr", tmpdir);
	snprintf(full, sizeof(full), "TZ=UTC LC_ALL=C %s 2>'%s'", cmd, errpath);
	p = popen(full, "r");
	T_ASSERT(p);
	while ((n = fread(out + len, 1, sizeof(out) - 1 - len, p)) > 0)
		len += n;
	out[len] = '\0';
	st = pclose(p);
	e = fopen(errpath, "r");
	T_ASSERT(e);
	while (fgets(line, sizeof(line), e))
		if (!strstr(line, "Running as user"))
			T_FAIL("%s: stderr: %s", cmd, line);
	fclose(e);
	if (st)
		T_FAIL("%s: exit status %d", cmd, st);
	return out;
}

static void judge_eq(const char *cmd, const char *want)
{
	const char *got;

	if (!judge)
		return;
	got = run(cmd);
	if (strcmp(got, want))
		T_FAIL("%s:\n--- got\n%s--- want\n%s", cmd, got, want);
}

/* capinfos says key: value for file path. */
static void judge_info(const char *path, const char *key, const char *want)
{
	char cmd[600], pat[256];
	const char *out, *l;

	if (!judge)
		return;
	snprintf(cmd, sizeof(cmd), "capinfos -M '%s'", path);
	out = run(cmd);
	snprintf(pat, sizeof(pat), "%s", key);
	l = strstr(out, pat);
	if (!l)
		T_FAIL("capinfos %s: no '%s' in\n%s", path, key, out);
	l += strlen(pat);
	while (*l == ' ')
		l++;
	if (strncmp(l, want, strlen(want)) || (l[strlen(want)] != '\n' && l[strlen(want)]))
		T_FAIL("capinfos %s: '%s' is '%.*s', want '%s'", path, key, (int)strcspn(l, "\n"),
		       l, want);
}

/* ---- writing ---- */

static char closed[16][512];
static unsigned int nclosed;

static void on_closed(void *ctx, const char *path)
{
	(void)ctx;
	T_ASSERT(nclosed < 16);
	snprintf(closed[nclosed++], sizeof(closed[0]), "%s", path);
}

static struct dumpfile *open_df(const char *name, struct dumpfile_opts o)
{
	static char pattern[512];
	struct dumpfile *d;
	char err[256];
	int r;

	snprintf(pattern, sizeof(pattern), "%s/%s", tmpdir, name);
	o.pattern = pattern;
	o.closed = on_closed;
	nclosed = 0;
	r = dumpfile_open(&o, &d, err, sizeof(err));
	if (r < 0)
		T_FAIL("dumpfile_open %s: %s", name, err);
	return d;
}

static uint32_t add(struct dumpfile *d, const struct dumpfile_iface *i)
{
	char err[256];
	uint32_t id = UINT32_MAX;

	if (dumpfile_add_iface(d, i, &id, err, sizeof(err)) < 0)
		T_FAIL("dumpfile_add_iface: %s", err);
	return id;
}

/* A UDP frame to 239.1.1.<g> of 60 bytes. */
static const uint8_t *frame(uint8_t g)
{
	static uint8_t f[60];
	static const uint8_t h[] = { 0x01, 0x00, 0x5e, 0x01, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00,
				     0x00, 0x01, 0x08, 0x00, 0x45, 0x00, 0x00, 0x2e, 0x00, 0x00,
				     0x40, 0x00, 0x40, 0x11, 0x00, 0x00, 10,   0,    0,	   1,
				     239,  1,	 1,    0,    0x0f, 0xa0, 0x13, 0x88, 0x00, 0x1a };

	memcpy(f, h, sizeof(h));
	f[5] = g;
	f[33] = g;
	return f;
}

static void put(struct dumpfile *d, uint32_t if_id, uint64_t ts, const uint8_t *data,
		uint32_t caplen)
{
	struct dumpfile_pkt p = { .if_id = if_id,
				  .ts = ts,
				  .data = data,
				  .caplen = caplen,
				  .wirelen = 60,
				  .queue = DUMPFILE_NO_QUEUE };
	int r = dumpfile_write(d, &p);

	if (r < 0)
		T_FAIL("dumpfile_write: %s", strerror(-r));
}

/* A DSB (TLS key log) and a copyable custom block, host order. */
static size_t make_dsb(uint8_t *b)
{
	static const char keys[] = "CLIENT_RANDOM 00 11\n";
	uint32_t len = 8 + 8 + PCAPNG_PAD(sizeof(keys) - 1) + 4, v;

	memset(b, 0, len);
	v = PCAPNG_BT_DSB;
	memcpy(b, &v, 4);
	memcpy(b + 4, &len, 4);
	v = 0x544c534b;
	memcpy(b + 8, &v, 4);
	v = sizeof(keys) - 1;
	memcpy(b + 12, &v, 4);
	memcpy(b + 16, keys, sizeof(keys) - 1);
	memcpy(b + len - 4, &len, 4);
	return len;
}

static size_t make_cb(uint8_t *b)
{
	uint32_t len = 8 + 4 + 8 + 4, v = PCAPNG_BT_CB;

	memcpy(b, &v, 4);
	memcpy(b + 4, &len, 4);
	v = PCAPNG_PEN;
	memcpy(b + 8, &v, 4);
	memcpy(b + 12, "custom!!", 8);
	memcpy(b + 20, &len, 4);
	return len;
}

/* An input's IDB options: if_name "sll0", if_description, a comment. */
static size_t make_iface_blob(uint8_t *b)
{
	size_t n = 0;

	n += pcapng_opt_str(b + n, 64, PCAPNG_IF_NAME, "sll0");
	n += pcapng_opt_str(b + n, 64, PCAPNG_IF_DESCRIPTION, "from a file");
	n += pcapng_opt_str(b + n, 64, PCAPNG_OPT_COMMENT, "input comment");
	return n;
}

/* ---- the cases ---- */

/* No interface ever: a valid empty file, pcapng and pcap, plain and zstd. */
static void test_empty(void)
{
	static const char *const names[] = { "empty.pcapng", "empty.pcap", "empty.pcapng.zst",
					     "empty.pcap.zst" };
	unsigned int i;
	struct stat st;
	char path[512], tmp[600], cmd[700];

	for (i = 0; i < 4; i++) {
		struct dumpfile *d = open_df(names[i], (struct dumpfile_opts){
							       .pcap = i & 1,
							       .compress = i >= 2,
							       .level = 3,
						       });

		snprintf(path, sizeof(path), "%s/%s", tmpdir, names[i]);
		/* there at once (under its temporary name), before any packet or interface */
		T_EQ(zout_tmp_name(path, tmp, sizeof(tmp)), 0);
		T_EQ(stat(tmp, &st), 0);
		T_EQ(dumpfile_nifaces(d), 0);
		T_EQ(dumpfile_close(d), 0);
		T_EQ(nclosed, 1);
		if (i == 0) {
			walk(path, &fa);
			T_SHAPE(&fa, "S");
		} else if (i == 1) {
			slurp(path, &fa);
			T_EQ(fa.len, 24);
			T_EQ(get32(fa.buf), PCAP_MAGIC_NSEC);
			T_EQ(get32(fa.buf + 20), PCAPNG_LINKTYPE_ETHERNET);
		}
		judge_info(path, "Number of packets:", "0");
		snprintf(tmp, sizeof(tmp), "%s%s", i & 1 ? "nsecpcap" : "pcapng",
			 i >= 2 ? " (zstd compressed)" : "");
		judge_info(path, "File type:", tmp);
		snprintf(cmd, sizeof(cmd), "tshark -r '%s'", path);
		judge_eq(cmd, "");
	}
}

/*
 * Interfaces added after packets, sticky NRB and DSB, a custom block and
 * an ISB of the caller's, rotated by size: every file holds the IDBs of
 * all interfaces known when it began, then the sticky blocks.
 */
static void test_rotation(void)
{
	const struct pcapng_nrb_rec names[] = {
		{ .family = AF_INET, .addr = { 239, 1, 1, 1 }, .name = "FEED-ONE" },
		{ .family = AF_INET, .addr = { 239, 1, 1, 2 }, .name = "FEED-TWO" },
	};
	const struct dumpfile_iface eth = { .name = "eth0",
					    .snaplen = 262144,
					    .linktype = PCAPNG_LINKTYPE_ETHERNET };
	uint8_t nrb[256], dsb[128], cb[64], isb[128], opts[128];
	struct dumpfile_iface sll = { .snaplen = 65535,
				      .linktype =
					      1, /* Ethernet frames, so that tshark shows names */
				      .tsresol = 6,
				      .tsoffset = 1700000000,
				      .opts = opts,
				      .comment = "re-written by test_dumpfile" };
	size_t nrblen, dsblen, cblen, isblen;
	struct dumpfile *d;
	char cmd[1200], want[8192];
	const char *out;
	bool named;
	unsigned int i, k, nidb, ndsb, nnrb;
	uint32_t id;

	sll.optlen = make_iface_blob(opts);
	nrblen = pcapng_nrb(nrb, sizeof(nrb), names, 2);
	dsblen = make_dsb(dsb);
	cblen = make_cb(cb);
	d = open_df("rot.pcapng", (struct dumpfile_opts){ .rotate_bytes = 1200 });
	T_EQ(dumpfile_nifaces(d), 0);
	T_EQ(add(d, &eth), 0);
	put(d, 0, TS, frame(1), 60);
	T_EQ(dumpfile_block(d, nrb, nrblen, true), 0);
	put(d, 0, TS + 1, frame(2), 60);
	id = add(d, &sll);
	T_EQ(id, 1);
	T_EQ(dumpfile_nifaces(d), 2);
	/* µs since tsoffset */
	put(d, 1, 123456, frame(1), 60);
	T_EQ(dumpfile_block(d, dsb, dsblen, true), 0);
	T_EQ(dumpfile_block(d, cb, cblen, false), 0);
	isblen = pcapng_isb(isb, sizeof(isb),
			    &(struct pcapng_isb_info){ .if_id = 1,
						       .ts = 123457,
						       .starttime = PCAPNG_ABSENT,
						       .endtime = PCAPNG_ABSENT,
						       .ifrecv = 5,
						       .ifdrop = PCAPNG_ABSENT,
						       .filteraccept = PCAPNG_ABSENT,
						       .osdrop = PCAPNG_ABSENT,
						       .usrdeliv = PCAPNG_ABSENT });
	T_EQ(dumpfile_block(d, isb, isblen, false), 0);
	for (i = 0; i < 30; i++)
		put(d, i & 1, i & 1 ? 123458 + i : TS + 2 + i, frame(1 + (i & 1)), 60);
	T_EQ(dumpfile_close(d), 0);
	T_ASSERT(nclosed >= 3);

	/* The first file: in stream order */
	walk(closed[0], &fa);
	T_ASSERT(!strncmp(shape(&fa), "SIENEIEDCs", 10));
	T_EQ(fa.b[5].linktype, 1);
	T_ASSERT(has_opt(&fa.b[5], 16, PCAPNG_IF_TSRESOL, "\x06", 1));
	T_ASSERT(has_opt(&fa.b[5], 16, PCAPNG_IF_TSOFFSET, &sll.tsoffset, 8));
	T_ASSERT(has_opt(&fa.b[5], 16, PCAPNG_IF_NAME, "sll0", 4));
	T_ASSERT(has_opt(&fa.b[5], 16, PCAPNG_OPT_COMMENT, "re-written by test_dumpfile", 27));
	T_ASSERT(has_opt(&fa.b[5], 16, PCAPNG_OPT_COMMENT, "input comment", 13));
	T_EQ(fa.b[6].ts, 123456);
	/* every later file: both IDBs, then NRB and DSB, never the custom block or ISB again */
	for (k = 1; k < nclosed; k++) {
		walk(closed[k], &fa);
		T_ASSERT(!strncmp(shape(&fa), "SIIND", 5));
		T_ASSERT(!memcmp(fa.b[3].p, nrb, nrblen) && !memcmp(fa.b[4].p, dsb, dsblen));
		for (i = 5, nidb = ndsb = nnrb = 0; i < fa.n; i++) {
			nidb += fa.b[i].type == PCAPNG_BT_IDB;
			ndsb += fa.b[i].type == PCAPNG_BT_DSB;
			nnrb += fa.b[i].type == PCAPNG_BT_NRB;
			T_ASSERT(fa.b[i].type == PCAPNG_BT_EPB);
			T_ASSERT(fa.b[i].if_id < 2);
		}
		T_EQ(nidb + ndsb + nnrb, 0);
	}
	if (!judge)
		return;
	for (k = 0; k < nclosed; k++) {
		judge_info(closed[k], "Number of interfaces in file:", "2");
		walk(closed[k], &fa);
		/* tshark: the interface and link type of every packet, NRB names */
		snprintf(
			cmd, sizeof(cmd),
			"tshark -r '%s' -N n -o nameres.use_external_name_resolver:FALSE -T fields "
			"-E separator=, -e frame.interface_name -e frame.encap_type "
			"-e frame.time_epoch -e ip.dst_host",
			closed[k]);
		want[0] = '\0';
		named = false;
		for (i = 0; i < fa.n; i++) {
			const struct blk *b = &fa.b[i];
			char line[200];

			const char *dst = b->p[28 + 33] == 2 ? "FEED-TWO" : "FEED-ONE";

			/* tshark 4.0 shows a custom block as a record without fields */
			if (b->type == PCAPNG_BT_CB)
				strcat(want, ",,,\n");
			if (b->type == PCAPNG_BT_NRB)
				named = true;
			if (b->type != PCAPNG_BT_EPB)
				continue;
			if (!named) /* names only from the NRB on */
				dst = b->p[28 + 33] == 2 ? "239.1.1.2" : "239.1.1.1";
			if (b->if_id)
				snprintf(line, sizeof(line), "sll0,1,%llu.%06llu000,%s\n",
					 (unsigned long long)(1700000000 + b->ts / 1000000),
					 (unsigned long long)(b->ts % 1000000), dst);
			else
				snprintf(line, sizeof(line), "eth0,1,%llu.%09llu,%s\n",
					 (unsigned long long)(b->ts / 1000000000),
					 (unsigned long long)(b->ts % 1000000000), dst);
			strcat(want, line);
		}
		judge_eq(cmd, want);
		/* Wireshark's pcapng dissector: the blocks, the DSB's secrets */
		snprintf(cmd, sizeof(cmd),
			 "tshark -X 'read_format:MIME Files Format' -r '%s' -T fields "
			 "-e pcapng.dsb.secrets_length -e pcapng.records.record.data.name",
			 closed[k]);
		judge_eq(cmd, "20\tFEED-ONE,FEED-TWO\n");
		snprintf(cmd, sizeof(cmd), "tshark -X 'read_format:MIME Files Format' -r '%s' -V",
			 closed[k]);
		out = run(cmd);
		if (strstr(out, "Expert Info") || strstr(out, "Malformed"))
			T_FAIL("%s: the pcapng dissector has complaints", closed[k]);
	}
}

/*
 * -F pcap: the header waits for the first interface and takes its link
 * type; another link type is refused with a message; blocks are dropped
 * and counted; timestamps are converted to ns; none is 0.
 */
static void test_pcap(void)
{
	const struct dumpfile_iface raw = { .name = "tun0", .snaplen = 1500, .linktype = 101 };
	const struct dumpfile_iface raw_us = {
		.name = "tun1", .snaplen = 1500, .linktype = 101, .tsresol = 6, .tsoffset = 1
	};
	const struct dumpfile_iface eth = { .name = "eth1", .linktype = PCAPNG_LINKTYPE_ETHERNET };
	uint8_t cb[64], ip[40];
	char path[512], err[256], cmd[700];
	struct dumpfile *d;
	uint32_t id = 77;
	size_t cblen = make_cb(cb);

	memcpy(ip, frame(3) + 14, 40);
	d = open_df("one.pcap", (struct dumpfile_opts){ .pcap = true });
	snprintf(path, sizeof(path), "%s/one.pcap", tmpdir);
	T_EQ(dumpfile_block(d, cb, cblen, true), 0); /* before any interface: dropped */
	T_EQ(add(d, &raw), 0);
	T_EQ(add(d, &raw_us), 1);
	T_EQ(dumpfile_add_iface(d, &eth, &id, err, sizeof(err)), -EINVAL);
	T_EQ(id, 77);
	if (strcmp(err, "pcap holds one link type: interface eth1 is LINKTYPE_ETHERNET, the file "
			"is LINKTYPE_RAW; write pcapng"))
		T_FAIL("message: %s", err);
	T_EQ(dumpfile_nifaces(d), 2);
	T_EQ(dumpfile_block(d, cb, cblen, false), 0);
	T_EQ(dumpfile_blocks_dropped(d), 2);
	{
		struct dumpfile_pkt p = { .if_id = 0,
					  .ts = TS,
					  .data = ip,
					  .caplen = 40,
					  .wirelen = 40,
					  .queue = DUMPFILE_NO_QUEUE };

		T_EQ(dumpfile_write(d, &p), 0);
		p.if_id = 1;
		p.ts = 1699999999123456ULL; /* µs, + 1 s */
		T_EQ(dumpfile_write(d, &p), 0);
		p.ts = DUMPFILE_NO_TS;
		T_EQ(dumpfile_write(d, &p), 0);
	}
	T_EQ(dumpfile_close(d), 0);
	slurp(path, &fa);
	T_EQ(fa.len, 24 + 3 * (16 + 40));
	T_EQ(get32(fa.buf + 20), 101);
	T_EQ(get32(fa.buf + 16), 1500);
	T_EQ(get32(fa.buf + 24), 1700000000);
	T_EQ(get32(fa.buf + 28), 123456789);
	T_EQ(get32(fa.buf + 24 + 56), 1700000000);
	T_EQ(get32(fa.buf + 28 + 56), 123456000);
	T_EQ(get32(fa.buf + 24 + 112), 0);
	T_EQ(get32(fa.buf + 28 + 112), 0);
	judge_info(path, "File encapsulation:", "rawip");
	snprintf(cmd, sizeof(cmd), "tshark -r '%s' -T fields -e frame.time_epoch -e ip.dst", path);
	judge_eq(cmd, "1700000000.123456789\t239.1.1.3\n1700000000.123456000\t239.1.1.3\n"
		      "0.000000000\t239.1.1.3\n");

	/* Interfaces at open are checked the same way */
	{
		const struct dumpfile_iface two[2] = { raw, eth };
		struct dumpfile_opts o = { .pcap = true, .ifaces = two, .nifaces = 2 };

		snprintf(path, sizeof(path), "%s/two.pcap", tmpdir);
		o.pattern = path;
		T_EQ(dumpfile_open(&o, &d, err, sizeof(err)), -EINVAL);
		T_ASSERT(strstr(err, "pcap holds one link type"));
	}
}

/*
 * Packets without a timestamp: an SPB where it tells all (interface 0, no
 * option, caplen as its snaplen implies), else an EPB of time 0 with a
 * comment.
 */
static void test_no_ts(void)
{
	const struct dumpfile_iface if0 = { .name = "a", .snaplen = 50, .linktype = 1 };
	const struct dumpfile_iface if1 = { .name = "b", .linktype = 1 };
	static const char why[] = "no timestamp in the input: written as 0";
	char path[512], cmd[700];
	struct dumpfile *d;
	struct dumpfile_pkt p = { .ts = DUMPFILE_NO_TS,
				  .data = frame(1),
				  .caplen = 50,
				  .wirelen = 60,
				  .queue = DUMPFILE_NO_QUEUE };
	uint8_t blob[8];

	d = open_df("nots.pcapng", (struct dumpfile_opts){ 0 });
	snprintf(path, sizeof(path), "%s/nots.pcapng", tmpdir);
	T_EQ(add(d, &if0), 0);
	T_EQ(add(d, &if1), 1);
	T_EQ(dumpfile_write(d, &p), 0); /* SPB */
	p.caplen = 40;			/* not what snaplen 50 implies */
	T_EQ(dumpfile_write(d, &p), 0);
	p.caplen = 50;
	p.epb_flags = 1; /* an option */
	T_EQ(dumpfile_write(d, &p), 0);
	p.epb_flags = 0;
	p.if_id = 1; /* not the first interface */
	p.caplen = 60;
	T_EQ(dumpfile_write(d, &p), 0);
	p.if_id = 0;
	p.caplen = 50;
	p.opts = blob;
	p.optlen = pcapng_opt_str(blob, sizeof(blob), PCAPNG_OPT_COMMENT, "x");
	T_EQ(dumpfile_write(d, &p), 0);
	p.opts = NULL;
	p.optlen = 0;
	p.ts = TS;
	T_EQ(dumpfile_write(d, &p), 0);
	T_EQ(dumpfile_close(d), 0);
	walk(path, &fa);
	T_SHAPE(&fa, "SIIPEEEEE");
	T_EQ(get32(fa.b[3].p + 8), 60);
	T_EQ(fa.b[3].len, 12 + 52 + 4);
	T_EQ(fa.b[4].ts, 0);
	T_ASSERT(has_opt(&fa.b[4], 28 + 40, PCAPNG_OPT_COMMENT, why, strlen(why)));
	T_ASSERT(has_opt(&fa.b[5], 28 + 52, PCAPNG_OPT_COMMENT, why, strlen(why)));
	T_ASSERT(has_opt(&fa.b[6], 28 + 60, PCAPNG_OPT_COMMENT, why, strlen(why)));
	T_EQ(fa.b[6].if_id, 1);
	T_ASSERT(has_opt(&fa.b[7], 28 + 52, PCAPNG_OPT_COMMENT, "x", 1));
	T_EQ(fa.b[8].ts, TS);
	T_ASSERT(!has_opt(&fa.b[8], 28 + 52, PCAPNG_OPT_COMMENT, why, strlen(why)));
	snprintf(cmd, sizeof(cmd),
		 "tshark -r '%s' -T fields -e frame.interface_name -e frame.len -e frame.cap_len "
		 "-e frame.comment",
		 path);
	judge_eq(cmd, "a\t60\t50\t\n"
		      "a\t60\t40\tno timestamp in the input: written as 0\n"
		      "a\t60\t50\tno timestamp in the input: written as 0\n"
		      "b\t60\t60\tno timestamp in the input: written as 0\n"
		      "a\t60\t50\tno timestamp in the input: written as 0,x\n"
		      "a\t60\t50\t\n");
	judge_info(path, "Number of packets:", "6");
}

/* Blocks that would break the file are refused; interfaces as well. */
static void test_refused(void)
{
	const struct dumpfile_iface if0 = { .name = "a", .linktype = 1 };
	uint8_t b[256], o[16];
	struct dumpfile_iface bad = if0;
	struct dumpfile *d;
	char err[256];
	uint32_t id, v;
	size_t n;

	d = open_df("refused.pcapng", (struct dumpfile_opts){ 0 });
	n = pcapng_idb(b, sizeof(b), &(struct pcapng_idb_info){ .linktype = 1 });
	T_EQ(dumpfile_block(d, b, n, false), -EINVAL); /* an IDB: the caller's to add */
	n = pcapng_shb(b, sizeof(b), NULL);
	T_EQ(dumpfile_block(d, b, n, true), -EINVAL);
	n = pcapng_isb(b, sizeof(b),
		       &(struct pcapng_isb_info){ .if_id = 0,
						  .starttime = PCAPNG_ABSENT,
						  .endtime = PCAPNG_ABSENT,
						  .ifrecv = PCAPNG_ABSENT,
						  .ifdrop = PCAPNG_ABSENT,
						  .filteraccept = PCAPNG_ABSENT,
						  .osdrop = PCAPNG_ABSENT,
						  .usrdeliv = PCAPNG_ABSENT });
	T_EQ(dumpfile_block(d, b, n, false), -EINVAL); /* no interface 0 yet */
	T_EQ(add(d, &if0), 0);
	T_EQ(dumpfile_block(d, b, n, false), 0);
	T_EQ(dumpfile_block(d, b, n - 4, false), -EINVAL); /* cut */
	v = (uint32_t)n + 4;
	memcpy(b + 4, &v, 4);
	T_EQ(dumpfile_block(d, b, n, false), -EINVAL); /* lengths disagree */
	T_EQ(dumpfile_block(d, b, 6, false), -EINVAL);
	/* a blob with if_tsresol, a malformed one */
	bad.opts = o;
	bad.optlen = 8;
	memcpy(o, "\x09\x00\x01\x00\x06\x00\x00\x00", 8);
	T_EQ(dumpfile_add_iface(d, &bad, &id, err, sizeof(err)), -EINVAL);
	T_ASSERT(strstr(err, "if_tsresol"));
	memcpy(o, "\x02\x00\x09\x00\x06\x00\x00\x00", 8);
	T_EQ(dumpfile_add_iface(d, &bad, &id, err, sizeof(err)), -EINVAL);
	T_ASSERT(strstr(err, "not well formed"));
	T_EQ(dumpfile_nifaces(d), 1);
	/* sticky blocks are bounded: beyond, written but not kept */
	{
		static uint8_t big[DUMPFILE_STICKY_MAX / 2 + 64];
		uint32_t len = sizeof(big) - 64 + 12, t = PCAPNG_BT_CB;

		memset(big, 0, sizeof(big));
		memcpy(big, &t, 4);
		memcpy(big + 4, &len, 4);
		memcpy(big + len - 4, &len, 4);
		T_EQ(dumpfile_block(d, big, len, true), 0);
		T_EQ(dumpfile_block(d, big, len, true), -E2BIG);
	}
	T_EQ(dumpfile_close(d), 0);
	walk(closed[0], &fa);
	T_SHAPE(&fa, "SIsCC");
}

static void no_counters(void *ctx, uint32_t if_id, struct pcapng_isb_info *isb)
{
	(void)ctx;
	(void)if_id;
	(void)isb;
}

/* dumpfile's own ISBs (an isb callback) are in their interface's units. */
static void test_isb_units(void)
{
	const struct dumpfile_iface us = {
		.name = "u", .linktype = 1, .tsresol = 6, .tsoffset = 1700000000
	};
	struct timespec t;
	struct dumpfile *d;
	uint64_t now_us;

	d = open_df("isb.pcapng", (struct dumpfile_opts){ .isb = no_counters });
	T_EQ(add(d, &us), 0);
	T_EQ(dumpfile_close(d), 0);
	clock_gettime(CLOCK_REALTIME, &t);
	now_us = ((uint64_t)t.tv_sec - 1700000000) * 1000000 + (uint64_t)t.tv_nsec / 1000;
	walk(closed[0], &fa);
	T_SHAPE(&fa, "SIs");
	T_ASSERT(fa.b[2].ts <= now_us && fa.b[2].ts + 10000000 > now_us);
}

int main(int argc, char **argv)
{
	static const char *const judges[] = { "capinfos", "tshark" };
	size_t i;

	if (argc >= 2 && !strcmp(argv[1], "tools")) {
		for (i = 0; i < sizeof(judges) / sizeof(judges[0]); i++) {
			char c[128];

			snprintf(c, sizeof(c), "command -v %s >/dev/null 2>&1", judges[i]);
			if (system(c))
				T_SKIP("%s is not installed", judges[i]);
		}
		judge = true;
	}
	tmpdir = t_tmpdir("test_dumpfile");
	test_empty();
	test_rotation();
	test_pcap();
	test_no_ts();
	test_refused();
	test_isb_units();
	return T_EXIT_PASS;
}
