// SPDX-License-Identifier: BSD-2-Clause
/*
 * doctor_check.c - one function per check; each says what it found in
 * words an operator can act on, and the command that fixes it.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "capd_paths.h"
#include "doctor_check.h"
#include "ring_layout.h"

struct ctx {
	const struct doctor_conf *dc;
	const struct capd_conf *c;
	const struct doctor_box *b;
	struct doctor_item *items;
	unsigned int n, max;
	struct doctor_item spare; /* where items go once items[] is full */
	unsigned int nthreads;	  /* capture threads, rings of the set */
	int cpus[CAPD_CONF_MAX_CPUS];
	struct cpulist capture; /* their cores */
	const char *key;	/* the key that names them: capture.cpu or capture.cpus */
};

static struct doctor_item *add(struct ctx *x, const char *check, const char *iface)
{
	struct doctor_item *it = x->n < x->max ? &x->items[x->n++] : &x->spare;

	memset(it, 0, sizeof(*it));
	snprintf(it->check, sizeof(it->check), "%s", check);
	snprintf(it->iface, sizeof(it->iface), "%s", iface ? iface : "");
	return it;
}

/* Append to buf what fmt says, after sep if buf is not empty. */
__attribute__((format(printf, 4, 5))) static void append(char *buf, size_t len, const char *sep,
							 const char *fmt, ...)
{
	size_t used = strlen(buf);
	va_list ap;

	if (used && used + strlen(sep) < len) {
		strcpy(buf + used, sep);
		used += strlen(sep);
	}
	va_start(ap, fmt);
	if (used < len)
		vsnprintf(buf + used, len - used, fmt, ap);
	va_end(ap);
}

/* Add to the reason: as is (more), or as one more finding (part). */
#define more(it, ...) append((it)->reason, sizeof((it)->reason), "", __VA_ARGS__)
#define part(it, ...) append((it)->reason, sizeof((it)->reason), "; ", __VA_ARGS__)
/* Add a fix; several are separated by "; ". */
#define fix(it, ...) append((it)->fix, sizeof((it)->fix), "; ", __VA_ARGS__)
/* Set the status and the reason. */
#define say(it, s, ...)                 \
	do {                            \
		(it)->status = (s);     \
		(it)->reason[0] = '\0'; \
		more(it, __VA_ARGS__);  \
	} while (0)

/* Raise the status, never lower it. */
static void worse(struct doctor_item *it, enum doctor_status s)
{
	static const int rank[] = {
		[DOCTOR_OK] = 0, [DOCTOR_UNKNOWN] = 1, [DOCTOR_WARN] = 2, [DOCTOR_FAIL] = 3
	};

	if (rank[s] > rank[it->status])
		it->status = s;
}

const char *doctor_check_status_str(enum doctor_status s)
{
	switch (s) {
	case DOCTOR_OK:
		return "ok";
	case DOCTOR_WARN:
		return "warning";
	case DOCTOR_FAIL:
		return "fail";
	default:
		return "unknown";
	}
}

static const char *err_str(int err)
{
	return strerror(err < 0 ? -err : err);
}

/* The ring's size as capd creates it: rounded up to whole pages. */
static uint64_t ring_bytes(const struct ctx *x)
{
	uint64_t page = x->b->hp_err ? 2u << 20 : x->b->hp.page_size;

	return (x->c->ring.size + page - 1) / page * page;
}

/* ---- configuration ------------------------------------------------------------- */

static void check_config(struct ctx *x)
{
	struct doctor_item *it = add(x, "config", NULL);
	const struct doctor_conf *dc = x->dc;

	if (dc->err == -EACCES) {
		say(it, DOCTOR_UNKNOWN,
		    "unknown (needs root): cannot read %s; the checks below "
		    "use the defaults",
		    dc->path);
		fix(it, "run capctl doctor as root, or as a user who may read %s", dc->path);
		return;
	}
	if (dc->err == -ENOENT) {
		say(it, DOCTOR_FAIL, "%s: no such file; the checks below use the defaults",
		    dc->path);
		fix(it,
		    "install the example (cmake --install puts it in %s), "
		    "name the capture interface in it, or pass -c FILE",
		    capd_paths_conf());
		return;
	}
	if (dc->err) {
		say(it, DOCTOR_FAIL, "%s", dc->msg);
		fix(it, "correct that line; capd -c %s -n checks the file again", dc->path);
		return;
	}
	if (!x->c->capture.ninterfaces) {
		say(it, DOCTOR_FAIL,
		    "%s: capture.interfaces names no interface to capture on (as shipped): capd "
		    "refuses to start, and capd.service is skipped until one is named",
		    dc->path);
		fix(it,
		    "name the capture interface in capture.interfaces (ip -br link lists them; "
		    "capd.conf(5)), check with capd -c %s -n, then systemctl start capd",
		    dc->path);
		return;
	}
	say(it, DOCTOR_OK, "%s: valid; ring '%s', %u interface(s), %u feed(s)%s", dc->path,
	    x->c->ring.name, x->c->capture.ninterfaces, x->c->nfeeds,
	    x->c->nfeeds ? "" : " (all multicast UDP)");
}

/* ---- the ring: hugepages, hugetlbfs, permissions -------------------------------- */

/* The file that sets the number of pages of hp's size, for messages. */
static void hugepage_knob(const struct ring_hugepages *hp, char *buf, size_t len)
{
	if (hp->is_default)
		snprintf(buf, len, "/proc/sys/vm/nr_hugepages");
	else
		snprintf(buf, len, "/sys/kernel/mm/hugepages/hugepages-%" PRIu64 "kB/nr_hugepages",
			 hp->page_size >> 10);
}

static void fix_hugepages(struct doctor_item *it, const struct ring_hugepages *hp, uint64_t total)
{
	char knob[128];

	hugepage_knob(hp, knob, sizeof(knob));
	fix(it, "echo %" PRIu64 " > %s", total, knob);
	if (hp->is_default)
		fix(it,
		    "to keep them across reboots: echo vm.nr_hugepages=%" PRIu64
		    " > /etc/sysctl.d/capd.conf (or hugepages=%" PRIu64
		    " on the kernel command line, which finds them unfragmented)",
		    total, total);
	else
		fix(it,
		    "to keep them across reboots: hugepagesz=%" PRIu64 "K hugepages=%" PRIu64
		    " on the kernel command line",
		    hp->page_size >> 10, total);
}

