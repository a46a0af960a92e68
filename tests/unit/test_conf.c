// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_conf.c - capd_conf against its own key table: for every row the
 * default, both ends of the range and one step beyond, the wrong type, and
 * the file:line of each error; then the rules that are not a range
 * (addresses, uniqueness, literals libconfig 1.5 would misread), the dump
 * round trip and conf/capd.conf.
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <unistd.h>

#include <libconfig.h>

#include "capd_conf_private.h"
#include "test.h"
#include "wirets.h"

static struct capd_conf conf;
static char err[512];
static const char *cur_text; /* printed with any failure */

#define FAILT(...)                                                                     \
	do {                                                                           \
		fprintf(stderr, "--- config:\n%s--- end\n", cur_text ? cur_text : ""); \
		T_FAIL(__VA_ARGS__);                                                   \
	} while (0)

static int parse(const char *text)
{
	cur_text = text;
	return capd_conf_parse_string(&conf, text, "t.conf", err, sizeof(err));
}

/* text must fail at line with a message containing each of the substrings */
static void expect_err_at(int at, const char *text, unsigned int line, const char *key,
			  const char *what)
{
	char want[256];
	int r = parse(text);

	if (r != -EINVAL)
		FAILT("(test line %d) expected -EINVAL, got %d", at, r);
	snprintf(want, sizeof(want), "t.conf:%u: %s%s", line, key ? key : "", key ? ": " : "");
	if (strncmp(err, want, strlen(want)))
		FAILT("(test line %d) message \"%s\" does not start with \"%s\"", at, err, want);
	if (what && !strstr(err, what))
		FAILT("(test line %d) message \"%s\" lacks \"%s\"", at, err, what);
}
#define EXPECT_ERR(text, line, key, what) expect_err_at(__LINE__, text, line, key, what)

static void expect_ok_at(int at, const char *text)
{
	if (parse(text))
		FAILT("(test line %d) unexpected error: %s", at, err);
}
#define EXPECT_OK(text) expect_ok_at(__LINE__, text)

/* ---- a growing string that counts its lines ---- */

struct sb {
	char *s;
	size_t len, cap;
	unsigned int lines;
};

static void __attribute__((format(printf, 2, 3))) sb_add(struct sb *b, const char *fmt, ...)
{
	va_list ap;
	int n;
	size_t i;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	T_ASSERT(n >= 0);
	if (b->len + (size_t)n + 1 > b->cap) {
		b->cap = (b->len + (size_t)n + 1) * 2;
		b->s = realloc(b->s, b->cap);
		T_ASSERT(b->s);
	}
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	for (i = b->len; i < b->len + (size_t)n; i++)
		b->lines += b->s[i] == '\n';
	b->len += (size_t)n;
}

static void sb_reset(struct sb *b)
{
	b->len = 0;
	b->lines = 0;
	if (b->s)
		b->s[0] = '\0';
}

/* ---- a key of the table, as reached from the root ---- */

struct target {
	const struct ckey *path[8];
	int depth;
	size_t off;	/* of the field in struct capd_conf (list element 0) */
	char name[128]; /* as in messages: capture.interfaces[0].mode */
};

static const struct ckey *leaf(const struct target *tg)
{
	return tg->path[tg->depth - 1];
}

/* a group or list that must be written out even when not on the path */
static bool needed(const struct ckey *k)
{
	const struct ckey *u;

	if (k->type == CK_LIST)
		return k->flags & CKF_REQUIRED;
	if (k->type != CK_GROUP)
		return false;
	for (u = k->sub; u->name; u++)
		if ((u->flags & CKF_REQUIRED) || needed(u))
			return true;
	return false;
}

/* one list element: its required keys with their examples, suffix on unique ones */
static void add_elem(struct sb *b, const struct ckey *list, int suffix)
{
	const struct ckey *u;

	sb_add(b, "{");
	for (u = list->sub; u->name; u++) {
		if (!(u->flags & CKF_REQUIRED))
			continue;
		if ((u->flags & CKF_UNIQUE) && suffix >= 0)
			sb_add(b, " %s = \"%s%d\";", u->name, u->sdef, suffix);
		else
			sb_add(b, " %s = \"%s\";", u->name, u->sdef);
	}
	sb_add(b, " }");
}

/*
 * Write the smallest valid config that sets the target to value (or leaves
 * it out if value is NULL).  @return the line of the target's key.
 */
static unsigned int emit(struct sb *b, const struct ckey *t, const struct target *tg, int level,
			 const char *value)
{
	const struct ckey *k;
	unsigned int line = 0, l;

	for (k = t; k->name; k++) {
		bool on = tg && level < tg->depth && tg->path[level] == k;

		if (on && level == tg->depth - 1) {
			if (!value)
				continue;
			line = b->lines + 1;
			sb_add(b, "%s = %s;\n", k->name, value);
		} else if (on || needed(k)) {
			if (k->type == CK_GROUP) {
				sb_add(b, "%s = {\n", k->name);
				l = emit(b, k->sub, on ? tg : NULL, level + 1, value);
				sb_add(b, "};\n");
			} else if (on) {
				sb_add(b, "%s = ( {\n", k->name);
				l = emit(b, k->sub, tg, level + 1, value);
				sb_add(b, "} );\n");
			} else {
				sb_add(b, "%s = ( ", k->name);
				add_elem(b, k, -1);
				sb_add(b, " );\n");
				l = 0;
			}
			line = line ? line : l;
		} else if (k->flags & CKF_REQUIRED) {
			sb_add(b, "%s = \"%s\";\n", k->name, k->sdef);
		}
	}
	return line;
}

static struct sb text;

/* config text with the target set to value; *line = the target's line */
static const char *with(const struct target *tg, const char *value, unsigned int *line)
{
	unsigned int l;

	sb_reset(&text);
	sb_add(&text, "# generated for %s\n", tg->name);
	l = emit(&text, capd_conf_table, tg, 0, value);
	if (line)
		*line = l;
	return text.s;
}

static int64_t stored_int(const struct target *tg)
{
	const struct ckey *k = leaf(tg);
	const char *f = (const char *)&conf + tg->off;

	bool sign = k->min < 0;

	if (k->size == 1)
		return sign ? (int64_t) * (const int8_t *)f : (int64_t) * (const uint8_t *)f;
	if (k->size == 2)
		return sign ? (int64_t) * (const int16_t *)f : (int64_t) * (const uint16_t *)f;
	if (k->size == 4)
		return sign ? (int64_t) * (const int32_t *)f : (int64_t) * (const uint32_t *)f;
	return (int64_t) * (const uint64_t *)f;
}

static unsigned int stored_count(const struct target *tg)
{
	const struct ckey *k = leaf(tg);

	return *(const unsigned int *)((const char *)&conf + tg->off - k->off + k->count_off);
}

/* an integer literal libconfig reads exactly */
static char *lit(int64_t v, char *buf)
{
	sprintf(buf, "%" PRId64 "%s", v, v > INT32_MAX || v < INT32_MIN ? "L" : "");
	return buf;
}

