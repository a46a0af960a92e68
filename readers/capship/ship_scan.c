// SPDX-License-Identifier: BSD-2-Clause
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "capindex.h"
#include "filelist.h"
#include "ship_intervals.h"
#include "ship_rows.h"
#include "ship_scan.h"

#define QUIET_NS (120ull * 1000000000ull) /* a fresh file's index may still come */

/* A file whose rows are in the batch, marked shipped when it is acked. */
struct pending {
	char *path;
	uint64_t mtime_ns, size;
};

struct pass {
	struct ship_scan *s;
	struct ship_batch b;
	struct pending *p;
	size_t np, capp;
	/* removals in the batch: state entries (path, mtime, size) */
	struct pending *rm;
	size_t nrm, caprm;
	/* capstat files read up to an offset (in mtime_ns) in the batch */
	struct pending *off;
	size_t noff, capoff;
	char *why;
	size_t whylen;
};

static uint64_t now_ns(int clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void warn(struct ship_scan *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void warn(struct ship_scan *s, const char *fmt, ...)
{
	char line[PATH_MAX + 512];
	va_list ap;

	if (!s->warn)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	s->warn(s->warn_arg, line);
}

static int push(struct pending **a, size_t *n, size_t *cap, const char *path, uint64_t mtime,
		uint64_t size)
{
	char *p = strdup(path);

	if (!p)
		return -ENOMEM;
	if (*n == *cap) {
		size_t c = *cap ? *cap * 2 : 16;
		struct pending *x = realloc(*a, c * sizeof(*x));

		if (!x) {
			free(p);
			return -ENOMEM;
		}
		*a = x;
		*cap = c;
	}
	(*a)[(*n)++] = (struct pending){ .path = p, .mtime_ns = mtime, .size = size };
	return 0;
}

static void drop_pending(struct pass *ps)
{
	size_t i;

	for (i = 0; i < ps->np; i++)
		free(ps->p[i].path);
	for (i = 0; i < ps->nrm; i++)
		free(ps->rm[i].path);
	for (i = 0; i < ps->noff; i++)
		free(ps->off[i].path);
	ps->np = ps->nrm = ps->noff = 0;
	ship_batch_free(&ps->b);
}

/* Send every table of the batch, then mark its files in the state. */
static int commit(struct pass *ps)
{
	struct ship_scan *s = ps->s;
	size_t rows = ship_batch_rows(&ps->b), i, len;
	int t, r = 0;

	if (!rows && !ps->np && !ps->nrm && !ps->noff)
		return 0;
	for (t = 0; t < SHIP_TABLES; t++) {
		const char *text = ship_batch_text(&ps->b, (enum ship_table)t, &len);

		if (!len)
			continue;
		r = s->send(s->send_arg, (enum ship_table)t, text, len, ps->why, ps->whylen);
		if (r) {
			s->rows_pending = rows;
			goto out;
		}
	}
	for (i = 0; i < ps->np && !r; i++) {
		struct ship_state_file *f;

		r = ship_state_add(s->st, ps->p[i].path, ps->p[i].mtime_ns, ps->p[i].size);
		/* in its archive now: not a removal of this pass */
		f = ship_state_find(s->st, ps->p[i].path, ps->p[i].mtime_ns, ps->p[i].size);
		if (f)
			f->seen = true;
	}
	for (i = 0; i < ps->nrm && !r; i++) {
		struct ship_state_file *f =
			ship_state_find(s->st, ps->rm[i].path, ps->rm[i].mtime_ns, ps->rm[i].size);

		if (f)
			ship_state_del(s->st, (size_t)(f - ship_state_file(s->st, 0)));
	}
	for (i = 0; i < ps->noff && !r; i++)
		r = ship_state_set_offset(s->st, ps->off[i].path, ps->off[i].mtime_ns);
	if (r) {
		snprintf(ps->why, ps->whylen, "out of memory");
		goto out;
	}
	r = ship_state_save(s->st, s->state_path, (size_t)s->conf->state_max_mb << 20);
	if (r == -EFBIG)
		snprintf(ps->why, ps->whylen,
			 "state: %s would be longer than state_max_mb (%u MiB): raise it",
			 s->state_path, s->conf->state_max_mb);
	else if (r)
		snprintf(ps->why, ps->whylen, "state: %s: %s", s->state_path, strerror(-r));
	if (!r) {
		s->rows_sent += rows;
		s->batches++;
		s->files_shipped += ps->np;
		s->removals += ps->nrm;
		s->interval_files += ps->noff;
	}
out:
	drop_pending(ps);
	return r;
}

/* Whether path lies directly in directory dir. */
static bool in_dir(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	while (n > 1 && dir[n - 1] == '/')
		n--;
	return !strncmp(path, dir, n) && path[n] == '/' && !strchr(path + n + 1, '/');
}

static bool stat_id(const char *path, uint64_t *mtime, uint64_t *size)
{
	struct stat sb;

	if (lstat(path, &sb) < 0 || !S_ISREG(sb.st_mode))
		return false;
	*mtime = (uint64_t)sb.st_mtim.tv_sec * 1000000000ull + (uint64_t)sb.st_mtim.tv_nsec;
	*size = (uint64_t)sb.st_size;
	return true;
}

/* Report a file without a trusted index once (per identity). */
static void untrusted(struct ship_scan *s, const char *path, int lr, const char *why,
		      uint64_t mtime, uint64_t size)
{
	if (lr == -ENOENT && now_ns(CLOCK_REALTIME) - mtime < QUIET_NS)
		return; /* just closed: capdump stores its index after the rename */
	if (ship_state_find(s->warned, path, mtime, size))
		return;
	if (ship_state_add(s->warned, path, mtime, size))
		return;
	warn(s, "%s: not shipped: %s; shipped once capdump has indexed it (capdump --list does)",
	     path, lr == -ENOENT ? "no index" : why);
}

static int archive(struct pass *ps, unsigned int a)
{
	struct ship_scan *s = ps->s;
	const char *dir = s->conf->archives[a];
	struct ship_scan_saved *sv = &s->saved[a];
	struct ship_rows_id id = { .box = s->conf->box, .point = s->conf->point };
	struct ship_rows_chain chain = { 0 };
	struct filelist fl = { 0 };
	char err[PATH_MAX + 256], why[512];
	bool *ship = NULL, any = false;
	struct stat sb = { 0 };
	size_t k, k0 = 0, i;
	int r = 0;

	r = stat(dir, &sb) < 0 ? -errno : 0;
	if (r || !S_ISDIR(sb.st_mode)) {
		int e = r ? -r : ENOTDIR;

		/* once per cause, not at every pass */
		if (!ship_state_find(s->warned, dir, 0, (uint64_t)e) &&
		    !ship_state_add(s->warned, dir, 0, (uint64_t)e))
			warn(s, "%s: archive not read: %s", dir, strerror(e));
		return 0;
	}
	r = filelist_add(&fl, dir, err, sizeof(err));
	if (r == -ENOMEM)
		goto nomem;
	if (r && r != -ENOENT) {
		/* unreadable: no removals either */
		if (!ship_state_find(s->warned, dir, 1, (uint64_t)-r) &&
		    !ship_state_add(s->warned, dir, 1, (uint64_t)-r))
			warn(s, "%s", err);
		r = 0;
		goto out;
	}
	r = 0;
	for (i = 0; i < ship_state_nfiles(s->st); i++) {
		struct ship_state_file *f = ship_state_file(s->st, i);

		if (in_dir(f->path, dir))
			f->seen = false;
	}
	ship = calloc(fl.n ? fl.n : 1, sizeof(*ship));
	if (!ship)
		goto nomem;
	/* Pass 1: which files are new, and which of them can be shipped. */
	for (k = 0; k < fl.n; k++) {
		struct ship_state_file *f;
		struct capindex *ix = NULL;
		uint64_t mtime, size;
		int lr;

		if (!stat_id(fl.path[k], &mtime, &size))
			continue;
		s->files++;
		f = ship_state_find(s->st, fl.path[k], mtime, size);
		if (f) {
			f->seen = true;
			continue;
		}
		lr = capindex_load(fl.path[k], &ix, why, sizeof(why));
		capindex_free(ix);
		if (lr) {
			s->files_untrusted++;
			if (!s->dry)
				untrusted(s, fl.path[k], lr, why, mtime, size);
			continue;
		}
		ship[k] = any = true;
		s->files_new++;
	}
	/* Pass 2: every file in order, for what each continues from; or from
	 * where the last walk ended when every new file comes after it (new
	 * files are appended: an archive's names sort in time order). */
	if (any && !s->dry) {
		for (k = 0; k < fl.n && !ship[k]; k++)
			;
		if (sv->last && strcmp(fl.path[k], sv->last) > 0) {
			chain = sv->chain;
			memset(&sv->chain, 0, sizeof(sv->chain));
			while (k0 < fl.n && strcmp(fl.path[k0], sv->last) <= 0)
				k0++;
		}
		ship_rows_chain_free(&sv->chain);
		free(sv->last);
		sv->last = NULL;
	}
	for (k = k0; any && !s->dry && k < fl.n; k++) {
		struct capindex *ix = NULL;
		const struct capindex_hdr *h;

		if (capindex_load(fl.path[k], &ix, why, sizeof(why))) {
			ship_rows_forget(&chain);
			continue;
		}
		h = capindex_hdr(ix);
		/* a file shipped since pass 1 looked is not shipped twice */
		if (ship[k] && ship_state_find(s->st, fl.path[k], h->data_mtime_ns, h->data_size))
			ship[k] = false;
		id.shipped_ns = now_ns(CLOCK_REALTIME);
		r = ship_rows_file(&chain, &id, fl.path[k], ix, ship[k], &ps->b);
		if (!r && ship[k])
			r = push(&ps->p, &ps->np, &ps->capp, fl.path[k], h->data_mtime_ns,
				 h->data_size);
		capindex_free(ix);
		if (r)
			goto nomem;
		if (ship_batch_rows(&ps->b) >= s->conf->batch_rows) {
			r = commit(ps);
			if (r)
				goto out;
			if (*s->stop)
				goto out;
		}
	}
	if (any && !s->dry && fl.n) {
		sv->last = strdup(fl.path[fl.n - 1]);
		if (!sv->last)
			goto nomem;
		sv->chain = chain;
		memset(&chain, 0, sizeof(chain));
	}
	r = commit(ps);
	if (r || s->dry || *s->stop)
		goto out;
	/* Removals: shipped, and gone from the archive now. */
	for (i = 0; i < ship_state_nfiles(s->st); i++) {
		struct ship_state_file *f = ship_state_file(s->st, i);

		if (!in_dir(f->path, dir) || f->seen)
			continue;
		id.shipped_ns = now_ns(CLOCK_REALTIME);
		r = ship_rows_removal(&id, f->path, f->mtime_ns, f->size, id.shipped_ns, &ps->b);
		if (!r)
			r = push(&ps->rm, &ps->nrm, &ps->caprm, f->path, f->mtime_ns, f->size);
		if (r)
			goto nomem;
		if (ship_batch_rows(&ps->b) >= s->conf->batch_rows) {
			/* commit() changes the state's array: start again */
			r = commit(ps);
			if (r || *s->stop)
				goto out;
			i = (size_t)-1;
		}
	}
	r = commit(ps);
	goto out;
nomem:
	r = -ENOMEM;
	snprintf(ps->why, ps->whylen, "out of memory");
out:
	free(ship);
	filelist_free(&fl);
	ship_rows_chain_free(&chain);
	return r;
}

/* Report a problem with capstat file or directory path once per cause. */
static void warn_once(struct ship_scan *s, const char *path, int e, const char *line)
{
	if (ship_state_find(s->warned, path, 2, (uint64_t)e) ||
	    ship_state_add(s->warned, path, 2, (uint64_t)e))
		return;
	warn(s, "%s", line);
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The capstat --json files of dir: regular, not hidden, named *.json. */
static int json_files(const char *dir, struct filelist *fl, int *err)
{
	struct dirent *de;
	DIR *d = opendir(dir);
	int r = 0;

	if (!d) {
		*err = errno;
		return -errno;
	}
	while ((de = readdir(d))) {
		size_t n = strlen(de->d_name);
		char path[PATH_MAX];
		struct stat sb;

		if (de->d_name[0] == '.' || n < 6 || strcmp(de->d_name + n - 5, ".json"))
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) >= (int)sizeof(path))
			continue;
		if (lstat(path, &sb) < 0 || !S_ISREG(sb.st_mode))
			continue;
		r = filelist_append(fl, path);
		if (r)
			break;
	}
	closedir(d);
	if (!r && fl->n)
		qsort(fl->path, fl->n, sizeof(*fl->path), name_cmp);
	return r;
}

static bool keep_offset(const char *path, void *arg)
{
	const struct filelist *fl = ((void **)arg)[0];
	const char *dir = ((void **)arg)[1];
	size_t k;

	if (!in_dir(path, dir))
		return true;
	for (k = 0; k < fl->n; k++)
		if (!strcmp(fl->path[k], path))
			return true;
	return false;
}

static int intervals(struct pass *ps, const char *dir)
{
	struct ship_scan *s = ps->s;
	struct ship_rows_id id = { .box = s->conf->box, .point = s->conf->point };
	char line[PATH_MAX + 512], why[PATH_MAX + 256];
	struct filelist fl = { 0 };
	void *keep[2] = { &fl, (void *)(uintptr_t)dir };
	int r, e = 0;
	size_t k;

	r = json_files(dir, &fl, &e);
	if (r == -ENOMEM)
		goto nomem;
	if (r) {
		snprintf(line, sizeof(line), "%s: capstat_dir not read: %s", dir, strerror(e));
		warn_once(s, dir, e, line);
		r = 0;
		goto out;
	}
	for (k = 0; k < fl.n && !*s->stop; k++) {
		uint64_t from = ship_state_offset(s->st, fl.path[k]), upto, bad;

		if (s->dry)
			continue;
		for (;;) {
			id.shipped_ns = now_ns(CLOCK_REALTIME);
			r = ship_intervals_file(fl.path[k], from, &id, &ps->b, s->conf->batch_rows,
						&upto, &bad, why, sizeof(why));
			if (r == -ESTALE && from) {
				snprintf(line, sizeof(line), "%s; read again from its start", why);
				warn_once(s, fl.path[k], ESTALE, line);
				from = 0;
				continue;
			}
			if (r == -ENOMEM)
				goto nomem;
			if (r) {
				warn_once(s, fl.path[k], -r, why);
				r = 0;
				break;
			}
			if (bad) {
				snprintf(line, sizeof(line),
					 "%s: %llu line(s) not capstat --json objects, passed over",
					 fl.path[k], (unsigned long long)bad);
				warn(s, "%s", line);
			}
			if (upto == from)
				break;
			r = push(&ps->off, &ps->noff, &ps->capoff, fl.path[k], upto, 0);
			if (r)
				goto nomem;
			from = upto;
			if (ship_batch_rows(&ps->b) < s->conf->batch_rows)
				break;
			r = commit(ps);
			if (r || *s->stop)
				goto out;
		}
	}
	r = commit(ps);
	if (!r && !s->dry && !*s->stop)
		ship_state_prune_offsets(s->st, keep_offset, keep);
	goto out;
nomem:
	r = -ENOMEM;
	snprintf(ps->why, ps->whylen, "out of memory");
out:
	filelist_free(&fl);
	return r;
}

int ship_scan_run(struct ship_scan *s, char *why, size_t whylen)
{
	struct pass ps = { .s = s, .why = why, .whylen = whylen };
	static const volatile sig_atomic_t never;
	unsigned int a;
	int r = 0;

	why[0] = '\0';
	if (!s->stop)
		s->stop = &never;
	if (!s->warned && !(s->warned = ship_state_new())) {
		snprintf(why, whylen, "out of memory");
		return -ENOMEM;
	}
	s->files = s->files_shipped = s->files_new = s->files_untrusted = 0;
	s->rows_sent = s->batches = s->removals = s->interval_files = 0;
	s->rows_pending = 0;
	for (a = 0; a < s->conf->narchives && !r && !*s->stop; a++)
		r = archive(&ps, a);
	if (!r && !*s->stop && s->conf->capstat_dir[0])
		r = intervals(&ps, s->conf->capstat_dir);
	drop_pending(&ps);
	free(ps.p);
	free(ps.rm);
	free(ps.off);
	return r;
}

void ship_scan_free(struct ship_scan *s)
{
	unsigned int a;

	for (a = 0; a < SHIP_CONF_ARCHIVES_MAX; a++) {
		ship_rows_chain_free(&s->saved[a].chain);
		free(s->saved[a].last);
		s->saved[a].last = NULL;
	}
	ship_state_free(s->warned);
	s->warned = NULL;
}
