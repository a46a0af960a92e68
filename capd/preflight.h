/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * preflight.h - what capd checks of the system before it changes anything,
 * for `capd -n` and at the start alike: the identities and capabilities it
 * runs with, its run directory, the interfaces' XDP hooks.  Cheap and
 * harmless: nothing here writes, loads or attaches anything.
 */
#ifndef CAPD_PREFLIGHT_H
#define CAPD_PREFLIGHT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Who capd runs as once set up (run.user, run.group). */
struct preflight_ids {
	uid_t uid;
	gid_t gid;
	gid_t groups[64]; /* supplementary groups, gid included */
	int ngroups;
};

/*
 * The identity after the privilege drop: user/group as privdrop() takes
 * them ("" = the current one) with the user's supplementary groups.
 * @return 0 or -ENOENT (no such user or group).
 */
int preflight_ids(const char *user, const char *group, struct preflight_ids *ids);

/*
 * May ids create files in dir (write and search permission by the mode
 * bits; uid 0 may)?  Access control lists are not looked at.
 * @return 0; -errno of stat() (-ENOENT: missing); -ENOTDIR; -EACCES.
 */
int preflight_dir_writable(const char *dir, const struct preflight_ids *ids);

/*
 * The capabilities capd's setup needs that the calling thread lacks in its
 * effective set, as a mask of 1 << CAP_*: CAP_NET_ADMIN, CAP_NET_RAW,
 * CAP_BPF, CAP_PERFMON, CAP_SETPCAP, and CAP_SETUID and CAP_SETGID when
 * `switching` identity.  0 when nothing is missing.
 * @return the mask, or -errno when the kernel's view cannot be read.
 */
int64_t preflight_caps_missing(bool switching);

/* "CAP_NET_ADMIN, CAP_BPF" for a mask from preflight_caps_missing(). */
char *preflight_caps_str(uint64_t mask, char *buf, size_t len);

#endif
