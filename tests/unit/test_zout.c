// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_zout: round trips at several levels, one frame per file, flush
 * cadence by bytes and by time (the live file decodes up to each flush),
 * temporary names, fds, standard output through a pipe, and the salvage
 * after a write error (RLIMIT_FSIZE, unprivileged; "test_zout tmpfs": a
 * full tmpfs, as root).  The threaded mode: the same content as without
 * the thread, batches and their flushes, safe points that are on file
 * while the thread writes on, errors, abort, and the fallback when the
 * thread cannot be created; the round trips, pipes and salvages again.
 * sync_flush: flushes as without it, on a file and on a pipe (not synced).
 * Workers: one frame still, the raised byte cadence, the file readable up
 * to each flush while they compress on and after a SIGKILL, plain output
 * in writes ending at ZOUT_ALIGN; the round trips and salvages again.
 * Targets that are not regular files (a FIFO, a character device made for
 * the test as root, a symlink, a socket): never replaced; written into in
 * place when asked, a symlink only in a directory no one else can write.
 */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zstd.h>

#include "test.h"
#include "zout.h"

#define DATA_LEN (20u << 20) /* past two flushes of 2 workers (zout.h) */

static uint8_t *data; /* what every test writes, a prefix of it */
static uint8_t *dec;  /* decompression target */
static char dir[256];
static uint64_t rng = 88172645463325252ULL;
static int have_zstd_cli = 1;
static int threaded;	     /* open_ok() opens threaded whatever the options */
static unsigned int workers; /* ... and with these workers, unless the options have some */

static uint64_t xorshift(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/*
 * Half random, half repetitive: compresses about 2:1, like captures.  The
 * first 280 KiB are zeros so that frames hold RLE blocks as well.
 */
static void make_data(void)
{
	size_t i, j;

	data = calloc(1, DATA_LEN);
	dec = malloc(DATA_LEN + (1u << 20));
	T_ASSERT(data && dec);
	for (i = 280u << 10; i < DATA_LEN; i += 256) {
		if (xorshift() & 1)
			for (j = 0; j < 256; j++)
				data[i + j] = (uint8_t)xorshift();
		else
			for (j = 0; j < 256; j++)
				data[i + j] = (uint8_t)("multicast feed "[j % 15] + (i >> 8) % 3);
	}
}

/* A record length as capdump would write: a block header plus a packet. */
static size_t rec_len(void)
{
	return 28 + xorshift() % 1500;
}

static int count_dir(const char *path)
{
	DIR *d = opendir(path);
	int n = 0;

	T_ASSERT(d);
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

static int count_fds(void)
{
	return count_dir("/proc/self/fd");
}

static int count_threads(void)
{
	return count_dir("/proc/self/task");
}

static void *no_op(void *arg)
{
	return arg;
}

/* TSan starts a thread of its own at the first pthread_create(): now, so
 * that counting threads later counts zout's. */
static void first_thread(void)
{
	pthread_t t;

	T_ASSERT(!pthread_create(&t, NULL, no_op, NULL));
	T_ASSERT(!pthread_join(t, NULL));
}

static void pathf(char *buf, const char *name)
{
	snprintf(buf, PATH_MAX, "%s/%s", dir, name);
}

static int exists(const char *path)
{
	struct stat st;

	return !lstat(path, &st);
}

static uint8_t *read_file(const char *path, size_t *len)
{
	struct stat st;
	uint8_t *p;
	ssize_t r;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		T_FAIL("open %s: %s", path, strerror(errno));
	T_ASSERT(!fstat(fd, &st));
	p = malloc((size_t)st.st_size + 1);
	T_ASSERT(p);
	r = read(fd, p, (size_t)st.st_size);
	T_EQ(r, st.st_size);
	close(fd);
	*len = (size_t)st.st_size;
	return p;
}

/* Decode what a reader would from src; *complete if the frame ended. */
static size_t decode(const uint8_t *src, size_t n, int *complete)
{
	ZSTD_DCtx *d = ZSTD_createDCtx();
	ZSTD_inBuffer in = { src, n, 0 };
	ZSTD_outBuffer out = { dec, DATA_LEN + (1u << 20), 0 };
	size_t r = 1;

	T_ASSERT(d);
	while (in.pos < in.size) {
		r = ZSTD_decompressStream(d, &out, &in);
		if (ZSTD_isError(r))
			T_FAIL("zstd: %s", ZSTD_getErrorName(r));
		if (!r)
			break;
		T_ASSERT(out.pos < out.size);
	}
	T_EQ(in.pos, in.size); /* no second frame */
	ZSTD_freeDCtx(d);
	*complete = !r;
	return out.pos;
}

static void zstd_cli_test(const char *path)
{
	char cmd[PATH_MAX + 32];
	int st;

	if (!have_zstd_cli)
		return;
	snprintf(cmd, sizeof(cmd), "zstd -q -t '%s'", path);
	st = system(cmd);
	T_ASSERT(st != -1 && WIFEXITED(st));
	if (WEXITSTATUS(st) == 127) {
		fprintf(stderr, "note: no zstd CLI, checking with libzstd only\n");
		have_zstd_cli = 0;
		return;
	}
	if (WEXITSTATUS(st))
		T_FAIL("zstd -t %s: exit %d", path, WEXITSTATUS(st));
}

/* A closed (or salvaged) file holds exactly data[0, len) in one frame. */
static void check_file(const char *path, int level, size_t len)
{
	size_t n, got;
	uint8_t *p;
	int complete;

	p = read_file(path, &n);
	if (!level) {
		T_EQ(n, len);
		T_ASSERT(!memcmp(p, data, len));
		free(p);
		return;
	}
	T_ASSERT(n >= 9);
	T_EQ(ZSTD_findFrameCompressedSize(p, n), n);
	T_EQ(ZSTD_getFrameContentSize(p, n), ZSTD_CONTENTSIZE_UNKNOWN);
	T_EQ(p[4] & 0x04, 0); /* Content_Checksum_flag */
	got = decode(p, n, &complete);
	T_ASSERT(complete);
	T_EQ(got, len);
	T_ASSERT(!memcmp(dec, data, len));
	free(p);
	zstd_cli_test(path);
}

/* The file being written decodes to exactly data[0, safe). */
static void check_live(const struct zout *z, int level)
{
	uint64_t safe = zout_bytes_safe(z);
	size_t n, got;
	uint8_t *p;
	int complete;

	p = read_file(zout_tmp_path(z), &n);
	T_EQ(n, zout_bytes_out(z));
	if (!level) {
		T_EQ(n, safe);
		T_ASSERT(!memcmp(p, data, n));
	} else if (safe) {
		got = decode(p, n, &complete);
		T_ASSERT(!complete);
		T_EQ(got, safe);
		T_ASSERT(!memcmp(dec, data, got));
	}
	free(p);
}

static const char *zname(int level)
{
	return level ? "f.pcapng.zst" : "f.pcapng";
}

static struct zout *open_ok(const struct zout_opts *o)
{
	struct zout_opts t = *o;
	struct zout *z;
	int err;

	t.threaded |= threaded;
	if (!t.workers)
		t.workers = workers;
	err = zout_open(&t, &z);
	if (err)
		T_FAIL("zout_open %s: %s", o->path, strerror(-err));
	return z;
}

/* Records, one write larger than the output buffer, more records. */
static void test_roundtrip(int level)
{
	char path[PATH_MAX];
	struct zout_opts o = { .path = path, .level = level, .flush_bytes = 200 << 10 };
	size_t off = 0, n, total = 3u << 20;
	struct zout *z;

	pathf(path, zname(level));
	z = open_ok(&o);
	T_EQ(zout_write(z, data, 0), 0);
	while (off < total) {
		n = off == (1u << 20) ? 700u << 10 : rec_len();
		if (off < (1u << 20) && off + n > (1u << 20))
			n = (1u << 20) - off;
		if (n > total - off)
			n = total - off;
		T_EQ(zout_write(z, data + off, n), 0);
		off += n;
	}
	T_EQ(zout_bytes_in(z), total);
	T_ASSERT(!exists(path));
	T_ASSERT(exists(zout_tmp_path(z)));
	T_EQ(zout_close(z), 0);
	check_file(path, level, total);
	T_ASSERT(!unlink(path));

	/* An empty file: a valid empty frame, or nothing. */
	z = open_ok(&o);
	T_EQ(zout_flush(z), 0);
	T_EQ(zout_close(z), 0);
	check_file(path, level, 0);
	T_ASSERT(!unlink(path));
}

static void test_cadence_bytes(int level)
{
	char path[PATH_MAX];
	struct zout_opts o = { .path = path,
			       .level = level,
			       .flush_bytes = 64 << 10,
			       .flush_ns = 3600ULL * 1000000000ULL };
	uint64_t safe = 0, flushes = 0;
	size_t off = 0, n;
	struct zout *z;

	pathf(path, zname(level));
	z = open_ok(&o);
	while (off < (2u << 20)) {
		n = rec_len();
		T_EQ(zout_write(z, data + off, n), 0);
		off += n;
		T_ASSERT(zout_bytes_in(z) - zout_bytes_safe(z) < o.flush_bytes);
		if (zout_bytes_safe(z) == safe)
			continue;
		/* Flushed at this record boundary, everything before it readable. */
		safe = zout_bytes_safe(z);
		T_EQ(safe, off);
		check_live(z, level);
		flushes++;
	}
	T_ASSERT(flushes >= (2u << 20) / o.flush_bytes - 1);
	T_ASSERT(flushes <= (2u << 20) / o.flush_bytes);
	T_EQ(zout_close(z), 0);
	check_file(path, level, off);
	T_ASSERT(!unlink(path));
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts))
		;
}

