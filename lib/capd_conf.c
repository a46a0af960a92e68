// SPDX-License-Identifier: BSD-2-Clause
/*
 * capd_conf.c - the key table, and the parser, defaults and dump that are
 * all driven by it.  Adding a key = adding a row (and a field in
 * capd_conf.h); tests/unit/test_conf.c walks the table too.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <libconfig.h>

#include "capd_conf_private.h"
#include "ring_file.h"
#include "ring_format.h"
#include "ring_layout.h"
#include "seqdec.h"
#include "units.h"
#include "wirets.h"

_Static_assert(WIRETS_KIND_MAX == 4 && (int)RING_WIRE_TS_ARISTA48 == (int)WIRETS_ARISTA48,
	       "wire_ts_names[] lists every enum wirets_kind");

#define FSIZE(st, f) sizeof(((st *)0)->f)

#define K_GROUP(st, f, n, t, p, d)                                                                 \
	{                                                                                          \
		.name = n, .type = CK_GROUP, .off = offsetof(st, f), .sub = t, .post = p, .doc = d \
	}
#define K_LIST(st, f, cnt, n, lo, hi, fl, t, p, d)                                       \
	{                                                                                \
		.name = n, .type = CK_LIST, .flags = fl, .off = offsetof(st, f),         \
		.count_off = offsetof(st, cnt), .elem_size = FSIZE(st, f[0]), .min = lo, \
		.max = hi, .sub = t, .post = p, .doc = d                                 \
	}
#define K_NUM(ty, st, f, n, dv, lo, hi, fl, d)                                                    \
	{                                                                                         \
		.name = n, .type = ty, .flags = fl, .off = offsetof(st, f), .size = FSIZE(st, f), \
		.def = dv, .min = lo, .max = hi, .doc = d                                         \
	}
#define K_INT(st, f, n, dv, lo, hi, fl, d)  K_NUM(CK_INT, st, f, n, dv, lo, hi, fl, d)
#define K_SIZE(st, f, n, dv, lo, hi, fl, d) K_NUM(CK_SIZE, st, f, n, dv, lo, hi, fl, d)
#define K_BOOL(st, f, n, dv, d)		    K_NUM(CK_BOOL, st, f, n, dv, 0, 1, 0, d)
/* mode: bits in `clear` must not be set, bits outside `allowed` cannot be */
#define K_MODE(st, f, n, dv, clear, allowed, d) K_NUM(CK_MODE, st, f, n, dv, clear, allowed, 0, d)
#define K_STR(st, f, n, dv, lo, fl, chk, d)                                           \
	{                                                                             \
		.name = n, .type = CK_STR, .flags = fl, .off = offsetof(st, f),       \
		.size = FSIZE(st, f), .sdef = dv, .min = lo, .max = FSIZE(st, f) - 1, \
		.check = chk, .doc = d                                                \
	}
#define K_ENUM(st, f, n, dv, nm, d)                                                       \
	{                                                                                 \
		.name = n, .type = CK_ENUM, .off = offsetof(st, f), .size = FSIZE(st, f), \
		.def = dv, .names = nm, .doc = d                                          \
	}
#define K_ADDR(st, f, n, fl, ex, d)                                              \
	{                                                                        \
		.name = n, .type = CK_ADDR, .flags = fl, .off = offsetof(st, f), \
		.size = FSIZE(st, f), .sdef = ex, .doc = d                       \
	}
#define K_INTS(st, f, cnt, n, hi, elo, ehi, fl, d)                                            \
	{                                                                                     \
		.name = n, .type = CK_INTS, .flags = fl, .off = offsetof(st, f),              \
		.size = FSIZE(st, f[0]), .count_off = offsetof(st, cnt), .min = 0, .max = hi, \
		.emin = elo, .emax = ehi, .doc = d                                            \
	}

/* ---- per-key rules that do not fit min/max -------------------------------- */

static bool ident_chars(const char *s)
{
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("._-", *s))
			return false;
	return true;
}

static const char *check_ring_name(const char *s)
{
	if (strchr(s, '/'))
		return NULL; /* a path: ring_file_resolve() takes it as is */
	if (s[0] == '.' || !ident_chars(s))
		return "a ring name is letters, digits, '.', '_' and '-', not starting with '.' "
		       "(or a path containing '/')";
	return NULL;
}

/* user and group names: what useradd/groupadd accept, or "" */
static const char *check_account(const char *s)
{
	if (s[0] == '-' || !ident_chars(s))
		return "a user or group name is letters, digits, '.', '_' and '-', "
		       "not starting with '-'";
	return NULL;
}

/* the kernel's dev_valid_name() */
static const char *check_ifname(const char *s)
{
	if (!strcmp(s, ".") || !strcmp(s, "..") || strpbrk(s, "/: \t"))
		return "not a valid interface name";
	return NULL;
}

static const char *check_abs_path(const char *s)
{
	return s[0] == '/' ? NULL : "must be an absolute path";
}

static const char *check_abs_path_or_empty(const char *s)
{
	return s[0] ? check_abs_path(s) : NULL;
}

/*
 * node_exporter's textfile collector reads only *.prom files: any other
 * name would be written every second and never collected.  That is also
 * why file_replace()'s temporary "NAME.prom.tmp" is never read half done.
 */
static const char *check_textfile(const char *s)
{
	const char *base = strrchr(s, '/');
	size_t n;

	if (!s[0])
		return NULL; /* no metrics */
	if (base && s[0] != '/')
		return "a value containing '/' must be an absolute path "
		       "(a name without '/' is a file in run.dir)";
	base = base ? base + 1 : s;
	n = strlen(base);
	if (n <= strlen(".prom") || strcmp(base + n - strlen(".prom"), ".prom"))
		return "must be a file name ending in \".prom\" "
		       "(node_exporter's textfile collector reads only *.prom files)";
	return NULL;
}

/* seqdec_parse()'s syntax: what capstat's --proto takes, and the ring holds */
static const char *check_proto(const char *s)
{
	struct seqdec d;

	if (!s[0] || !seqdec_parse(s, &d))
		return NULL;
	return "not a protocol: \"moldudp64\", \"mdp3\", \"pitch\" or "
	       "\"seq:OFFSET:WIDTH:be|le\" (OFFSET 0..65535 bytes into the UDP payload, "
	       "WIDTH 1, 2, 4 or 8 bytes)";
}

