// SPDX-License-Identifier: BSD-2-Clause
#include <cap-ng.h>
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "privdrop.h"

static int lookup_ids(const char *user, const char *group, uid_t *uid, gid_t *gid)
{
	struct passwd *pw;
	struct group *gr;

	*uid = getuid();
	*gid = getgid();
	if (user && *user) {
		pw = getpwnam(user);
		if (!pw)
			return -ENOENT;
		*uid = pw->pw_uid;
		*gid = pw->pw_gid;
	}
	if (group && *group) {
		gr = getgrnam(group);
		if (!gr)
			return -ENOENT;
		*gid = gr->gr_gid;
	}
	return 0;
}

/* One capability mask of the calling thread, as the kernel reports it. */
static int read_caps(const char *key, unsigned long long *mask)
{
	char line[256];
	size_t klen = strlen(key);
	FILE *f;
	int r = -ENOENT;

	f = fopen("/proc/thread-self/status", "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, klen) && sscanf(line + klen, "%llx", mask) == 1) {
			r = 0;
			break;
		}
	fclose(f);
	return r;
}

int privdrop(const char *user, const char *group, const int *keep, int nkeep)
{
	unsigned long long want = 0, eff, prm, bnd;
	uid_t uid;
	gid_t gid;
	int i, r;

	r = lookup_ids(user, group, &uid, &gid);
	if (r < 0)
		return r;
	capng_clear(CAPNG_SELECT_BOTH);
	for (i = 0; i < nkeep; i++)
		if (capng_update(CAPNG_ADD, CAPNG_PERMITTED, (unsigned)keep[i]) < 0)
			return -EINVAL;
	if (uid != getuid() || gid != getgid()) {
		/* Also sets the new user's supplementary groups and keeps the
		 * permitted set across setuid (PR_SET_KEEPCAPS). */
		if (user && *user && initgroups(user, gid) < 0)
			return -errno;
		if (capng_change_id((int)uid, (int)gid, CAPNG_CLEAR_BOUNDING) < 0)
			return -EPERM;
	} else {
		capng_clear(CAPNG_SELECT_BOUNDS);
		if (capng_apply(CAPNG_SELECT_BOTH) < 0)
			return -EPERM;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -errno;

	/* Verify with the kernel's view, not libcap-ng's cached state. */
	for (i = 0; i < nkeep; i++)
		want |= 1ULL << keep[i];
	if (read_caps("CapEff:", &eff) < 0 || read_caps("CapPrm:", &prm) < 0 ||
	    read_caps("CapBnd:", &bnd) < 0 || eff || prm != want || bnd)
		return -EPERM;
	if (getuid() != uid || geteuid() != uid || getgid() != gid || getegid() != gid)
		return -EPERM;
	return 0;
}

int privdrop_raise(int cap)
{
	capng_get_caps_process();
	if (!capng_have_capability(CAPNG_PERMITTED, (unsigned)cap))
		return -EPERM;
	if (capng_update(CAPNG_ADD, CAPNG_EFFECTIVE, (unsigned)cap) < 0 ||
	    capng_apply(CAPNG_SELECT_CAPS) < 0)
		return -EPERM;
	return 0;
}
