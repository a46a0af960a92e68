// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hexdigit.h"
#include "ship_jsonl.h"

struct parse {
	const char *p, *end;
	const char *why;
	/* the keys leading to the value being read */
	char path[3][24];
	unsigned int depth;
	unsigned int nest; /* objects and arrays open */
	struct ship_jsonl *o;
	char type[16], time[40];
};

static void ws(struct parse *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\r' || *s->p == '\n'))
		s->p++;
}

static int fail(struct parse *s, const char *why)
{
	if (!s->why)
		s->why = why;
	return -EBADMSG;
}

static int hex4(const char *p, unsigned int *v)
{
	int i;

	*v = 0;
	for (i = 0; i < 4; i++) {
		int d = hexdigit(p[i]);

		if (d < 0)
			return -1;
		*v = *v << 4 | (unsigned int)d;
	}
	return 0;
}

/* A string into buf (cut to len - 1 bytes; buf may be NULL). */
static int string(struct parse *s, char *buf, size_t len)
{
	size_t n = 0;

	if (s->p >= s->end || *s->p != '"')
		return fail(s, "a string expected");
	s->p++;
	while (s->p < s->end && *s->p != '"') {
		unsigned char c = (unsigned char)*s->p;
		unsigned int cp;
		char u[4];
		size_t k, ul = 1;

		if (c < 0x20)
			return fail(s, "a control character in a string");
		if (c == '\\') {
			if (s->end - s->p < 2)
				return fail(s, "a string cut short");
			switch (s->p[1]) {
			case '"':
			case '\\':
			case '/':
				u[0] = s->p[1];
				break;
			case 'b':
				u[0] = '\b';
				break;
			case 'f':
				u[0] = '\f';
				break;
			case 'n':
				u[0] = '\n';
				break;
			case 'r':
				u[0] = '\r';
				break;
			case 't':
				u[0] = '\t';
				break;
			case 'u':
				if (s->end - s->p < 6 || hex4(s->p + 2, &cp))
					return fail(s, "a bad \\u escape");
				/* capstat writes \u00XX for a byte that is no UTF-8 */
				if (cp < 0x100) {
					u[0] = (char)cp;
				} else if (cp < 0x800) {
					u[0] = (char)(0xc0 | cp >> 6);
					u[1] = (char)(0x80 | (cp & 0x3f));
					ul = 2;
				} else {
					u[0] = (char)(0xe0 | cp >> 12);
					u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
					u[2] = (char)(0x80 | (cp & 0x3f));
					ul = 3;
				}
				s->p += 4;
				break;
			default:
				return fail(s, "a bad escape");
			}
			s->p += 2;
		} else {
			u[0] = (char)c;
			s->p++;
		}
		for (k = 0; k < ul; k++)
			if (buf && n + 1 < len)
				buf[n++] = u[k];
	}
	if (s->p >= s->end)
		return fail(s, "a string cut short");
	s->p++;
	if (buf && len)
		buf[n] = '\0';
	return 0;
}

static bool at(const struct parse *s, const char *a, const char *b, const char *c)
{
	return s->depth == (c	? 3u
			    : b ? 2u
				: 1u) &&
	       !strcmp(s->path[0], a) && (!b || !strcmp(s->path[1], b)) &&
	       (!c || !strcmp(s->path[2], c));
}

static void number_at(struct parse *s, const char *text, size_t len)
{
	struct ship_jsonl *o = s->o;
	char buf[64];
	long long v;
	double d;

	if (len >= sizeof(buf))
		return;
	memcpy(buf, text, len);
	buf[len] = '\0';
	d = strtod(buf, NULL);
	v = d >= -9.2e18 && d <= 9.2e18 ? (long long)d : 0;
	/* integers exactly, not through a double */
	if (!strpbrk(buf, ".eE"))
		v = strtoll(buf, NULL, 10);
	if (at(s, "interval_s", NULL, NULL) && d > 0 && d < 1e9)
		o->interval_ns = (uint64_t)llround(d * 1e9);
	else if (at(s, "interval_packets", NULL, NULL) && v >= 0)
		o->packets = (uint64_t)v;
	else if (at(s, "interval_bytes", NULL, NULL) && v >= 0)
		o->bytes = (uint64_t)v;
	else if (at(s, "seq", "gaps", NULL) && v >= 0)
		o->gaps = (uint64_t)v;
	else if (at(s, "seq", "missing", NULL) && v >= 0)
		o->missing = (uint64_t)v;
	else if (at(s, "app2wire", "p50_ns", NULL))
		o->a2w_p50_ns = v, o->a2w = true;
	else if (at(s, "app2wire", "p99_ns", NULL))
		o->a2w_p99_ns = v, o->a2w = true;
	else if (at(s, "latency_ns", "p50", NULL))
		o->lat_p50_ns = v, o->lat = true;
	else if (at(s, "latency_ns", "p99", NULL))
		o->lat_p99_ns = v, o->lat = true;
}

static int value(struct parse *s);