static bool addr_is_multicast(const struct capd_conf_addr *a)
{
	if (a->family == AF_INET)
		return (a->addr[0] & 0xf0) == 0xe0 && a->prefix_len >= 4;
	return a->addr[0] == 0xff && a->prefix_len >= 8;
}

static char *fmt_size(uint64_t v, char *buf, size_t len)
{
	static const char sfx[] = "KMGT";
	int i;

	for (i = 3; i >= 0; i--) {
		uint64_t unit = 1ULL << (10 * (i + 1));

		if (v && v % unit == 0) {
			snprintf(buf, len, "%" PRIu64 "%c", v / unit, sfx[i]);
			return buf;
		}
	}
	snprintf(buf, len, "%" PRIu64, v);
	return buf;
}

static const char *ring_post(const void *obj, const char **key, char *buf, size_t len)
{
	const struct capd_conf_ring *r = obj;
	char s[32], b[32];

	if (ring_layout_nblocks(r->size, r->block_size))
		return NULL;
	*key = "size";
	snprintf(buf, len, "%s holds fewer than %u blocks of %s after the header block",
		 fmt_size(r->size, s, sizeof(s)), RING_NBLOCKS_MIN,
		 fmt_size(r->block_size, b, sizeof(b)));
	return buf;
}

static const char *feed_post(const void *obj, const char **key, char *buf, size_t len)
{
	const struct capd_conf_feed *f = obj;
	char a[64];

	if (f->allow_unicast || addr_is_multicast(&f->group))
		return NULL;
	*key = "group";
	snprintf(buf, len, "%s is not multicast (set allow_unicast = true to capture it anyway)",
		 capd_conf_addr_str(&f->group, a, sizeof(a)));
	return buf;
}

/* ---- the table ------------------------------------------------------------- */

static const char *const xdp_mode_names[] = { "auto", "native", "generic", NULL };
static const char *const zerocopy_names[] = { "auto", "on", "off", NULL };
static const char *const path_names[] = { "bypass", "shared", "auto", NULL };
/* wirets_kind_name() of each enum wirets_kind, in value order (test_conf checks) */
static const char *const wire_ts_names[] = { "nic",	 "metamako", "exablaze",
					     "arista64", "arista48", NULL };

static const struct ckey ring_keys[] = {
	K_STR(struct capd_conf_ring, name, "name", "default", 1, 0, check_ring_name,
	      "ring name (a file under " RING_DIR_DEFAULT ") or a path containing '/'"),
	K_SIZE(struct capd_conf_ring, size, "size", RING_SIZE_DEFAULT, 16ULL << 20, 1ULL << 40, 0,
	       "bytes of the whole ring file; \"8G\" or integer bytes"),
	K_SIZE(struct capd_conf_ring, block_size, "block_size", RING_BLOCK_SIZE_DEFAULT,
	       RING_BLOCK_SIZE_MIN, RING_BLOCK_SIZE_MAX, CKF_POW2,
	       "unit in which slow readers are lapped"),
	K_STR(struct capd_conf_ring, group, "group", "capture", 0, 0, check_account,
	      "group whose members may read the ring; \"\" = capd's primary group"),
	/* readers map the ring read-only; nobody but capd may write it */
	K_MODE(struct capd_conf_ring, mode, "mode", 0640, 0027, 0777,
	       "file mode, octal; no group write, no bits for others"),
	{ .name = NULL },
};

static const struct ckey iface_keys[] = {
	K_STR(struct capd_conf_iface, name, "name", "eth1", 1, CKF_REQUIRED | CKF_UNIQUE,
	      check_ifname, "network interface"),
	K_INTS(struct capd_conf_iface, queues, nqueues, "queues", CAPD_CONF_MAX_QUEUES, 0,
	       CAPD_CONF_MAX_QUEUES - 1, CKF_UNIQUE, "RX queues to capture; [ ] = all queues"),
	K_ENUM(struct capd_conf_iface, mode, "mode", CAPD_XDP_AUTO, xdp_mode_names,
	       "XDP attach mode; auto = native if the driver has it"),
	K_ENUM(struct capd_conf_iface, path, "path", CAPD_PATH_BYPASS, path_names,
	       "bypass = XDP, the kernel no longer sees the feeds; shared = AF_PACKET, local "
	       "sockets keep them; auto = bypass if exclusive and XDP works"),
	K_ENUM(struct capd_conf_iface, timestamp, "timestamp", WIRETS_NONE, wire_ts_names,
	       "the stamp a switch or tap writes into the frames: nic = none (the host's "
	       "stamp only); metamako, exablaze = a trailer; arista64, arista48 = the Arista "
	       "header"),
	{ .name = NULL },
};

static const struct ckey xsk_keys[] = {
	K_INT(struct capd_conf_xsk, frame_size, "frame_size", 4096, 2048, 4096, CKF_POW2,
	      "bytes per UMEM frame"),
	K_INT(struct capd_conf_xsk, rx_size, "rx_size", 2048, 64, 65536, CKF_POW2,
	      "RX ring entries per socket"),
	K_INT(struct capd_conf_xsk, fill_size, "fill_size", 4096, 64, 65536, CKF_POW2,
	      "fill ring entries per socket"),
	K_INT(struct capd_conf_xsk, frames, "frames", 8192, 1024, 1048576, 0,
	      "UMEM frames per socket"),
	K_ENUM(struct capd_conf_xsk, zerocopy, "zerocopy", CAPD_ZC_AUTO, zerocopy_names,
	       "auto = zero-copy if the driver has it; on = fail without it"),
	{ .name = NULL },
};

static const struct ckey packet_keys[] = {
	K_SIZE(struct capd_conf_packet, block_size, "block_size", 1ULL << 20, 64ULL << 10,
	       64ULL << 20, CKF_POW2, "bytes per TPACKET_V3 block"),
	K_INT(struct capd_conf_packet, blocks, "blocks", 64, 2, 65536, 0,
	      "blocks per AF_PACKET socket; the kernel drops (and counts) when all are full"),
	{ .name = NULL },
};

