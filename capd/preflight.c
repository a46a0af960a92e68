// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "preflight.h"

int preflight_ids(const char *user, const char *group, struct preflight_ids *ids)
{
	struct passwd *pw = NULL;
	struct group *gr;
	int n;

	ids->uid = geteuid();
	ids->gid = getegid();
	if (user && *user) {
		pw = getpwnam(user);
		if (!pw)
			return -ENOENT;
		ids->uid = pw->pw_uid;
		ids->gid = pw->pw_gid;
	}
	if (group && *group) {
		gr = getgrnam(group);
		if (!gr)
			return -ENOENT;
		ids->gid = gr->gr_gid;
	}
	n = (int)(sizeof(ids->groups) / sizeof(ids->groups[0]));
	if (pw) {
		/* As initgroups() will set them; too many: the first ones. */
		if (getgrouplist(user, ids->gid, ids->groups, &n) < 0)
			n = (int)(sizeof(ids->groups) / sizeof(ids->groups[0]));
	} else {
		n = getgroups(n - 1, ids->groups);
		if (n < 0)
			n = 0;
		ids->groups[n++] = ids->gid;
	}
	ids->ngroups = n;
	return 0;
}

static bool in_groups(gid_t gid, const struct preflight_ids *ids)
{
	int i;

	for (i = 0; i < ids->ngroups; i++)
		if (ids->groups[i] == gid)
			return true;
	return false;
}

int preflight_dir_writable(const char *dir, const struct preflight_ids *ids)
{
	mode_t need;
	struct stat st;

	if (stat(dir, &st) < 0)
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	if (ids->uid == 0)
		return 0;
	if (st.st_uid == ids->uid)
		need = S_IWUSR | S_IXUSR;
	else if (st.st_gid == ids->gid || in_groups(st.st_gid, ids))
		need = S_IWGRP | S_IXGRP;
	else
		need = S_IWOTH | S_IXOTH;
	return (st.st_mode & need) == need ? 0 : -EACCES;
}

static const struct {
	int cap;
	const char *name;
} caps[] = {
	{ CAP_NET_ADMIN, "CAP_NET_ADMIN" },
	{ CAP_NET_RAW, "CAP_NET_RAW" },
	{ CAP_BPF, "CAP_BPF" },
	{ CAP_PERFMON, "CAP_PERFMON" },
	{ CAP_SETPCAP, "CAP_SETPCAP" },
	{ CAP_SETUID, "CAP_SETUID" },
	{ CAP_SETGID, "CAP_SETGID" },
};

int64_t preflight_caps_missing(bool switching)
{
	unsigned long long eff = 0;
	uint64_t want = 0;
	char line[256];
	bool found = false;
	unsigned int i;
	FILE *f;

	f = fopen("/proc/thread-self/status", "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "CapEff: %llx", &eff) == 1) {
			found = true;
			break;
		}
	fclose(f);
	if (!found)
		return -EIO;
	for (i = 0; i < sizeof(caps) / sizeof(caps[0]); i++)
		if (switching || (caps[i].cap != CAP_SETUID && caps[i].cap != CAP_SETGID))
			want |= 1ULL << caps[i].cap;
	return (int64_t)(want & ~(uint64_t)eff);
}

char *preflight_caps_str(uint64_t mask, char *buf, size_t len)
{
	size_t n = 0;
	unsigned int i;

	buf[0] = '\0';
	for (i = 0; i < sizeof(caps) / sizeof(caps[0]); i++)
		if (mask & (1ULL << caps[i].cap) && n < len)
			n += (size_t)snprintf(buf + n, len - n, "%s%s", n ? ", " : "",
					      caps[i].name);
	return buf;
}
