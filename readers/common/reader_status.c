// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <string.h>

#include "json_out.h"
#include "reader_status.h"

/* The longest text reader_status_format() writes: every string full, every
 * number at its widest (a negative pid, in case). */
#define LINE(key, width) (sizeof(key) - 1 + (width) + 1)
#define STRLEN(member)	 (sizeof(((struct reader_status *)0)->member) - 1)
#define RING_LINE_MAX                                                                        \
	LINE("ring generation= next_seq= position= records= lost= laps= last_ts= ring_seq= " \
	     "ring_pos= ring_ts= path=",                                                     \
	     10 + 9 * 20 + STRLEN(rings[0].path))
#define ARCHIVE_LINE_MAX                                                                        \
	LINE("archive files= bytes= oldest= newest= removed= removed_bytes= budget= min_free= " \
	     "free= checked= dir=",                                                             \
	     10 * 20 + STRLEN(archive.dir))
#define TEXT_MAX                                                                               \
	(LINE(READER_STATUS_MAGIC, 0) + LINE("pid ", 11) + LINE("program ", STRLEN(program)) + \
	 LINE("command ", STRLEN(command)) + 2 * LINE("started ", 20) +                        \
	 READER_STATUS_MAX_RINGS * RING_LINE_MAX + ARCHIVE_LINE_MAX)
_Static_assert(TEXT_MAX <= READER_STATUS_MAX_SIZE, "a status file can outgrow its bound");