static void expect_int(const struct target *tg, const char *value, int64_t want)
{
	unsigned int line;

	expect_ok_at(__LINE__, with(tg, value, &line));
	if (stored_int(tg) != want)
		FAILT("%s = %s stored %" PRId64 ", want %" PRId64, tg->name, value, stored_int(tg),
		      want);
}

static void expect_value_err(const struct target *tg, const char *value, const char *what)
{
	unsigned int line;
	const char *t = with(tg, value, &line);

	expect_err_at(__LINE__, t, line, tg->name, what);
}

/* the target set to value fails dline lines below the key's line */
static void expect_value_err_below(int at, const struct target *tg, const char *value,
				   unsigned int dline, const char *key, const char *what)
{
	unsigned int line;
	const char *t = with(tg, value, &line);

	expect_err_at(at, t, line + dline, key, what);
}
#define EXPECT_VALUE_ERR_BELOW(tg, value, dline, key, what) \
	expect_value_err_below(__LINE__, tg, value, dline, key, what)

static void test_number(const struct target *tg)
{
	const struct ckey *k = leaf(tg);
	char v[64], w[64];

	expect_int(tg, lit(k->min, v), k->min);
	expect_int(tg, lit(k->max, v), k->max);
	expect_value_err(tg, lit(k->min - 1, v), "out of range");
	expect_value_err(tg, lit(k->max + 1, v), "out of range");
	if ((k->flags & CKF_POW2) && k->min + 1 < k->max)
		expect_value_err(tg, lit(k->min + 1, v), "not a power of two");
	if (k->type == CK_INT) {
		expect_value_err(tg, "\"1\"", "expected an integer");
		expect_value_err(tg, "1.0", "expected an integer");
		return;
	}
	/* sizes: as a string of digits, with a suffix, and malformed */
	sprintf(w, "\"%" PRId64 "\"", k->max);
	expect_int(tg, w, k->max);
	sprintf(w, "\"%" PRId64 "K\"", k->min >> 10);
	expect_int(tg, w, k->min);
	sprintf(w, "\"%" PRId64 "\"", k->max + 1);
	expect_value_err(tg, w, "out of range");
	expect_value_err(tg, "\"8X\"", "not a size");
	expect_value_err(tg, "\"-1\"", "not a size");
	expect_value_err(tg, "\"99999999999999999999\"", "too large");
	expect_value_err(tg, "true", "expected a size");
}

static void test_string(const struct target *tg)
{
	const struct ckey *k = leaf(tg);
	const char *dot = strrchr(k->sdef, '.');
	size_t n, stem = dot ? (size_t)(dot - k->sdef) : strlen(k->sdef);
	char v[600], s[300];

	/* the longest value, grown from the default or example, before its
	 * suffix if it has one (metrics.textfile must end in ".prom") */
	snprintf(s, sizeof(s), "%.*s", (int)stem, k->sdef[0] ? k->sdef : "a");
	for (n = strlen(s); n < (size_t)k->max - strlen(k->sdef + stem); n++)
		s[n] = 'a';
	snprintf(s + n, sizeof(s) - n, "%s", k->sdef + stem);
	snprintf(v, sizeof(v), "\"%s\"", s);
	if (k->check && k->check(s)) {
		/* a syntax of its own (feeds[].proto): its rule refuses a run of
		 * letters, and says why; its good values are test_feed_proto()'s */
		expect_value_err(tg, v, k->check(s));
	} else {
		expect_ok_at(__LINE__, with(tg, v, NULL));
		if (strcmp((const char *)&conf + tg->off, s))
			FAILT("%s: stored \"%s\", want \"%s\"", tg->name,
			      (const char *)&conf + tg->off, s);
	}
	snprintf(v, sizeof(v), "\"%sa\"", s);
	expect_value_err(tg, v, "longer than");
	if (k->min > 0)
		expect_value_err(tg, "\"\"", "must not be empty");
	else
		expect_ok_at(__LINE__, with(tg, "\"\"", NULL));
	expect_value_err(tg, "\"a\\tb\"", "control character");
	expect_value_err(tg, "5", "expected a string");
}

static void test_leaf(const struct target *tg)
{
	const struct ckey *k = leaf(tg);
	const char *f = (const char *)&conf + tg->off;
	char v[64];
	int i;

	/* the default, with the key left out */
	if (!(k->flags & CKF_REQUIRED)) {
		expect_ok_at(__LINE__, with(tg, NULL, NULL));
		switch (k->type) {
		case CK_STR:
			if (strcmp(f, k->sdef))
				FAILT("%s: default \"%s\", want \"%s\"", tg->name, f, k->sdef);
			break;
		case CK_BOOL:
			if (*(const bool *)f != (k->def != 0))
				FAILT("%s: wrong default", tg->name);
			break;
		case CK_INTS:
			T_EQ(stored_count(tg), 0);
			break;
		default:
			if (stored_int(tg) != k->def)
				FAILT("%s: default %" PRId64 ", want %" PRId64, tg->name,
				      stored_int(tg), k->def);
		}
	}

	switch (k->type) {
	case CK_INT:
	case CK_SIZE:
		test_number(tg);
		break;
	case CK_STR:
		test_string(tg);
		break;
	case CK_BOOL:
		expect_ok_at(__LINE__, with(tg, "true", NULL));
		T_ASSERT(*(const bool *)f);
		expect_ok_at(__LINE__, with(tg, "false", NULL));
		T_ASSERT(!*(const bool *)f);
		expect_value_err(tg, "1", "expected true or false");
		expect_value_err(tg, "\"true\"", "expected true or false");
		break;
	case CK_ENUM:
		for (i = 0; k->names[i]; i++) {
			snprintf(v, sizeof(v), "\"%s\"", k->names[i]);
			expect_int(tg, v, i);
		}
		expect_value_err(tg, "\"bogus\"", "is not one of");
		expect_value_err(tg, "1", "expected a string");
		break;
	case CK_MODE:
		snprintf(v, sizeof(v), "\"%04" PRIo64 "\"", k->def);
		expect_int(tg, v, k->def);
		snprintf(v, sizeof(v), "\"%" PRIo64 "\"", k->def);
		expect_int(tg, v, k->def);
		snprintf(v, sizeof(v), "\"%04" PRIo64 "\"", k->max + 1);
		expect_value_err(tg, v, "bits outside");
		snprintf(v, sizeof(v), "\"%04" PRIo64 "\"", k->def | k->min);
		expect_value_err(tg, v, "grants group write");
		expect_value_err(tg, "416", "expected an octal string");
		expect_value_err(tg, "\"0x1a\"", "expected an octal string");
		expect_value_err(tg, "\"\"", "expected an octal string");
		break;
	case CK_ADDR:
		snprintf(v, sizeof(v), "\"%s\"", k->sdef);
		expect_ok_at(__LINE__, with(tg, v, NULL));
		expect_value_err(tg, "\"1.2.3\"", "not an IPv4 or IPv6");
		expect_value_err(tg, "5", "expected an address string");
		break;
	case CK_INTS: {
		struct sb b = { 0 };

		snprintf(v, sizeof(v), "[ %" PRId64 ", %" PRId64 " ]", k->emin, k->emax);
		expect_ok_at(__LINE__, with(tg, v, NULL));
		T_EQ(stored_count(tg), 2);
		T_EQ(((const uint16_t *)f)[0], k->emin);
		T_EQ(((const uint16_t *)f)[1], k->emax);
		expect_ok_at(__LINE__, with(tg, "[ ]", NULL));
		T_EQ(stored_count(tg), 0);
		/* elements on their own lines: the error names the element's line */
		snprintf(v, sizeof(v), "[ %" PRId64 ",\n%" PRId64 " ]", k->emin, k->emin - 1);
		EXPECT_VALUE_ERR_BELOW(tg, v, 1, NULL, "out of range");
		T_ASSERT(strstr(err, "[1]: "));
		snprintf(v, sizeof(v), "[\n%" PRId64 " ]", k->emax + 1);
		EXPECT_VALUE_ERR_BELOW(tg, v, 1, NULL, "out of range");
		snprintf(v, sizeof(v), "( %" PRId64 ",\n%" PRId64 " )", k->emin, k->emin);
		EXPECT_VALUE_ERR_BELOW(tg, v, 1, NULL, "listed twice");
		EXPECT_VALUE_ERR_BELOW(tg, "[ \"x\" ]", 0, NULL, "expected an integer");
		expect_value_err(tg, "5", "expected a list of integers");
		/* max entries accepted, one more refused */
		sb_add(&b, "[");
		for (i = 0; i < k->max; i++)
			sb_add(&b, "%s %" PRId64, i ? "," : "", k->emin + i);
		sb_add(&b, " ]");
		expect_ok_at(__LINE__, with(tg, b.s, NULL));
		T_EQ(stored_count(tg), k->max);
		b.len -= 2; /* drop " ]" */
		sb_add(&b, ", %" PRId64 " ]", k->emin);
		expect_value_err(tg, b.s, "at most");
		free(b.s);
		break;
	}
	default:
		T_FAIL("%s: no test for type %d", tg->name, k->type);
	}
}

