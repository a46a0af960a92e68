// SPDX-License-Identifier: BSD-2-Clause
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "retain.h"
#include "capindex.h"
#include "fname.h"
#include "units.h"

#define DUP_DIGITS   5	/* NAME_NNNNN.EXT */
#define STAMP_DIGITS 14 /* YYYYmmddHHMMSS */
#define TMP_TAIL     6	/* mkstemp's XXXXXX */

struct retain {
	struct retain_opts o;
	char dir[PATH_MAX];
	char pat[NAME_MAX + 1]; /* the pattern's last component */
	bool strf;		/* it holds conversions */
	bool dated;
	struct retain_stats st;
};

int retain_parse_free(const char *s, uint64_t *bytes, unsigned int *pct)
{
	size_t n = s ? strlen(s) : 0;
	unsigned long v;
	char *end;

	*bytes = 0;
	*pct = 0;
	/* 0 or 0%: none, for a unit's default */
	if (s && (!strcmp(s, "0") || !strcmp(s, "0%")))
		return 0;
	if (n && s[n - 1] == '%') {
		if (!isdigit((unsigned char)s[0]))
			return -EINVAL;
		errno = 0;
		v = strtoul(s, &end, 10);
		if (errno || end != s + n - 1 || !v || v > RETAIN_MIN_FREE_PCT_MAX)
			return -EINVAL;
		*pct = (unsigned int)v;
		return 0;
	}
	if (units_parse_size(s, bytes) < 0 || !*bytes)
		return -EINVAL;
	return 0;
}

bool retain_pattern_dated(const char *pat)
{
	bool year = false, day = false;
	const char *p;

	for (p = strchr(pat, '%'); p && p[1]; p = strchr(p + 2, '%')) {
		switch (p[1]) {
		case 's':
			return true;
		case 'F':
		case 'D':
			year = day = true;
			break;
		case 'Y':
		case 'y':
		case 'G':
		case 'g':
			year = true;
			break;
		case 'd':
		case 'e':
		case 'j':
			day = true;
			break;
		}
	}
	return year && day;
}

/* Whether s[0..n) is all digits. */
static bool digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	return n > 0;
}

/* name == what strftime pattern pat makes of some time: *tm that time. */
static bool strf_match(const char *pat, const char *name, size_t len, int64_t *t)
{
	char want[NAME_MAX + 1], again[NAME_MAX + 1];
	struct tm tm = { .tm_mday = 1, .tm_year = 70 };
	const char *rest;
	time_t secs;
	size_t n;

	if (len >= sizeof(want))
		return false;
	memcpy(want, name, len);
	want[len] = '\0';
	rest = strptime(want, pat, &tm);
	if (!rest || *rest)
		return false;
	secs = timegm(&tm);
	if (!gmtime_r(&secs, &tm))
		return false;
	n = strftime(again, sizeof(again), pat, &tm);
	if (!n || strcmp(again, want))
		return false;
	*t = secs;
	return true;
}