/*
 * With 300 bytes safe and a 150 ms time cadence: idle, zout_tick() flushes
 * once due, and only if there is news; the mark of the last write is then
 * safe.  Closes z; the file holds data[0, 350).
 */
static void check_idle_cadence(struct zout *z, const char *path, int level)
{
	uint64_t out;

	zout_mark(z, 7);
	T_EQ(zout_write(z, data + 300, 50), 0);
	T_EQ(zout_tick(z), 0);
	T_EQ(zout_bytes_safe(z), 300);
	sleep_ms(200);
	T_EQ(zout_tick(z), 0);
	T_EQ(zout_bytes_safe(z), 350);
	T_EQ(zout_mark_safe(z), 7);
	check_live(z, level);
	out = zout_bytes_out(z);
	sleep_ms(200);
	T_EQ(zout_tick(z), 0);
	T_EQ(zout_bytes_out(z), out);

	T_EQ(zout_close(z), 0);
	check_file(path, level, 350);
	T_ASSERT(!unlink(path));
}

static void test_cadence_time(int level)
{
	char path[PATH_MAX];
	struct zout_opts o = { .path = path,
			       .level = level,
			       .flush_bytes = 1ULL << 30,
			       .flush_ns = 150 * 1000000ULL };
	struct zout *z;

	pathf(path, zname(level));
	z = open_ok(&o);
	T_EQ(zout_write(z, data, 100), 0);
	T_EQ(zout_bytes_safe(z), 0);
	T_EQ(zout_bytes_out(z), 0);
	sleep_ms(200);
	T_EQ(zout_write(z, data + 100, 200), 0);
	T_EQ(zout_bytes_safe(z), 300);
	check_live(z, level);

	check_idle_cadence(z, path, level);
}

static void test_names(void)
{
	char path[PATH_MAX], tmp[PATH_MAX], sub[PATH_MAX];
	struct zout_opts o = { .path = path, .level = 1, .mode = 0640 };
	struct zout *z;
	struct stat st;
	int fd;

	pathf(path, "n.zst");
	pathf(tmp, ".n.zst.part");
	z = open_ok(&o);
	T_ASSERT(!strcmp(zout_path(z), path));
	T_ASSERT(!strcmp(zout_tmp_path(z), tmp));
	T_ASSERT(!stat(tmp, &st));
	T_EQ(st.st_mode & 07777, 0640 & ~022);
	T_ASSERT(!exists(path));
	T_EQ(zout_write(z, data, 1000), 0);
	zout_abort(z);
	T_ASSERT(!exists(tmp));
	T_ASSERT(!exists(path));

	/* Refuse to overwrite unless told. */
	z = open_ok(&o);
	T_EQ(zout_write(z, data, 1000), 0);
	T_EQ(zout_close(z), 0);
	T_ASSERT(!exists(tmp));
	check_file(path, 1, 1000);
	T_EQ(zout_open(&o, &z), -EEXIST);
	T_ASSERT(!exists(tmp));
	o.overwrite = 1;
	z = open_ok(&o);
	T_EQ(zout_write(z, data, 2000), 0);
	T_EQ(zout_close(z), 0);
	check_file(path, 1, 2000);

	/* The final name appearing meanwhile: kept, data stay in the temp. */
	o.overwrite = 0;
	T_ASSERT(!unlink(path));
	z = open_ok(&o);
	T_EQ(zout_write(z, data, 3000), 0);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	T_ASSERT(fd >= 0);
	close(fd);
	T_EQ(zout_close(z), -EEXIST);
	check_file(tmp, 1, 3000);
	T_ASSERT(!stat(path, &st) && st.st_size == 0);
	T_ASSERT(!unlink(path));

	/* A leftover temporary file (a crashed writer's) is neither used nor removed. */
	T_EQ(zout_open(&o, &z), -EEXIST);
	T_ASSERT(exists(tmp));
	T_ASSERT(!unlink(tmp));

	/* A relative name lives in the working directory; fsync does no harm. */
	T_ASSERT(!chdir(dir));
	o.path = "rel.zst";
	o.fsync = 1;
	z = open_ok(&o);
	T_ASSERT(!strcmp(zout_tmp_path(z), ".rel.zst.part"));
	T_EQ(zout_write(z, data, 5000), 0);
	T_EQ(zout_close(z), 0);
	check_file("rel.zst", 1, 5000);
	T_ASSERT(!unlink("rel.zst"));
	T_ASSERT(!chdir("/"));

	pathf(sub, "nodir/x.zst");
	o.path = sub;
	T_EQ(zout_open(&o, &z), -ENOENT);
	pathf(sub, "x/");
	T_EQ(zout_open(&o, &z), -EINVAL);
	o.path = "";
	T_EQ(zout_open(&o, &z), -EINVAL);
	o.path = path;
	o.level = ZSTD_maxCLevel() + 1;
	T_EQ(zout_open(&o, &z), -EINVAL);
	T_ASSERT(z == NULL);
}

