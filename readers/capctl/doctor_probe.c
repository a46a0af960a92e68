// SPDX-License-Identifier: BSD-2-Clause
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/sockios.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "doctor_probe.h"
#include "netdev.h"
#include "ring_file.h"
#include "ring_lock.h"
#include "ring_set.h"

#ifndef HUGETLBFS_MAGIC
#define HUGETLBFS_MAGIC 0x958458f6
#endif

/* The first len - 1 bytes of a file, NUL terminated. @return 0 or -errno. */
static int read_text(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd, r = 0;

	buf[0] = '\0';
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	if (n < 0)
		r = -errno;
	else
		buf[n] = '\0';
	close(fd);
	return r;
}

static int read_cpulist(const char *path, struct cpulist *l)
{
	char buf[4096];
	int r;

	memset(l, 0, sizeof(*l));
	r = read_text(path, buf, sizeof(buf));
	return r ? r : cpulist_parse(buf, l);
}

static int read_int(const char *path, int *v)
{
	char buf[64], *end;
	long x;
	int r;

	r = read_text(path, buf, sizeof(buf));
	if (r)
		return r;
	x = strtol(buf, &end, 10);
	if (end == buf)
		return -EINVAL;
	*v = (int)x;
	return 0;
}

/* ---- the ring ------------------------------------------------------------------ */

/* Cut path at its last '/': its directory ("/" for "/x"). */
static void parent_dir(char *path)
{
	char *slash = strrchr(path, '/');

	if (slash && slash != path)
		*slash = '\0';
	else
		strcpy(path, "/");
}

/* The other rings of the set that exist with ring 0's size (capd makes
 * every ring of a set alike): their pages are taken. */
static void probe_members(const struct capd_conf *c, struct doctor_box *b)
{
	unsigned int k, n = capd_conf_threads(c);
	char path[sizeof(b->ring_path) + 16];
	struct stat st;

	if (b->file_err)
		return;
	for (k = 1; k < n; k++)
		if (ring_set_member_path(b->ring_path, k, path, sizeof(path)) == 0 &&
		    stat(path, &st) == 0 && st.st_size == b->file_st.st_size)
			b->members_present++;
}

static void probe_ring(const struct capd_conf *c, struct doctor_box *b)
{
	struct statfs sfs;
	struct stat st;
	int fd;

	if (ring_file_resolve(c->ring.name, b->ring_path, sizeof(b->ring_path)) < 0)
		snprintf(b->ring_path, sizeof(b->ring_path), "%s", c->ring.name);
	snprintf(b->fs_dir, sizeof(b->fs_dir), "%s", b->ring_path);
	parent_dir(b->fs_dir);
	b->dir_err = stat(b->fs_dir, &b->dir_st) < 0 ? -errno : 0;
	b->file_err = stat(b->ring_path, &b->file_st) < 0 ? -errno : 0;
	/* a missing directory will be made by capd on the filesystem above it */
	while (stat(b->fs_dir, &st) < 0 && errno == ENOENT && strcmp(b->fs_dir, "/"))
		parent_dir(b->fs_dir);
	b->fs_err = statfs(b->fs_dir, &sfs) < 0 ? -errno : 0;
	b->on_hugetlbfs = !b->fs_err && (unsigned long)sfs.f_type == HUGETLBFS_MAGIC;

	b->hp_err = ring_file_hugepages(b->on_hugetlbfs ? (uint64_t)sfs.f_bsize : 0, &b->hp);
	probe_members(c, b);
	if (!b->hp_err && b->hp.free * b->hp.page_size < c->ring.size)
		ring_file_explain(-ENOMEM, b->ring_path, c->ring.size, b->hp_explain,
				  sizeof(b->hp_explain));

	/* root reads anything: only an ordinary user learns something here */
	if (b->root)
		return;
	fd = open(b->ring_path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		close(fd);
		return;
	}
	b->access_err = -errno;
	ring_file_explain(b->access_err, b->ring_path, 0, b->access_explain,
			  sizeof(b->access_explain));
}

