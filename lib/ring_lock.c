// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "ring_lock.h"

/* A file removed or replaced between open and flock is retried this often. */
#define RING_LOCK_TRIES 8

int ring_lock_path(const char *ring_path, char *buf, size_t len)
{
	const char *slash = strrchr(ring_path, '/');
	const char *name = slash ? slash + 1 : ring_path;
	int dlen = slash ? (int)(slash - ring_path) + 1 : 0;
	int n;

	if (!*name)
		return -EINVAL;
	n = snprintf(buf, len, "%.*s.%s.lock", dlen, ring_path, name);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/* The directory of the lock file, made as ring_file_create() makes it. */
static int make_dir(const char *lock_path, gid_t gid)
{
	char dir[sizeof(((struct ring_lock *)0)->path)];
	char *slash;

	snprintf(dir, sizeof(dir), "%s", lock_path);
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0;
	*slash = '\0';
	if (mkdir(dir, 0750) == 0)
		return gid != (gid_t)-1 && chown(dir, (uid_t)-1, gid) < 0 ? -errno : 0;
	return errno == EEXIST ? 0 : -errno;
}

/* Nobody but root, us and owner can open it, so nobody else can hold it. */
static int trusted(const struct stat *st, uid_t owner)
{
	return S_ISREG(st->st_mode) && !(st->st_mode & 077) &&
	       (st->st_uid == 0 || st->st_uid == geteuid() || st->st_uid == owner);
}

int ring_lock_take(struct ring_lock *l, const char *ring_path, uid_t owner, gid_t gid)
{
	struct stat st, now;
	int fd, err, i;

	l->fd = -1;
	err = ring_lock_path(ring_path, l->path, sizeof(l->path));
	if (err < 0) {
		l->path[0] = '\0';
		return err;
	}
	err = make_dir(l->path, gid);
	if (err < 0)
		return err;
	for (i = 0; i < RING_LOCK_TRIES; i++) {
		fd = open(l->path, O_RDONLY | O_CREAT | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC, 0600);
		if (fd < 0)
			return -errno;
		if (fstat(fd, &st) < 0) {
			err = -errno;
			goto err_close;
		}
		if (!trusted(&st, owner)) {
			err = -EPERM;
			goto err_close;
		}
		if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
			err = errno == EWOULDBLOCK ? -EBUSY : -errno;
			goto err_close;
		}
		/* Locked the file that is still there, not one removed meanwhile? */
		if (stat(l->path, &now) == 0 && now.st_dev == st.st_dev &&
		    now.st_ino == st.st_ino) {
			l->fd = fd;
			return 0;
		}
		close(fd);
	}
	return -EAGAIN;

err_close:
	close(fd);
	return err;
}

void ring_lock_release(struct ring_lock *l)
{
	if (l->fd >= 0)
		close(l->fd);
	l->fd = -1;
}

int ring_lock_holder(const char *path)
{
	char line[256];
	struct stat st;
	int pid = 0;
	FILE *f;

	if (stat(path, &st) < 0)
		return 0;
	f = fopen("/proc/locks", "re");
	if (!f)
		return 0;
	/* "1: FLOCK  ADVISORY  WRITE 1234 08:01:5678 0 EOF"; waiters have "->". */
	while (fgets(line, sizeof(line), f)) {
		unsigned int maj, min;
		unsigned long ino;
		char kind[16], how[16];
		int p;

		if (sscanf(line, "%*[^:]: %15s %*s %15s %d %x:%x:%lu", kind, how, &p, &maj, &min,
			   &ino) != 6)
			continue;
		if (!strcmp(kind, "FLOCK") && !strcmp(how, "WRITE") && ino == st.st_ino &&
		    maj == major(st.st_dev) && min == minor(st.st_dev)) {
			pid = p;
			break;
		}
	}
	fclose(f);
	return pid;
}

char *ring_lock_explain(int err, const struct ring_lock *l, const char *ring_path, char *buf,
			size_t len)
{
	struct stat st;
	int pid;

	switch (err) {
	case -EBUSY:
		pid = ring_lock_holder(l->path);
		if (pid > 0)
			snprintf(buf, len, "%s: another capd writes this ring (pid %d holds %s)",
				 ring_path, pid, l->path);
		else
			snprintf(buf, len, "%s: another capd writes this ring (it holds %s)",
				 ring_path, l->path);
		return buf;
	case -EPERM:
	case -EACCES:
	case -ELOOP:
		if (lstat(l->path, &st) == 0) {
			snprintf(buf, len,
				 "%s: the ring's lock file (owner uid %u, mode %04o) %s: "
				 "remove it (rm %s) and start capd again",
				 l->path, (unsigned)st.st_uid, (unsigned)(st.st_mode & 07777),
				 !S_ISREG(st.st_mode) ? "is not a regular file"
				 : err == -EPERM      ? "could be opened and held by others"
						      : "cannot be opened by capd's user",
				 l->path);
			return buf;
		}
		break;
	}
	snprintf(buf, len, "%s: lock file %s: %s", ring_path, l->path[0] ? l->path : "(none)",
		 strerror(-err));
	return buf;
}