bool retain_match(const char *pat, bool dated, const char *name, struct retain_key *k)
{
	const char *pext = fname_ext(pat), *next = fname_ext(name), *p;
	size_t stem = (size_t)(pext - pat), nstem = (size_t)(next - name);
	char base[NAME_MAX + 1];
	unsigned long long num;
	struct tm tm = { 0 };
	size_t blen;
	int64_t t;

	*k = (struct retain_key){ 0 };
	if (name[0] == '.')
		return false;
	/* The extension may hold conversions too ("md.%Y%m%d.pcapng"). */
	if (strchr(pat, '%')) {
		if (strf_match(pat, name, strlen(name), &t)) {
			k->secondary = 0;
		} else {
			/* NAME_NNNNN.EXT: the next free name of a taken NAME.EXT */
			for (p = next; p > name && isdigit((unsigned char)p[-1]); p--)
				;
			if (next - p < DUP_DIGITS || p == name || p[-1] != '_')
				return false;
			num = strtoull(p, NULL, 10);
			if (!num)
				return false;
			/* the name without "_NNNNN", then the extension */
			blen = (size_t)(p - 1 - name);

			if (blen + strlen(next) >= sizeof(base))
				return false;
			memcpy(base, name, blen);
			strcpy(base + blen, next);
			if (!strf_match(pat, base, strlen(base), &t))
				return false;
			k->secondary = num;
		}
		k->has_time = dated;
		k->time_s = t;
		k->primary = dated ? (uint64_t)t : 0;
		return true;
	}
	/* NAME_N_STAMP.EXT */
	if (strcmp(next, pext) || nstem < stem + 1 + DUP_DIGITS + 1 + STAMP_DIGITS ||
	    memcmp(name, pat, stem) || name[stem] != '_' || next[-STAMP_DIGITS - 1] != '_' ||
	    !digits(next - STAMP_DIGITS, STAMP_DIGITS))
		return false;
	p = name + stem + 1;
	if ((size_t)(next - STAMP_DIGITS - 1 - p) < DUP_DIGITS ||
	    !digits(p, (size_t)(next - STAMP_DIGITS - 1 - p)))
		return false;
	errno = 0;
	num = strtoull(p, NULL, 10);
	if (errno)
		return false;
	if (!strptime(next - STAMP_DIGITS, "%Y%m%d%H%M%S", &tm))
		return false;
	k->primary = num;
	k->has_time = true;
	k->time_s = timegm(&tm);
	return true;
}

static int file_cmp(const void *a, const void *b)
{
	const struct retain_file *x = a, *y = b;

	if (x->key.primary != y->key.primary)
		return x->key.primary < y->key.primary ? -1 : 1;
	if (x->key.secondary != y->key.secondary)
		return x->key.secondary < y->key.secondary ? -1 : 1;
	return strcmp(x->name, y->name);
}

void retain_sort(struct retain_file *f, size_t n)
{
	if (n)
		qsort(f, n, sizeof(*f), file_cmp);
}

size_t retain_choose(const struct retain_file *f, size_t n, uint64_t total, uint64_t max_bytes,
		     uint64_t avail, uint64_t min_free)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (!(max_bytes && total > max_bytes) && !(min_free && avail < min_free))
			break;
		total -= f[i].bytes < total ? f[i].bytes : total;
		avail += f[i].disk;
	}
	return i;
}

/* Whether the names of r's pattern match it again, at two times. */
static bool names_read_back(const struct retain *r)
{
	static const time_t when[] = { 1795292164, 1800000000 };
	char name[NAME_MAX + 1];
	struct retain_key k;
	struct tm tm;
	size_t i;

	for (i = 0; i < sizeof(when) / sizeof(when[0]); i++) {
		if (!gmtime_r(&when[i], &tm) || !strftime(name, sizeof(name), r->pat, &tm) ||
		    !retain_match(r->pat, r->dated, name, &k))
			return false;
	}
	return true;
}

int retain_new(const struct retain_opts *o, struct retain **ret, char *err, size_t errlen)
{
	const char *slash = strrchr(o->pattern, '/');
	const char *base = slash ? slash + 1 : o->pattern;
	struct retain *r;
	char *real;

	if (slash && memchr(o->pattern, '%', (size_t)(slash - o->pattern))) {
		snprintf(err, errlen,
			 "-w %s: --archive-size and --min-free keep one directory: no strftime "
			 "conversion before the last '/'",
			 o->pattern);
		return -EINVAL;
	}
	if (!*base || strlen(base) > NAME_MAX ||
	    (slash && (size_t)(slash - o->pattern) >= sizeof(r->dir))) {
		snprintf(err, errlen, "-w %s: not a file name", o->pattern);
		return -EINVAL;
	}
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->o = *o;
	if (!slash)
		strcpy(r->dir, ".");
	else if (slash == o->pattern)
		strcpy(r->dir, "/");
	else
		snprintf(r->dir, sizeof(r->dir), "%.*s", (int)(slash - o->pattern), o->pattern);
	/* Status and metrics name it whole. */
	real = realpath(r->dir, NULL);
	if (real && strlen(real) < sizeof(r->dir))
		strcpy(r->dir, real);
	free(real);
	strcpy(r->pat, base);
	r->strf = strchr(base, '%') != NULL;
	r->dated = r->strf && retain_pattern_dated(base);
	r->o.pattern = NULL;
	/* A name that does not read back would never be removed: refused. */
	if (r->strf && !names_read_back(r)) {
		snprintf(err, errlen,
			 "-w %s: its names do not read back as the times they were made of "
			 "(strptime(3)): --archive-size and --min-free would find no file to "
			 "remove; use numeric conversions such as %%Y%%m%%dT%%H%%M%%SZ",
			 o->pattern);
		free(r);
		return -EINVAL;
	}
	*ret = r;
	return 0;
}