static void check_hugepages(struct ctx *x)
{
	struct doctor_item *it = add(x, "hugepages", NULL);
	const struct doctor_box *b = x->b;
	const struct ring_hugepages *hp = &b->hp;
	uint64_t size = ring_bytes(x), need, rings = x->nthreads, have;

	if (b->hp_err) {
		say(it, DOCTOR_FAIL, "the kernel has no hugepages (%s): the ring lives in them",
		    err_str(b->hp_err));
		fix(it, "a kernel with CONFIG_HUGETLBFS (Debian's has it)");
		return;
	}
	need = size / hp->page_size;
	if (rings > 1) {
		/* Rings of the set that exist hold their pages already. */
		have = b->members_present + (!b->file_err && (uint64_t)b->file_st.st_size == size);
		if (hp->free >= need * (rings - have)) {
			say(it, DOCTOR_OK,
			    "the %" PRIu64 " rings of the set (one per capture thread, ring.size "
			    "each) need %" PRIu64 " pages of %" PRIu64 " kB; %" PRIu64
			    " of them exist, %" PRIu64 " of %" PRIu64 " reserved pages are free",
			    rings, need * rings, hp->page_size >> 10, have, hp->free, hp->total);
			return;
		}
		say(it, DOCTOR_FAIL,
		    "not enough hugepages: the %" PRIu64 " rings of the set (one per capture "
		    "thread, ring.size each) need %" PRIu64 " pages of %" PRIu64 " kB, %" PRIu64
		    " of them exist, %" PRIu64 " pages are free",
		    rings, need * rings, hp->page_size >> 10, have, hp->free);
		if (!hp->total)
			more(it, " (none are reserved)");
		fix_hugepages(it, hp, hp->total + need * (rings - have) - hp->free);
		fix(it, "or a smaller ring.size, or fewer capture.cpus");
		return;
	}
	if (!b->file_err && (uint64_t)b->file_st.st_size == size) {
		say(it, DOCTOR_OK,
		    "the ring %s exists and holds its %" PRIu64 " pages of %" PRIu64 " kB; %" PRIu64
		    " of %" PRIu64 " free besides",
		    b->ring_path, need, hp->page_size >> 10, hp->free, hp->total);
		return;
	}
	if (hp->free >= need) {
		say(it, DOCTOR_OK,
		    "the ring (ring.size) needs %" PRIu64 " pages of %" PRIu64 " kB; %" PRIu64
		    " of %" PRIu64 " reserved pages are free",
		    need, hp->page_size >> 10, hp->free, hp->total);
		return;
	}
	if (b->hp_explain[0])
		say(it, DOCTOR_FAIL, "%s", b->hp_explain);
	else
		say(it, DOCTOR_FAIL,
		    "not enough hugepages: the ring needs %" PRIu64 " pages of %" PRIu64
		    " kB, %" PRIu64 " are free",
		    need, hp->page_size >> 10, hp->free);
	if (!hp->total)
		more(it, " (none are reserved)");
	fix_hugepages(it, hp, hp->total + need - hp->free);
	fix(it, "or a smaller ring.size");
}

static void check_hugetlbfs(struct ctx *x)
{
	struct doctor_item *it = add(x, "hugetlbfs", NULL);
	const struct doctor_box *b = x->b;

	if (b->fs_err) {
		say(it, DOCTOR_UNKNOWN, "unknown: statfs %s: %s", b->fs_dir, err_str(b->fs_err));
		return;
	}
	if (b->on_hugetlbfs) {
		say(it, DOCTOR_OK, "%s is on hugetlbfs", b->fs_dir);
		if (!b->hp_err)
			more(it, " (pages of %" PRIu64 " kB)", b->hp.page_size >> 10);
		return;
	}
	say(it, DOCTOR_FAIL, "%s is not on hugetlbfs: capd refuses to put the ring there",
	    b->fs_dir);
	if (!strncmp(b->ring_path, "/dev/hugepages/", 15))
		fix(it, "mount -t hugetlbfs hugetlbfs /dev/hugepages (systemd mounts it at boot: "
			"systemctl start dev-hugepages.mount)");
	else
		fix(it,
		    "mount hugetlbfs there (mount -t hugetlbfs hugetlbfs DIR), or give ring.name "
		    "as a plain name for a ring under " RING_DIR_DEFAULT);
}

static bool run_user_in(const struct doctor_box *b, gid_t gid)
{
	unsigned int i;

	for (i = 0; i < b->nrun_groups; i++)
		if (b->run_groups[i] == gid)
			return true;
	return false;
}

static void dir_of(const char *path, char *buf, size_t len)
{
	const char *slash = strrchr(path, '/');
	size_t n = slash && slash != path ? (size_t)(slash - path) : 1;

	snprintf(buf, len, "%.*s", (int)n, path);
}

/* The ring's directory: readers in the group may pass, nobody else. */
static void check_ring_dir(struct ctx *x, struct doctor_item *it, const char *dir)
{
	const struct doctor_box *b = x->b;
	const struct capd_conf *c = x->c;
	const char *g = c->ring.group[0] ? c->ring.group : c->run.group;
	unsigned int mode = (unsigned int)b->dir_st.st_mode & 07777;

	if (b->dir_err == -ENOENT) {
		worse(it, DOCTOR_WARN);
		part(it,
		     "%s does not exist: capd creates it when started as root, but not as "
		     "user %s under capd.service",
		     dir, c->run.user[0] ? c->run.user : "root");
		fix(it,
		    "systemd-tmpfiles --create capd.conf (/usr/lib/tmpfiles.d/capd.conf), or: "
		    "install -d -m 2750 -o %s -g %s %s",
		    c->run.user[0] ? c->run.user : "root", g[0] ? g : "root", dir);
		return;
	}
	if (b->dir_err) {
		worse(it, DOCTOR_UNKNOWN);
		part(it, "unknown (needs root): stat %s: %s", dir, err_str(b->dir_err));
		return;
	}
	if (b->ring_group_known && b->dir_st.st_gid != b->ring_gid) {
		worse(it, DOCTOR_FAIL);
		part(it, "%s belongs to gid %u, not group '%s': readers cannot reach the ring", dir,
		     (unsigned int)b->dir_st.st_gid, g);
		fix(it, "chgrp %s %s && chmod 2750 %s", g, dir, dir);
	} else if (!(mode & S_IXGRP)) {
		worse(it, DOCTOR_FAIL);
		part(it, "%s (mode %04o) does not let its group in: readers cannot reach the ring",
		     dir, mode);
		fix(it, "chmod 2750 %s", dir);
	}
	if (mode & S_IWGRP) {
		worse(it, DOCTOR_FAIL);
		part(it,
		     "%s (mode %04o) lets its group create and remove files: a reader could "
		     "replace the ring",
		     dir, mode);
		fix(it, "chmod g-w %s", dir);
	}
	if (mode & S_IRWXO) {
		worse(it, DOCTOR_WARN);
		part(it, "%s (mode %04o) lets everybody in", dir, mode);
		fix(it, "chmod o-rwx %s", dir);
	}
	if (b->run_user_known && b->dir_st.st_uid != b->run_uid) {
		worse(it, DOCTOR_WARN);
		part(it,
		     "%s belongs to uid %u: capd started as user %s (capd.service) cannot create "
		     "a ring there",
		     dir, (unsigned int)b->dir_st.st_uid, c->run.user);
		fix(it, "chown %s %s", c->run.user, dir);
	}
}

/* The ring file: capd sets its group and mode whenever it starts. */
static void check_ring_file(struct ctx *x, struct doctor_item *it)
{
	const struct doctor_box *b = x->b;
	const struct capd_conf *c = x->c;
	const char *g = c->ring.group[0] ? c->ring.group : c->run.group;
	unsigned int mode = (unsigned int)b->file_st.st_mode & 07777;
	/* capd fixes both when it starts: wrong now matters only while it runs */
	enum doctor_status s = b->capd.pid ? DOCTOR_FAIL : DOCTOR_WARN;
	const char *when = b->capd.pid ? "" : " (capd sets it again when it starts)";

	if (b->file_err == -ENOENT) {
		part(it, "the ring does not exist yet");
		return;
	}
	if (b->file_err == b->access_err && b->file_err == -EACCES)
		return; /* check_ring_access() says why */
	if (b->file_err) {
		worse(it, DOCTOR_UNKNOWN);
		part(it, "unknown (needs root or group '%s'): stat %s: %s", g, b->ring_path,
		     err_str(b->file_err));
		return;
	}
	if (b->ring_group_known && b->file_st.st_gid != b->ring_gid) {
		worse(it, s);
		part(it, "%s belongs to gid %u, not group '%s'%s", b->ring_path,
		     (unsigned int)b->file_st.st_gid, g, when);
		fix(it, "chgrp %s %s", g, b->ring_path);
	}
	if (mode != c->ring.mode) {
		worse(it, s);
		part(it, "%s has mode %04o, not ring.mode %04o%s", b->ring_path, mode, c->ring.mode,
		     when);
		fix(it, "chmod %04o %s", c->ring.mode, b->ring_path);
	}
	if (b->run_user_known && b->file_st.st_uid != b->run_uid) {
		worse(it, DOCTOR_WARN);
		part(it,
		     "%s belongs to uid %u: capd started as user %s (capd.service) cannot open "
		     "it for writing",
		     b->ring_path, (unsigned int)b->file_st.st_uid, c->run.user);
		fix(it, "chown %s %s, or remove it (capd makes a new one)", c->run.user,
		    b->ring_path);
	}
}

