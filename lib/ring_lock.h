/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ring_lock.h - the single-writer lock of a ring: an exclusive flock(2) on
 * a file next to the ring, ".NAME.lock" in the ring's directory, mode 0600.
 *
 * Not on the ring file itself: flock needs no write access, so any reader
 * that may open the ring could take that lock and keep capd from starting.
 * Nobody but the lock file's owner (capd's user) and root can open this
 * one.  flock is released when its holder dies, however it dies, so a
 * killed capd leaves no stale lock; the empty file itself stays and is
 * reused.
 */
#ifndef CAPD_RING_LOCK_H
#define CAPD_RING_LOCK_H

#include <stddef.h>
#include <sys/types.h>

struct ring_lock {
	int fd;		 /* -1 while not held */
	char path[4096]; /* the lock file, once ring_lock_path() succeeded */
};

/*
 * The lock file of the ring at ring_path (from ring_file_resolve()):
 * "DIR/.NAME.lock".
 * @return 0, or -ENAMETOOLONG / -EINVAL (no file name in ring_path).
 */
int ring_lock_path(const char *ring_path, char *buf, size_t len);

/*
 * Take the lock of the ring at ring_path, without waiting, before the ring
 * file is created, reused or replaced.  Creates the ring's directory if
 * missing (mode 0750, group gid unless (gid_t)-1), as ring_file_create()
 * would, and the lock file if missing (mode 0600).  A lock file that
 * anyone but root, the caller's effective user or owner could open (other
 * owner, group or other permission bits, not a regular file) is refused,
 * not used: whoever can open it can hold it.
 * l is initialised whatever the result.
 * @return 0; -EBUSY if another process holds the lock; -EPERM for a lock
 *         file others could open; or the -errno of the failing call
 *         (-EACCES: a lock file of another user, -ELOOP: a symbolic link).
 */
int ring_lock_take(struct ring_lock *l, const char *ring_path, uid_t owner, gid_t gid);

/* Give the lock up (closing its descriptor); safe if not held. */
void ring_lock_release(struct ring_lock *l);

/*
 * pid of the process holding an exclusive flock on the file at path (for
 * a ring's lock file: the ring's capd), from /proc/locks.
 * @return the pid, or 0 if none holds it or it cannot be told.
 */
int ring_lock_holder(const char *path);

/*
 * Explain err, returned by ring_lock_take(l, ring_path, ...), in one line
 * an operator can act on: for -EBUSY which process writes the ring; for a
 * lock file capd cannot use, how to remove it.
 * @return buf.
 */
char *ring_lock_explain(int err, const struct ring_lock *l, const char *ring_path, char *buf,
			size_t len);

#endif