/* a list of n elements with distinct names (or all alike), one per line */
static char *elems(const struct ckey *k, int n, bool distinct)
{
	struct sb b = { 0 };
	int i;

	sb_add(&b, "(");
	for (i = 0; i < n; i++) {
		sb_add(&b, "\n");
		add_elem(&b, k, distinct ? i : -1);
		if (i + 1 < n)
			sb_add(&b, ",");
	}
	sb_add(&b, " )");
	return b.s;
}

static void test_list(const struct target *tg)
{
	const struct ckey *k = leaf(tg), *u;
	char *v;

	if (!(k->flags & CKF_REQUIRED)) {
		expect_ok_at(__LINE__, with(tg, NULL, NULL));
		T_EQ(stored_count(tg), 0);
	} else {
		/* only a missing required list can be left out: error at its group */
		sb_reset(&text);
		emit(&text, capd_conf_table, NULL, 0, NULL);
		T_ASSERT(strstr(text.s, k->name));
	}
	v = elems(k, (int)k->min, true);
	expect_ok_at(__LINE__, with(tg, v, NULL));
	T_EQ(stored_count(tg), k->min);
	free(v);
	v = elems(k, (int)k->max, true);
	expect_ok_at(__LINE__, with(tg, v, NULL));
	T_EQ(stored_count(tg), k->max);
	free(v);
	v = elems(k, (int)k->max + 1, true);
	expect_value_err(tg, v, "at most");
	free(v);
	if (k->min > 0) {
		v = elems(k, (int)k->min - 1, true);
		expect_value_err(tg, v, "at least");
		free(v);
	}
	expect_value_err(tg, "5", "expected a list");
	expect_value_err(tg, "{ }", "expected a list");
	EXPECT_VALUE_ERR_BELOW(tg, "(\n5 )", 1, NULL, "expected a group");
	T_ASSERT(strstr(err, "[0]: "));
	/* unknown key inside an element, and a missing required one */
	sb_reset(&text);
	v = elems(k, 1, true);
	v[strlen(v) - 4] = '\0'; /* cut " } )" */
	{
		char w[512];
		char key[160];

		snprintf(w, sizeof(w), "%s\nbogus = 1; } )", v);
		snprintf(key, sizeof(key), "%s[0].bogus", tg->name);
		EXPECT_VALUE_ERR_BELOW(tg, w, 2, key, "unknown key");
	}
	free(v);
	for (u = k->sub; u->name; u++) {
		char key[160];

		if (!(u->flags & CKF_REQUIRED))
			continue;
		snprintf(key, sizeof(key), "%s[0].%s", tg->name, u->name);
		EXPECT_VALUE_ERR_BELOW(tg, "(\n{ } )", 1, key, "missing");
		break;
	}
	/* a unique key repeated: the error is at the second element */
	for (u = k->sub; u->name; u++) {
		char key[160];

		if (u->type != CK_STR || !(u->flags & CKF_UNIQUE))
			continue;
		snprintf(key, sizeof(key), "%s[1].%s", tg->name, u->name);
		v = elems(k, 2, false);
		EXPECT_VALUE_ERR_BELOW(tg, v, 2, key, "already used by");
		free(v);
	}
}

static void test_group(const struct target *tg)
{
	char key[160];

	expect_value_err(tg, "5", "expected a group");
	expect_value_err(tg, "( )", "expected a group");
	snprintf(key, sizeof(key), "%s.bogus", tg->name);
	EXPECT_VALUE_ERR_BELOW(tg, "{\nbogus = 1;\n}", 1, key, "unknown key");
}

static int nkeys;

static void walk(const struct ckey *t, struct target *tg)
{
	const struct ckey *k, *u;
	char saved[128];
	size_t off = tg->off;

	for (k = t; k->name; k++) {
		/* parse_table() keeps a 32-bit presence map per table */
		T_ASSERT(k - t < 32);
		T_ASSERT(k->doc && k->doc[0]);
		for (u = t; u < k; u++)
			T_ASSERT(strcmp(u->name, k->name));
		strcpy(saved, tg->name);
		snprintf(tg->name + strlen(tg->name), sizeof(tg->name) - strlen(tg->name), "%s%s",
			 tg->depth ? "." : "", k->name);
		tg->path[tg->depth++] = k;
		tg->off = off + k->off;
		nkeys++;
		if (k->type == CK_GROUP) {
			test_group(tg);
			walk(k->sub, tg);
		} else if (k->type == CK_LIST) {
			test_list(tg);
			strcat(tg->name, "[0]");
			walk(k->sub, tg);
		} else {
			test_leaf(tg);
		}
		tg->depth--;
		strcpy(tg->name, saved);
	}
	tg->off = off;
}

/* ---- rules that are not a range ---- */

static const char *iface = "capture = { interfaces = ( { name = \"eth1\"; } ); };\n";

static const char *feed(const char *body)
{
	static char buf[1024];

	snprintf(buf, sizeof(buf), "%sfeeds = (\n%s\n);\n", iface, body);
	cur_text = buf;
	return buf;
}