static void probe_accounts(const struct capd_conf *c, struct doctor_box *b)
{
	const char *g = c->ring.group[0] ? c->ring.group : c->run.group;
	struct passwd *pw;
	struct group *gr;
	int n;

	if (g[0]) {
		gr = getgrnam(g);
		b->ring_group_known = gr != NULL;
		b->ring_group_missing = gr == NULL;
		if (gr)
			b->ring_gid = gr->gr_gid;
	}
	if (!c->run.user[0])
		return;
	pw = getpwnam(c->run.user);
	if (!pw) {
		b->run_user_missing = true;
		return;
	}
	b->run_user_known = true;
	b->run_uid = pw->pw_uid;
	n = (int)(sizeof(b->run_groups) / sizeof(b->run_groups[0])) - 1;
	if (getgrouplist(c->run.user, pw->pw_gid, b->run_groups, &n) < 0)
		n = 0;
	b->nrun_groups = (unsigned int)n;
	if (c->run.group[0] && (gr = getgrnam(c->run.group)))
		b->run_groups[b->nrun_groups++] = gr->gr_gid;
}

/* ---- cores --------------------------------------------------------------------- */

static void probe_cores(const struct capd_conf *c, struct doctor_box *b)
{
	struct cpulist nodes;
	char path[128];
	int cpu = c->capture.cpu;
	unsigned int n, k;

	b->online_err = read_cpulist("/sys/devices/system/cpu/online", &b->online);
	b->isolated_err = read_cpulist("/sys/devices/system/cpu/isolated", &b->isolated);
	b->nohz_err = read_cpulist("/sys/devices/system/cpu/nohz_full", &b->nohz_full);
	read_text("/proc/cmdline", b->cmdline, sizeof(b->cmdline));
	b->nnodes =
		read_cpulist("/sys/devices/system/node/online", &nodes) ? 0 : cpulist_count(&nodes);
	for (k = 0; k < CAPD_CONF_MAX_CPUS; k++) {
		b->cpu_nodes[k] = -1;
		cpu = k < capd_conf_threads(c) ? capd_conf_thread_cpu(c, k) : -1;
		for (n = 0; cpu >= 0 && n < CPULIST_MAX && cpulist_has(&nodes, (int)n); n++) {
			struct stat st;

			snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%d/node%u", cpu,
				 n);
			if (stat(path, &st) == 0) {
				b->cpu_nodes[k] = (int)n;
				break;
			}
		}
	}
	b->cpu_node = b->cpu_nodes[0];
}

/* ---- processes ------------------------------------------------------------------- */

static void read_args(int pid, char *buf, size_t len)
{
	char path[64];
	ssize_t n, i;
	int fd;

	buf[0] = '\0';
	snprintf(path, sizeof(path), "/proc/%d/cmdline", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n <= 0)
		return;
	buf[n] = '\0';
	for (i = 0; i < n - 1; i++)
		if (!buf[i])
			buf[i] = ' ';
}

/* The cores process pid may run on, from its Cpus_allowed_list. */
static void probe_affinity(int pid, struct doctor_affinity *p)
{
	char path[64], buf[4096];
	const char *v;

	p->pid = pid;
	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	p->aff_err = read_text(path, buf, sizeof(buf));
	if (p->aff_err)
		return;
	v = strstr(buf, "\nCpus_allowed_list:");
	if (!v) {
		p->aff_err = -ENOENT;
		return;
	}
	v += strlen("\nCpus_allowed_list:");
	p->aff_err = cpulist_parse(v + strspn(v, " \t"), &p->allowed);
}

static void probe_procs(struct doctor_box *b)
{
	struct {
		const char *comm;
		struct doctor_proc *p;
	} want[] = {
		{ "capd", &b->capd },
		{ "ptp4l", &b->ptp4l },
		{ "phc2sys", &b->phc2sys },
		{ "irqbalance", &b->irqbalance },
	};
	struct dirent *de;
	char path[300], comm[32];
	int self = getpid(), holder;
	unsigned int i;
	DIR *d;

	/* With hidepid=, /proc shows an ordinary user only its own processes. */
	if (!b->root && read_text("/proc/1/comm", comm, sizeof(comm)) < 0) {
		b->procs_err = -EACCES;
		return;
	}
	d = opendir("/proc");
	if (!d) {
		b->procs_err = -errno;
		return;
	}
	while ((de = readdir(d))) {
		int pid = atoi(de->d_name);
		size_t n;

		if (pid <= 0 || pid == self)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/comm", pid);
		if (read_text(path, comm, sizeof(comm)))
			continue;
		n = strcspn(comm, "\n");
		comm[n] = '\0';
		if (!strcmp(comm, "capdump") && b->ncapdump < DOCTOR_MAX_CAPDUMP)
			probe_affinity(pid, &b->capdump[b->ncapdump++]);
		for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
			if (!strcmp(comm, want[i].comm) && !want[i].p->pid) {
				want[i].p->pid = pid;
				read_args(pid, want[i].p->args, sizeof(want[i].p->args));
			}
	}
	closedir(d);
	/*
	 * Other capds may run for other rings: ours holds our ring's lock,
	 * and without a ring there is none.  Only when the ring is hidden
	 * from us does any capd count.
	 */
	if (!b->file_err || b->file_err == -ENOENT) {
		char lock[sizeof(b->ring_path) + 8];

		holder = 0;
		if (!b->file_err && ring_lock_path(b->ring_path, lock, sizeof(lock)) == 0)
			holder = ring_lock_holder(lock);
		b->capd.pid = holder;
		b->capd.args[0] = '\0';
		if (holder)
			read_args(holder, b->capd.args, sizeof(b->capd.args));
	}
}