static void check_ring_access(struct ctx *x)
{
	struct doctor_item *it = add(x, "ring-access", NULL);
	const struct doctor_box *b = x->b;
	const struct capd_conf *c = x->c;
	const char *g = c->ring.group[0] ? c->ring.group : c->run.group;
	char dir[4096];

	if (b->ring_group_missing || b->run_user_missing)
		fix(it, "systemd-sysusers capd.conf (makes the accounts of "
			"/usr/lib/sysusers.d/capd.conf)");
	if (b->ring_group_missing) {
		say(it, DOCTOR_FAIL, "no group '%s' (%s)", g,
		    c->ring.group[0] ? "ring.group" : "run.group");
		fix(it, "or: groupadd --system %s", g);
	}
	if (b->run_user_missing) {
		worse(it, DOCTOR_FAIL);
		part(it, "no user '%s' (run.user)", c->run.user);
		fix(it, "or: useradd --system --no-create-home --shell /usr/sbin/nologin %s",
		    c->run.user);
	}
	dir_of(b->ring_path, dir, sizeof(dir));
	check_ring_dir(x, it, dir);
	check_ring_file(x, it);
	if (b->access_err && b->access_err != -ENOENT) {
		worse(it, b->access_err == -EACCES || b->access_err == -EPERM ? DOCTOR_WARN
									      : DOCTOR_UNKNOWN);
		part(it, "you may not read it: %s", b->access_explain);
		if (g[0] && b->access_err == -EACCES)
			fix(it, "usermod -aG %s YOUR-USER, then log in again", g);
	}
	if (it->status == DOCTOR_OK) {
		if (!g[0])
			part(it, "readable by the group capd runs as");
		else
			part(it,
			     "only group '%s' may read it (%s, ring.mode %04o); nobody may write "
			     "it",
			     g, dir, c->ring.mode);
	}
}

/* ---- the capture core ------------------------------------------------------------ */

/* The value of kernel parameter name= on cmdline, or NULL; *bare is set
 * when the parameter is there without a value. */
static const char *kparam(const char *cmdline, const char *name, bool *bare)
{
	size_t n = strlen(name);
	const char *p;

	*bare = false;
	for (p = cmdline; (p = strstr(p, name)); p += n) {
		if (p != cmdline && p[-1] != ' ')
			continue;
		if (p[n] == '=')
			return p + n + 1;
		if (p[n] == ' ' || p[n] == '\n' || !p[n])
			*bare = true;
	}
	return NULL;
}

/* A housekeeping CPU to move work to: online, not isolated, no capture core. */
static int housekeeping_cpu(const struct ctx *x)
{
	struct cpulist not = x->b->isolated;
	unsigned int i;

	for (i = 0; i < CPULIST_MAX / 64; i++)
		not .bits[i] |= x->capture.bits[i];
	return cpulist_first_not(&x->b->online, &not );
}

static void check_isolcpus(struct ctx *x, int cpu)
{
	struct doctor_item *it = add(x, "isolcpus", NULL);
	const struct doctor_box *b = x->b;
	char list[256];

	if (cpu < 0) {
		say(it, DOCTOR_WARN,
		    "capture.cpu = -1: the capture thread is not pinned, so the "
		    "scheduler moves it and other tasks share its core");
		fix(it, "set capture.cpu to a core kept for capd (isolcpus=, nohz_full=)");
		return;
	}
	if (!b->online_err && !cpulist_has(&b->online, cpu)) {
		say(it, DOCTOR_FAIL, "%s %d is not online (online: %s)", x->key, cpu,
		    cpulist_str(&b->online, list, sizeof(list)));
		fix(it, "set %s to %s of %s", x->key, x->nthreads > 1 ? "cores" : "one", list);
		return;
	}
	if (b->isolated_err) {
		say(it, DOCTOR_UNKNOWN, "unknown: /sys/devices/system/cpu/isolated: %s",
		    err_str(b->isolated_err));
		return;
	}
	if (cpulist_has(&b->isolated, cpu)) {
		say(it, DOCTOR_OK, "CPU %d is isolated (isolcpus: %s)", cpu,
		    cpulist_str(&b->isolated, list, sizeof(list)));
		return;
	}
	cpulist_str(&b->isolated, list, sizeof(list));
	say(it, DOCTOR_WARN,
	    "CPU %d is not isolated (isolated: %s): other tasks and kernel work "
	    "run on the capture core and delay the hot loop",
	    cpu, list[0] ? list : "none");
	if (cpu == 0)
		more(it, "; CPU 0 also takes interrupts and housekeeping that cannot be moved");
	fix(it,
	    "add isolcpus=managed_irq,domain,%d nohz_full=%d rcu_nocbs=%d to "
	    "GRUB_CMDLINE_LINUX in /etc/default/grub, run update-grub and reboot",
	    cpu, cpu, cpu);
}

static void check_nohz(struct ctx *x, int cpu)
{
	struct doctor_item *it = add(x, "nohz_full", NULL);
	const struct doctor_box *b = x->b;
	char list[256];

	if (cpu < 0) {
		say(it, DOCTOR_UNKNOWN, "no capture core to check (capture.cpu = -1)");
		return;
	}
	if (b->nohz_err == -ENOENT) {
		say(it, DOCTOR_WARN,
		    "this kernel has no nohz_full (built without NO_HZ_FULL): the "
		    "timer tick interrupts CPU %d hundreds of times a second",
		    cpu);
		fix(it,
		    "a kernel with CONFIG_NO_HZ_FULL=y (Debian's has it), booted with "
		    "nohz_full=%d",
		    cpu);
		return;
	}
	if (b->nohz_err) {
		say(it, DOCTOR_UNKNOWN, "unknown: /sys/devices/system/cpu/nohz_full: %s",
		    err_str(b->nohz_err));
		return;
	}
	if (cpulist_has(&b->nohz_full, cpu)) {
		say(it, DOCTOR_OK, "CPU %d runs without the timer tick (nohz_full: %s)", cpu,
		    cpulist_str(&b->nohz_full, list, sizeof(list)));
		return;
	}
	say(it, DOCTOR_WARN,
	    "CPU %d is not in nohz_full (%s): the timer tick interrupts the hot "
	    "loop",
	    cpu, cpulist_str(&b->nohz_full, list, sizeof(list))[0] ? list : "none");
	fix(it,
	    "add nohz_full=%d to the kernel command line (/etc/default/grub, update-grub, "
	    "reboot)",
	    cpu);
}

