// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "capindex.h"
#include "file_slurp.h"
#include "hexdigit.h"
#include "ship_state.h"

struct ship_offset {
	char *path;
	uint64_t offset;
};

struct ship_state {
	struct ship_state_file *f;
	size_t nf, capf;
	struct ship_offset *o;
	size_t no, capo;
};

struct ship_state *ship_state_new(void)
{
	return calloc(1, sizeof(struct ship_state));
}

void ship_state_free(struct ship_state *st)
{
	size_t i;

	if (!st)
		return;
	for (i = 0; i < st->nf; i++)
		free(st->f[i].path);
	for (i = 0; i < st->no; i++)
		free(st->o[i].path);
	free(st->f);
	free(st->o);
	free(st);
}

static int file_cmp(const char *path, uint64_t mtime, uint64_t size,
		    const struct ship_state_file *f)
{
	int c = strcmp(path, f->path);

	if (c)
		return c;
	if (mtime != f->mtime_ns)
		return mtime < f->mtime_ns ? -1 : 1;
	if (size != f->size)
		return size < f->size ? -1 : 1;
	return 0;
}

/* Index of the identity, or where it would go (*found false). */
static size_t file_pos(const struct ship_state *st, const char *path, uint64_t mtime, uint64_t size,
		       bool *found)
{
	size_t lo = 0, hi = st->nf;

	*found = false;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = file_cmp(path, mtime, size, &st->f[mid]);

		if (!c) {
			*found = true;
			return mid;
		}
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

size_t ship_state_nfiles(const struct ship_state *st)
{
	return st->nf;
}

struct ship_state_file *ship_state_file(struct ship_state *st, size_t i)
{
	return i < st->nf ? &st->f[i] : NULL;
}

struct ship_state_file *ship_state_find(struct ship_state *st, const char *path, uint64_t mtime_ns,
					uint64_t size)
{
	bool found;
	size_t i = file_pos(st, path, mtime_ns, size, &found);

	return found ? &st->f[i] : NULL;
}

static int add_file(struct ship_state *st, char *path, uint64_t mtime_ns, uint64_t size)
{
	bool found;
	size_t i = file_pos(st, path, mtime_ns, size, &found);

	if (found)
		return -EEXIST;
	if (st->nf == st->capf) {
		size_t cap = st->capf ? st->capf * 2 : 64;
		struct ship_state_file *n = realloc(st->f, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		st->f = n;
		st->capf = cap;
	}
	memmove(&st->f[i + 1], &st->f[i], (st->nf - i) * sizeof(*st->f));
	st->f[i] = (struct ship_state_file){ .path = path, .mtime_ns = mtime_ns, .size = size };
	st->nf++;
	return 0;
}

int ship_state_add(struct ship_state *st, const char *path, uint64_t mtime_ns, uint64_t size)
{
	char *p;
	int r;

	if (ship_state_find(st, path, mtime_ns, size))
		return 0;
	p = strdup(path);
	if (!p)
		return -ENOMEM;
	r = add_file(st, p, mtime_ns, size);
	if (r)
		free(p);
	return r;
}

void ship_state_del(struct ship_state *st, size_t i)
{
	if (i >= st->nf)
		return;
	free(st->f[i].path);
	memmove(&st->f[i], &st->f[i + 1], (st->nf - i - 1) * sizeof(*st->f));
	st->nf--;
}

static struct ship_offset *offset_find(const struct ship_state *st, const char *path)
{
	size_t i;

	/* a capstat directory holds a handful of files */
	for (i = 0; i < st->no; i++)
		if (!strcmp(st->o[i].path, path))
			return &st->o[i];
	return NULL;
}

size_t ship_state_noffsets(const struct ship_state *st)
{
	return st->no;
}

uint64_t ship_state_offset(const struct ship_state *st, const char *path)
{
	const struct ship_offset *o = offset_find(st, path);

	return o ? o->offset : 0;
}

static int add_offset(struct ship_state *st, char *path, uint64_t offset)
{
	if (st->no == st->capo) {
		size_t cap = st->capo ? st->capo * 2 : 16;
		struct ship_offset *n = realloc(st->o, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		st->o = n;
		st->capo = cap;
	}
	st->o[st->no++] = (struct ship_offset){ .path = path, .offset = offset };
	return 0;
}

int ship_state_set_offset(struct ship_state *st, const char *path, uint64_t offset)
{
	struct ship_offset *o = offset_find(st, path);
	char *p;
	int r;

	if (o && offset) {
		o->offset = offset;
		return 0;
	}
	if (o) {
		free(o->path);
		*o = st->o[--st->no];
		return 0;
	}
	if (!offset)
		return 0;
	p = strdup(path);
	if (!p)
		return -ENOMEM;
	r = add_offset(st, p, offset);
	if (r)
		free(p);
	return r;
}

void ship_state_prune_offsets(struct ship_state *st, bool (*keep)(const char *path, void *arg),
			      void *arg)
{
	size_t i = 0;

	while (i < st->no) {
		if (keep(st->o[i].path, arg)) {
			i++;
			continue;
		}
		free(st->o[i].path);
		st->o[i] = st->o[--st->no];
	}
}

/* ---- the file ---------------------------------------------------------------- */

/* A decimal number ending at a space (or end == p + n); no sign, no
 * leading zero but "0" itself, no overflow. */
static const char *parse_u64(const char *p, const char *end, uint64_t *v)
{
	const char *s = p;

	*v = 0;
	while (p < end && *p >= '0' && *p <= '9') {
		unsigned int d = (unsigned int)(*p - '0');

		if (*v > (UINT64_MAX - d) / 10)
			return NULL;
		*v = *v * 10 + d;
		p++;
	}
	if (p == s || (*s == '0' && p - s > 1))
		return NULL;
	return p;
}

/* The %-escaped path in [p, end) decoded into a malloc'd string. */
static char *parse_path(const char *p, const char *end)
{
	size_t n = 0;
	char *out;

	if (p >= end || end - p > 3 * PATH_MAX)
		return NULL;
	out = malloc((size_t)(end - p) + 1);
	if (!out)
		return NULL;
	while (p < end) {
		unsigned char c = (unsigned char)*p;

		if (c == '%') {
			int h, l;

			if (end - p < 3 || (h = hexdigit(p[1])) < 0 || (l = hexdigit(p[2])) < 0 ||
			    !(h | l))
				goto bad;
			out[n++] = (char)(h << 4 | l);
			p += 3;
			continue;
		}
		if (c <= 0x20 || c >= 0x7f)
			goto bad;
		out[n++] = (char)c;
		p++;
	}
	out[n] = '\0';
	if (out[0] != '/' || n >= PATH_MAX)
		goto bad;
	return out;
bad:
	free(out);
	return NULL;
}

static int bad(char *why, size_t whylen, unsigned int line, const char *what)
{
	if (why && whylen)
		snprintf(why, whylen, "line %u: %s", line, what);
	return -EBADMSG;
}

int ship_state_parse(const void *buf, size_t len, struct ship_state **out, char *why, size_t whylen)
{
	const char *s = buf, *end = s + len, *p, *eol;
	size_t mlen = strlen(SHIP_STATE_MAGIC), entries = 0;
	unsigned int line = 1;
	struct ship_state *st;
	uint64_t v1, v2;
	int r = -EBADMSG;
	char *path;

	*out = NULL;
	if (len < mlen || memcmp(s, SHIP_STATE_MAGIC, mlen))
		return bad(why, whylen, 1, "not a capship state file (or another version)");
	st = ship_state_new();
	if (!st)
		return -ENOMEM;
	p = s + mlen;
	for (;;) {
		line++;
		eol = memchr(p, '\n', (size_t)(end - p));
		if (!eol) {
			r = bad(why, whylen, line, "truncated: no end line");
			goto fail;
		}
		if (eol - p >= 4 && !memcmp(p, "end ", 4)) {
			const char *q = parse_u64(p + 4, eol, &v1);
			uint64_t sum = capindex_fnv(CAPINDEX_FNV_INIT, s, (size_t)(p - s));
			uint64_t got = 0;
			int i;

			if (!q || q + 17 != eol || *q != ' ') {
				r = bad(why, whylen, line, "malformed end line");
				goto fail;
			}
			for (i = 0; i < 16; i++) {
				int h = hexdigit(q[1 + i]);

				if (h < 0 || (q[1 + i] >= 'A' && q[1 + i] <= 'F')) {
					r = bad(why, whylen, line, "malformed checksum");
					goto fail;
				}
				got = got << 4 | (uint64_t)h;
			}
			if (v1 != entries) {
				r = bad(why, whylen, line, "entry count does not match");
				goto fail;
			}
			if (got != sum) {
				r = bad(why, whylen, line, "checksum does not match");
				goto fail;
			}
			if (eol + 1 != end) {
				r = bad(why, whylen, line + 1, "bytes after the end line");
				goto fail;
			}
			break;
		}
		if (eol - p < 4 || (p[0] != 'F' && p[0] != 'I') || p[1] != ' ') {
			r = bad(why, whylen, line, "unknown entry");
			goto fail;
		}
		{
			const char *q = parse_u64(p + 2, eol, &v1);

			v2 = 0;
			if (q && p[0] == 'F' && q < eol && *q == ' ')
				q = parse_u64(q + 1, eol, &v2);
			if (!q || q >= eol || *q != ' ' || !(path = parse_path(q + 1, eol))) {
				r = bad(why, whylen, line, "malformed entry");
				goto fail;
			}
		}
		if (p[0] == 'F') {
			r = add_file(st, path, v1, v2);
		} else if (!v1 || offset_find(st, path)) {
			r = -EEXIST;
		} else {
			r = add_offset(st, path, v1);
		}
		if (r) {
			free(path);
			if (r == -EEXIST)
				r = bad(why, whylen, line, "entry given twice (or an offset 0)");
			goto fail;
		}
		entries++;
		p = eol + 1;
	}
	*out = st;
	return 0;
fail:
	ship_state_free(st);
	return r;
}

int ship_state_load(const char *path, size_t max_bytes, struct ship_state **st, char *why,
		    size_t whylen)
{
	size_t len, size;
	uint8_t *buf;
	int r;

	*st = NULL;
	r = file_slurp(path, max_bytes, &buf, &len, &size);
	if (r == -ENXIO) {
		snprintf(why, whylen, "not a regular file");
		return -EBADMSG;
	}
	if (r == -EFBIG)
		snprintf(why, whylen, "longer than its bound (state_max_mb)");
	if (r < 0)
		return r;
	/* a file growing under us is not this shipper's */
	if (len > size) {
		snprintf(why, whylen, "changed while read");
		r = -EBADMSG;
	} else {
		r = ship_state_parse((const char *)buf, len, st, why, whylen);
	}
	free(buf);
	return r;
}

static size_t put_path(char *o, const char *p)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = 0;

	for (; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if (c <= 0x20 || c >= 0x7f || c == '%') {
			o[n++] = '%';
			o[n++] = hex[c >> 4];
			o[n++] = hex[c & 15];
		} else {
			o[n++] = (char)c;
		}
	}
	return n;
}

/* The file's bytes, or -EFBIG past max. */
static int serialize(const struct ship_state *st, size_t max, char **out, size_t *outlen)
{
	size_t cap = 64, len, i;
	char *b;

	for (i = 0; i < st->nf; i++)
		cap += 48 + 3 * strlen(st->f[i].path);
	for (i = 0; i < st->no; i++)
		cap += 28 + 3 * strlen(st->o[i].path);
	b = malloc(cap);
	if (!b)
		return -ENOMEM;
	len = (size_t)sprintf(b, "%s", SHIP_STATE_MAGIC);
	for (i = 0; i < st->nf; i++) {
		len += (size_t)sprintf(b + len, "F %" PRIu64 " %" PRIu64 " ", st->f[i].mtime_ns,
				       st->f[i].size);
		len += put_path(b + len, st->f[i].path);
		b[len++] = '\n';
	}
	for (i = 0; i < st->no; i++) {
		len += (size_t)sprintf(b + len, "I %" PRIu64 " ", st->o[i].offset);
		len += put_path(b + len, st->o[i].path);
		b[len++] = '\n';
	}
	len += (size_t)sprintf(b + len, "end %zu %016" PRIx64 "\n", st->nf + st->no,
			       capindex_fnv(CAPINDEX_FNV_INIT, b, len));
	if (len > max) {
		free(b);
		return -EFBIG;
	}
	*out = b;
	*outlen = len;
	return 0;
}

int ship_state_save(const struct ship_state *st, const char *path, size_t max_bytes)
{
	char tmp[PATH_MAX], dir[PATH_MAX], *buf = NULL, *slash;
	size_t len, off = 0;
	int fd = -1, dfd, r;

	if (snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	r = serialize(st, max_bytes, &buf, &len);
	if (r)
		return r;
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		r = -errno;
		goto out;
	}
	while (off < len) {
		ssize_t n = write(fd, buf + off, len - off);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			goto unlink;
		}
		off += (size_t)n;
	}
	if (fsync(fd) < 0 || close(fd) < 0) {
		fd = -1;
		r = -errno;
		goto unlink;
	}
	fd = -1;
	if (rename(tmp, path) < 0) {
		r = -errno;
		goto unlink;
	}
	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash == dir)
		dir[1] = '\0';
	else if (slash)
		*slash = '\0';
	else
		strcpy(dir, ".");
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		if (fsync(dfd) < 0)
			r = -errno;
		close(dfd);
	} else {
		r = -errno;
	}
	goto out;
unlink:
	if (fd >= 0)
		close(fd);
	unlink(tmp);
out:
	free(buf);
	return r;
}