/* Run fn in a child with standard output on the write end of a pipe. */
static pid_t child_on_pipe(int *rfd, void (*fn)(int), int arg)
{
	int p[2];
	pid_t pid;

	T_ASSERT(!pipe(p));
	pid = fork();
	T_ASSERT(pid >= 0);
	if (!pid) {
		close(p[0]);
		T_ASSERT(dup2(p[1], STDOUT_FILENO) == STDOUT_FILENO);
		close(p[1]);
		fn(arg);
		exit(T_EXIT_PASS);
	}
	close(p[1]);
	*rfd = p[0];
	return pid;
}

static void wait_ok(pid_t pid)
{
	int st;

	T_ASSERT(waitpid(pid, &st, 0) == pid);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != T_EXIT_PASS)
		T_FAIL("child: status %#x", st);
}

static void stdout_writer(int level)
{
	struct zout_opts o = { .path = "-", .level = level, .flush_bytes = 100 << 10 };
	size_t off = 0, n;
	struct zout *z;

	/* The pipe fills up: exercises the wait for POLLOUT. */
	T_ASSERT(!fcntl(STDOUT_FILENO, F_SETFL, O_NONBLOCK));
	z = open_ok(&o);
	T_ASSERT(!strcmp(zout_tmp_path(z), "-"));
	while (off < (3u << 20)) {
		n = rec_len();
		T_EQ(zout_write(z, data + off, n), 0);
		off += n;
	}
	T_EQ(zout_close(z), 0);
	T_EQ(fcntl(STDOUT_FILENO, F_GETFD), 0); /* not ours to close */
}

static void test_stdout(int level)
{
	size_t len = 0, cap = DATA_LEN, got;
	uint8_t *buf = malloc(cap);
	int fd, complete;
	ssize_t r;
	pid_t pid;

	T_ASSERT(buf);
	pid = child_on_pipe(&fd, stdout_writer, level);
	while ((r = read(fd, buf + len, cap - len)) > 0) {
		len += (size_t)r;
		T_ASSERT(len < cap);
	}
	T_EQ(r, 0);
	close(fd);
	wait_ok(pid);
	T_ASSERT(len > 0);
	if (!level) {
		T_ASSERT(len >= 3u << 20);
		T_ASSERT(!memcmp(buf, data, len));
	} else {
		T_EQ(ZSTD_findFrameCompressedSize(buf, len), len);
		got = decode(buf, len, &complete);
		T_ASSERT(complete);
		T_ASSERT(got >= 3u << 20);
		T_ASSERT(!memcmp(dec, data, got));
	}
	free(buf);
}

static void epipe_writer(int level)
{
	struct zout_opts o = { .path = "-", .level = level };
	size_t off = 0;
	struct zout *z;
	int err = 0;

	signal(SIGPIPE, SIG_IGN);
	z = open_ok(&o);
	while (!err && off + 4096 <= DATA_LEN) {
		err = zout_write(z, data + off, 4096);
		off += 4096;
	}
	T_EQ(err, -EPIPE);
	T_EQ(zout_error(z), -EPIPE);
	T_EQ(zout_write(z, data, 10), -EPIPE);
	T_EQ(zout_flush(z), -EPIPE);
	T_EQ(zout_tick(z), -EPIPE);
	T_EQ(zout_close(z), -EPIPE);
}

static void test_epipe(int level)
{
	pid_t pid;
	int fd;

	pid = child_on_pipe(&fd, epipe_writer, level);
	close(fd);
	wait_ok(pid);
}

/* The first out bytes of a file being written decode to exactly data[0, in). */
/* A pipe cannot be synced (fdatasync(2): EINVAL): written as without sync_flush. */
static void sync_writer(int level)
{
	struct zout_opts o = {
		.path = "-", .level = level, .flush_bytes = 100 << 10, .sync_flush = 1
	};
	size_t off = 0, n;
	struct zout *z;

	z = open_ok(&o);
	while (off < (1u << 20)) {
		n = rec_len();
		T_EQ(zout_write(z, data + off, n), 0);
		off += n;
	}
	T_EQ(zout_flush(z), 0);
	T_EQ(zout_bytes_safe(z), off);
	T_EQ(zout_close(z), 0);
}

/* sync_flush: every flush synced before it counts; the same file. */
static void test_sync_flush(int level)
{
	char path[PATH_MAX];
	struct zout_opts o = { .path = path,
			       .level = level,
			       .flush_bytes = 64 << 10,
			       .sync_flush = 1,
			       .threaded = 1 };
	size_t off = 0, n, len = 0, got;
	uint8_t *buf = malloc(DATA_LEN);
	int fd, complete;
	struct zout *z;
	ssize_t r;
	pid_t pid;

	T_ASSERT(buf);
	pathf(path, zname(level));
	z = open_ok(&o);
	while (off < (1u << 20)) {
		n = rec_len();
		T_EQ(zout_write(z, data + off, n), 0);
		off += n;
	}
	T_EQ(zout_wait(z), 0);
	T_ASSERT(zout_bytes_safe(z) > 0);
	check_live(z, level);
	T_EQ(zout_flush(z), 0);
	T_EQ(zout_bytes_safe(z), off);
	check_live(z, level);
	T_EQ(zout_close(z), 0);
	check_file(path, level, off);
	T_ASSERT(!unlink(path));

	pid = child_on_pipe(&fd, sync_writer, level);
	while ((r = read(fd, buf + len, DATA_LEN - len)) > 0)
		len += (size_t)r;
	T_EQ(r, 0);
	close(fd);
	wait_ok(pid);
	got = level ? decode(buf, len, &complete) : len;
	T_ASSERT(got >= 1u << 20 && !memcmp(level ? dec : buf, data, got));
	free(buf);
}

static void check_prefix(const char *path, int level, uint64_t out, uint64_t in)
{
	uint8_t *p = malloc(out + 1);
	size_t got;
	int fd, complete;

	T_ASSERT(p);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	T_ASSERT(fd >= 0);
	T_EQ(pread(fd, p, out, 0), out);
	close(fd);
	if (!level) {
		T_EQ(out, in);
		T_ASSERT(!memcmp(p, data, out));
	} else {
		got = decode(p, out, &complete);
		T_ASSERT(!complete);
		T_EQ(got, in);
		T_ASSERT(!memcmp(dec, data, got));
	}
	free(p);
}

static uint64_t file_size(const char *path)
{
	struct stat st;

	T_ASSERT(!stat(path, &st));
	return (uint64_t)st.st_size;
}