/* ptp4l's configuration file, from its "-f FILE" argument. */
static void probe_ptp4l_conf(struct doctor_box *b)
{
	const char *p = b->ptp4l.args;
	char path[512];

	b->ptp4l_conf_err = -ENOENT;
	while (*p) {
		size_t len = strcspn(p, " ");

		if (len == 2 && !strncmp(p, "-f", 2) && p[len]) {
			p += len + 1;
			len = strcspn(p, " ");
			snprintf(path, sizeof(path), "%.*s", (int)len, p);
			b->ptp4l_conf_err = read_text(path, b->ptp4l_conf, sizeof(b->ptp4l_conf));
			return;
		}
		p += len;
		p += strspn(p, " ");
	}
}

/* Local sockets a bypass interface would starve; capd's joins are its own. */
static void probe_consumers(const struct capd_conf *c, struct doctor_box *b)
{
	struct consumer_scan_opts o = { .conf = c, .own_joins = b->capd.pid != 0 };
	unsigned int i;

	for (i = 0; i < c->capture.ninterfaces && i < 32; i++)
		if (c->capture.interfaces[i].path == CAPD_PATH_BYPASS)
			o.ifaces |= 1u << i;
	b->cons_err = consumer_scan(&o, b->cons, DOCTOR_MAX_CONSUMERS, &b->ncons);
	if (!b->cons_err)
		consumer_owners(b->cons,
				b->ncons < DOCTOR_MAX_CONSUMERS ? b->ncons : DOCTOR_MAX_CONSUMERS);
}

void doctor_probe_box(const struct capd_conf *c, struct doctor_box *b)
{
	memset(b, 0, sizeof(*b));
	b->root = geteuid() == 0;
	probe_ring(c, b);
	probe_accounts(c, b);
	probe_cores(c, b);
	probe_procs(b);
	probe_ptp4l_conf(b);
	if (c->clock.ptp4l_socket[0])
		b->sock_err = stat(c->clock.ptp4l_socket, &b->sock_st) < 0 ? -errno : 0;
	probe_consumers(c, b);
}

/* ---- one interface ------------------------------------------------------------------ */

static bool word_at(const char *s, const char *p, size_t n)
{
	return (p == s || !isalnum((unsigned char)p[-1])) && !isalnum((unsigned char)p[n]);
}

static bool has_name(const char *s, const char *word)
{
	size_t n = strlen(word);
	const char *p;

	if (!n)
		return false;
	for (p = s; (p = strstr(p, word)); p += n)
		if (word_at(s, p, n))
			return true;
	return false;
}

bool doctor_probe_irq_match(const char *name, const char *ifname, const char *devname)
{
	return has_name(name, ifname) || has_name(name, devname);
}

/* Blank out every whole-word occurrence of word in s. */
static void blank(char *s, const char *word)
{
	size_t n = strlen(word);
	char *p;

	for (p = s; n && (p = strstr(p, word)); p += n)
		if (word_at(s, p, n))
			memset(p, '-', n);
}

int doctor_probe_irq_queue(const char *name, const char *ifname, const char *devname)
{
	static const char *const admin[] = { "config", "async", "ctrl",	 "misc", "cmd",	  "fw",
					     "pages",  "err",	"event", "mbx",	 "admin", "aux" };
	char s[64];
	size_t i, n;

	snprintf(s, sizeof(s), "%s", name);
	s[strcspn(s, "@")] = '\0'; /* mlx5: "mlx5_comp2@pci:0000:01:00.0" */
	blank(s, ifname);
	blank(s, devname);
	for (i = 0; s[i]; i++)
		s[i] = (char)tolower((unsigned char)s[i]);
	if ((strstr(s, "tx") && !strstr(s, "rx")) || strstr(s, "output"))
		return -1;
	for (i = 0; i < sizeof(admin) / sizeof(admin[0]); i++)
		if (strstr(s, admin[i]))
			return -1;
	n = strlen(s);
	if (!n || !isdigit((unsigned char)s[n - 1]))
		return -1;
	while (n && isdigit((unsigned char)s[n - 1]))
		n--;
	return atoi(s + n);
}