static void test_feeds(void)
{
	static const uint8_t v6[16] = { 0xff, 0x3e };
	struct capd_conf_feed *f = &conf.feeds[0];

	EXPECT_OK(feed("{ name = \"A\"; group = \"239.1.1.1\"; ports = [ 30001, 30002 ]; }"));
	T_EQ(conf.nfeeds, 1);
	T_EQ(f->group.family, AF_INET);
	T_EQ(f->group.prefix_len, 32);
	T_ASSERT(!memcmp(f->group.addr, "\xef\x01\x01\x01", 4));
	T_EQ(f->nports, 2);
	T_EQ(f->ports[1], 30002);

	EXPECT_OK(feed("{ name = \"v6\"; group = \"ff3e::/96\"; },\n"
		       "{ name = \"net\"; group = \"239.1.0.0/16\"; },\n"
		       "{ name = \"one\"; group = \"ff02::1\"; }"));
	T_EQ(conf.nfeeds, 3);
	T_EQ(f->group.family, AF_INET6);
	T_EQ(f->group.prefix_len, 96);
	T_ASSERT(!memcmp(f->group.addr, v6, 16));
	T_EQ(conf.feeds[1].group.prefix_len, 16);
	T_EQ(conf.feeds[2].group.prefix_len, 128);
	T_EQ(conf.feeds[0].nports, 0);

	EXPECT_ERR(feed("{ name = \"A\";\ngroup = \"239.1.1\"; }"), 4, "feeds[0].group",
		   "not an IPv4 or IPv6");
	EXPECT_ERR(feed("{ name = \"A\";\ngroup = \"ff3e::g\"; }"), 4, "feeds[0].group",
		   "not an IPv4 or IPv6");
	EXPECT_ERR(feed("{ name = \"A\";\ngroup = \"ff3e::1%eth0\"; }"), 4, "feeds[0].group",
		   "not an IPv4 or IPv6");
	EXPECT_ERR(feed("{ name = \"A\";\ngroup = \"239.1.1.1/33\"; }"), 4, "feeds[0].group",
		   "prefix length must be 0..32");
	EXPECT_ERR(feed("{ name = \"A\";\ngroup = \"ff3e::/129\"; }"), 4, "feeds[0].group",
		   "prefix length must be 0..128");
	EXPECT_ERR(feed("{ name = \"A\"; group = \"239.1.1.1/\"; }"), 3, "feeds[0].group",
		   "prefix length");
	EXPECT_ERR(feed("{ name = \"A\"; group = \"239.1.1.1/-8\"; }"), 3, "feeds[0].group",
		   "prefix length");
	EXPECT_ERR(feed("{ name = \"A\"; group = \"239.1.1.1/ 8\"; }"), 3, "feeds[0].group",
		   "prefix length");
	EXPECT_ERR(feed("{ name = \"A\"; group = \"239.1.1.1/0008\"; }"), 3, "feeds[0].group",
		   "prefix length");
	EXPECT_ERR(feed("{ name = \"A\"; group = \"239.1.1.1/16\"; }"), 3, "feeds[0].group",
		   "(239.1.0.0/16?)");
	EXPECT_ERR(feed("{ name = \"A\"; group = \"ff3e::1/96\"; }"), 3, "feeds[0].group",
		   "(ff3e::/96?)");
	EXPECT_ERR(feed("{ name = \"A\"; group = \"\"; }"), 3, "feeds[0].group", "not an IPv4");

	/* unicast: refused unless allowed, whichever order the keys come in */
	EXPECT_ERR(feed("{ name = \"A\";\n group = \"10.0.0.1\"; }"), 4, "feeds[0].group",
		   "not multicast");
	EXPECT_ERR(feed("{ name = \"A\";\n group = \"2001:db8::1\"; }"), 4, "feeds[0].group",
		   "not multicast");
	EXPECT_ERR(feed("{ name = \"A\";\n group = \"224.0.0.0/3\"; }"), 4, "feeds[0].group",
		   "not multicast");
	EXPECT_ERR(feed("{ name = \"A\";\n group = \"fe00::/7\"; }"), 4, "feeds[0].group",
		   "not multicast");
	EXPECT_OK(feed("{ name = \"A\"; group = \"10.0.0.0/8\"; allow_unicast = true; }"));
	T_ASSERT(conf.feeds[0].allow_unicast);
	EXPECT_OK(feed("{ allow_unicast = true; name = \"A\"; group = \"0.0.0.0/0\"; }"));
	EXPECT_OK(feed("{ name = \"A\"; group = \"224.0.0.0/4\"; }"));

	EXPECT_ERR(feed("{ name = \"A\"; group = \"239.1.1.1\"; },\n"
			"{ name = \"B\"; group = \"239.1.1.2\"; },\n"
			"{ group = \"239.1.1.3\";\n name = \"A\"; }"),
		   6, "feeds[2].name", "already used by feeds[0]");
	EXPECT_ERR(feed("{ name = \"A\"; }"), 3, "feeds[0].group", "missing");
	EXPECT_ERR(feed("{ name = \"A\"; group = \"239.1.1.1\"; ports = [ 0 ]; }"), 3,
		   "feeds[0].ports[0]", "0 is out of range 1..65535");
	EXPECT_ERR(feed("{ name = \"A\"; group = \"239.1.1.1\"; ports = [ 1,\n 65536 ]; }"), 4,
		   "feeds[0].ports[1]", "65536 is out of range 1..65535");
	EXPECT_ERR(feed("{ name = \"A\"; group = \"239.1.1.1\"; ports = [ 1, 2, 3, 4, 5, 6, 7, 8, "
			"9, 10, 11, 12, 13, 14, 15, 16, 17 ]; }"),
		   3, "feeds[0].ports", "17 entries, at most 16");
	EXPECT_ERR(feed("{ name = \"A\"; group = \"239.1.1.1\"; ports = [ 5, 5 ]; }"), 3,
		   "feeds[0].ports[1]", "listed twice");
	EXPECT_ERR(feed("{ name = \"\"; group = \"239.1.1.1\"; }"), 3, "feeds[0].name",
		   "must not be empty");
	EXPECT_ERR(feed("{ name = \"A\"; group = \"239.1.1.1\"; port = [ 5 ]; }"), 3,
		   "feeds[0].port", "unknown key");
}

static char *dump_str(const struct capd_conf *c);