static void check_rcu_nocbs(struct ctx *x, int cpu)
{
	struct doctor_item *it = add(x, "rcu_nocbs", NULL);
	const struct doctor_box *b = x->b;
	struct cpulist l;
	const char *v;
	bool bare;

	if (cpu < 0) {
		say(it, DOCTOR_UNKNOWN, "no capture core to check (capture.cpu = -1)");
		return;
	}
	v = kparam(b->cmdline, "rcu_nocbs", &bare);
	if (v && cpulist_parse(v, &l) == 0 && cpulist_has(&l, cpu)) {
		say(it, DOCTOR_OK, "RCU callbacks are offloaded from CPU %d (rcu_nocbs=)", cpu);
		return;
	}
	if (!b->nohz_err && cpulist_has(&b->nohz_full, cpu)) {
		say(it, DOCTOR_OK, "RCU callbacks are offloaded from CPU %d (implied by nohz_full)",
		    cpu);
		return;
	}
	if (bare) {
		say(it, DOCTOR_WARN,
		    "rcu_nocbs is given without a list: CPU %d may be offloaded at "
		    "run time, but is not from boot",
		    cpu);
		fix(it, "rcu_nocbs=%d on the kernel command line", cpu);
		return;
	}
	say(it, DOCTOR_WARN,
	    "RCU callbacks run on CPU %d (no rcu_nocbs=%d, no nohz_full=%d on the "
	    "kernel command line)",
	    cpu, cpu, cpu);
	fix(it,
	    "add rcu_nocbs=%d to the kernel command line (/etc/default/grub, update-grub, "
	    "reboot)",
	    cpu);
}

/*
 * The capture threads' cores against each other and against the
 * recorders: a capdump that may run on a capture core that is not
 * isolated, or that is held to capture cores alone, takes time from a
 * hot loop.  Shown for several threads, or when a recorder runs.
 */
static void check_capture_cores(struct ctx *x)
{
	const struct doctor_box *b = x->b;
	struct doctor_item *it;
	unsigned int k, j;
	char list[256];

	if (x->nthreads == 1 && (!b->ncapdump || x->cpus[0] < 0))
		return;
	it = add(x, "capture-cores", NULL);
	say(it, DOCTOR_OK, "%u capture thread(s):", x->nthreads);
	for (k = 0; k < x->nthreads; k++) {
		if (x->cpus[k] < 0)
			more(it, "%s thread %u not pinned", k ? "," : "", k);
		else
			more(it, "%s thread %u on CPU %d", k ? "," : "", k, x->cpus[k]);
		for (j = 0; j < k; j++)
			if (x->cpus[j] == x->cpus[k] && x->cpus[k] >= 0) {
				worse(it, DOCTOR_FAIL);
				more(it, " (the core of thread %u too)", j);
			}
	}
	if (b->procs_err) {
		worse(it, DOCTOR_UNKNOWN);
		more(it, "; the recorders' cores are unknown (/proc hides other users' "
			 "processes: run as root)");
		return;
	}
	for (k = 0; k < b->ncapdump && k < DOCTOR_MAX_CAPDUMP; k++) {
		const struct cpulist *a = &b->capdump[k].allowed;
		struct cpulist open = { 0 };
		unsigned int i;

		if (b->capdump[k].aff_err)
			continue;
		/* capture cores the scheduler may put it on: not isolated */
		for (i = 0; i < CPULIST_MAX / 64; i++)
			open.bits[i] = a->bits[i] & x->capture.bits[i] & ~b->isolated.bits[i];
		if (cpulist_count(&open)) {
			worse(it, DOCTOR_WARN);
			part(it,
			     "capdump (pid %d) may run on capture core(s) %s, which are not "
			     "isolated",
			     b->capdump[k].pid, cpulist_str(&open, list, sizeof(list)));
		} else if (cpulist_count(a) && cpulist_within(a, &x->capture)) {
			worse(it, DOCTOR_WARN);
			part(it, "capdump (pid %d) is held to capture core(s) %s",
			     b->capdump[k].pid, cpulist_str(a, list, sizeof(list)));
		} else {
			continue;
		}
		if (housekeeping_cpu(x) >= 0)
			fix(it, "run capdump off the capture cores: CPUAffinity= in a drop-in of "
				"capdump@.service (systemctl edit capdump@NAME), or taskset");
	}
	if (it->status == DOCTOR_OK && b->ncapdump)
		part(it, "no recorder (%u capdump) may run on a capture core", b->ncapdump);
}

/* ---- processes and the clock ------------------------------------------------------ */

/* Does ptp4l run on ifname: "-i IF" among its arguments, or "[IF]" in
 * its configuration file? */
static bool ptp4l_on(const struct doctor_box *b, const char *ifname)
{
	const char *p = b->ptp4l.args;
	size_t n = strlen(ifname);
	bool after_i = false;
	char w[IF_NAMESIZE + 4];

	while (*p) {
		size_t len = strcspn(p, " ");

		if ((after_i && len == n && !strncmp(p, ifname, n)) ||
		    (len == n + 2 && !strncmp(p, "-i", 2) && !strncmp(p + 2, ifname, n)))
			return true;
		after_i = len == 2 && !strncmp(p, "-i", 2);
		p += len;
		p += strspn(p, " ");
	}
	snprintf(w, sizeof(w), "[%s]", ifname);
	return strstr(b->ptp4l_conf, w) != NULL;
}

/* ptp4l keeps the receive filter at "all packets" only with hwts_filter full. */
static bool ptp4l_filter_full(const struct doctor_box *b)
{
	const char *p;

	if (strstr(b->ptp4l.args, "--hwts_filter=full") ||
	    strstr(b->ptp4l.args, "--hwts_filter full"))
		return true;
	for (p = b->ptp4l_conf; (p = strstr(p, "hwts_filter")); p++) {
		const char *q = p + strlen("hwts_filter");

		if (p != b->ptp4l_conf && p[-1] != '\n')
			continue;
		q += strspn(q, " \t");
		if (!strncmp(q, "full", 4))
			return true;
	}
	return false;
}

/* May uid/groups of run.user write the socket capd talks to ptp4l through? */
static bool capd_may_write(const struct doctor_box *b, const struct stat *st)
{
	if (!b->run_user_known || b->run_uid == 0)
		return true;
	if (st->st_uid == b->run_uid)
		return st->st_mode & S_IWUSR;
	if (run_user_in(b, st->st_gid))
		return st->st_mode & S_IWGRP;
	return st->st_mode & S_IWOTH;
}