/* Free space for capdump, and the minimum now in bytes. */
static int fs_space(struct retain *r, uint64_t *avail, uint64_t *min)
{
	struct statvfs vfs;

	*avail = 0;
	*min = r->o.min_free;
	if (statvfs(r->dir, &vfs) < 0)
		return -errno;
	*avail = (uint64_t)vfs.f_bavail * vfs.f_frsize;
	if (r->o.min_free_pct)
		*min = (uint64_t)((unsigned __int128)vfs.f_blocks * vfs.f_frsize *
				  r->o.min_free_pct / 100);
	return 0;
}

bool retain_short(struct retain *r)
{
	uint64_t avail, min;

	if (!r->o.min_free && !r->o.min_free_pct)
		return false;
	return fs_space(r, &avail, &min) == 0 && avail < min;
}

/* ".NAME.idx.XXXXXX" of an archive name: its NAME, in buf. */
static bool idx_tmp_of(const struct retain *r, const char *name, char *buf, size_t len)
{
	size_t n = strlen(name), sl = strlen(CAPINDEX_SUFFIX);
	struct retain_key k;

	if (name[0] != '.' || n < 1 + sl + 1 + TMP_TAIL + 1 || name[n - TMP_TAIL - 1] != '.' ||
	    memcmp(name + n - TMP_TAIL - 1 - sl, CAPINDEX_SUFFIX, sl) ||
	    n - TMP_TAIL - 1 - sl - 1 >= len)
		return false;
	snprintf(buf, len, "%.*s", (int)(n - TMP_TAIL - 1 - sl - 1), name + 1);
	return retain_match(r->pat, r->dated, buf, &k);
}

/* The index of name, in buf. */
static bool idx_name(const char *name, char *buf, size_t len)
{
	return (size_t)snprintf(buf, len, "%s" CAPINDEX_SUFFIX, name) < len;
}

static uint64_t st_ns(const struct timespec *ts)
{
	return (uint64_t)ts->tv_sec * 1000000000u + (uint64_t)ts->tv_nsec;
}

static void tell(struct retain *r, retain_fn fn, void *ctx, enum retain_event ev, const char *name,
		 const struct retain_file *f, int err)
{
	char path[PATH_MAX + NAME_MAX + 2];

	if (!fn)
		return;
	if (*name)
		snprintf(path, sizeof(path), "%s/%s", r->dir, name);
	else
		snprintf(path, sizeof(path), "%s", r->dir);
	fn(ctx, ev, path, f, err);
}

/* Read the archive into *files (sorted), removing stale temporaries. */
static int scan(struct retain *r, DIR *d, uint64_t now, retain_fn fn, void *ctx,
		struct retain_file **files, size_t *nfiles)
{
	struct retain_file *f = NULL, *nf;
	size_t n = 0, cap = 0;
	char buf[NAME_MAX + 8];
	struct dirent *de;
	struct stat st, ist;
	struct retain_key k;
	int dfd = dirfd(d);