static const struct ckey capture_keys[] = {
	K_INT(struct capd_conf_capture, cpu, "cpu", 1, -1, 4095, 0,
	      "core of the capture thread; -1 = do not pin (must be online at startup)"),
	{ .name = "cpus",
	  .type = CK_INTS,
	  .flags = CKF_UNIQUE,
	  .off = offsetof(struct capd_conf_capture, cpus),
	  .size = FSIZE(struct capd_conf_capture, cpus[0]),
	  .count_off = offsetof(struct capd_conf_capture, ncpus),
	  .min = 0,
	  .max = CAPD_CONF_MAX_CPUS,
	  .emin = 0,
	  .emax = 4095,
	  .excludes = "cpu",
	  .doc = "one pinned capture thread per core, each writing its own ring of the set; "
		 "[ ] = one thread on cpu" },
	K_INT(struct capd_conf_capture, snaplen, "snaplen", 65535, 64, 65535, 0,
	      "bytes kept per packet"),
	K_INT(struct capd_conf_capture, batch, "batch", 64, 1, 1024, 0,
	      "descriptors per RX batch, records per publish"),
	K_BOOL(struct capd_conf_capture, join, "join", true,
	       "join the feeds' groups on every interface (IGMP/MLD) so switches forward them"),
	K_BOOL(struct capd_conf_capture, exclusive, "exclusive", false,
	       "this box only captures: bypass even when local sockets receive captured feeds"),
	/* required but may be empty: the shipped file names none until the admin
	 * does, and capd and capctl doctor then say so rather than fail to parse */
	K_LIST(struct capd_conf_capture, interfaces, ninterfaces, "interfaces", 0,
	       CAPD_CONF_MAX_IFACES, CKF_REQUIRED, iface_keys, NULL, "interfaces to capture on"),
	K_GROUP(struct capd_conf_capture, xsk, "xsk", xsk_keys, NULL,
		"AF_XDP sockets, one per queue"),
	K_GROUP(struct capd_conf_capture, packet, "packet", packet_keys, NULL,
		"the shared path's AF_PACKET rings, one per queue"),
	{ .name = NULL },
};

static const struct ckey feed_keys[] = {
	K_STR(struct capd_conf_feed, name, "name", "A", 1, CKF_REQUIRED | CKF_UNIQUE, NULL,
	      "feed name shown by readers"),
	K_ADDR(struct capd_conf_feed, group, "group", CKF_REQUIRED, "239.1.1.1",
	       "group address or prefix, IPv4 or IPv6 (\"ff3e::/96\")"),
	K_INTS(struct capd_conf_feed, ports, nports, "ports", CAPD_CONF_MAX_PORTS, 1, 65535,
	       CKF_UNIQUE, "UDP destination ports; [ ] = any"),
	K_BOOL(struct capd_conf_feed, allow_unicast, "allow_unicast", false,
	       "accept a group that is not multicast"),
	K_STR(struct capd_conf_feed, proto, "proto", "", 0, 0, check_proto,
	      "sequence protocol for readers: \"moldudp64\", \"mdp3\", \"pitch\", "
	      "\"seq:OFFSET:WIDTH:be|le\"; \"\" = none"),
	{ .name = NULL },
};

static const struct ckey clock_keys[] = {
	K_STR(struct capd_conf_clock, ptp4l_socket, "ptp4l_socket", "/var/run/ptp4l", 0, 0,
	      check_abs_path_or_empty, "ptp4l's management socket (uds_address); \"\" = no ptp4l"),
	K_INT(struct capd_conf_clock, domain, "domain", 0, 0, 255, 0, "PTP domain of ptp4l"),
	K_INT(struct capd_conf_clock, max_offset, "max_offset", 1000, 1, 1000000000, 0,
	      "largest |offset from master| in ns still called synced"),
	{ .name = NULL },
};

static const struct ckey run_keys[] = {
	K_STR(struct capd_conf_run, user, "user", "capd", 0, 0, check_account,
	      "user capd switches to after setup; \"\" = stay"),
	K_STR(struct capd_conf_run, group, "group", "capd", 0, 0, check_account,
	      "group capd switches to after setup; \"\" = stay"),
	K_STR(struct capd_conf_run, dir, "dir", "/run/capd", 1, 0, check_abs_path,
	      "directory of capd's runtime files (its ptp4l client socket)"),
	{ .name = NULL },
};

static const struct ckey metrics_keys[] = {
	K_STR(struct capd_conf_metrics, textfile, "textfile", "capd.prom", 0, 0, check_textfile,
	      "Prometheus textfile rewritten every second: a *.prom name in run.dir or an "
	      "absolute path; \"\" = none"),
	{ .name = NULL },
};

const struct ckey capd_conf_table[] = {
	K_GROUP(struct capd_conf, ring, "ring", ring_keys, ring_post,
		"the shared ring that readers attach to"),
	K_GROUP(struct capd_conf, capture, "capture", capture_keys, NULL,
		"where and how packets are taken"),
	K_LIST(struct capd_conf, feeds, nfeeds, "feeds", 0, CAPD_CONF_MAX_FEEDS, 0, feed_keys,
	       feed_post, "traffic to capture; ( ) = all multicast UDP"),
	K_GROUP(struct capd_conf, clock, "clock", clock_keys, NULL, "clock status source"),
	K_GROUP(struct capd_conf, run, "run", run_keys, NULL, "identity after setup"),
	K_GROUP(struct capd_conf, metrics, "metrics", metrics_keys, NULL,
		"counters for node_exporter's textfile collector (capd(8), METRICS)"),
	{ .name = NULL },
};

/* ---- values in fields of any width ------------------------------------------ */

static void store_int(void *f, size_t size, int64_t v)
{
	switch (size) {
	case 1:
		*(uint8_t *)f = (uint8_t)v;
		break;
	case 2:
		*(uint16_t *)f = (uint16_t)v;
		break;
	case 4:
		*(uint32_t *)f = (uint32_t)v;
		break;
	default:
		*(uint64_t *)f = (uint64_t)v;
		break;
	}
}