/* Threaded or not, the same writes make files of the same content. */
static void test_threaded_same(int level)
{
	char pa[PATH_MAX], pb[PATH_MAX];
	struct zout_opts oa = { .path = pa, .level = level, .flush_bytes = 100 << 10 };
	struct zout_opts ob = oa;
	size_t off = 0, n, la, lb, total = 5u << 20;
	int tasks = count_threads();
	struct zout *a, *b;
	unsigned int i;
	uint8_t *fa, *fb;

	pathf(pa, level ? "a.zst" : "a");
	pathf(pb, level ? "b.zst" : "b");
	ob.path = pb;
	ob.threaded = 1;
	a = open_ok(&oa);
	b = open_ok(&ob);
	T_EQ(count_threads(), tasks + 1);
	T_EQ(zout_write(a, data, 0), 0);
	T_EQ(zout_write(b, data, 0), 0);
	for (i = 0; off < total; i++) {
		/* Records; one larger than a batch; one too large for the rest of one. */
		n = i == 300 ? ZOUT_STAGE_BYTES + 1000 : i == 900 ? 300u << 10 : rec_len();
		if (n > total - off)
			n = total - off;
		T_EQ(zout_write(a, data + off, n), 0);
		T_EQ(zout_write(b, data + off, n), 0);
		off += n;
		T_EQ(zout_bytes_in(b), off);
		if (i % 1000 == 999) {
			T_EQ(zout_flush(a), 0);
			T_EQ(zout_flush(b), 0);
			T_EQ(zout_bytes_safe(b), off);
			check_live(b, level);
		}
		if (i % 700 == 0) {
			T_EQ(zout_tick(a), 0);
			T_EQ(zout_tick(b), 0);
		}
	}
	T_EQ(zout_close(a), 0);
	T_EQ(zout_close(b), 0);
	T_EQ(count_threads(), tasks);
	check_file(pa, level, total);
	check_file(pb, level, total);
	if (!level) {
		fa = read_file(pa, &la);
		fb = read_file(pb, &lb);
		T_EQ(la, lb);
		T_ASSERT(!memcmp(fa, fb, la));
		free(fa);
		free(fb);
	}
	T_ASSERT(!unlink(pa));
	T_ASSERT(!unlink(pb));
}

/*
 * Threaded: the safe point's bytes and mark agree, what it describes is on
 * file while the thread writes on, and flushes fall at the ends of batches
 * (with the byte cadence checked once a batch).
 */
#define SAFE_TOTAL (6u << 20)
static uint64_t ends[DATA_LEN / 28 + 2]; /* bytes in after record k */

static void test_threaded_safe(int level, uint64_t flush_bytes)
{
	char path[PATH_MAX], tmp[PATH_MAX];
	struct zout_opts o = { .path = path,
			       .level = level,
			       .flush_bytes = flush_bytes,
			       .flush_ns = 3600ULL * 1000000000ULL,
			       .threaded = 1 };
	uint64_t safe = 0, flushes = 0, lo = flush_bytes, d;
	size_t off = 0, n, k = 0;
	struct zout *z;

	if (lo <= ZOUT_STAGE_FILL)
		lo = ZOUT_STAGE_FILL + 1;
	pathf(path, zname(level));
	z = open_ok(&o);
	snprintf(tmp, sizeof(tmp), "%s", zout_tmp_path(z));
	while (off + 1528 <= SAFE_TOTAL) {
		n = rec_len();
		zout_mark(z, k + 1);
		T_EQ(zout_write(z, data + off, n), 0);
		off += n;
		ends[++k] = off;
		T_EQ(zout_bytes_in(z), off);
		T_ASSERT(zout_mark_safe(z) <= k);
		T_EQ(ends[zout_mark_safe(z)], zout_bytes_safe(z));
		T_ASSERT(zout_bytes_safe_out(z) <= zout_bytes_out(z));
		T_ASSERT(off - zout_bytes_safe(z) < flush_bytes + 2 * ZOUT_STAGE_BYTES);
		if (k % 2500 == 0) {
			T_EQ(zout_flush(z), 0);
			T_EQ(zout_bytes_safe(z), off);
			T_EQ(zout_mark_safe(z), k);
			T_EQ(zout_bytes_safe_out(z), zout_bytes_out(z));
			check_live(z, level);
			safe = off;
			continue;
		}
		if (k % 1500 == 0) {
			/* The thread idle: the counters are the file's. */
			T_EQ(zout_wait(z), 0);
			T_EQ(file_size(tmp), zout_bytes_out(z));
			T_EQ(ends[zout_mark_safe(z)], zout_bytes_safe(z));
			safe = zout_bytes_safe(z);
			continue;
		}
		if (zout_bytes_safe(z) == safe)
			continue;
		d = zout_bytes_safe(z) - safe;
		if (d < lo || d > lo + ZOUT_STAGE_BYTES)
			T_FAIL("flushed after %llu bytes, want %llu to %llu", (unsigned long long)d,
			       (unsigned long long)lo, (unsigned long long)(lo + ZOUT_STAGE_BYTES));
		safe = zout_bytes_safe(z);
		check_prefix(tmp, level, zout_bytes_safe_out(z), safe);
		flushes++;
	}
	T_ASSERT(flushes >= SAFE_TOTAL / (lo + ZOUT_STAGE_BYTES) - 3);
	T_EQ(zout_close(z), 0);
	check_file(path, level, off);
	T_ASSERT(!unlink(path));
}

static void test_threaded_time(int level)
{
	char path[PATH_MAX];
	struct zout_opts o = { .path = path,
			       .level = level,
			       .flush_bytes = 1ULL << 30,
			       .flush_ns = 150 * 1000000ULL,
			       .threaded = 1 };
	struct zout *z;

	pathf(path, zname(level));
	z = open_ok(&o);
	T_EQ(zout_write(z, data, 100), 0);
	sleep_ms(200);
	T_EQ(zout_write(z, data + 100, 200), 0);
	/* Staged: the cadence is checked when a batch is written. */
	T_EQ(zout_bytes_safe(z), 0);
	T_EQ(zout_bytes_out(z), 0);
	T_EQ(zout_tick(z), 0);
	T_EQ(zout_bytes_safe(z), 300);
	T_EQ(zout_mark_safe(z), 0);
	check_live(z, level);
	check_idle_cadence(z, path, level);
}

/* Aborted with the thread busy: no file, no thread, no fd left. */
static void test_threaded_abort(void)
{
	char path[PATH_MAX], tmp[PATH_MAX];
	struct zout_opts o = { .path = path, .level = 1, .threaded = 1 };
	int tasks = count_threads(), fds = count_fds();
	size_t off = 0, n;
	struct zout *z;

	pathf(path, "abort.zst");
	z = open_ok(&o);
	snprintf(tmp, sizeof(tmp), "%s", zout_tmp_path(z));
	while (off < (2u << 20)) {
		n = rec_len();
		T_EQ(zout_write(z, data + off, n), 0);
		off += n;
	}
	zout_abort(z);
	T_ASSERT(!exists(tmp));
	T_ASSERT(!exists(path));
	T_EQ(count_threads(), tasks);
	T_EQ(count_fds(), fds);
}

/*
 * pthread_create() failing (no address space for a thread's stack): the
 * same contract, each batch written by the caller.  In a child: the
 * default thread attributes are the process's.
 */