static void check_ptp4l(struct ctx *x)
{
	struct doctor_item *it = add(x, "ptp4l", NULL);
	const struct doctor_box *b = x->b;
	const struct capd_conf *c = x->c;
	const char *sock = c->clock.ptp4l_socket;
	const char *ifname = c->capture.ninterfaces ? c->capture.interfaces[0].name : "IF";
	unsigned int i;

	if (b->procs_err) {
		say(it, DOCTOR_UNKNOWN, "unknown (needs root): /proc hides other users' processes");
		return;
	}
	if (!b->ptp4l.pid) {
		say(it, DOCTOR_WARN,
		    "ptp4l is not running: the NIC clock capd stamps with is not "
		    "disciplined, and capd has no PTP status to publish");
		fix(it,
		    "apt-get install linuxptp; systemctl enable --now ptp4l@%s.service "
		    "(with hwts_filter full in /etc/linuxptp/ptp4l.conf)",
		    ifname);
		return;
	}
	say(it, DOCTOR_OK, "ptp4l runs (pid %d)", b->ptp4l.pid);
	for (i = 0; i < c->capture.ninterfaces; i++) {
		const char *n = c->capture.interfaces[i].name;

		if (ptp4l_on(b, n)) {
			more(it, " on %s", n);
			continue;
		}
		worse(it, DOCTOR_WARN);
		more(it,
		     "; not on %s (no \"-i %s\" in its arguments, no [%s] in its -f file): "
		     "that NIC's clock is not disciplined",
		     n, n, n);
		fix(it, "systemctl enable --now ptp4l@%s.service", n);
	}
	if (!sock[0]) {
		more(it, "; capd does not ask it (clock.ptp4l_socket = \"\")");
		return;
	}
	if (b->sock_err) {
		worse(it, DOCTOR_WARN);
		more(it, "; no socket at clock.ptp4l_socket %s (%s): capd cannot ask it", sock,
		     err_str(b->sock_err));
		fix(it, "set clock.ptp4l_socket to ptp4l's uds_address");
		return;
	}
	if (!S_ISSOCK(b->sock_st.st_mode)) {
		worse(it, DOCTOR_WARN);
		more(it, "; %s is not a socket", sock);
		fix(it, "set clock.ptp4l_socket to ptp4l's uds_address");
		return;
	}
	if (!capd_may_write(b, &b->sock_st)) {
		worse(it, DOCTOR_WARN);
		more(it,
		     "; capd (user %s) may not write its socket %s (uid %u, gid %u, mode %04o): "
		     "no clock status",
		     c->run.user, sock, (unsigned int)b->sock_st.st_uid,
		     (unsigned int)b->sock_st.st_gid, (unsigned int)b->sock_st.st_mode & 07777);
		fix(it,
		    "run ptp4l with Group=capture so that its 0660 socket is the group's: the "
		    "drop-in ptp4l@.service.d/capd.conf that capd installs does it; systemctl "
		    "daemon-reload; systemctl restart ptp4l@%s.service",
		    ifname);
		return;
	}
	more(it, "; its socket %s is there for capd", sock);
}

static void check_phc2sys(struct ctx *x)
{
	struct doctor_item *it = add(x, "phc2sys", NULL);
	const struct doctor_box *b = x->b;
	const char *ifname = x->c->capture.ninterfaces ? x->c->capture.interfaces[0].name : "IF";

	if (b->procs_err) {
		say(it, DOCTOR_UNKNOWN, "unknown (needs root): /proc hides other users' processes");
		return;
	}
	if (b->phc2sys.pid) {
		say(it, DOCTOR_OK, "phc2sys runs (pid %d): the system clock follows the NIC clock",
		    b->phc2sys.pid);
		return;
	}
	say(it, DOCTOR_WARN,
	    "phc2sys is not running: the system clock (file times, kernel "
	    "timestamps when the NIC has none) does not follow the NIC clock");
	fix(it,
	    "systemctl enable --now phc2sys@%s.service (phc2sys -w -s %s sets the kernel's "
	    "TAI offset too)",
	    ifname, ifname);
}

/* ---- the ring against the links --------------------------------------------------- */

static void check_ring_seconds(struct ctx *x, const struct doctor_iface *ifs, unsigned int nifs)
{
	struct doctor_item *it = add(x, "ring-seconds", NULL);
	const struct capd_conf *c = x->c;
	uint64_t size = ring_bytes(x), data, mbps = 0, want;
	unsigned int i, unknown = 0;
	double secs;

	/* A set's rings each take their threads' queues: together they hold
	 * nthreads times one ring, as long as the queues share the traffic. */
	data = (uint64_t)ring_layout_nblocks(size, c->ring.block_size) * c->ring.block_size *
	       x->nthreads;
	for (i = 0; i < nifs; i++) {
		if (ifs[i].ifindex && ifs[i].speed_mbps > 0)
			mbps += (uint64_t)ifs[i].speed_mbps;
		else
			unknown++;
	}
	if (!mbps) {
		say(it, DOCTOR_UNKNOWN,
		    "unknown: no link speed (link down, or none configured); the "
		    "ring holds %" PRIu64 " MiB of records",
		    data >> 20);
		return;
	}
	secs = (double)data * 8 / ((double)mbps * 1e6);
	say(it, DOCTOR_OK,
	    "the ring holds %.1f s of traffic at line rate (%" PRIu64 " MiB of "
	    "records, links %.1f Gb/s)",
	    secs, data >> 20, (double)mbps / 1000);
	if (unknown)
		more(it, "; %u link(s) of unknown speed not counted", unknown);
	if (x->nthreads > 1)
		more(it, "; in %u rings, if the queues share the traffic evenly", x->nthreads);
	if (secs >= DOCTOR_RING_SECONDS_MIN)
		return;
	worse(it, DOCTOR_WARN);
	more(it, "; below %d s a reader that stalls or restarts at line rate is lapped",
	     DOCTOR_RING_SECONDS_MIN);
	/* bytes for the minimum, rounded up to GiB, plus the header block */
	want = (mbps * 1000000 / 8 * DOCTOR_RING_SECONDS_MIN + c->ring.block_size + (1ULL << 30) -
		1) >>
	       30;
	want = (want + x->nthreads - 1) / x->nthreads;
	fix(it, "ring.size = \"%" PRIu64 "G\" (and the hugepages for it)%s", want,
	    x->nthreads > 1 ? ", for each ring of the set" : "");
}

/* ---- each interface ---------------------------------------------------------------- */

static const char *attach_str(uint8_t mode)
{
	switch (mode) {
	case XDP_ATTACHED_DRV:
		return "native";
	case XDP_ATTACHED_SKB:
		return "generic";
	case XDP_ATTACHED_HW:
		return "offloaded";
	case XDP_ATTACHED_MULTI:
		return "several modes";
	default:
		return "none";
	}
}

static void check_xdp_native(struct ctx *x, const struct capd_conf_iface *ci,
			     const struct doctor_iface *f)
{
	struct doctor_item *it = add(x, "xdp-native", f->name);
	const uint64_t need = NETDEV_XDP_ACT_BASIC | NETDEV_XDP_ACT_REDIRECT;
	bool native = (f->xdp.features & need) == need;

	if (f->xdp_err) {
		say(it, DOCTOR_UNKNOWN,
		    "unknown: the kernel does not say what the driver supports "
		    "(netdev netlink: %s; Linux 6.3 or later does)",
		    err_str(f->xdp_err));
	} else if (native) {
		if (ci->mode == CAPD_XDP_GENERIC) {
			say(it, DOCTOR_WARN,
			    "the driver has native XDP, but mode = \"generic\" "
			    "makes an skb of every packet and rules out NIC timestamps");
			fix(it, "mode = \"native\" in capture.interfaces");
		} else {
			say(it, DOCTOR_OK, "the driver supports native XDP with redirect");
		}
	} else if (ci->mode == CAPD_XDP_NATIVE) {
		say(it, DOCTOR_FAIL,
		    "the driver has no native XDP redirect (xdp-features %#" PRIx64
		    "): capd will not start with mode = \"native\"",
		    f->xdp.features);
		fix(it,
		    "mode = \"auto\" (falls back to generic, slower), or a NIC whose driver has "
		    "native XDP; a veth needs as many receive queues as its peer has transmit "
		    "queues");
	} else {
		say(it, DOCTOR_WARN,
		    "the driver has no native XDP redirect (xdp-features %#" PRIx64
		    "): capd runs in generic mode, an skb per packet and no NIC timestamps",
		    f->xdp.features);
		fix(it, "a NIC whose driver has native XDP (mlx5, ice, i40e, igc, ixgbe...)");
	}
	if (f->prog_err || f->prog.attached == XDP_ATTACHED_NONE)
		return;
	if (!x->b->capd.pid) {
		worse(it, DOCTOR_FAIL);
		more(it,
		     "; an XDP program (id %u, %s) is attached, and no capd writes this ring: "
		     "capd never replaces it (another capd or tool owns %s)",
		     f->prog.prog_id, attach_str(f->prog.attached), f->name);
		fix(it,
		    "check what it is (bpftool prog show id %u), then: ip link set dev %s %s off",
		    f->prog.prog_id, f->name,
		    f->prog.attached == XDP_ATTACHED_SKB ? "xdpgeneric" : "xdp");
		return;
	}
	more(it, "; attached now in %s mode (program id %u, capd pid %d)",
	     attach_str(f->prog.attached), f->prog.prog_id, x->b->capd.pid);
	if (f->prog.attached == XDP_ATTACHED_SKB && native && !f->xdp_err) {
		worse(it, DOCTOR_WARN);
		more(it, ", though the driver has native mode");
		fix(it, "restart capd and read why native mode failed in its log");
	}
}