static int64_t load_int(const void *f, size_t size, bool sign)
{
	if (size == 1)
		return sign ? (int64_t) * (const int8_t *)f : (int64_t) * (const uint8_t *)f;
	if (size == 2)
		return sign ? (int64_t) * (const int16_t *)f : (int64_t) * (const uint16_t *)f;
	if (size == 4)
		return sign ? (int64_t) * (const int32_t *)f : (int64_t) * (const uint32_t *)f;
	return (int64_t) * (const uint64_t *)f;
}

static unsigned int *count_of(const struct ckey *k, const void *obj)
{
	return (unsigned int *)((uintptr_t)obj + k->count_off);
}

static void set_defaults(const struct ckey *t, void *obj)
{
	const struct ckey *k;

	for (k = t; k->name; k++) {
		void *f = (char *)obj + k->off;

		switch (k->type) {
		case CK_GROUP:
			set_defaults(k->sub, f);
			break;
		case CK_LIST:
		case CK_INTS:
			*count_of(k, obj) = 0;
			break;
		case CK_INT:
		case CK_SIZE:
		case CK_ENUM:
		case CK_MODE:
			store_int(f, k->size, k->def);
			break;
		case CK_BOOL:
			*(bool *)f = k->def;
			break;
		case CK_STR:
			memset(f, 0, k->size);
			if (!(k->flags & CKF_REQUIRED))
				memcpy(f, k->sdef, strlen(k->sdef));
			break;
		case CK_ADDR:
			break;
		}
	}
}

void capd_conf_defaults(struct capd_conf *c)
{
	memset(c, 0, sizeof(*c));
	set_defaults(capd_conf_table, c);
}

/* ---- addresses --------------------------------------------------------------- */

char *capd_conf_addr_str(const struct capd_conf_addr *a, char *buf, size_t len)
{
	char s[INET6_ADDRSTRLEN];
	unsigned int full = a->family == AF_INET ? 32 : 128;

	if (!inet_ntop(a->family, a->addr, s, sizeof(s)))
		snprintf(s, sizeof(s), "?");
	if (a->prefix_len == full)
		snprintf(buf, len, "%s", s);
	else
		snprintf(buf, len, "%s/%u", s, a->prefix_len);
	return buf;
}

static const char *parse_addr(const char *s, struct capd_conf_addr *a, char *why, size_t len)
{
	char tmp[INET6_ADDRSTRLEN + 4], sug[64];
	struct capd_conf_addr m;
	char *slash;
	unsigned int full, i;

	memset(a, 0, sizeof(*a));
	if (strlen(s) >= sizeof(tmp))
		goto bad;
	strcpy(tmp, s);
	slash = strchr(tmp, '/');
	if (slash)
		*slash++ = '\0';
	if (inet_pton(AF_INET, tmp, a->addr) == 1)
		a->family = AF_INET;
	else if (inet_pton(AF_INET6, tmp, a->addr) == 1)
		a->family = AF_INET6;
	else
		goto bad;
	full = a->family == AF_INET ? 32 : 128;
	a->prefix_len = full;
	if (slash) {
		unsigned long p;
		char *end;

		if (!isdigit((unsigned char)*slash) || strlen(slash) > 3)
			goto bad_prefix;
		p = strtoul(slash, &end, 10);
		if (*end || p > full)
			goto bad_prefix;
		a->prefix_len = (uint8_t)p;
	}
	/* host bits set usually means a typo in the prefix length */
	m = *a;
	for (i = 0; i < 16; i++) {
		unsigned int bit = i * 8;

		if (bit >= a->prefix_len)
			m.addr[i] = 0;
		else if (bit + 8 > a->prefix_len)
			m.addr[i] &= (uint8_t)(0xff00 >> (a->prefix_len - bit));
	}
	if (memcmp(m.addr, a->addr, sizeof(m.addr))) {
		snprintf(why, len, "\"%s\" has bits set beyond the prefix length (%s?)", s,
			 capd_conf_addr_str(&m, sug, sizeof(sug)));
		return why;
	}
	return NULL;
bad_prefix:
	snprintf(why, len, "\"%s\": prefix length must be 0..%u", s, full);
	return why;
bad:
	snprintf(why, len, "\"%s\" is not an IPv4 or IPv6 address or prefix", s);
	return why;
}

/* ---- parsing ----------------------------------------------------------------- */

struct parse {
	const char *file;
	char *err;
	size_t errlen;
};

#define PATH_LEN 160

static int vfail(struct parse *p, unsigned int line, const char *key, const char *fmt, va_list ap)
{
	size_t n;
	int r;

	if (!p->err || !p->errlen)
		return -EINVAL;
	/* line 0 is libconfig's root setting: the error is about the whole file */
	r = snprintf(p->err, p->errlen, "%s:%u: %s%s", p->file, line ? line : 1, key ? key : "",
		     key && *key ? ": " : "");
	n = r < 0 ? 0 : (size_t)r;
	if (n < p->errlen)
		vsnprintf(p->err + n, p->errlen - n, fmt, ap);
	return -EINVAL;
}

static int __attribute__((format(printf, 4, 5)))
fail_line(struct parse *p, unsigned int line, const char *key, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vfail(p, line, key, fmt, ap);
	va_end(ap);
	return r;
}

static int __attribute__((format(printf, 4, 5)))
fail(struct parse *p, config_setting_t *s, const char *key, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vfail(p, config_setting_source_line(s), key, fmt, ap);
	va_end(ap);
	return r;
}

static void join_path(char *buf, const char *prefix, const char *name, int idx)
{
	int r;

	if (idx >= 0)
		r = snprintf(buf, PATH_LEN, "%s[%d]", prefix, idx);
	else
		r = snprintf(buf, PATH_LEN, "%s%s%s", prefix, *prefix ? "." : "", name);
	if (r >= PATH_LEN)
		strcpy(buf + PATH_LEN - 4, "...");
}

/* by name in file order; config_setting_get_member() also matches paths */
static config_setting_t *find_member(config_setting_t *grp, const char *name)
{
	int i, n = config_setting_length(grp);

	for (i = 0; i < n; i++) {
		config_setting_t *s = config_setting_get_elem(grp, (unsigned int)i);

		if (config_setting_name(s) && !strcmp(config_setting_name(s), name))
			return s;
	}
	return NULL;
}