/* feeds[].proto: seqdec_parse()'s syntax, "" = none, errors at their line */
static void test_feed_proto(void)
{
	static const char *const good[] = { "moldudp64",      "mdp3",
					    "pitch",	      "seq:0:8:be",
					    "seq:65535:1:le", "seq:4:2:le",
					    "seq:12:4:be",    "" };
	static const char *const bad[] = { "MoldUDP64",	  "mold",	 "moldudp64 ",
					   "seq",	  "seq:",	 "seq:1:3:be",
					   "seq:1:8",	  "seq:1:8:xx",	 "seq:65536:4:le",
					   "seq:-1:4:le", "seq: 1:4:le", "seq:1:4:be:",
					   "none",	  "seq:1:16:be" };
	char body[256];
	unsigned int i;

	EXPECT_OK(feed("{ name = \"A\"; group = \"239.1.1.1\"; }"));
	T_ASSERT(!strcmp(conf.feeds[0].proto, ""));
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		snprintf(body, sizeof(body),
			 "{ name = \"A\"; group = \"239.1.1.1\"; proto = \"%s\"; }", good[i]);
		EXPECT_OK(feed(body));
		if (strcmp(conf.feeds[0].proto, good[i]))
			FAILT("proto \"%s\" stored as \"%s\"", good[i], conf.feeds[0].proto);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		/* the second feed's, on the fifth line of the file */
		snprintf(body, sizeof(body),
			 "{ name = \"A\"; group = \"239.1.1.1\"; proto = \"pitch\"; },\n"
			 "{ name = \"B\"; group = \"239.1.1.2\";\n"
			 "  proto = \"%s\"; }",
			 bad[i]);
		EXPECT_ERR(feed(body), 5, "feeds[1].proto", "not a protocol: \"moldudp64\"");
		T_ASSERT(strstr(err, bad[i]));
	}
	EXPECT_ERR(feed("{ name = \"A\"; group = \"239.1.1.1\";\n proto = 4; }"), 4,
		   "feeds[0].proto", "expected a string");
	EXPECT_ERR(feed("{ name = \"A\"; group = \"239.1.1.1\";\n"
			" proto = \"seq:00000000000000000000000000001:8:be\"; }"),
		   4, "feeds[0].proto", "longer than 31 characters");

	/* the dump writes it back as it was given */
	EXPECT_OK(feed("{ name = \"A\"; group = \"239.1.1.1\"; proto = \"seq:4:4:le\"; },\n"
		       "{ name = \"B\"; group = \"239.1.1.2\"; }"));
	{
		char *d = dump_str(&conf);

		T_ASSERT(strstr(d, "proto = \"seq:4:4:le\";"));
		T_ASSERT(strstr(d, "proto = \"\";"));
		free(d);
	}
}

/* capture.interfaces[].timestamp: wirets_kind_parse()'s names, stored as
 * the enum wirets_kind (== enum ring_wire_ts) capd writes into the ring. */
static void test_wire_ts(void)
{
	const struct ckey *cap = NULL, *ifs = NULL, *ts = NULL, *k;
	enum wirets_kind kind;
	char t[256];
	unsigned int i;

	for (k = capd_conf_table; k->name && !cap; k++)
		cap = strcmp(k->name, "capture") ? NULL : k;
	T_ASSERT(cap);
	for (k = cap->sub; k->name && !ifs; k++)
		ifs = strcmp(k->name, "interfaces") ? NULL : k;
	T_ASSERT(ifs);
	for (k = ifs->sub; k->name && !ts; k++)
		ts = strcmp(k->name, "timestamp") ? NULL : k;
	T_ASSERT(ts && ts->type == CK_ENUM && ts->def == WIRETS_NONE);
	for (i = 0; ts->names[i]; i++) {
		T_ASSERT(!strcmp(ts->names[i], wirets_kind_name(i)));
		T_EQ(wirets_kind_parse(ts->names[i], &kind), 0);
		T_EQ(kind, i);
		snprintf(t, sizeof(t),
			 "capture = { interfaces = ( { name = \"eth1\"; timestamp = \"%s\"; } ); "
			 "};\n",
			 ts->names[i]);
		EXPECT_OK(t);
		T_EQ(conf.capture.interfaces[0].timestamp, (int)i);
	}
	T_EQ(i, WIRETS_KIND_MAX + 1);
	EXPECT_OK(iface);
	T_EQ(conf.capture.interfaces[0].timestamp, WIRETS_NONE);
	EXPECT_ERR("capture = { interfaces = (\n { name = \"eth1\"; timestamp = \"arista\"; } ); "
		   "};\n",
		   2, "capture.interfaces[0].timestamp",
		   "\"arista\" is not one of \"nic\", \"metamako\", \"exablaze\", \"arista64\", "
		   "\"arista48\"");
}

static void test_interfaces(void)
{
	EXPECT_ERR("ring = { };\n", 1, "capture.interfaces", "missing");
	EXPECT_ERR("capture = {\n cpu = 2;\n};\n", 1, "capture.interfaces", "missing");
	/* an empty list loads (the shipped file): capd and capctl doctor say
	 * what is missing, not the parser; over a config that had one */
	EXPECT_OK(iface);
	T_EQ(conf.capture.ninterfaces, 1);
	EXPECT_OK("capture = {\n interfaces = ( );\n};\n");
	T_EQ(conf.capture.ninterfaces, 0);
	T_EQ(conf.capture.interfaces[0].name[0], '\0');
	EXPECT_OK("capture = { cpu = 2; interfaces = [ ]; };\n");
	T_EQ(conf.capture.ninterfaces, 0);
	T_EQ(conf.capture.cpu, 2);
	EXPECT_ERR("capture = {\n interfaces = (\n { name = \"eth1\";\n mode = \"xdp\"; } );\n};\n",
		   4, "capture.interfaces[0].mode",
		   "\"xdp\" is not one of \"auto\", \"native\", \"generic\"");
	EXPECT_ERR("capture = { interfaces = (\n { name = \"eth1\"; queues = [ 0, 256 ]; } ); };\n",
		   2, "capture.interfaces[0].queues[1]", "256 is out of range 0..255");
	EXPECT_ERR("capture = { interfaces = (\n { name = \"eth1\"; queues = [ -1 ]; } ); };\n", 2,
		   "capture.interfaces[0].queues[0]", "out of range");
	EXPECT_ERR("capture = { interfaces = ( { name = \"eth1\"; },\n{ name = \"eth1\"; } ); };\n",
		   2, "capture.interfaces[1].name", "already used");
	EXPECT_ERR("capture = { interfaces = ( { name = \"eth/1\"; } ); };\n", 1,
		   "capture.interfaces[0].name", "not a valid interface name");
	EXPECT_ERR("capture = { interfaces = ( { name = \"ethernet_port_17\"; } ); };\n", 1,
		   "capture.interfaces[0].name", "longer than 15");
	EXPECT_OK("capture = { interfaces = ( { name = \"eth1\"; queues = [ 3, 1 ];\n"
		  " mode = \"native\"; }, { name = \"eth2\"; } ); };\n");
	T_EQ(conf.capture.ninterfaces, 2);
	T_EQ(conf.capture.interfaces[0].nqueues, 2);
	T_EQ(conf.capture.interfaces[0].queues[0], 3);
	T_EQ(conf.capture.interfaces[0].mode, CAPD_XDP_NATIVE);
	T_EQ(conf.capture.interfaces[1].nqueues, 0);
	T_EQ(conf.capture.interfaces[1].mode, CAPD_XDP_AUTO);
}