static void check_zerocopy(struct ctx *x, const struct doctor_iface *f)
{
	struct doctor_item *it = add(x, "zerocopy", f->name);
	int zc = x->c->capture.xsk.zerocopy;
	bool has = f->xdp.features & NETDEV_XDP_ACT_XSK_ZEROCOPY;

	if (f->xdp_err) {
		say(it, DOCTOR_UNKNOWN, "unknown: the kernel does not say (netdev netlink: %s)",
		    err_str(f->xdp_err));
		return;
	}
	if (has) {
		if (zc == CAPD_ZC_OFF) {
			say(it, DOCTOR_WARN,
			    "the driver has AF_XDP zero-copy, but xsk.zerocopy = "
			    "\"off\" copies every frame");
			fix(it, "xsk.zerocopy = \"auto\"");
		} else {
			say(it, DOCTOR_OK, "the driver has AF_XDP zero-copy");
		}
		return;
	}
	if (zc == CAPD_ZC_ON) {
		say(it, DOCTOR_FAIL,
		    "the driver has no AF_XDP zero-copy: capd will not start with "
		    "xsk.zerocopy = \"on\"");
		fix(it, "xsk.zerocopy = \"auto\", or a NIC with zero-copy AF_XDP");
		return;
	}
	say(it, DOCTOR_WARN,
	    "the driver has no AF_XDP zero-copy: the kernel copies every frame "
	    "into capd's buffers (fine up to a few Gb/s)");
	fix(it, "a NIC whose driver has zero-copy AF_XDP for line rate at 10G and beyond");
}

#define TS_HW_RX (SOF_TIMESTAMPING_RX_HARDWARE | SOF_TIMESTAMPING_RAW_HARDWARE)

static void check_hw_timestamp(struct ctx *x, const struct capd_conf_iface *ci,
			       const struct doctor_iface *f)
{
	struct doctor_item *it = add(x, "hw-timestamp", f->name);
	bool kfunc = !f->xdp_err && (f->xdp.rx_metadata & NETDEV_XDP_RX_METADATA_TIMESTAMP);
	bool hw = !f->ts_err && (f->ts.so_timestamping & TS_HW_RX) == TS_HW_RX &&
		  f->ts.phc_index >= 0;
	bool all = hw && (f->ts.rx_filters & (1u << HWTSTAMP_FILTER_ALL));

	if (f->ts_err && f->xdp_err) {
		say(it, DOCTOR_UNKNOWN, "unknown: ethtool timestamping info: %s",
		    err_str(f->ts_err));
		return;
	}
	if (hw && all && kfunc && ci->mode != CAPD_XDP_GENERIC) {
		say(it, DOCTOR_OK,
		    "the NIC stamps every packet on its clock /dev/ptp%d, and the "
		    "driver hands the stamp to XDP (rx_timestamp kfunc)",
		    f->ts.phc_index);
		return;
	}
	say(it, DOCTOR_WARN,
	    "no NIC timestamps: capd stamps with the kernel's CLOCK_TAI when "
	    "XDP sees the packet (after interrupt and NAPI delay)");
	if (!hw) {
		more(it, "; the device has no hardware receive stamping (ethtool -T %s)", f->name);
		fix(it, "a NIC with a PTP hardware clock");
	} else if (!all) {
		more(it, "; the NIC cannot stamp all packets (only PTP: rx_filters %#x)",
		     f->ts.rx_filters);
		fix(it, "a NIC that stamps every received packet (HWTSTAMP_FILTER_ALL)");
	}
	if (!kfunc) {
		more(it, "; the driver does not give XDP the stamp (no rx_timestamp kfunc)");
		if (hw)
			fix(it, "a driver with the XDP rx_timestamp kfunc (mlx5, mlx4, ice, igc, "
				"stmmac) and a kernel of 6.3 or later");
	} else if (ci->mode == CAPD_XDP_GENERIC) {
		more(it, "; mode = \"generic\" cannot use the kfunc");
		fix(it, "mode = \"native\"");
	}
	if (kfunc && !hw)
		more(it, " (the driver implements the kfunc, but with no clock behind it)");
}

static const char *filter_str(int f)
{
	static const char *const names[] = {
		"none",		  "all",	   "some",
		"PTPv1 L4 event", "PTPv1 L4 sync", "PTPv1 L4 delay-req",
		"PTPv2 L4 event", "PTPv2 L4 sync", "PTPv2 L4 delay-req",
		"PTPv2 L2 event", "PTPv2 L2 sync", "PTPv2 L2 delay-req",
		"PTPv2 event",	  "PTPv2 sync",	   "PTPv2 delay-req",
		"NTP all",
	};

	return f >= 0 && f < (int)(sizeof(names) / sizeof(names[0])) ? names[f] : "?";
}

static void check_rx_filter(struct ctx *x, const struct doctor_iface *f)
{
	struct doctor_item *it = add(x, "rx-filter", f->name);
	const struct doctor_box *b = x->b;
	bool hw = !f->ts_err && (f->ts.so_timestamping & TS_HW_RX) == TS_HW_RX;
	int rxf = f->hwts.rx_filter;

	if (f->hwts_err == -EOPNOTSUPP || f->hwts_err == -EINVAL || f->hwts_err == -ENOTTY ||
	    (!f->hwts_err && !hw)) {
		say(it, DOCTOR_OK, "nothing to set: the device has no hardware timestamping");
		return;
	}
	if (f->hwts_err) {
		say(it, DOCTOR_UNKNOWN, "unknown: SIOCGHWTSTAMP: %s", err_str(f->hwts_err));
		return;
	}
	if (rxf == HWTSTAMP_FILTER_ALL)
		say(it, DOCTOR_OK, "the NIC stamps all received packets (HWTSTAMP_FILTER_ALL)");
	else if (rxf == HWTSTAMP_FILTER_NONE && !b->capd.pid)
		say(it, DOCTOR_OK,
		    "receive stamping is off; capd sets HWTSTAMP_FILTER_ALL when it "
		    "starts");
	else {
		say(it, DOCTOR_WARN,
		    "the NIC stamps %s packets only (filter \"%s\"): capd's "
		    "packets get no NIC time",
		    rxf == HWTSTAMP_FILTER_NONE ? "no" : "some", filter_str(rxf));
		fix(it, "restart capd, which sets HWTSTAMP_FILTER_ALL");
	}
	if (b->ptp4l.pid && ptp4l_on(b, f->name) && !ptp4l_filter_full(b)) {
		worse(it, DOCTOR_WARN);
		more(it,
		     "; ptp4l runs on %s without hwts_filter full and narrows the filter to PTP "
		     "whenever its port resets",
		     f->name);
		fix(it, "hwts_filter full in ptp4l's configuration (or --hwts_filter=full), then "
			"restart ptp4l and capd");
	}
}