static bool is_int(const config_setting_t *s)
{
	int t = config_setting_type(s);

	return t == CONFIG_TYPE_INT || t == CONFIG_TYPE_INT64;
}

static bool is_pow2(uint64_t v)
{
	return v && !(v & (v - 1));
}

static int wrong_type(struct parse *p, const struct ckey *k, config_setting_t *s, const char *path)
{
	static const char *const what[] = {
		[CK_GROUP] = "a group { ... }",
		[CK_LIST] = "a list ( { ... }, ... )",
		[CK_INT] = "an integer",
		[CK_SIZE] = "a size such as \"8G\" or an integer",
		[CK_BOOL] = "true or false",
		[CK_STR] = "a string",
		[CK_ENUM] = "a string",
		[CK_MODE] = "an octal string such as \"0640\"",
		[CK_ADDR] = "an address string such as \"239.1.1.1\"",
		[CK_INTS] = "a list of integers [ ... ]",
	};

	return fail(p, s, path, "expected %s", what[k->type]);
}

static int check_num(struct parse *p, const struct ckey *k, config_setting_t *s, const char *path,
		     int64_t v)
{
	char a[32], b[32], c[32];

	if (v >= k->min && v <= k->max && (!(k->flags & CKF_POW2) || is_pow2((uint64_t)v)))
		return 0;
	if (k->type == CK_SIZE) {
		/* v < 0 only for an integer; it was never a size */
		if (v < 0)
			snprintf(a, sizeof(a), "%" PRId64, v);
		else
			fmt_size((uint64_t)v, a, sizeof(a));
		fmt_size((uint64_t)k->min, b, sizeof(b));
		fmt_size((uint64_t)k->max, c, sizeof(c));
	} else {
		snprintf(a, sizeof(a), "%" PRId64, v);
		snprintf(b, sizeof(b), "%" PRId64, k->min);
		snprintf(c, sizeof(c), "%" PRId64, k->max);
	}
	if (v >= k->min && v <= k->max)
		return fail(p, s, path, "%s is not a power of two", a);
	return fail(p, s, path, "%s is out of range %s%s..%s", a,
		    k->flags & CKF_POW2 ? "(power of two) " : "", b, c);
}

static int parse_mode(const char *s, unsigned int *mode)
{
	size_t n = strlen(s);

	if (n < 1 || n > 4 || strspn(s, "01234567") != n)
		return -EINVAL;
	*mode = (unsigned int)strtoul(s, NULL, 8);
	return 0;
}

static int parse_table(struct parse *p, const struct ckey *t, void *obj, config_setting_t *grp,
		       const char *prefix);

static int run_post(struct parse *p, const struct ckey *k, const void *obj, config_setting_t *s,
		    const char *path)
{
	const char *key = NULL, *why;
	config_setting_t *m;
	char buf[256], kp[PATH_LEN];

	why = k->post(obj, &key, buf, sizeof(buf));
	if (!why)
		return 0;
	m = key ? find_member(s, key) : NULL;
	join_path(kp, path, key ? key : "", -1);
	return fail(p, m ? m : s, key ? kp : path, "%s", why);
}

static int parse_list(struct parse *p, const struct ckey *k, void *obj, config_setting_t *s,
		      const char *path)
{
	int i, j, n = config_setting_length(s), r;
	const struct ckey *u;

	if (!config_setting_is_list(s) && !config_setting_is_array(s))
		return wrong_type(p, k, s, path);
	if (n < k->min)
		return fail(p, s, path, "at least %" PRId64 " %s required", k->min,
			    k->min == 1 ? "entry is" : "entries are");
	if (n > k->max)
		return fail(p, s, path, "%d entries, at most %" PRId64 " allowed", n, k->max);
	for (i = 0; i < n; i++) {
		config_setting_t *e = config_setting_get_elem(s, (unsigned int)i);
		char *elem = (char *)obj + k->off + (size_t)i * k->elem_size;
		char ep[PATH_LEN];

		join_path(ep, path, NULL, i);
		if (!config_setting_is_group(e))
			return fail(p, e, ep, "expected a group { ... }");
		memset(elem, 0, k->elem_size);
		set_defaults(k->sub, elem);
		r = parse_table(p, k->sub, elem, e, ep);
		if (!r && k->post)
			r = run_post(p, k, elem, e, ep);
		if (r)
			return r;
		for (u = k->sub; u->name; u++) {
			if (u->type != CK_STR || !(u->flags & CKF_UNIQUE))
				continue;
			for (j = 0; j < i; j++) {
				const char *prev = (char *)obj + k->off + (size_t)j * k->elem_size;
				char kp[PATH_LEN];

				if (strcmp(elem + u->off, prev + u->off))
					continue;
				join_path(kp, ep, u->name, -1);
				return fail(p, find_member(e, u->name) ?: e, kp,
					    "\"%s\" is already used by %s[%d]", elem + u->off, path,
					    j);
			}
		}
	}
	*count_of(k, obj) = (unsigned int)n;
	return 0;
}

static int parse_ints(struct parse *p, const struct ckey *k, void *obj, config_setting_t *s,
		      const char *path)
{
	int i, j, n = config_setting_length(s);
	char *arr = (char *)obj + k->off;
	struct ckey ek = *k;

	if (!config_setting_is_list(s) && !config_setting_is_array(s))
		return wrong_type(p, k, s, path);
	if (n > k->max)
		return fail(p, s, path, "%d entries, at most %" PRId64 " allowed", n, k->max);
	/* each element is checked like a CK_INT row of the element range */
	ek.type = CK_INT;
	ek.min = k->emin;
	ek.max = k->emax;
	for (i = 0; i < n; i++) {
		config_setting_t *e = config_setting_get_elem(s, (unsigned int)i);
		char ep[PATH_LEN];
		int64_t v;
		int r;

		join_path(ep, path, NULL, i);
		if (!is_int(e))
			return wrong_type(p, &ek, e, ep);
		v = config_setting_get_int64(e);
		r = check_num(p, &ek, e, ep, v);
		if (r)
			return r;
		for (j = 0; (k->flags & CKF_UNIQUE) && j < i; j++)
			if (load_int(arr + (size_t)j * k->size, k->size, false) == v)
				return fail(p, e, ep, "%" PRId64 " is listed twice", v);
		store_int(arr + (size_t)i * k->size, k->size, v);
	}
	*count_of(k, obj) = (unsigned int)n;
	return 0;
}