static void test_threaded_fallback(void)
{
	struct zout_opts o = { .path = "-", .threaded = 1 };
	pthread_attr_t a;
	struct zout *z;
	int st, tasks;
	pid_t pid;

	pid = fork();
	T_ASSERT(pid >= 0);
	if (!pid) {
		T_ASSERT(!pthread_attr_init(&a));
		T_ASSERT(!pthread_attr_setstacksize(&a, (size_t)120 << 40));
		T_ASSERT(!pthread_setattr_default_np(&a));
		tasks = count_threads();
		T_ASSERT(!zout_open(&o, &z));
		if (count_threads() != tasks)
			T_SKIP("pthread_create() did not fail");
		zout_abort(z);
		test_threaded_safe(1, 64 << 10);
		test_threaded_safe(0, 1 << 20);
		test_threaded_time(1);
		T_EQ(count_threads(), tasks);
		exit(T_EXIT_PASS);
	}
	T_ASSERT(waitpid(pid, &st, 0) == pid);
	T_ASSERT(WIFEXITED(st));
	if (WEXITSTATUS(st) == T_EXIT_SKIP)
		fprintf(stderr, "note: the fallback without a thread is not tested\n");
	else if (WEXITSTATUS(st))
		T_FAIL("fallback: exit %d", WEXITSTATUS(st));
}

enum limit_at {
	LIMIT_MIDWAY, /* the file size limit falls inside some write */
	LIMIT_FLUSH,  /* ... exactly at the end of a flush: no room left at all */
	LIMIT_EARLY,  /* ... before any flush completed */
};

/* Write until the disk is "full"; return what the last flush covered. */
static uint64_t write_until_error(struct zout *z, size_t off, int want_err, uint64_t max)
{
	size_t n;
	uint64_t safe;
	int err = 0;

	while (!err) {
		n = rec_len();
		if (off + n > max)
			T_FAIL("no error after %zu bytes", off);
		err = zout_write(z, data + off, n);
		off += n;
	}
	if (err != want_err)
		T_FAIL("write: %s, want %s", strerror(-err), strerror(-want_err));
	safe = zout_bytes_safe(z);
	T_EQ(zout_write(z, data, 10), want_err);
	T_EQ(zout_flush(z), want_err);
	T_EQ(zout_bytes_safe(z), safe);
	T_EQ(zout_close(z), want_err);
	return safe;
}

static void set_fsize(uint64_t limit)
{
	struct rlimit rl = { limit, limit };

	T_ASSERT(!setrlimit(RLIMIT_FSIZE, &rl));
}

static void test_salvage_fsize(int level, enum limit_at at)
{
	struct zout_opts o = { .level = level, .flush_bytes = 32 << 10 };
	char path[PATH_MAX];
	uint64_t safe, limit = 0;
	struct zout *z;
	struct stat st;
	int p[2], status;
	ssize_t r;
	pid_t pid;

	pathf(path, zname(level));
	o.path = path;
	T_ASSERT(!pipe(p));
	pid = fork();
	T_ASSERT(pid >= 0);
	if (!pid) {
		/* write(2) past the limit then fails with EFBIG instead of killing us. */
		signal(SIGXFSZ, SIG_IGN);
		if (at == LIMIT_EARLY)
			o.flush_bytes = 1ULL << 30;
		z = open_ok(&o);
		if (at == LIMIT_FLUSH) {
			T_EQ(zout_write(z, data, 300 << 10), 0);
			T_EQ(zout_flush(z), 0);
			limit = zout_bytes_out(z);
		}
		set_fsize(at == LIMIT_MIDWAY ? 700 << 10 : at == LIMIT_EARLY ? 1000 : limit);
		safe = write_until_error(z, at == LIMIT_FLUSH ? 300 << 10 : 0, -EFBIG, DATA_LEN);
		T_EQ(write(p[1], &safe, sizeof(safe)), sizeof(safe));
		T_EQ(write(p[1], &limit, sizeof(limit)), sizeof(limit));
		exit(T_EXIT_PASS);
	}
	close(p[1]);
	r = read(p[0], &safe, sizeof(safe));
	T_EQ(read(p[0], &limit, sizeof(limit)), sizeof(limit));
	close(p[0]);
	T_ASSERT(waitpid(pid, &status, 0) == pid);
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		T_FAIL("level %d limit %d: child status %#x", level, at, status);
	T_EQ(r, sizeof(safe));

	check_file(path, level, safe);
	if (at == LIMIT_EARLY)
		T_EQ(safe, 0);
	else
		T_ASSERT(safe > 0);
	/* No room for the empty last block: the last flushed block became the last one. */
	if (at == LIMIT_FLUSH && level) {
		T_ASSERT(!stat(path, &st));
		T_EQ(st.st_size, limit);
	}
	pathf(path, level ? ".f.pcapng.zst.part" : ".f.pcapng.part");
	T_ASSERT(!exists(path));
	pathf(path, zname(level));
	T_ASSERT(!unlink(path));
}

/* What is at path, for the checks below. */
static mode_t kind_of(const char *path)
{
	struct stat st;

	if (lstat(path, &st))
		T_FAIL("lstat %s: %s", path, strerror(errno));
	return st.st_mode & S_IFMT;
}

static void make_socket(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	T_ASSERT(fd >= 0 && strlen(path) < sizeof(a.sun_path));
	strcpy(a.sun_path, path);
	T_ASSERT(!bind(fd, (struct sockaddr *)&a, sizeof(a)));
	close(fd);
}

static void write_small(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	T_ASSERT(f && fputs(text, f) >= 0 && !fclose(f));
}

static int same_text(const char *path, const char *text)
{
	size_t n;
	uint8_t *p = read_file(path, &n);
	int same = n == strlen(text) && !memcmp(p, text, n);

	free(p);
	return same;
}

/*
 * A path that is not a regular file is never renamed over, not even with
 * overwrite: without in_place, -EEXIST and nothing created.
 */
static void test_special_kept(void)
{
	char path[PATH_MAX], tmp[PATH_MAX], target[PATH_MAX];
	struct zout_opts o = { .path = path, .overwrite = 1 };
	struct zout *z;

	pathf(path, "fifo");
	pathf(tmp, ".fifo.part");
	T_ASSERT(!mkfifo(path, 0600));
	T_EQ(zout_open(&o, &z), -EEXIST);
	T_EQ(kind_of(path), S_IFIFO);
	T_ASSERT(!exists(tmp));
	T_ASSERT(!unlink(path));

	pathf(path, "link");
	pathf(tmp, ".link.part");
	pathf(target, "target");
	write_small(target, "not a capture");
	T_ASSERT(!symlink("target", path));
	T_EQ(zout_open(&o, &z), -EEXIST);
	T_EQ(kind_of(path), S_IFLNK);
	T_ASSERT(same_text(target, "not a capture"));
	T_ASSERT(!exists(tmp));
	T_ASSERT(!unlink(path));
	T_ASSERT(!unlink(target));

	pathf(path, "sock");
	pathf(tmp, ".sock.part");
	make_socket(path);
	T_EQ(zout_open(&o, &z), -EEXIST);
	T_EQ(kind_of(path), S_IFSOCK);
	T_ASSERT(!exists(tmp));
	T_ASSERT(!unlink(path));

	if (geteuid())
		return;
	/* /dev/null's numbers, in our own directory: never the real one. */
	pathf(path, "null");
	pathf(tmp, ".null.part");
	T_ASSERT(!mknod(path, S_IFCHR | 0666, makedev(1, 3)));
	T_EQ(zout_open(&o, &z), -EEXIST);
	T_EQ(kind_of(path), S_IFCHR);
	T_ASSERT(!exists(tmp));
	T_ASSERT(!unlink(path));
}