static void put_clean(FILE *f, const char *s)
{
	for (; *s; s++)
		fputc((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s, f);
}

void reader_status_format(FILE *f, const struct reader_status *st)
{
	unsigned int i;

	fprintf(f, READER_STATUS_MAGIC "\npid %" PRId32 "\nprogram ", st->pid);
	put_clean(f, st->program);
	fputs("\ncommand ", f);
	put_clean(f, st->command);
	fprintf(f, "\nstarted %" PRIu64 "\nupdated %" PRIu64 "\n", st->started_ns, st->updated_ns);
	for (i = 0; i < st->nrings && i < READER_STATUS_MAX_RINGS; i++) {
		const struct reader_status_ring *r = &st->rings[i];

		fprintf(f, "ring generation=%" PRIu32 " next_seq=", r->generation);
		if (r->next_seq == READER_STATUS_SEQ_UNKNOWN)
			fputc('-', f);
		else
			fprintf(f, "%" PRIu64, r->next_seq);
		fprintf(f,
			" position=%" PRIu64 " records=%" PRIu64 " lost=%" PRIu64 " laps=%" PRIu64
			" last_ts=%" PRIu64,
			r->position, r->records, r->lost, r->laps, r->last_ts);
		if (r->ring_seq != READER_STATUS_SEQ_UNKNOWN)
			fprintf(f, " ring_seq=%" PRIu64 " ring_pos=%" PRIu64 " ring_ts=%" PRIu64,
				r->ring_seq, r->ring_pos, r->ring_ts);
		fputs(" path=", f);
		put_clean(f, r->path);
		fputc('\n', f);
	}
	if (st->archive.present) {
		const struct reader_status_archive *a = &st->archive;

		fprintf(f,
			"archive files=%" PRIu64 " bytes=%" PRIu64 " oldest=%" PRIu64
			" newest=%" PRIu64 " removed=%" PRIu64 " removed_bytes=%" PRIu64
			" budget=%" PRIu64 " min_free=%" PRIu64 " free=%" PRIu64 " checked=%" PRIu64
			" dir=",
			a->files, a->bytes, a->oldest_ns, a->newest_ns, a->removed,
			a->removed_bytes, a->budget, a->min_free, a->free, a->checked_ns);
		put_clean(f, a->dir[0] ? a->dir : "?");
		fputc('\n', f);
	}
}

/* A decimal u64 of exactly n bytes; strtoull would accept signs and blanks. */
static int parse_u64(const char *s, size_t n, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (!n || n > 20)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		unsigned int d = (unsigned char)s[i] - '0';

		if (d > 9 || v > (UINT64_MAX - d) / 10)
			return -EINVAL;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

/* reader_status_format() writes no control character: one is not ours. */
static int copy_str(char *dst, size_t size, const char *s, size_t n)
{
	size_t i;

	if (n >= size)
		return -EINVAL;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return -EINVAL;
	memcpy(dst, s, n);
	dst[n] = '\0';
	return 0;
}

static bool word_is(const char *s, size_t n, const char *word)
{
	return n == strlen(word) && memcmp(s, word, n) == 0;
}

/* "generation=3 next_seq=1000 ... path=/a b/c" */
static int parse_ring(const char *s, size_t n, struct reader_status_ring *r)
{
	const char *end = s + n;
	bool have_path = false;

	memset(r, 0, sizeof(*r));
	r->next_seq = READER_STATUS_SEQ_UNKNOWN;
	r->ring_seq = READER_STATUS_SEQ_UNKNOWN; /* a reader that does not publish it */
	while (s < end) {
		const char *eq = memchr(s, '=', (size_t)(end - s)), *sp;
		size_t klen, vlen;
		uint64_t v = 0;

		if (!eq)
			return -EINVAL;
		klen = (size_t)(eq - s);
		if (word_is(s, klen, "path")) {
			if (copy_str(r->path, sizeof(r->path), eq + 1, (size_t)(end - eq - 1)) <
				    0 ||
			    !r->path[0])
				return -EINVAL;
			have_path = true;
			break;
		}
		sp = memchr(eq, ' ', (size_t)(end - eq));
		vlen = (size_t)((sp ? sp : end) - eq - 1);
		if (word_is(s, klen, "next_seq") && word_is(eq + 1, vlen, "-")) {
			r->next_seq = READER_STATUS_SEQ_UNKNOWN;
		} else {
			uint64_t *dst = word_is(s, klen, "next_seq")	 ? &r->next_seq
					: word_is(s, klen, "position")	 ? &r->position
					: word_is(s, klen, "records")	 ? &r->records
					: word_is(s, klen, "lost")	 ? &r->lost
					: word_is(s, klen, "laps")	 ? &r->laps
					: word_is(s, klen, "last_ts")	 ? &r->last_ts
					: word_is(s, klen, "ring_seq")	 ? &r->ring_seq
					: word_is(s, klen, "ring_pos")	 ? &r->ring_pos
					: word_is(s, klen, "ring_ts")	 ? &r->ring_ts
					: word_is(s, klen, "generation") ? &v
									 : NULL;

			if (dst && parse_u64(eq + 1, vlen, dst) < 0)
				return -EINVAL;
			if (dst == &v) {
				if (v > UINT32_MAX)
					return -EINVAL;
				r->generation = (uint32_t)v;
			}
		}
		s = sp ? sp + 1 : end;
	}
	return have_path ? 0 : -EINVAL;
}

/* "files=12 bytes=... dir=/a b/c" */
static int parse_archive(const char *s, size_t n, struct reader_status_archive *a)
{
	const char *end = s + n;

	memset(a, 0, sizeof(*a));
	while (s < end) {
		const char *eq = memchr(s, '=', (size_t)(end - s)), *sp;
		size_t klen, vlen;

		if (!eq)
			return -EINVAL;
		klen = (size_t)(eq - s);
		if (word_is(s, klen, "dir")) {
			if (copy_str(a->dir, sizeof(a->dir), eq + 1, (size_t)(end - eq - 1)) < 0 ||
			    !a->dir[0])
				return -EINVAL;
			a->present = true;
			return 0;
		}
		sp = memchr(eq, ' ', (size_t)(end - eq));
		vlen = (size_t)((sp ? sp : end) - eq - 1);
		uint64_t *dst = word_is(s, klen, "files")	    ? &a->files
				: word_is(s, klen, "bytes")	    ? &a->bytes
				: word_is(s, klen, "oldest")	    ? &a->oldest_ns
				: word_is(s, klen, "newest")	    ? &a->newest_ns
				: word_is(s, klen, "removed")	    ? &a->removed
				: word_is(s, klen, "removed_bytes") ? &a->removed_bytes
				: word_is(s, klen, "budget")	    ? &a->budget
				: word_is(s, klen, "min_free")	    ? &a->min_free
				: word_is(s, klen, "free")	    ? &a->free
				: word_is(s, klen, "checked")	    ? &a->checked_ns
								    : NULL;

		if (dst && parse_u64(eq + 1, vlen, dst) < 0)
			return -EINVAL;
		s = sp ? sp + 1 : end;
	}
	return -EINVAL;
}

int reader_status_parse(const char *text, size_t len, struct reader_status *st)
{
	const char *s = text, *end = text + len;
	bool first = true, have_pid = false, have_updated = false;
	int r = 0;

	memset(st, 0, sizeof(*st));
	if (len > READER_STATUS_MAX_SIZE)
		return -EFBIG;
	while (s < end && !r) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		const char *le = nl ? nl : end, *sp, *val;
		size_t n = (size_t)(le - s), klen, vlen;
		uint64_t v = 0;

		if (first) {
			if (!word_is(s, n, READER_STATUS_MAGIC))
				return -EPROTO;
			first = false;
			s = nl ? nl + 1 : end;
			continue;
		}
		sp = memchr(s, ' ', n);
		klen = sp ? (size_t)(sp - s) : n;
		val = sp ? sp + 1 : le;
		vlen = (size_t)(le - val);
		if (word_is(s, klen, "pid")) {
			r = parse_u64(val, vlen, &v);
			if (!r && (v == 0 || v > INT32_MAX))
				r = -EINVAL;
			st->pid = (int32_t)v;
			have_pid = !r;
		} else if (word_is(s, klen, "program")) {
			r = copy_str(st->program, sizeof(st->program), val, vlen);
		} else if (word_is(s, klen, "command")) {
			r = copy_str(st->command, sizeof(st->command), val, vlen);
		} else if (word_is(s, klen, "started")) {
			r = parse_u64(val, vlen, &st->started_ns);
		} else if (word_is(s, klen, "updated")) {
			r = parse_u64(val, vlen, &st->updated_ns);
			have_updated = !r;
		} else if (word_is(s, klen, "ring")) {
			if (st->nrings == READER_STATUS_MAX_RINGS)
				return -E2BIG;
			r = parse_ring(val, vlen, &st->rings[st->nrings++]);
		} else if (word_is(s, klen, "archive")) {
			r = parse_archive(val, vlen, &st->archive);
		}
		s = nl ? nl + 1 : end;
	}
	if (first)
		return -EPROTO;
	if (r)
		return r;
	return have_pid && have_updated ? 0 : -EINVAL;
}

int reader_status_name_pid(const char *name, int32_t *pid)
{
	size_t n = strlen(name), sfx = strlen(READER_STATUS_SUFFIX), i, digits;
	uint64_t v;

	if (n <= sfx || strcmp(name + n - sfx, READER_STATUS_SUFFIX))
		return -EINVAL;
	n -= sfx;
	for (digits = 0; digits < n && name[digits] != '.'; digits++)
		;
	if (digits < n) {
		if (n - digits - 1 != READER_STATUS_TAG_LEN)
			return -EINVAL;
		for (i = digits + 1; i < n; i++)
			if (!((name[i] >= '0' && name[i] <= '9') ||
			      (name[i] >= 'a' && name[i] <= 'f')))
				return -EINVAL;
	}
	if (name[0] == '0' || parse_u64(name, digits, &v) < 0 || v > INT32_MAX)
		return -EINVAL;
	*pid = (int32_t)v;
	return 0;
}

/* Well-formed UTF-8 that is not a control character (C1: U+0080..U+009F). */
static size_t utf8_printable(const unsigned char *p, size_t n)
{
	unsigned int cp;
	size_t len = json_out_utf8(p, n, &cp);

	return len && cp >= 0xa0 ? len : 0;
}

void reader_status_put_text(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = strlen(s), i = 0, n;

	while (i < len) {
		if (p[i] == '\\') {
			fputs("\\\\", f);
			i++;
		} else if (p[i] >= 0x20 && p[i] < 0x7f) {
			fputc(p[i++], f);
		} else if ((n = utf8_printable(p + i, len - i))) {
			fwrite(p + i, 1, n, f);
			i += n;
		} else {
			fprintf(f, "\\x%02x", p[i++]);
		}
	}
}