static int parse_key(struct parse *p, const struct ckey *k, void *obj, config_setting_t *s,
		     const char *path)
{
	void *f = (char *)obj + k->off;
	const char *str = NULL, *why;
	char buf[256];
	uint64_t u;
	int64_t v;
	int r, i;

	if (k->type == CK_STR || k->type == CK_ENUM || k->type == CK_MODE || k->type == CK_ADDR) {
		if (config_setting_type(s) != CONFIG_TYPE_STRING)
			return wrong_type(p, k, s, path);
		str = config_setting_get_string(s);
	}

	switch (k->type) {
	case CK_GROUP:
		if (!config_setting_is_group(s))
			return wrong_type(p, k, s, path);
		r = parse_table(p, k->sub, f, s, path);
		if (!r && k->post)
			r = run_post(p, k, f, s, path);
		return r;
	case CK_LIST:
		return parse_list(p, k, obj, s, path);
	case CK_INTS:
		return parse_ints(p, k, obj, s, path);
	case CK_INT:
		if (!is_int(s))
			return wrong_type(p, k, s, path);
		v = config_setting_get_int64(s);
		r = check_num(p, k, s, path, v);
		if (!r)
			store_int(f, k->size, v);
		return r;
	case CK_SIZE:
		if (is_int(s)) {
			v = config_setting_get_int64(s);
		} else if (config_setting_type(s) == CONFIG_TYPE_STRING) {
			str = config_setting_get_string(s);
			r = units_parse_size(str, &u);
			if (r == -ERANGE || (!r && u > INT64_MAX))
				return fail(p, s, path, "\"%s\" is too large", str);
			if (r)
				return fail(p, s, path,
					    "\"%s\" is not a size (digits and K, M, G or T)", str);
			v = (int64_t)u;
		} else {
			return wrong_type(p, k, s, path);
		}
		r = check_num(p, k, s, path, v);
		if (!r)
			store_int(f, k->size, v);
		return r;
	case CK_BOOL:
		if (config_setting_type(s) != CONFIG_TYPE_BOOL)
			return wrong_type(p, k, s, path);
		*(bool *)f = config_setting_get_bool(s);
		return 0;
	case CK_STR:
		for (i = 0; str[i]; i++)
			if (iscntrl((unsigned char)str[i]))
				return fail(p, s, path, "control character in string");
		if ((int64_t)strlen(str) < k->min)
			return fail(p, s, path, "must not be empty");
		if ((int64_t)strlen(str) > k->max)
			return fail(p, s, path, "longer than %" PRId64 " characters", k->max);
		why = k->check ? k->check(str) : NULL;
		if (why)
			return fail(p, s, path, "\"%s\": %s", str, why);
		memset(f, 0, k->size);
		memcpy(f, str, strlen(str));
		return 0;
	case CK_ENUM:
		for (i = 0; k->names[i]; i++) {
			if (!strcmp(str, k->names[i])) {
				store_int(f, k->size, i);
				return 0;
			}
		}
		buf[0] = '\0';
		for (i = 0; k->names[i]; i++)
			snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s\"%s\"",
				 i ? ", " : "", k->names[i]);
		return fail(p, s, path, "\"%s\" is not one of %s", str, buf);
	case CK_MODE: {
		unsigned int mode;

		if (parse_mode(str, &mode))
			return wrong_type(p, k, s, path);
		if (mode & ~(unsigned int)k->max)
			return fail(p, s, path, "%04o has bits outside %04o", mode,
				    (unsigned int)k->max);
		if (mode & (unsigned int)k->min)
			return fail(p, s, path,
				    "%04o grants group write or access to others (mask %04o)", mode,
				    (unsigned int)k->min);
		store_int(f, k->size, mode);
		return 0;
	}
	case CK_ADDR:
		why = parse_addr(str, f, buf, sizeof(buf));
		if (why)
			return fail(p, s, path, "%s", why);
		return 0;
	}
	return -EINVAL;
}

/* required keys, also inside groups left out altogether; blamed on grp's line */
static int check_required(struct parse *p, const struct ckey *t, uint32_t seen,
			  config_setting_t *grp, const char *prefix)
{
	const struct ckey *k;
	char kp[PATH_LEN];
	int r;

	for (k = t; k->name; k++) {
		if (seen & (1u << (k - t)))
			continue;
		join_path(kp, prefix, k->name, -1);
		if (k->flags & CKF_REQUIRED)
			return fail(p, grp, kp, "missing (required)");
		if (k->type == CK_GROUP) {
			r = check_required(p, k->sub, 0, grp, kp);
			if (r)
				return r;
		}
	}
	return 0;
}

/* A non-empty list beside the key it excludes: blamed on the list's line. */
static int check_excludes(struct parse *p, const struct ckey *t, const void *obj, uint32_t seen,
			  config_setting_t *grp, const char *prefix)
{
	const struct ckey *k, *x;
	char kp[PATH_LEN];

	for (k = t; k->name; k++) {
		if (!k->excludes || !(seen & (1u << (k - t))) || !*count_of(k, obj))
			continue;
		for (x = t; x->name && strcmp(x->name, k->excludes); x++)
			;
		if (!x->name || !(seen & (1u << (x - t))))
			continue;
		join_path(kp, prefix, k->name, -1);
		return fail(p, find_member(grp, k->name), kp, "set either %s or %s", x->name,
			    k->name);
	}
	return 0;
}

static int parse_table(struct parse *p, const struct ckey *t, void *obj, config_setting_t *grp,
		       const char *prefix)
{
	int i, n = config_setting_length(grp), r;
	uint32_t seen = 0; /* rows present; tables have fewer than 32 rows */
	const struct ckey *k;
	char kp[PATH_LEN];

	for (i = 0; i < n; i++) {
		config_setting_t *s = config_setting_get_elem(grp, (unsigned int)i);
		const char *name = config_setting_name(s);

		for (k = t; k->name && strcmp(k->name, name); k++)
			;
		join_path(kp, prefix, name, -1);
		if (!k->name)
			return fail(p, s, kp, "unknown key");
		seen |= 1u << (k - t);
		r = parse_key(p, k, obj, s, kp);
		if (r)
			return r;
	}
	r = check_excludes(p, t, obj, seen, grp, prefix);
	if (r)
		return r;
	return check_required(p, t, seen, grp, prefix);
}