/* Does the interface's name, or its device's, name this IRQ's queue? */
static bool queue_captured(const struct capd_conf_iface *ci, int queue)
{
	unsigned int i;

	if (!ci->nqueues)
		return true;
	for (i = 0; i < ci->nqueues; i++)
		if (ci->queues[i] == queue)
			return true;
	return false;
}

static void check_irqs(struct ctx *x, const struct capd_conf_iface *ci,
		       const struct doctor_iface *f)
{
	struct doctor_item *it = add(x, "irq-affinity", f->name);
	const struct doctor_box *b = x->b;
	int cpu = x->c->capture.cpu, hk = housekeeping_cpu(x);
	unsigned int i, nrx = 0, bad = 0;
	char list[256], cores[256];

	if (!f->has_device) {
		say(it, DOCTOR_OK, "a virtual interface: no device interrupts");
		return;
	}
	if (x->nthreads == 1 && cpu < 0) {
		say(it, DOCTOR_UNKNOWN,
		    "no capture core to keep interrupts away from "
		    "(capture.cpu = -1)");
		return;
	}
	cpulist_str(&x->capture, cores, sizeof(cores));
	for (i = 0; i < f->nirqs; i++) {
		const struct doctor_irq *q = &f->irqs[i];

		if (q->queue < 0 || !queue_captured(ci, q->queue))
			continue;
		nrx++;
		if (q->aff_err) {
			worse(it, DOCTOR_UNKNOWN);
			more(it, "IRQ %d (%s): %s; ", q->irq, q->name, err_str(q->aff_err));
			continue;
		}
		if (!cpulist_meets(&q->affinity, &x->capture))
			continue;
		bad++;
		worse(it, DOCTOR_WARN);
		more(it, "IRQ %d (%s) may run on CPU %s; ", q->irq, q->name,
		     cpulist_str(&q->affinity, list, sizeof(list)));
		if (hk >= 0)
			fix(it, "echo %d > /proc/irq/%d/smp_affinity_list", hk, q->irq);
	}
	if (!nrx) {
		say(it, DOCTOR_UNKNOWN,
		    "unknown: none of the device's %u interrupts is recognisably "
		    "a receive queue's; check /proc/interrupts by hand",
		    f->nirqs);
		return;
	}
	if (bad) {
		more(it,
		     "the driver's receive work (XDP program, copy) would compete with the "
		     "capture loop on CPU %s",
		     cores);
		if (b->irqbalance.pid && !cpulist_within(&x->capture, &b->isolated)) {
			more(it, "; irqbalance runs and may move them back");
			fix(it, "IRQBALANCE_BANNED_CPULIST=%s in /etc/default/irqbalance", cores);
		}
		return;
	}
	if (it->status == DOCTOR_OK)
		more(it, "the %u receive-queue interrupt(s) stay off the capture core%s %s", nrx,
		     x->nthreads > 1 ? "s" : "", cores);
}

/* Several capture threads: each core's node against the NIC's. */
static void check_numa_cores(struct ctx *x, struct doctor_item *it, const struct doctor_iface *f)
{
	unsigned int k, far = 0, unknown = 0;
	char list[256];

	say(it, DOCTOR_OK, "the NIC is on node %d", f->numa_node);
	for (k = 0; k < x->nthreads; k++) {
		int node = x->b->cpu_nodes[k];

		if (node < 0) {
			unknown++;
			continue;
		}
		if (node == f->numa_node)
			continue;
		far++;
		worse(it, DOCTOR_WARN);
		more(it, "; capture thread %u's CPU %d is on node %d", k, x->cpus[k], node);
	}
	if (far) {
		more(it, ": its packets cross the interconnect");
		fix(it, "capture.cpus = cores of node %d (%s)", f->numa_node,
		    cpulist_str(&f->node_cpus, list, sizeof(list)));
	} else if (!unknown) {
		more(it, ", as are the %u capture cores", x->nthreads);
	}
	if (unknown) {
		worse(it, DOCTOR_UNKNOWN);
		more(it, "; the node of %u capture core(s) is unknown", unknown);
	}
}

static void check_numa(struct ctx *x, const struct doctor_iface *f)
{
	struct doctor_item *it = add(x, "numa", f->name);
	const struct doctor_box *b = x->b;
	int cpu = x->c->capture.cpu;
	char list[256];

	if (b->nnodes == 1) {
		say(it, DOCTOR_OK, "one NUMA node: everything is local");
		return;
	}
	if (f->numa_node < 0) {
		say(it, DOCTOR_OK, "the device reports no NUMA node (virtual, or a single node)");
		return;
	}
	if (x->nthreads > 1) {
		check_numa_cores(x, it, f);
		return;
	}
	if (cpu < 0 || b->cpu_node < 0) {
		say(it, DOCTOR_UNKNOWN,
		    "the NIC is on node %d; the capture core's node is unknown "
		    "(capture.cpu = %d)",
		    f->numa_node, cpu);
		return;
	}
	if (b->cpu_node == f->numa_node) {
		say(it, DOCTOR_OK, "the NIC and CPU %d are both on node %d", cpu, f->numa_node);
		return;
	}
	say(it, DOCTOR_WARN,
	    "the NIC is on node %d, CPU %d on node %d: every packet crosses the "
	    "interconnect",
	    f->numa_node, cpu, b->cpu_node);
	fix(it, "%s = one of node %d's CPUs (%s)", x->key, f->numa_node,
	    cpulist_str(&f->node_cpus, list, sizeof(list)));
}

/* ---- local consumers ---------------------------------------------------------- */

static void check_consumers(struct ctx *x)
{
	struct doctor_item *it = add(x, "consumers", NULL);
	const struct doctor_box *b = x->b;
	size_t i, shown = b->ncons < DOCTOR_MAX_CONSUMERS ? b->ncons : DOCTOR_MAX_CONSUMERS;
	unsigned int k, bypass = 0;
	char what[512];

	for (k = 0; k < x->c->capture.ninterfaces; k++)
		bypass += x->c->capture.interfaces[k].path == CAPD_PATH_BYPASS;
	if (!bypass) {
		say(it, DOCTOR_OK,
		    "no interface uses the bypass path: local sockets keep the feeds");
		return;
	}
	if (b->cons_err) {
		say(it, DOCTOR_UNKNOWN, "cannot read the sockets and memberships in /proc/net: %s",
		    err_str(b->cons_err));
		return;
	}
	if (!b->ncons) {
		say(it, DOCTOR_OK,
		    "no local socket receives a captured feed (/proc/net/udp, udp6, "
		    "igmp, igmp6)");
		return;
	}
	say(it, x->c->capture.exclusive ? DOCTOR_WARN : DOCTOR_FAIL,
	    "%zu local consumer(s) get nothing of a feed while capd captures it in bypass%s: ",
	    b->ncons,
	    x->c->capture.exclusive ? " (capture.exclusive = true)"
	    : b->capd.pid	    ? ""
				    : ", and capd refuses to start beside them");
	for (i = 0; i < shown; i++)
		append(it->reason, sizeof(it->reason), i ? "; " : "", "%s",
		       consumer_str(&b->cons[i], x->c, what, sizeof(what)));
	if (b->ncons > shown)
		more(it, "; and %zu more", b->ncons - shown);
	if (!x->c->capture.exclusive)
		fix(it,
		    "capture.exclusive = true if this box only captures (the consumers then get "
		    "nothing)");
	fix(it, "capture beside them with capture.interfaces[%u].path = \"shared\"",
	    (unsigned int)b->cons[0].iface);
	if (x->c->capture.exclusive)
		fix(it, "or stop them");
}