/* The reader of a FIFO: it must get data[0, len), in one frame if level. */
static void fifo_reader(const char *path, int level, size_t len)
{
	size_t n = 0, got, cap = DATA_LEN + (1u << 20);
	uint8_t *buf = malloc(cap);
	int fd, complete;
	ssize_t r;

	alarm(30);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	T_ASSERT(buf && fd >= 0);
	while ((r = read(fd, buf + n, cap - n)) > 0)
		n += (size_t)r;
	T_EQ(r, 0);
	if (!level) {
		T_EQ(n, len);
		T_ASSERT(!memcmp(buf, data, len));
	} else {
		got = decode(buf, n, &complete);
		T_ASSERT(complete);
		T_EQ(got, len);
		T_ASSERT(!memcmp(dec, data, len));
	}
	exit(T_EXIT_PASS);
}

/* Write data[0, len) through a zout that must open in place. */
static void write_in_place(const struct zout_opts *o, size_t len)
{
	struct zout *z = open_ok(o);
	size_t off = 0, n;

	T_ASSERT(!strcmp(zout_tmp_path(z), o->path));
	while (off < len) {
		n = rec_len();
		n = n < len - off ? n : len - off;
		T_EQ(zout_write(z, data + off, n), 0);
		off += n;
	}
	T_EQ(zout_close(z), 0);
}

/* in_place: written into, and the name stays what it was. */
static void test_in_place(int level)
{
	char path[PATH_MAX], tmp[PATH_MAX], target[PATH_MAX], sub[PATH_MAX];
	struct zout_opts o = { .path = path,
			       .level = level,
			       .overwrite = 1,
			       .in_place = 1,
			       .flush_bytes = 100 << 10 };
	size_t len = 3u << 20;
	uint64_t safe;
	struct zout *z;
	pid_t pid;

	/* A FIFO, as into Wireshark: its reader gets it all. */
	pathf(path, "fifo");
	pathf(tmp, ".fifo.part");
	T_ASSERT(!mkfifo(path, 0600));
	pid = fork();
	T_ASSERT(pid >= 0);
	if (!pid)
		fifo_reader(path, level, len);
	write_in_place(&o, len);
	wait_ok(pid);
	T_EQ(kind_of(path), S_IFIFO);
	T_ASSERT(!exists(tmp));

	/* A symlink to it, in our own directory (0700): followed. */
	pathf(sub, "fifolink");
	T_ASSERT(!symlink("fifo", sub));
	o.path = sub;
	pid = fork();
	T_ASSERT(pid >= 0);
	if (!pid)
		fifo_reader(path, level, len / 3);
	write_in_place(&o, len / 3);
	wait_ok(pid);
	T_EQ(kind_of(sub), S_IFLNK);
	T_EQ(kind_of(path), S_IFIFO);
	T_ASSERT(!unlink(sub));
	T_ASSERT(!unlink(path));
	o.path = path;

	/* A symlink to a regular file: written through, truncated first... */
	pathf(path, "link");
	pathf(tmp, ".link.part");
	pathf(target, "target");
	write_small(target, "an older, longer content than what follows; gone after");
	T_ASSERT(!symlink("target", path));
	write_in_place(&o, 5000);
	T_EQ(kind_of(path), S_IFLNK);
	check_file(target, level, 5000);
	T_ASSERT(!exists(tmp));
	/* ... only with overwrite... */
	o.overwrite = 0;
	T_EQ(zout_open(&o, &z), -EEXIST);
	check_file(target, level, 5000);
	o.overwrite = 1;
	/* ... and salvaged in place after a write error (test_salvage_fsize()). */
	pid = fork();
	T_ASSERT(pid >= 0);
	if (!pid) {
		signal(SIGXFSZ, SIG_IGN);
		z = open_ok(&o);
		set_fsize(700 << 10);
		safe = write_until_error(z, 0, -EFBIG, DATA_LEN);
		T_ASSERT(safe > 0);
		check_file(target, level, safe);
		exit(T_EXIT_PASS);
	}
	wait_ok(pid);
	T_EQ(kind_of(path), S_IFLNK);
	T_ASSERT(!exists(tmp));

	/* A symlink in a directory others can write: refused, both left alone. */
	pathf(sub, "shared");
	T_ASSERT(!mkdir(sub, 0700) && !chmod(sub, 01777));
	pathf(path, "shared/link");
	T_ASSERT(!symlink("../target", path));
	write_small(target, "kept");
	T_EQ(zout_open(&o, &z), -ELOOP);
	T_ASSERT(!chmod(sub, 0770));
	T_EQ(zout_open(&o, &z), -ELOOP);
	T_EQ(kind_of(path), S_IFLNK);
	T_ASSERT(same_text(target, "kept"));
	pathf(tmp, "shared/.link.part");
	T_ASSERT(!exists(tmp));
	T_ASSERT(!unlink(path));
	T_ASSERT(!rmdir(sub));
	T_ASSERT(!unlink(target));

	/* A dangling symlink creates nothing; a socket, a directory: refused. */
	pathf(path, "link");
	T_EQ(zout_open(&o, &z), -ENOENT);
	T_ASSERT(!exists(target));
	T_ASSERT(!unlink(path));
	pathf(path, "sock");
	make_socket(path);
	T_EQ(zout_open(&o, &z), -ENXIO);
	T_EQ(kind_of(path), S_IFSOCK);
	T_ASSERT(!unlink(path));
	pathf(path, "sub");
	T_ASSERT(!mkdir(path, 0700));
	T_EQ(zout_open(&o, &z), -EISDIR);
	T_ASSERT(!rmdir(path));

	/* As root: a character device of /dev/null's numbers, made here. */
	if (geteuid())
		return;
	pathf(path, "null");
	pathf(tmp, ".null.part");
	T_ASSERT(!mknod(path, S_IFCHR | 0666, makedev(1, 3)));
	o.fsync = 1; /* EINVAL on a device: no error */
	write_in_place(&o, len);
	T_EQ(kind_of(path), S_IFCHR);
	T_ASSERT(!exists(tmp));
	T_ASSERT(!unlink(path));
}