/*
 * libconfig 1.5 reads integer literals with atoi(): 4294967296 silently
 * becomes 0 and 0x80000000 a negative number.  So every integer literal is
 * checked here first and refused unless libconfig will read it exactly
 * (decimal or hex within 32 bits, or within 64 bits with an L suffix).  The
 * same pass refuses @include: one file is the whole configuration, and
 * parse_string() must not open files.  Strings and comments are skipped as
 * libconfig's scanner does; anything else malformed is left to libconfig.
 */
static int check_literal(struct parse *p, unsigned int line, const char **tp)
{
	const char *start = *tp, *s = *tp, *d;
	bool neg = false, hex = false, l64 = false;
	unsigned long long v, lim;

	if (*s == '-' || *s == '+')
		neg = *s++ == '-';
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && isxdigit((unsigned char)s[2])) {
		hex = true;
		s += 2;
	}
	d = s;
	while (hex ? isxdigit((unsigned char)*s) : isdigit((unsigned char)*s))
		s++;
	if (!hex && (*s == '.' || *s == 'e' || *s == 'E')) {
		while (isdigit((unsigned char)*s) || (*s && strchr(".eE+-", *s)))
			s++;
		*tp = s; /* a float */
		return 0;
	}
	if (*s == 'L') {
		l64 = true;
		s += s[1] == 'L' ? 2 : 1;
	}
	*tp = s;
	if (hex && start != d - 2)
		return 0; /* a signed hex literal is a syntax error for libconfig */
	errno = 0;
	v = strtoull(d, NULL, hex ? 16 : 10);
	lim = l64 ? INT64_MAX : INT32_MAX;
	if (neg)
		lim++;
	if (errno != ERANGE && v <= lim)
		return 0;
	return fail_line(p, line, NULL, "integer %.*s%s does not fit in %d bits%s",
			 (int)(s - start > 24 ? 24 : s - start), start, s - start > 24 ? "..." : "",
			 l64 ? 64 : 32,
			 l64 ? "" : " (write sizes as strings such as \"16G\", or append L)");
}

static int prescan(struct parse *p, const char *t)
{
	unsigned int line = 1;
	int r;

	while (*t) {
		unsigned char c = (unsigned char)*t;

		if (c == '\n') {
			line++;
			t++;
		} else if (c == '#' || (c == '/' && t[1] == '/')) {
			while (*t && *t != '\n')
				t++;
		} else if (c == '/' && t[1] == '*') {
			for (t += 2; *t && !(t[0] == '*' && t[1] == '/'); t++)
				line += *t == '\n';
			t += *t ? 2 : 0;
		} else if (c == '"') {
			for (t++; *t && *t != '"'; t++) {
				if (*t == '\\' && t[1])
					t++;
				line += *t == '\n';
			}
			t += *t ? 1 : 0;
		} else if (c == '@') {
			return fail_line(
				p, line, NULL,
				"@include is not supported: keep the configuration in one file");
		} else if (isalpha(c) || c == '*') {
			while (isalnum((unsigned char)*t) || (*t && strchr("-_*", *t)))
				t++;
		} else if (isdigit(c) || ((c == '-' || c == '+') && isdigit((unsigned char)t[1]))) {
			r = check_literal(p, line, &t);
			if (r)
				return r;
		} else {
			t++;
		}
	}
	return 0;
}

int capd_conf_parse_string(struct capd_conf *c, const char *text, const char *name, char *err,
			   size_t errlen)
{
	struct parse p = { .file = name ? name : "(string)", .err = err, .errlen = errlen };
	struct capd_conf *tmp;
	config_t cfg;
	int r;

	if (err && errlen)
		err[0] = '\0';
	r = prescan(&p, text);
	if (r)
		return r;
	/* parse into a copy: on error the caller's config is untouched */
	tmp = malloc(sizeof(*tmp));
	if (!tmp) {
		if (err && errlen)
			snprintf(err, errlen, "%s: out of memory", p.file);
		return -ENOMEM;
	}
	capd_conf_defaults(tmp);
	config_init(&cfg);
	if (!config_read_string(&cfg, text))
		r = fail_line(&p, (unsigned int)config_error_line(&cfg), NULL, "%s",
			      config_error_text(&cfg) ? config_error_text(&cfg) : "parse error");
	else
		r = parse_table(&p, capd_conf_table, tmp, config_root_setting(&cfg), "");
	config_destroy(&cfg);
	if (!r)
		memcpy(c, tmp, sizeof(*c));
	free(tmp);
	return r;
}

int capd_conf_load(struct capd_conf *c, const char *path, char *err, size_t errlen)
{
	char *buf, *nul;
	size_t n;
	FILE *f;
	int r = 0;

	if (err && errlen)
		err[0] = '\0';
	f = fopen(path, "re");
	if (!f) {
		r = -errno;
		goto io_err;
	}
	buf = malloc(CAPD_CONF_MAX_TEXT + 1);
	if (!buf) {
		fclose(f);
		r = -ENOMEM;
		goto io_err;
	}
	n = fread(buf, 1, CAPD_CONF_MAX_TEXT + 1, f);
	if (ferror(f))
		r = errno ? -errno : -EIO;
	else if (n > CAPD_CONF_MAX_TEXT)
		r = -EFBIG;
	fclose(f);
	if (r) {
		free(buf);
		goto io_err;
	}
	buf[n] = '\0';
	/* libconfig would stop reading at a NUL and ignore the rest */
	nul = memchr(buf, '\0', n);
	if (nul) {
		struct parse p = { .file = path, .err = err, .errlen = errlen };
		unsigned int line = 1;
		char *q;

		for (q = buf; q < nul; q++)
			line += *q == '\n';
		free(buf);
		return fail_line(&p, line, NULL, "NUL byte in file");
	}
	r = capd_conf_parse_string(c, buf, path, err, errlen);
	free(buf);
	return r;
io_err:
	if (err && errlen)
		snprintf(err, errlen, "%s: %s", path, strerror(-r));
	return r;
}