/* capture.cpus: several threads, never beside capture.cpu */
static void test_cpus(void)
{
	static struct capd_conf b;
	char *d;

	EXPECT_OK(iface);
	T_EQ(conf.capture.ncpus, 0);
	T_EQ(capd_conf_threads(&conf), 1);
	T_EQ(capd_conf_thread_cpu(&conf, 0), 1);
	T_EQ(capd_conf_queue_thread(&conf, 5), 0);
	EXPECT_OK("capture = { cpu = -1; cpus = [ ]; interfaces = ( ); };\n");
	T_EQ(capd_conf_threads(&conf), 1);
	T_EQ(capd_conf_thread_cpu(&conf, 0), -1);
	EXPECT_OK("capture = { cpus = [ 3, 1 ]; interfaces = ( ); };\n");
	T_EQ(capd_conf_threads(&conf), 2);
	T_EQ(capd_conf_thread_cpu(&conf, 0), 3);
	T_EQ(capd_conf_thread_cpu(&conf, 1), 1);
	T_EQ(capd_conf_queue_thread(&conf, 0), 0);
	T_EQ(capd_conf_queue_thread(&conf, 1), 1);
	T_EQ(capd_conf_queue_thread(&conf, 2), 0);
	T_EQ(conf.capture.cpu, 1); /* the default, unused */
	/* both, in either order: blamed on cpus */
	EXPECT_ERR("capture = {\n cpu = 1;\n cpus = [ 0, 1 ];\n interfaces = ( ); };\n", 3,
		   "capture.cpus", "set either cpu or cpus");
	EXPECT_ERR("capture = {\n cpus = [ 0 ];\n cpu = -1;\n interfaces = ( ); };\n", 2,
		   "capture.cpus", "set either cpu or cpus");
	EXPECT_ERR("capture = {\n cpus = [ 1,\n 1 ];\n interfaces = ( ); };\n", 3,
		   "capture.cpus[1]", "listed twice");
	EXPECT_ERR("capture = {\n cpus = [ 4096 ];\n interfaces = ( ); };\n", 2, "capture.cpus[0]",
		   "out of range 0..4095");
	/* the dump leaves cpu out beside cpus, and reads back alike */
	EXPECT_OK(
		"capture = { cpus = [ 0, 17, 4095 ]; interfaces = ( { name = \"eth1\"; } ); };\n");
	d = dump_str(&conf);
	cur_text = d;
	T_ASSERT(strstr(d, "cpus = [ 0, 17, 4095 ];"));
	T_ASSERT(!strstr(d, "\tcpu = "));
	if (capd_conf_parse_string(&b, d, "dump", err, sizeof(err)))
		FAILT("dump with cpus does not parse back: %s", err);
	if (memcmp(&conf, &b, sizeof(b)))
		FAILT("dump with cpus parses back to a different config");
	free(d);
}

static void test_literals_and_syntax(void)
{
	char buf[1024];

	/* syntax errors carry libconfig's line */
	EXPECT_ERR("ring = {\n name = \"x\";\n size = ;\n};\n", 3, NULL, "syntax error");
	EXPECT_ERR("ring = {\n name = \"x\";\n};\n}\n", 4, NULL, "syntax error");
	EXPECT_ERR("ring = { name = \"x\"; };\n\n\nring = { };\n", 4, NULL, "duplicate");
	/* an unterminated string runs to the end of the file */
	EXPECT_ERR("ring = {\n name = \"unterminated;\n};\n", 4, NULL, "syntax error");
	EXPECT_ERR("a=1; a=2;", 1, NULL, "duplicate");
	EXPECT_ERR("\n\nbogus = 1;\n", 3, "bogus", "unknown key");
	EXPECT_ERR("Ring = { };\n", 1, "Ring", "unknown key");

	/* literals libconfig 1.5 would silently wrap */
	snprintf(buf, sizeof(buf), "%sring = {\n size = 4311744512;\n};\n", iface);
	EXPECT_ERR(buf, 3, NULL, "4311744512 does not fit in 32 bits");
	snprintf(buf, sizeof(buf), "%scapture = {\n\n cpu = 0x80000000; };\n", "");
	EXPECT_ERR(buf, 3, NULL, "does not fit in 32 bits");
	EXPECT_ERR("\ncapture = { cpu = -2147483649; };\n", 2, NULL, "does not fit");
	EXPECT_ERR("\ncapture = { cpu = 99999999999999999999999L; };\n", 2, NULL,
		   "does not fit in 64 bits");
	snprintf(buf, sizeof(buf), "%sring = {\n size = 17179869184L;\n};\n", iface);
	EXPECT_OK(buf);
	T_EQ(conf.ring.size, 16ULL << 30);
	snprintf(buf, sizeof(buf), "%sring = {\n size = 0x1000000;\n};\n", iface);
	EXPECT_OK(buf);
	T_EQ(conf.ring.size, 16ULL << 20);
	snprintf(buf, sizeof(buf),
		 "# 99999999999 in a comment\n// 99999999999\n/* 99999999999\n*/\n"
		 "%sring = { name = \"r99999999999\"; };\nclock = { domain = -0; };\n",
		 iface);
	EXPECT_OK(buf);
	snprintf(buf, sizeof(buf), "%scapture = { cpu = -2147483648; };\n", "");
	EXPECT_ERR(buf, 1, "capture.cpu", "out of range");
	snprintf(buf, sizeof(buf), "%s\n@include \"/etc/hostname\"\n", iface);
	EXPECT_ERR(buf, 3, NULL, "@include is not supported");
	EXPECT_ERR("x = \"@include\";\n\n@include \"x\"\n", 3, NULL, "@include");

	/* sizes */
	snprintf(buf, sizeof(buf), "%sring = { size = \"512MiB\"; block_size = \"64KB\"; };\n",
		 iface);
	EXPECT_OK(buf);
	T_EQ(conf.ring.size, 512ULL << 20);
	T_EQ(conf.ring.block_size, 64u << 10);
	snprintf(buf, sizeof(buf), "%sring = { size = \"8 G\"; };\n", iface);
	EXPECT_ERR(buf, 2, "ring.size", "not a size");
	snprintf(buf, sizeof(buf), "%sring = { size = -1; };\n", iface);
	EXPECT_ERR(buf, 2, "ring.size", "-1 is out of range 16M..1T");
	/* the ring must hold RING_NBLOCKS_MIN blocks after the header block */
	snprintf(buf, sizeof(buf), "%sring = {\n size = \"16M\";\n block_size = \"8M\";\n};\n",
		 iface);
	EXPECT_ERR(buf, 3, "ring.size", "fewer than 3 blocks");
	snprintf(buf, sizeof(buf), "%sring = {\n block_size = \"4M\";\n size = \"16M\"; };\n",
		 iface);
	EXPECT_OK(buf);
	snprintf(buf, sizeof(buf), "%sring = {\n block_size = \"1G\";\n};\n", iface);
	EXPECT_OK(buf);

	/* mode and names */
	snprintf(buf, sizeof(buf), "%sring = { mode = \"0660\"; };\n", iface);
	EXPECT_ERR(buf, 2, "ring.mode", "0660 grants group write");
	snprintf(buf, sizeof(buf), "%sring = { mode = \"0644\"; };\n", iface);
	EXPECT_ERR(buf, 2, "ring.mode", "grants");
	snprintf(buf, sizeof(buf), "%sring = { mode = \"4640\"; };\n", iface);
	EXPECT_ERR(buf, 2, "ring.mode", "bits outside");
	snprintf(buf, sizeof(buf), "%sring = { mode = \"0400\"; };\n", iface);
	EXPECT_OK(buf);
	T_EQ(conf.ring.mode, 0400);
	snprintf(buf, sizeof(buf), "%sring = { name = \".hidden\"; };\n", iface);
	EXPECT_ERR(buf, 2, "ring.name", "not starting with '.'");
	snprintf(buf, sizeof(buf), "%sring = { name = \"/tmp/my ring\"; };\n", iface);
	EXPECT_OK(buf);
	snprintf(buf, sizeof(buf), "%srun = { user = \"-x\"; };\n", iface);
	EXPECT_ERR(buf, 2, "run.user", "not starting with '-'");
	snprintf(buf, sizeof(buf), "%srun = { user = \"\"; group = \"\"; };\n", iface);
	EXPECT_OK(buf);
	snprintf(buf, sizeof(buf), "%sclock = { ptp4l_socket = \"ptp4l\"; };\n", iface);
	EXPECT_ERR(buf, 2, "clock.ptp4l_socket", "absolute path");
}