static void test_target(void)
{
	char path[PATH_MAX];
	const char *kind;

	T_EQ(zout_target("-", &kind), ZOUT_TARGET_IN_PLACE);
	T_ASSERT(!strcmp(kind, "standard output"));
	pathf(path, "none");
	T_EQ(zout_target(path, &kind), ZOUT_TARGET_FILE);
	T_ASSERT(!strcmp(kind, ""));
	write_small(path, "x");
	T_EQ(zout_target(path, &kind), ZOUT_TARGET_FILE);
	T_ASSERT(!unlink(path));
	T_ASSERT(!mkfifo(path, 0600));
	T_EQ(zout_target(path, &kind), ZOUT_TARGET_IN_PLACE);
	T_ASSERT(!strcmp(kind, "a FIFO"));
	T_ASSERT(!unlink(path));
	T_ASSERT(!symlink("nowhere", path));
	T_EQ(zout_target(path, &kind), ZOUT_TARGET_IN_PLACE);
	T_ASSERT(!strcmp(kind, "a symlink"));
	T_ASSERT(!unlink(path));
	make_socket(path);
	T_EQ(zout_target(path, &kind), ZOUT_TARGET_NONE);
	T_ASSERT(!strcmp(kind, "a socket"));
	T_ASSERT(!unlink(path));
	T_EQ(zout_target(dir, &kind), ZOUT_TARGET_NONE);
	T_ASSERT(!strcmp(kind, "a directory"));
}

/* As root: fill a 1 MiB tmpfs in a private mount namespace. */
static int test_tmpfs(void)
{
	static const int levels[] = { 1, 0, 3, -5 };
	char path[PATH_MAX];
	struct zout_opts o = { .path = path, .flush_bytes = 32 << 10 };
	struct zout *z;
	uint64_t safe;
	unsigned int i;
	int st;
	pid_t pid;

	pid = fork();
	T_ASSERT(pid >= 0);
	if (!pid) {
		if (unshare(CLONE_NEWNS))
			T_SKIP("unshare(CLONE_NEWNS): %s", strerror(errno));
		if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
			T_SKIP("private mounts: %s", strerror(errno));
		if (mount("none", dir, "tmpfs", 0, "size=1m"))
			T_SKIP("mount tmpfs: %s", strerror(errno));
		for (i = 0; i < 2 * sizeof(levels) / sizeof(levels[0]); i++) {
			threaded = i >= sizeof(levels) / sizeof(levels[0]);
			o.level = levels[i % (sizeof(levels) / sizeof(levels[0]))];
			pathf(path, zname(o.level));
			z = open_ok(&o);
			safe = write_until_error(z, 0, -ENOSPC, DATA_LEN);
			T_ASSERT(safe > 0);
			check_file(path, o.level, safe);
			T_ASSERT(!unlink(path));
		}
		T_ASSERT(!umount(dir));
		exit(T_EXIT_PASS);
	}
	T_ASSERT(waitpid(pid, &st, 0) == pid);
	T_ASSERT(WIFEXITED(st));
	return WEXITSTATUS(st);
}

/*
 * Workers: zout_workers() says so (none for plain output), flushes come no
 * more often than every 2 x ZOUT_JOBS_PER_FLUSH jobs of input or
 * 2 x ZOUT_OUT_PER_FLUSH of output (zout.h), however small flush_bytes is,
 * and each is on file, readable, while the workers go on.
 */
#define WORKERS_FLUSH_IN  (2ULL * ZOUT_JOBS_PER_FLUSH * ZOUT_JOB_BYTES)
#define WORKERS_FLUSH_OUT (2ULL * ZOUT_OUT_PER_FLUSH)

static void test_workers(int level, int thr)
{
	char path[PATH_MAX], tmp[PATH_MAX];
	struct zout_opts o = { .path = path,
			       .level = level,
			       .flush_bytes = 64 << 10,
			       .flush_ns = 3600ULL * 1000000000ULL,
			       .threaded = thr,
			       .workers = 2 };
	uint64_t safe = 0, safe_out = 0, flushes = 0, d, dout;
	size_t off = 0, n, k = 0;
	struct zout *z;

	pathf(path, zname(level));
	z = open_ok(&o);
	T_EQ(zout_workers(z), level ? 2u : 0u);
	snprintf(tmp, sizeof(tmp), "%s", zout_tmp_path(z));
	while (off + 1528 <= DATA_LEN) {
		n = rec_len();
		zout_mark(z, k + 1);
		T_EQ(zout_write(z, data + off, n), 0);
		off += n;
		ends[++k] = off;
		T_EQ(ends[zout_mark_safe(z)], zout_bytes_safe(z));
		if (k == 3000) {
			T_EQ(zout_flush(z), 0);
			T_EQ(zout_bytes_safe(z), off);
			check_live(z, level);
			safe = off;
			safe_out = zout_bytes_safe_out(z);
			continue;
		}
		if (zout_bytes_safe(z) == safe)
			continue;
		d = zout_bytes_safe(z) - safe;
		dout = zout_bytes_safe_out(z) - safe_out;
		if (level ? d < WORKERS_FLUSH_IN && dout < WORKERS_FLUSH_OUT : d < o.flush_bytes)
			T_FAIL("level %d: flushed after %llu bytes in, %llu out", level,
			       (unsigned long long)d, (unsigned long long)dout);
		safe = zout_bytes_safe(z);
		safe_out = zout_bytes_safe_out(z);
		check_prefix(tmp, level, zout_bytes_safe_out(z), safe);
		flushes++;
	}
	T_ASSERT(flushes >= 1);
	T_EQ(zout_close(z), 0);
	check_file(path, level, off);
	T_ASSERT(!unlink(path));
}

/*
 * A recording with workers killed (SIGKILL) while they compress what came
 * after its last flush: the temporary file decodes, cut at that flush, to
 * exactly what the flush covered, and whole to that and maybe more.
 */
static void test_workers_kill(int level)
{
	struct zout_opts o = {
		.level = level, .flush_ns = 3600ULL * 1000000000ULL, .threaded = 1, .workers = 2
	};
	char path[PATH_MAX], tmp[PATH_MAX];
	uint64_t safe[2];
	size_t off = 0, n, len, got;
	struct zout *z;
	uint8_t *p;
	int fd[2], complete;
	pid_t pid;

	pathf(path, zname(level));
	T_EQ(zout_tmp_name(path, tmp, sizeof(tmp)), 0);
	o.path = path;
	T_ASSERT(!pipe(fd));
	pid = fork();
	T_ASSERT(pid >= 0);
	if (!pid) {
		close(fd[0]);
		z = open_ok(&o);
		while (off < (3u << 20)) {
			n = rec_len();
			T_EQ(zout_write(z, data + off, n), 0);
			off += n;
		}
		T_EQ(zout_flush(z), 0);
		/* Jobs in flight, some of their output written. */
		while (off < (3u << 20) + 3 * ZOUT_JOB_BYTES + 1000) {
			n = rec_len();
			T_EQ(zout_write(z, data + off, n), 0);
			off += n;
		}
		safe[0] = zout_bytes_safe(z);
		safe[1] = zout_bytes_safe_out(z);
		T_EQ(write(fd[1], safe, sizeof(safe)), sizeof(safe));
		for (;;)
			pause();
	}
	close(fd[1]);
	T_EQ(read(fd[0], safe, sizeof(safe)), sizeof(safe));
	close(fd[0]);
	T_ASSERT(!kill(pid, SIGKILL));
	T_ASSERT(waitpid(pid, NULL, 0) == pid);
	T_ASSERT(safe[0] >= 3u << 20);
	p = read_file(tmp, &len);
	T_ASSERT(len >= safe[1]);
	if (level) {
		got = decode(p, safe[1], &complete);
		T_ASSERT(!complete);
		T_EQ(got, safe[0]);
		T_ASSERT(!memcmp(dec, data, got));
		got = decode(p, len, &complete);
		T_ASSERT(!complete);
		T_ASSERT(got >= safe[0]);
		T_ASSERT(!memcmp(dec, data, got));
	} else {
		T_ASSERT(!memcmp(p, data, len));
	}
	free(p);
	T_ASSERT(!unlink(tmp));
}