/* Add the numbers in dir (a device's msi_irqs) to set. */
static void msi_irqs(const char *dir, int *set, unsigned int *n, unsigned int max)
{
	struct dirent *de;
	DIR *d = opendir(dir);

	if (!d)
		return;
	while ((de = readdir(d)) && *n < max)
		if (isdigit((unsigned char)de->d_name[0]))
			set[(*n)++] = atoi(de->d_name);
	closedir(d);
}

static void probe_irqs(const char *ifname, struct doctor_iface *f)
{
	char path[300], link[300], line[1024];
	const char *devname;
	int msi[512];
	unsigned int nmsi = 0, i;
	ssize_t n;
	FILE *p;

	snprintf(path, sizeof(path), "/sys/class/net/%s/device", ifname);
	n = readlink(path, link, sizeof(link) - 1);
	f->has_device = n > 0;
	if (n <= 0)
		return;
	link[n] = '\0';
	devname = strrchr(link, '/') ? strrchr(link, '/') + 1 : link;
	snprintf(path, sizeof(path), "/sys/class/net/%s/device/msi_irqs", ifname);
	msi_irqs(path, msi, &nmsi, 512);
	/* virtio: the queues' IRQs belong to the PCI function above */
	snprintf(path, sizeof(path), "/sys/class/net/%s/device/../msi_irqs", ifname);
	if (!nmsi)
		msi_irqs(path, msi, &nmsi, 512);

	p = fopen("/proc/interrupts", "re");
	if (!p)
		return;
	while (fgets(line, sizeof(line), p) && f->nirqs < DOCTOR_MAX_IRQS) {
		struct doctor_irq *q = &f->irqs[f->nirqs];
		char *name, *end;
		bool mine = false;
		int irq;

		irq = (int)strtol(line, &end, 10);
		if (end == line || *end != ':')
			continue;
		end[strcspn(end, "\n")] = '\0';
		name = strrchr(end, ' ');
		name = name ? name + 1 : end;
		for (i = 0; i < nmsi; i++)
			mine |= msi[i] == irq;
		if (!mine && !doctor_probe_irq_match(name, ifname, devname))
			continue;
		q->irq = irq;
		snprintf(q->name, sizeof(q->name), "%s", name);
		q->queue = doctor_probe_irq_queue(name, ifname, devname);
		snprintf(path, sizeof(path), "/proc/irq/%d/smp_affinity_list", irq);
		q->aff_err = read_cpulist(path, &q->affinity);
		f->nirqs++;
	}
	fclose(p);
}

void doctor_probe_iface(const char *ifname, struct doctor_iface *f)
{
	char path[128];

	memset(f, 0, sizeof(*f));
	snprintf(f->name, sizeof(f->name), "%s", ifname);
	f->ifindex = (int)if_nametoindex(ifname);
	f->numa_node = -1;
	f->speed_mbps = -1;
	if (!f->ifindex)
		return;
	f->xdp_err = netdev_xdp_features(f->ifindex, &f->xdp);
	f->prog_err = netdev_xdp_attached(f->ifindex, &f->prog);
	f->ts.cmd = ETHTOOL_GET_TS_INFO;
	f->ts_err = netdev_ioctl(ifname, SIOCETHTOOL, &f->ts);
	f->hwts_err = netdev_ioctl(ifname, SIOCGHWTSTAMP, &f->hwts);
	probe_irqs(ifname, f);
	snprintf(path, sizeof(path), "/sys/class/net/%s/device/numa_node", ifname);
	if (read_int(path, &f->numa_node))
		f->numa_node = -1;
	if (f->numa_node >= 0) {
		snprintf(path, sizeof(path), "/sys/devices/system/node/node%d/cpulist",
			 f->numa_node);
		read_cpulist(path, &f->node_cpus);
	}
	snprintf(path, sizeof(path), "/sys/class/net/%s/speed", ifname);
	if (read_int(path, &f->speed_mbps))
		f->speed_mbps = -1;
}