static int object(struct parse *s)
{
	s->p++;
	ws(s);
	if (s->p < s->end && *s->p == '}') {
		s->p++;
		return 0;
	}
	for (;;) {
		char key[24];
		int r;

		ws(s);
		r = string(s, key, sizeof(key));
		if (r)
			return r;
		ws(s);
		if (s->p >= s->end || *s->p != ':')
			return fail(s, "':' expected");
		s->p++;
		if (s->depth < 3)
			snprintf(s->path[s->depth], sizeof(s->path[0]), "%s", key);
		s->depth++;
		ws(s);
		if (s->depth == 1 && !strcmp(key, "type"))
			r = string(s, s->type, sizeof(s->type));
		else if (s->depth == 1 && !strcmp(key, "time"))
			r = string(s, s->time, sizeof(s->time));
		else if (s->depth == 1 && !strcmp(key, "feed"))
			r = string(s, s->o->feed, sizeof(s->o->feed));
		else
			r = value(s);
		s->depth--;
		if (r)
			return r;
		ws(s);
		if (s->p < s->end && *s->p == ',') {
			s->p++;
			continue;
		}
		if (s->p < s->end && *s->p == '}') {
			s->p++;
			return 0;
		}
		return fail(s, "',' or '}' expected");
	}
}

static int array(struct parse *s)
{
	s->p++;
	ws(s);
	if (s->p < s->end && *s->p == ']') {
		s->p++;
		return 0;
	}
	for (;;) {
		int r;

		/* an element is no key: nothing in it is taken */
		s->depth += 8;
		r = value(s);
		s->depth -= 8;
		if (r)
			return r;
		ws(s);
		if (s->p < s->end && *s->p == ',') {
			s->p++;
			ws(s);
			continue;
		}
		if (s->p < s->end && *s->p == ']') {
			s->p++;
			return 0;
		}
		return fail(s, "',' or ']' expected");
	}
}

static int value(struct parse *s)
{
	const char *start;
	int r;

	ws(s);
	if (s->p >= s->end)
		return fail(s, "a value expected");
	switch (*s->p) {
	case '{':
	case '[':
		if (s->nest >= SHIP_JSONL_DEPTH)
			return fail(s, "nested too deep");
		s->nest++;
		r = *s->p == '{' ? object(s) : array(s);
		s->nest--;
		return r;
	case '"':
		return string(s, NULL, 0);
	case 't':
		if (s->end - s->p >= 4 && !memcmp(s->p, "true", 4))
			return s->p += 4, 0;
		break;
	case 'f':
		if (s->end - s->p >= 5 && !memcmp(s->p, "false", 5))
			return s->p += 5, 0;
		break;
	case 'n':
		if (s->end - s->p >= 4 && !memcmp(s->p, "null", 4))
			return s->p += 4, 0;
		break;
	default:
		start = s->p;
		if (s->p < s->end && *s->p == '-')
			s->p++;
		if (s->p >= s->end || *s->p < '0' || *s->p > '9')
			break;
		while (s->p < s->end &&
		       ((*s->p >= '0' && *s->p <= '9') || *s->p == '.' || *s->p == 'e' ||
			*s->p == 'E' || *s->p == '+' || *s->p == '-'))
			s->p++;
		number_at(s, start, (size_t)(s->p - start));
		return 0;
	}
	return fail(s, "a JSON value expected");
}

int ship_jsonl_utc(const char *s, uint64_t *ns)
{
	struct tm tm = { 0 };
	unsigned int y, mo, d, h, mi, sec;
	uint64_t frac = 0;
	int n = 0, digits = 0;
	time_t t;

	if (sscanf(s, "%4u-%2u-%2uT%2u:%2u:%2u%n", &y, &mo, &d, &h, &mi, &sec, &n) != 6 || n != 19)
		return -EINVAL;
	s += n;
	if (*s == '.') {
		for (s++; *s >= '0' && *s <= '9' && digits < 9; s++, digits++)
			frac = frac * 10 + (uint64_t)(*s - '0');
		if (!digits)
			return -EINVAL;
		for (; digits < 9; digits++)
			frac *= 10;
	}
	if (strcmp(s, "Z") || y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 ||
	    mi > 59 || sec > 60)
		return -EINVAL;
	tm.tm_year = (int)y - 1900;
	tm.tm_mon = (int)mo - 1;
	tm.tm_mday = (int)d;
	tm.tm_hour = (int)h;
	tm.tm_min = (int)mi;
	tm.tm_sec = (int)sec;
	t = timegm(&tm);
	if (t < 0 || (uint64_t)t > UINT64_MAX / 1000000000ull - 1)
		return -EINVAL;
	*ns = (uint64_t)t * 1000000000ull + frac;
	return 0;
}

int ship_jsonl_parse(const char *line, size_t len, struct ship_jsonl *out, char *why, size_t whylen)
{
	struct parse s = { .p = line, .end = line + len, .o = out };
	int r;

	memset(out, 0, sizeof(*out));
	ws(&s);
	if (s.p >= s.end || *s.p != '{')
		r = fail(&s, "not a JSON object");
	else
		r = value(&s);
	if (!r) {
		ws(&s);
		if (s.p != s.end)
			r = fail(&s, "bytes after the object");
	}
	if (!r && s.time[0] && ship_jsonl_utc(s.time, &out->end_ns))
		r = fail(&s, "time is not a UTC time");
	if (r) {
		snprintf(why, whylen, "%s", s.why);
		return r;
	}
	if (!strcmp(s.type, "feed"))
		out->type = SHIP_JSONL_FEED;
	else if (!strcmp(s.type, "latency"))
		out->type = SHIP_JSONL_LATENCY;
	else if (!strcmp(s.type, "summary"))
		out->type = SHIP_JSONL_SUMMARY;
	if ((out->type == SHIP_JSONL_FEED || out->type == SHIP_JSONL_LATENCY) &&
	    (!out->feed[0] || !out->end_ns)) {
		snprintf(why, whylen, "a %s object without feed or time", s.type);
		return -EBADMSG;
	}
	return 0;
}