/* The counts of the valid stamps' flags and device/port pairs. */
static void wire_details(struct doctor_item *it, const struct doctor_wire *w)
{
	unsigned int d;

	if (w->degraded || w->duplicate)
		part(it, "flagged degraded %" PRIu64 ", duplicate %" PRIu64, w->degraded,
		     w->duplicate);
	for (d = 0; d < w->ndevs; d++)
		append(it->reason, sizeof(it->reason), d ? ", " : "; ",
		       "%sdevice %u port %u: %" PRIu64 " frames", d ? "" : "seen from ",
		       w->devs[d].device, w->devs[d].port, w->devs[d].frames);
	if (w->devs_other)
		more(it, ", %" PRIu64 " frames from other devices or ports", w->devs_other);
}

/*
 * What the newest frames of the ring carry (doctor_wire.h), against
 * capture.interfaces[i].timestamp: most frames should carry a valid stamp
 * of the configured kind, and an interface left at "nic" should not carry
 * one of another kind in most frames.
 */
static void check_wire_time(struct ctx *x, unsigned int i, const struct capd_conf_iface *ci,
			    const struct doctor_iface *f)
{
	const struct doctor_wire *w = &f->wire;
	struct doctor_item *it = add(x, "wire-time", f->name);
	unsigned int kind = (unsigned int)ci->timestamp, k, best = 0;
	const char *name = wirets_kind_name(kind);
	uint64_t ok = w->status[WIRETS_OK];

	if (w->err) {
		say(it, DOCTOR_UNKNOWN, "unknown: no frames to look at (the ring: %s)",
		    w->err == -ENOENT ? "capd has not made it yet" : err_str(w->err));
		return;
	}
	if (!w->frames) {
		say(it, DOCTOR_UNKNOWN,
		    "unknown: the ring's newest %u records hold no frame of %s to look at",
		    DOCTOR_WIRE_RECORDS, f->name);
		return;
	}
	for (k = 1; k <= WIRETS_KIND_MAX; k++)
		if (k != kind && w->ok_as[k] > w->ok_as[best])
			best = k;
	if (kind == WIRETS_NONE) {
		if (best && 2 * w->ok_as[best] > w->frames) {
			say(it, DOCTOR_WARN,
			    "%" PRIu64 " of the newest %" PRIu64 " frames carry a valid %s "
			    "timestamp, but timestamp is \"nic\": readers take the host's time",
			    w->ok_as[best], w->frames, wirets_kind_name(best));
			fix(it, "capture.interfaces[%u].timestamp = \"%s\", then restart capd", i,
			    wirets_kind_name(best));
		} else {
			say(it, DOCTOR_OK,
			    "no switch timestamp in most of the newest %" PRIu64
			    " frames, as timestamp \"nic\" says",
			    w->frames);
		}
	} else {
		say(it, 2 * ok > w->frames ? DOCTOR_OK : DOCTOR_WARN,
		    "%" PRIu64 " of the newest %" PRIu64 " frames carry a valid %s timestamp "
		    "(absent %" PRIu64 ", malformed %" PRIu64 ", truncated %" PRIu64 ")",
		    ok, w->frames, name, w->status[WIRETS_ABSENT], w->status[WIRETS_MALFORMED],
		    w->status[WIRETS_TRUNCATED]);
		wire_details(it, w);
		if (2 * ok <= w->frames) {
			part(it, "most lack one: readers take the host's time for those");
			if (best && 2 * w->ok_as[best] > w->frames)
				fix(it,
				    "capture.interfaces[%u].timestamp = \"%s\" (%" PRIu64
				    " frames carry that), then restart capd",
				    i, wirets_kind_name(best), w->ok_as[best]);
			else if (2 * w->status[WIRETS_TRUNCATED] > w->frames)
				fix(it, "a capture.snaplen that keeps the whole frame");
			else
				fix(it,
				    "make the switch or tap in front of %s stamp the frames "
				    "(%s), or set capture.interfaces[%u].timestamp = \"nic\"",
				    f->name, name, i);
		}
	}
	if (w->in_ring && w->ring_kind != kind) {
		part(it, "the running capd was started with timestamp \"%s\"",
		     w->ring_kind == WIRETS_NONE ? "nic" : wirets_kind_name(w->ring_kind));
		worse(it, DOCTOR_WARN);
		/* unless the file itself is to be changed first */
		if (!it->fix[0])
			fix(it, "restart capd to apply timestamp \"%s\"", name);
	}
}

static void check_iface(struct ctx *x, unsigned int i, const struct capd_conf_iface *ci,
			const struct doctor_iface *f)
{
	if (!f->ifindex) {
		struct doctor_item *it = add(x, "interface", f->name);

		say(it, DOCTOR_FAIL, "no interface %s", f->name);
		fix(it, "correct capture.interfaces (ip -br link lists the interfaces)");
		return;
	}
	check_xdp_native(x, ci, f);
	check_zerocopy(x, f);
	check_hw_timestamp(x, ci, f);
	check_rx_filter(x, f);
	check_irqs(x, ci, f);
	check_numa(x, f);
	check_wire_time(x, i, ci, f);
}

unsigned int doctor_check(const struct doctor_conf *dc, const struct doctor_box *b,
			  const struct doctor_iface *ifs, unsigned int nifs,
			  struct doctor_item *items, unsigned int max)
{
	struct ctx x = { .dc = dc, .c = &dc->conf, .b = b, .items = items, .max = max };
	unsigned int i;

	x.nthreads = capd_conf_threads(&dc->conf);
	if (x.nthreads > CAPD_CONF_MAX_CPUS)
		x.nthreads = CAPD_CONF_MAX_CPUS;
	x.key = dc->conf.capture.ncpus ? "capture.cpus" : "capture.cpu";
	for (i = 0; i < x.nthreads; i++) {
		x.cpus[i] = capd_conf_thread_cpu(&dc->conf, i);
		if (x.cpus[i] >= 0 && x.cpus[i] < CPULIST_MAX)
			x.capture.bits[x.cpus[i] / 64] |= 1ULL << (x.cpus[i] % 64);
	}
	check_config(&x);
	check_hugepages(&x);
	check_hugetlbfs(&x);
	check_ring_access(&x);
	check_ring_seconds(&x, ifs, nifs);
	/* each capture thread's core: one item per check and core */
	for (i = 0; i < x.nthreads; i++)
		check_isolcpus(&x, x.cpus[i]);
	for (i = 0; i < x.nthreads; i++)
		check_nohz(&x, x.cpus[i]);
	for (i = 0; i < x.nthreads; i++)
		check_rcu_nocbs(&x, x.cpus[i]);
	check_capture_cores(&x);
	check_ptp4l(&x);
	check_phc2sys(&x);
	check_consumers(&x);
	for (i = 0; i < nifs && i < dc->conf.capture.ninterfaces; i++)
		check_iface(&x, i, &dc->conf.capture.interfaces[i], &ifs[i]);
	return x.n;
}