/* metrics.textfile: a *.prom name in run.dir, an absolute path, or "" */
static void test_metrics_textfile(void)
{
	char buf[1024], path[512];

	snprintf(buf, sizeof(buf), "%s", iface);
	EXPECT_OK(buf);
	T_ASSERT(!strcmp(conf.metrics.textfile, "capd.prom"));
	T_EQ(capd_conf_metrics_path(&conf, path, sizeof(path)), 0);
	T_ASSERT(!strcmp(path, "/run/capd/capd.prom"));

	snprintf(buf, sizeof(buf),
		 "%srun = { dir = \"/run/capd-md\"; };\n"
		 "metrics = { textfile = \"md.prom\"; };\n",
		 iface);
	EXPECT_OK(buf);
	T_EQ(capd_conf_metrics_path(&conf, path, sizeof(path)), 0);
	T_ASSERT(!strcmp(path, "/run/capd-md/md.prom"));
	T_EQ(capd_conf_metrics_path(&conf, path, strlen("/run/capd-md/md.prom")), -ENAMETOOLONG);

	snprintf(buf, sizeof(buf),
		 "%smetrics = { textfile = \"/var/lib/prometheus/node-exporter/capd.prom\"; };\n",
		 iface);
	EXPECT_OK(buf);
	T_EQ(capd_conf_metrics_path(&conf, path, sizeof(path)), 0);
	T_ASSERT(!strcmp(path, "/var/lib/prometheus/node-exporter/capd.prom"));

	snprintf(buf, sizeof(buf), "%smetrics = { textfile = \"\"; };\n", iface);
	EXPECT_OK(buf);
	T_EQ(capd_conf_metrics_path(&conf, path, sizeof(path)), 0);
	T_ASSERT(!strcmp(path, ""));

	snprintf(buf, sizeof(buf), "%smetrics = {\n textfile = \"capd.txt\"; };\n", iface);
	EXPECT_ERR(buf, 3, "metrics.textfile", "ending in \".prom\"");
	snprintf(buf, sizeof(buf), "%smetrics = { textfile = \"capd.prom.tmp\"; };\n", iface);
	EXPECT_ERR(buf, 2, "metrics.textfile", "ending in \".prom\"");
	snprintf(buf, sizeof(buf), "%smetrics = { textfile = \".prom\"; };\n", iface);
	EXPECT_ERR(buf, 2, "metrics.textfile", "ending in \".prom\"");
	snprintf(buf, sizeof(buf), "%smetrics = { textfile = \"/run/capd/\"; };\n", iface);
	EXPECT_ERR(buf, 2, "metrics.textfile", "ending in \".prom\"");
	snprintf(buf, sizeof(buf), "%smetrics = { textfile = \"prom/capd.prom\"; };\n", iface);
	EXPECT_ERR(buf, 2, "metrics.textfile", "must be an absolute path");
	snprintf(buf, sizeof(buf), "%smetrics = { textfile = \"./capd.prom\"; };\n", iface);
	EXPECT_ERR(buf, 2, "metrics.textfile", "must be an absolute path");
}

static char *dump_str(const struct capd_conf *c)
{
	char *s = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&s, &n);

	T_ASSERT(f);
	capd_conf_dump(c, f);
	T_ASSERT(!fclose(f));
	return s;
}

static void test_round_trip(void)
{
	static struct capd_conf a, b;
	static const char rich[] =
		"ring = { name = \"/tmp/odd \\\"ring\\\\\"; size = 17179869184L; block_size = "
		"\"1M\";\n"
		"  group = \"\"; mode = \"0600\"; };\n"
		"capture = { cpu = -1; snaplen = 128; batch = 1024; join = false;\n"
		"  interfaces = ( { name = \"eth1\"; queues = [ 7, 0, 255 ]; mode = \"generic\"; "
		"},\n"
		"                 { name = \"enp1s0f1\"; } );\n"
		"  xsk = { frame_size = 2048; rx_size = 64; fill_size = 65536; frames = 1048576;\n"
		"          zerocopy = \"off\"; }; };\n"
		"feeds = ( { name = \"A\"; group = \"239.1.1.1\"; ports = [ 30001, 30002 ];\n"
		"            proto = \"seq:4:4:le\"; },\n"
		"          { name = \"v6 feed\"; group = \"ff3e::/96\"; },\n"
		"          { name = \"uni\"; group = \"10.1.0.0/16\"; allow_unicast = true;\n"
		"            ports = [ 1, 65535 ]; } );\n"
		"clock = { ptp4l_socket = \"/run/ptp4l-eth1\"; domain = 127; };\n"
		"run = { user = \"nobody\"; group = \"\"; };\n"
		"metrics = { textfile = \"/var/lib/prometheus/node-exporter/capd \\\"1\\\".prom\"; "
		"};\n";
	char *d1, *d2;

	T_EQ(capd_conf_parse_string(&a, rich, "rich", err, sizeof(err)), 0);
	d1 = dump_str(&a);
	cur_text = d1;
	if (capd_conf_parse_string(&b, d1, "dump", err, sizeof(err)))
		FAILT("dump does not parse back: %s", err);
	if (memcmp(&a, &b, sizeof(a)))
		FAILT("dump parses back to a different config");
	d2 = dump_str(&b);
	if (strcmp(d1, d2))
		FAILT("second dump differs:\n%s", d2);
	/* every key of the table appears in the dump */
	T_ASSERT(strstr(d1, "block_size = \"1M\";"));
	T_ASSERT(strstr(d1, "size = \"16G\";"));
	T_ASSERT(strstr(d1, "group = \"ff3e::/96\";"));
	T_ASSERT(strstr(d1, "queues = [ 7, 0, 255 ];"));
	T_ASSERT(strstr(d1, "mode = \"0600\";\t# "));
	T_ASSERT(strstr(d1, "allow_unicast = true;"));
	T_ASSERT(strstr(d1, "proto = \"seq:4:4:le\";"));
	T_ASSERT(strstr(d1,
			"textfile = \"/var/lib/prometheus/node-exporter/capd \\\"1\\\".prom\";"));
	free(d1);
	free(d2);

	/* the defaults, with the one interface they lack */
	capd_conf_defaults(&a);
	a.capture.ninterfaces = 1;
	strcpy(a.capture.interfaces[0].name, "eth1");
	d1 = dump_str(&a);
	cur_text = d1;
	if (capd_conf_parse_string(&b, d1, "dump", err, sizeof(err)))
		FAILT("dump of defaults does not parse back: %s", err);
	if (memcmp(&a, &b, sizeof(a)))
		FAILT("dump of defaults parses back to a different config");
	T_ASSERT(strstr(d1, "feeds = ( );"));
	free(d1);

	/* the defaults alone (no interface, as shipped) read back alike too */
	capd_conf_defaults(&a);
	d1 = dump_str(&a);
	cur_text = d1;
	if (capd_conf_parse_string(&b, d1, "dump", err, sizeof(err)))
		FAILT("dump of the defaults without an interface does not parse back: %s", err);
	if (memcmp(&a, &b, sizeof(a)))
		FAILT("dump of the defaults without an interface parses back differently");
	T_ASSERT(strstr(d1, "interfaces = ( );"));
	free(d1);
}