/*
 * zout_room()/zout_commit(): records built in the batch make the file
 * zout_write() would, mixed with zout_write()s, flushes and marks; no room
 * without the thread.
 */
static void test_room(int level)
{
	char path[PATH_MAX];
	struct zout_opts o = { .path = path, .level = level, .flush_bytes = 100 << 10 };
	size_t off = 0, n, cap, i;
	struct zout *z;
	uint8_t *p;

	pathf(path, zname(level));
	z = open_ok(&o);
	T_ASSERT(!zout_room(z, 100, &cap));
	zout_abort(z);
	o.threaded = 1;
	z = open_ok(&o);
	T_ASSERT(!zout_room(z, ZOUT_STAGE_BYTES + 1, &cap));
	for (i = 0; off + 2000 <= (5u << 20); i++) {
		n = rec_len();
		zout_mark(z, i + 1);
		if (i % 10 == 9) {
			T_EQ(zout_write(z, data + off, n), 0);
		} else {
			p = zout_room(z, 2000, &cap);
			T_ASSERT(p && cap >= 2000 && cap <= ZOUT_STAGE_BYTES);
			memcpy(p, data + off, n);
			T_EQ(zout_commit(z, n), 0);
		}
		off += n;
		T_EQ(zout_bytes_in(z), off);
		if (i % 3000 == 2998) {
			T_EQ(zout_flush(z), 0);
			T_EQ(zout_bytes_safe(z), off);
			T_EQ(zout_mark_safe(z), i + 1);
			check_live(z, level);
		}
	}
	T_EQ(zout_close(z), 0);
	check_file(path, level, off);
	T_ASSERT(!unlink(path));
}

/* Plain: every write(2) but a flush's ends at a multiple of ZOUT_ALIGN. */
static void test_plain_aligned(int thr)
{
	char path[PATH_MAX];
	struct zout_opts o = { .path = path,
			       .flush_ns = 3600ULL * 1000000000ULL,
			       .flush_bytes = 1ULL << 30,
			       .threaded = thr };
	size_t off = 0, n, i;
	struct zout *z;

	pathf(path, zname(0));
	z = open_ok(&o);
	for (i = 0; off + (1u << 20) <= DATA_LEN; i++) {
		/* Records; now and then one larger than the buffer or a batch. */
		n = i % 500 == 499 ? (600u << 10) + i : rec_len();
		T_EQ(zout_write(z, data + off, n), 0);
		off += n;
		if (i % 1000 == 0) {
			T_EQ(zout_wait(z), 0);
			T_EQ(zout_bytes_out(z) % ZOUT_ALIGN, 0);
			T_ASSERT(off - zout_bytes_out(z) < ZOUT_STAGE_BYTES + (256u << 10));
		}
	}
	T_EQ(zout_flush(z), 0);
	T_EQ(zout_bytes_out(z), off);
	T_EQ(zout_close(z), 0);
	check_file(path, 0, off);
	T_ASSERT(!unlink(path));
}

int main(int argc, char **argv)
{
	static const int levels[] = { 0, 1, 3, -5 };
	const char *t = getenv("TMPDIR");
	unsigned int i;
	int fds, ret = T_EXIT_PASS;

	umask(022);
	make_data();
	snprintf(dir, sizeof(dir), "%s/test_zout.XXXXXX", t && *t ? t : "/tmp");
	T_ASSERT(mkdtemp(dir));
	first_thread();
	fds = count_fds();

	if (argc > 1 && !strcmp(argv[1], "tmpfs")) {
		if (geteuid()) {
			rmdir(dir);
			T_SKIP("mounting a tmpfs needs root");
		}
		ret = test_tmpfs();
		goto out;
	}
	for (i = 0; i < sizeof(levels) / sizeof(levels[0]); i++) {
		test_roundtrip(levels[i]);
		T_EQ(count_fds(), fds);
	}
	test_cadence_bytes(0);
	test_cadence_bytes(1);
	test_cadence_bytes(-5);
	test_cadence_time(0);
	test_cadence_time(3);
	T_EQ(count_fds(), fds);
	test_names();
	T_EQ(count_fds(), fds);
	test_special_kept();
	test_in_place(0);
	test_in_place(1);
	test_target();
	T_EQ(count_fds(), fds);
	test_stdout(0);
	test_stdout(1);
	test_epipe(0);
	test_epipe(1);
	test_sync_flush(0);
	test_sync_flush(1);
	for (i = 0; i < sizeof(levels) / sizeof(levels[0]); i++) {
		test_salvage_fsize(levels[i], LIMIT_MIDWAY);
		test_salvage_fsize(levels[i], LIMIT_FLUSH);
		test_salvage_fsize(levels[i], LIMIT_EARLY);
	}
	T_EQ(count_fds(), fds);

	for (i = 0; i < sizeof(levels) / sizeof(levels[0]); i++)
		test_threaded_same(levels[i]);
	test_threaded_safe(0, 64 << 10);
	test_threaded_safe(1, 64 << 10);
	test_threaded_safe(-5, 64 << 10);
	test_threaded_safe(1, 1 << 20);
	test_threaded_time(0);
	test_threaded_time(3);
	test_threaded_abort();
	test_threaded_fallback();
	T_EQ(count_fds(), fds);

	test_plain_aligned(0);
	test_plain_aligned(1);
	test_room(0);
	test_room(1);
	test_workers(1, 1);
	test_workers(1, 0);
	test_workers(-5, 1);
	test_workers(0, 1);
	test_workers_kill(1);
	test_workers_kill(0);
	T_EQ(count_fds(), fds);

	/* Again, threaded. */
	threaded = 1;
	for (i = 0; i < sizeof(levels) / sizeof(levels[0]); i++) {
		test_roundtrip(levels[i]);
		test_salvage_fsize(levels[i], LIMIT_MIDWAY);
		test_salvage_fsize(levels[i], LIMIT_FLUSH);
		test_salvage_fsize(levels[i], LIMIT_EARLY);
	}
	test_stdout(0);
	test_stdout(1);
	test_epipe(0);
	test_epipe(1);
	test_in_place(0);
	test_in_place(1);
	T_EQ(count_fds(), fds);

	/* Again, threaded, with 2 workers (too few flushes for LIMIT_MIDWAY). */
	workers = 2;
	for (i = 0; i < sizeof(levels) / sizeof(levels[0]); i++) {
		test_roundtrip(levels[i]);
		test_salvage_fsize(levels[i], LIMIT_FLUSH);
		test_salvage_fsize(levels[i], LIMIT_EARLY);
	}
	test_stdout(1);
	test_epipe(1);
	T_EQ(count_fds(), fds);
out:
	rmdir(dir);
	free(data);
	free(dec);
	return ret;
}