int capd_conf_metrics_path(const struct capd_conf *c, char *buf, size_t len)
{
	const char *name = c->metrics.textfile;
	int n;

	if (!name[0] || strchr(name, '/'))
		n = snprintf(buf, len, "%s", name);
	else
		n = snprintf(buf, len, "%s/%s", c->run.dir, name);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/* ---- dump ---------------------------------------------------------------------- */

static void indent(FILE *f, int depth)
{
	while (depth-- > 0)
		fputc('\t', f);
}

static void put_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static void put_value(FILE *f, const struct ckey *k, const void *obj)
{
	const char *fld = (const char *)obj + k->off;
	char buf[64];
	unsigned int i, n;

	switch (k->type) {
	case CK_INT:
		fprintf(f, "%" PRId64, load_int(fld, k->size, k->min < 0));
		break;
	case CK_SIZE:
		fputc('"', f);
		fputs(fmt_size((uint64_t)load_int(fld, k->size, false), buf, sizeof(buf)), f);
		fputc('"', f);
		break;
	case CK_BOOL:
		fputs(*(const bool *)fld ? "true" : "false", f);
		break;
	case CK_STR:
		put_str(f, fld);
		break;
	case CK_ENUM:
		put_str(f, k->names[load_int(fld, k->size, false)]);
		break;
	case CK_MODE:
		fprintf(f, "\"%04o\"", (unsigned int)load_int(fld, k->size, false));
		break;
	case CK_ADDR:
		put_str(f,
			capd_conf_addr_str((const struct capd_conf_addr *)fld, buf, sizeof(buf)));
		break;
	case CK_INTS:
		n = *count_of(k, obj);
		fputs("[", f);
		for (i = 0; i < n; i++)
			fprintf(f, "%s %" PRId64, i ? "," : "",
				load_int(fld + (size_t)i * k->size, k->size, false));
		fputs(" ]", f);
		break;
	case CK_GROUP:
	case CK_LIST:
		break;
	}
}

/* the range, as the comment after the doc */
static void put_hint(FILE *f, const struct ckey *k)
{
	char a[32], b[32];
	int i;

	switch (k->type) {
	case CK_INT:
		fprintf(f, " [%s%" PRId64 "..%" PRId64 "]",
			k->flags & CKF_POW2 ? "power of two, " : "", k->min, k->max);
		break;
	case CK_SIZE:
		fprintf(f, " [%s%s..%s]", k->flags & CKF_POW2 ? "power of two, " : "",
			fmt_size((uint64_t)k->min, a, sizeof(a)),
			fmt_size((uint64_t)k->max, b, sizeof(b)));
		break;
	case CK_STR:
		fprintf(f, " [%" PRId64 "..%" PRId64 " characters]", k->min, k->max);
		break;
	case CK_ENUM:
		fputs(" [", f);
		for (i = 0; k->names[i]; i++)
			fprintf(f, "%s\"%s\"", i ? " | " : "", k->names[i]);
		fputs("]", f);
		break;
	case CK_INTS:
		fprintf(f, " [at most %" PRId64 " of %" PRId64 "..%" PRId64 "]", k->max, k->emin,
			k->emax);
		break;
	case CK_LIST:
		fprintf(f, " [%" PRId64 "..%" PRId64 " entries]", k->min, k->max);
		break;
	default:
		break;
	}
}

/* Is k excluded by a non-empty list of its table (so left out of a dump)? */
static const struct ckey *excluded_by(const struct ckey *t, const struct ckey *k, const void *obj)
{
	const struct ckey *u;

	for (u = t; u->name; u++)
		if (u->excludes && !strcmp(u->excludes, k->name) && *count_of(u, obj))
			return u;
	return NULL;
}

static void dump_table(FILE *f, const struct ckey *t, const void *obj, int depth)
{
	const struct ckey *k, *u;
	unsigned int i, n;

	for (k = t; k->name; k++) {
		const char *fld = (const char *)obj + k->off;

		u = excluded_by(t, k, obj);
		if (u) {
			indent(f, depth);
			fprintf(f, "# %s: not with %s\n", k->name, u->name);
			continue;
		}

		switch (k->type) {
		case CK_GROUP:
			indent(f, depth);
			fprintf(f, "# %s\n", k->doc);
			indent(f, depth);
			fprintf(f, "%s = {\n", k->name);
			dump_table(f, k->sub, fld, depth + 1);
			indent(f, depth);
			fputs("};\n", f);
			break;
		case CK_LIST:
			indent(f, depth);
			fprintf(f, "# %s", k->doc);
			put_hint(f, k);
			fputc('\n', f);
			for (u = k->sub; u->name; u++) {
				indent(f, depth);
				fprintf(f, "#   %s: %s%s", u->name, u->doc,
					u->flags & CKF_REQUIRED ? " (required)" : "");
				put_hint(f, u);
				fputc('\n', f);
			}
			n = *count_of(k, obj);
			indent(f, depth);
			fprintf(f, "%s = (%s", k->name, n ? "\n" : " ");
			for (i = 0; i < n; i++) {
				indent(f, depth + 1);
				fputs("{", f);
				for (u = k->sub; u->name; u++) {
					fprintf(f, " %s = ", u->name);
					put_value(f, u, fld + (size_t)i * k->elem_size);
					fputc(';', f);
				}
				fprintf(f, " }%s\n", i + 1 < n ? "," : "");
			}
			if (n)
				indent(f, depth);
			fputs(");\n", f);
			break;
		default:
			indent(f, depth);
			fprintf(f, "%s = ", k->name);
			put_value(f, k, obj);
			fprintf(f, ";\t# %s", k->doc);
			put_hint(f, k);
			fputc('\n', f);
			break;
		}
	}
}

void capd_conf_dump(const struct capd_conf *c, FILE *f)
{
	fputs("# capd configuration: effective value of every key\n", f);
	dump_table(f, capd_conf_table, c, 0);
}