	while ((de = readdir(d))) {
		if (idx_tmp_of(r, de->d_name, buf, sizeof(buf))) {
			if (!fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) &&
			    S_ISREG(st.st_mode) && now > st_ns(&st.st_mtim) &&
			    now - st_ns(&st.st_mtim) > RETAIN_STALE_NS &&
			    !unlinkat(dfd, de->d_name, 0)) {
				r->st.stale_removed++;
				tell(r, fn, ctx, RETAIN_STALE, de->d_name, NULL, 0);
			}
			continue;
		}
		if (!retain_match(r->pat, r->dated, de->d_name, &k))
			continue;
		if (fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode))
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 256;
			nf = realloc(f, cap * sizeof(*f));
			if (!nf)
				goto nomem;
			f = nf;
		}
		nf = &f[n];
		*nf = (struct retain_file){ .key = k,
					    .bytes = (uint64_t)st.st_size,
					    .disk = (uint64_t)st.st_blocks * 512u };
		nf->name = strdup(de->d_name);
		if (!nf->name)
			goto nomem;
		nf->time_ns = k.has_time ? (uint64_t)k.time_s * 1000000000u : st_ns(&st.st_mtim);
		if (!r->dated && r->strf)
			nf->key.primary = st_ns(&st.st_mtim);
		if (idx_name(de->d_name, buf, sizeof(buf)) &&
		    !fstatat(dfd, buf, &ist, AT_SYMLINK_NOFOLLOW) && S_ISREG(ist.st_mode)) {
			nf->bytes += (uint64_t)ist.st_size;
			nf->disk += (uint64_t)ist.st_blocks * 512u;
		}
		n++;
	}
	retain_sort(f, n);
	*files = f;
	*nfiles = n;
	return 0;
nomem:
	while (n)
		free(f[--n].name);
	free(f);
	return -ENOMEM;
}

int retain_run(struct retain *r, uint64_t now, retain_fn fn, void *ctx)
{
	struct retain_file *f = NULL;
	uint64_t total = 0, avail = 0, min = 0;
	char idx[NAME_MAX + 8];
	size_t n = 0, i, k;
	DIR *d;
	int ret;

	d = opendir(r->dir);
	if (!d)
		return -errno;
	ret = scan(r, d, now, fn, ctx, &f, &n);
	if (ret < 0)
		goto out;
	for (i = 0; i < n; i++)
		total += f[i].bytes;
	/* Without free space to read, the budget alone decides this pass. */
	if (fs_space(r, &avail, &min) < 0)
		min = 0;
	/* Never the newest: the last file written stays readable, also the
	 * one a full disk left. */
	k = retain_choose(f, n ? n - 1 : 0, total, r->o.max_bytes, avail, min);
	for (i = 0; i < k; i++) {
		if (unlinkat(dirfd(d), f[i].name, 0) < 0 && errno != ENOENT) {
			tell(r, fn, ctx, RETAIN_REMOVE_FAILED, f[i].name, &f[i], -errno);
			continue;
		}
		if (idx_name(f[i].name, idx, sizeof(idx)))
			unlinkat(dirfd(d), idx, 0);
		total -= f[i].bytes;
		avail += f[i].disk;
		r->st.removed++;
		r->st.removed_bytes += f[i].bytes;
		f[i].removed = true;
		tell(r, fn, ctx, RETAIN_REMOVED, f[i].name, &f[i], 0);
	}
	r->st.scanned = true;
	r->st.files = 0;
	r->st.oldest_ns = r->st.newest_ns = 0;
	for (i = 0; i < n; i++) {
		if (f[i].removed)
			continue;
		if (!r->st.files++)
			r->st.oldest_ns = f[i].time_ns;
		r->st.newest_ns = f[i].time_ns;
	}
	r->st.bytes = total;
	fs_space(r, &avail, &min);
	r->st.free_bytes = avail;
	r->st.min_free_bytes = min;
	/* Told once, when it starts. */
	if (min && avail < min && r->st.files <= 1) {
		if (!r->st.short_of_free)
			tell(r, fn, ctx, RETAIN_SHORT, "", NULL, 0);
		r->st.short_of_free = true;
	} else {
		r->st.short_of_free = false;
	}
out:
	for (i = 0; i < n; i++)
		free(f[i].name);
	free(f);
	closedir(d);
	return ret;
}

const struct retain_stats *retain_stats(const struct retain *r)
{
	return &r->st;
}

const char *retain_dir(const struct retain *r)
{
	return r->dir;
}

void retain_free(struct retain *r)
{
	free(r);
}