/* conf/capd.conf: parses, equals the defaults, and shows every key */
static void check_example_keys(const struct ckey *t, config_setting_t *grp, const char *file)
{
	const struct ckey *k, *u;

	for (k = t; k->name; k++) {
		config_setting_t *s = config_setting_get_member(grp, k->name);

		if (!s)
			T_FAIL("%s lacks %s", CAPD_CONF_EXAMPLE, k->name);
		if (k->type == CK_GROUP)
			check_example_keys(k->sub, s, file);
		if (k->type != CK_LIST)
			continue;
		if (config_setting_length(s) > 0) {
			check_example_keys(k->sub, config_setting_get_elem(s, 0), file);
			continue;
		}
		/* an empty list: its keys must be explained in a comment */
		for (u = k->sub; u->name; u++) {
			char pat[64];

			snprintf(pat, sizeof(pat), "#   %s ", u->name);
			if (!strstr(file, pat))
				T_FAIL("%s does not explain %s.%s", CAPD_CONF_EXAMPLE, k->name,
				       u->name);
		}
	}
}

/*
 * The commented example of capture.interfaces, uncommented as an admin
 * would ("#   " off each line), names eth1 with the defaults.
 */
static void test_example_interfaces(const char *file)
{
	const char *start = strstr(file, "\t#   interfaces = (\n"), *p;
	struct sb b = { 0 };

	T_ASSERT(start);
	sb_add(&b, "capture = {\n");
	for (p = start;;) {
		const char *nl = strchr(p, '\n');

		T_ASSERT(nl && !strncmp(p, "\t#   ", 5));
		sb_add(&b, "%.*s\n", (int)(nl - p - 5), p + 5);
		if (!strncmp(p, "\t#   );\n", 8))
			break;
		p = nl + 1;
	}
	sb_add(&b, "};\n");
	EXPECT_OK(b.s);
	T_EQ(conf.capture.ninterfaces, 1);
	T_ASSERT(!strcmp(conf.capture.interfaces[0].name, "eth1"));
	T_EQ(conf.capture.interfaces[0].nqueues, 0);
	T_EQ(conf.capture.interfaces[0].mode, CAPD_XDP_AUTO);
	T_EQ(conf.capture.interfaces[0].path, CAPD_PATH_BYPASS);
	free(b.s);
}

static void test_example(void)
{
	static struct capd_conf want;
	config_t cfg;
	char *file;
	size_t n;
	FILE *f;

	if (capd_conf_load(&conf, CAPD_CONF_EXAMPLE, err, sizeof(err)))
		T_FAIL("%s", err);
	/* as shipped it names no interface: only the defaults */
	capd_conf_defaults(&want);
	T_EQ(conf.capture.ninterfaces, 0);
	if (memcmp(&conf, &want, sizeof(want))) {
		char *a = dump_str(&conf), *b = dump_str(&want);

		T_FAIL("%s differs from the defaults:\n%s\n--- defaults:\n%s", CAPD_CONF_EXAMPLE, a,
		       b);
	}

	f = fopen(CAPD_CONF_EXAMPLE, "r");
	T_ASSERT(f);
	file = calloc(1, CAPD_CONF_MAX_TEXT + 1);
	T_ASSERT(file);
	n = fread(file, 1, CAPD_CONF_MAX_TEXT, f);
	T_ASSERT(n > 0);
	fclose(f);
	config_init(&cfg);
	T_ASSERT(config_read_string(&cfg, file));
	check_example_keys(capd_conf_table, config_root_setting(&cfg), file);
	config_destroy(&cfg);
	test_example_interfaces(file);
	free(file);
}

static void test_api_edges(void)
{
	static struct capd_conf before;
	char small[12], path[] = "/tmp/test_conf.XXXXXX";
	int fd, r;

	/* a failed parse leaves the config as it was */
	EXPECT_OK(iface);
	before = conf;
	EXPECT_ERR("capture = { cpu = 5; interfaces = ( { name = \"eth/1\"; } ); };\n", 1,
		   "capture.interfaces[0].name", NULL);
	T_ASSERT(!memcmp(&before, &conf, sizeof(conf)));

	/* small or no error buffers are safe */
	r = capd_conf_parse_string(&conf, "bogus = 1;", "t.conf", small, sizeof(small));
	T_EQ(r, -EINVAL);
	T_EQ(strlen(small), sizeof(small) - 1);
	T_EQ(capd_conf_parse_string(&conf, "bogus = 1;", "t.conf", NULL, 0), -EINVAL);

	r = capd_conf_load(&conf, "/nonexistent/capd.conf", err, sizeof(err));
	T_EQ(r, -ENOENT);
	T_ASSERT(!strcmp(err, "/nonexistent/capd.conf: No such file or directory"));
	r = capd_conf_load(&conf, "/", err, sizeof(err));
	T_EQ(r, -EISDIR);

	fd = mkstemp(path);
	T_ASSERT(fd >= 0);
	T_EQ(write(fd, "capture = {\n cpu = 2;\n}\0;\n", 26), 26);
	close(fd);
	r = capd_conf_load(&conf, path, err, sizeof(err));
	T_EQ(r, -EINVAL);
	T_ASSERT(strstr(err, ":3: NUL byte"));
	unlink(path);
}

int main(void)
{
	struct target tg = { .depth = 0 };

	walk(capd_conf_table, &tg);
	T_ASSERT(nkeys >= 30);
	test_feeds();
	test_feed_proto();
	test_interfaces();
	test_wire_ts();
	test_cpus();
	test_literals_and_syntax();
	test_metrics_textfile();
	test_round_trip();
	test_example();
	test_api_edges();
	free(text.s);
	printf("test_conf: %d table rows checked\n", nkeys);
	return T_EXIT_PASS;
}
