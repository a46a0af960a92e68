// SPDX-License-Identifier: BSD-2-Clause
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "consumer_scan.h"

#define TABLE_MAX (64u << 20)

static const uint8_t v4mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

static bool is_zero(const uint8_t *a, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (a[i])
			return false;
	return true;
}

static bool in_prefix(const uint8_t *addr, const uint8_t *net, unsigned int bits)
{
	unsigned int full = bits / 8, rest = bits % 8;

	if (memcmp(addr, net, full))
		return false;
	return !rest || ((addr[full] ^ net[full]) & (uint8_t)(0xff << (8 - rest))) == 0;
}

static bool is_mcast(int family, const uint8_t *a)
{
	return family == 4 ? (a[0] & 0xf0) == 0xe0 : a[0] == 0xff;
}

/* Groups the kernel joins by itself on every interface (or per address). */
static bool kernel_group(const struct proc_net_mship *m)
{
	static const uint8_t snode[13] = { 0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xff };
	const uint8_t *a = m->addr;

	if (m->family == 4)
		return a[0] == 224 && a[1] == 0 && a[2] == 0 && a[3] == 1;
	if (a[0] == 0xff && (a[1] == 0x01 || a[1] == 0x02 || a[1] == 0x05) && is_zero(a + 2, 13) &&
	    (a[15] == 1 || a[15] == 2))
		return true;
	return memcmp(a, snode, sizeof(snode)) == 0;
}

/* A feed as this file needs it: family 4/6, address, prefix, ports. */
struct want {
	int family;
	const uint8_t *addr;
	unsigned int bits;
	unsigned int nports;
	const uint16_t *ports;
	bool all; /* no feeds: all multicast UDP, both families */
};

static void want_of(const struct capd_conf_feed *f, struct want *w)
{
	memset(w, 0, sizeof(*w));
	w->family = f->group.family == AF_INET6 ? 6 : 4;
	w->addr = f->group.addr;
	w->bits = f->group.prefix_len;
	w->nports = f->nports;
	w->ports = f->ports;
}

/* Does address a of family fam lie in w? */
static bool want_addr(const struct want *w, int fam, const uint8_t *a)
{
	if (w->all)
		return is_mcast(fam, a);
	return fam == w->family && in_prefix(a, w->addr, w->bits);
}

/* The socket's address as what it receives: family and bytes (v4-mapped unmapped). */
static void sock_addr(const struct proc_net_udp *s, int *fam, const uint8_t **a, bool *wild)
{
	*fam = s->family;
	*a = s->addr;
	if (s->family == 6 && !memcmp(s->addr, v4mapped, sizeof(v4mapped))) {
		*fam = 4;
		*a = s->addr + 12;
	}
	*wild = is_zero(*a, *fam == 4 ? 4 : 16);
}

static bool port_ok(const struct want *w, uint16_t port)
{
	unsigned int i;

	if (!w->nports)
		return true;
	for (i = 0; i < w->nports; i++)
		if (w->ports[i] == port)
			return true;
	return false;
}

/* capd's own membership of m's group (capture.join): one per interface. */
static unsigned int own_users(const struct consumer_scan_opts *o, const struct proc_net_mship *m)
{
	const struct capd_conf *c = o->conf;
	unsigned int f;

	if (!o->own_joins || !c->capture.join)
		return 0;
	for (f = 0; f < c->nfeeds; f++) {
		const struct capd_conf_addr *g = &c->feeds[f].group;
		int fam = g->family == AF_INET6 ? 6 : 4;

		if (fam == m->family && g->prefix_len == (fam == 4 ? 32 : 128) &&
		    is_mcast(fam, g->addr) && !memcmp(g->addr, m->addr, fam == 4 ? 4 : 16))
			return 1;
	}
	return 0;
}

/*
 * Is a group of w that the socket would receive joined on ifname by
 * someone else?  A socket bound to a group receives that group only.
 */
static bool joined(const struct consumer_scan_opts *o, const struct want *w, const char *ifname,
		   int sfam, const uint8_t *saddr, bool wild, const struct proc_net_mship *ms,
		   size_t nms)
{
	size_t i;

	for (i = 0; i < nms; i++) {
		const struct proc_net_mship *m = &ms[i];

		if (strcmp(m->ifname, ifname) || kernel_group(m) ||
		    !want_addr(w, m->family, m->addr))
			continue;
		if (!wild && (m->family != sfam || memcmp(m->addr, saddr, sfam == 4 ? 4 : 16)))
			continue;
		if (w->all && wild && sfam == 4 && m->family == 6)
			continue; /* an IPv4 socket takes no IPv6 group */
		if (m->users > own_users(o, m))
			return true;
	}
	return false;
}

/* Does socket s consume w on interface ifname? */
static bool consumes(const struct consumer_scan_opts *o, const struct want *w, const char *ifname,
		     const struct proc_net_udp *s, const struct proc_net_mship *ms, size_t nms)
{
	const uint8_t *a;
	bool wild;
	int fam;

	if (!port_ok(w, s->port))
		return false;
	sock_addr(s, &fam, &a, &wild);
	if (!wild && !want_addr(w, fam, a))
		return false;
	/* An IPv4 socket takes IPv4 only; a wildcard IPv6 socket may take both. */
	if (wild && !w->all && s->family == 4 && w->family == 6)
		return false;
	if (!w->all && !is_mcast(w->family, w->addr))
		return true;
	return joined(o, w, ifname, fam, a, wild, ms, nms);
}

size_t consumer_match(const struct consumer_scan_opts *o, const struct proc_net_udp *socks,
		      size_t nsocks, const struct proc_net_mship *ms, size_t nms,
		      struct consumer *out, size_t max)
{
	const struct capd_conf *c = o->conf;
	size_t s, n = 0;

	for (s = 0; s < nsocks; s++) {
		unsigned int i, f, nf = c->nfeeds ? c->nfeeds : 1;
		bool hit = false;

		for (i = 0; i < c->capture.ninterfaces && i < 32 && !hit; i++) {
			if (!(o->ifaces & (1u << i)))
				continue;
			for (f = 0; f < nf && !hit; f++) {
				struct want w = { .all = true };

				if (c->nfeeds)
					want_of(&c->feeds[f], &w);
				if (!consumes(o, &w, c->capture.interfaces[i].name, &socks[s], ms,
					      nms))
					continue;
				hit = true;
				if (n < max) {
					memset(&out[n], 0, sizeof(out[n]));
					out[n].sock = socks[s];
					out[n].feed = c->nfeeds ? (uint16_t)f : CONSUMER_ALL_FEEDS;
					out[n].iface = (uint16_t)i;
				}
				n++;
			}
		}
	}
	return n;
}

/* The whole of a /proc file (its size is not known before), NUL terminated. */
static int read_all(const char *path, char **buf, size_t *len)
{
	size_t cap = 64 << 10, n = 0;
	char *b = NULL, *nb;
	ssize_t r;
	int fd, err = 0;

	*buf = NULL;
	*len = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	for (;;) {
		if (!b || n + 1 >= cap) {
			if (b)
				cap *= 2;
			if (cap > TABLE_MAX) {
				err = -EFBIG;
				break;
			}
			nb = realloc(b, cap);
			if (!nb) {
				err = -ENOMEM;
				break;
			}
			b = nb;
		}
		r = read(fd, b + n, cap - n - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			err = -errno;
			break;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	if (err) {
		free(b);
		return err;
	}
	b[n] = '\0';
	*buf = b;
	*len = n;
	return 0;
}

/* The parsers of proc_net.h in one shape, so one loader serves every table. */
typedef void (*table_parse_fn)(const char *buf, size_t len, void *out, size_t max,
			       struct proc_net_count *cnt);

static void parse_udp4(const char *buf, size_t len, void *out, size_t max,
		       struct proc_net_count *cnt)
{
	proc_net_udp_parse(buf, len, 4, out, max, cnt);
}

static void parse_udp6(const char *buf, size_t len, void *out, size_t max,
		       struct proc_net_count *cnt)
{
	proc_net_udp_parse(buf, len, 6, out, max, cnt);
}

static void parse_igmp(const char *buf, size_t len, void *out, size_t max,
		       struct proc_net_count *cnt)
{
	proc_net_igmp_parse(buf, len, out, max, cnt);
}

static void parse_igmp6(const char *buf, size_t len, void *out, size_t max,
			struct proc_net_count *cnt)
{
	proc_net_igmp6_parse(buf, len, out, max, cnt);
}

/*
 * The entries of one table appended to the array *arr of *n entries of
 * size bytes each: counted first, then parsed into the room made for them.
 */
static int load_table(const char *path, bool optional, table_parse_fn parse, size_t size,
		      void **arr, size_t *n)
{
	struct proc_net_count cnt;
	size_t len;
	char *buf;
	void *na;
	int r;

	r = read_all(path, &buf, &len);
	if (r == -ENOENT && optional)
		return 0;
	if (r < 0)
		return r;
	parse(buf, len, NULL, 0, &cnt);
	if (cnt.found) {
		na = realloc(*arr, (*n + cnt.found) * size);
		if (!na) {
			free(buf);
			return -ENOMEM;
		}
		*arr = na;
		parse(buf, len, (char *)na + *n * size, cnt.found, &cnt);
		*n += cnt.found;
	}
	free(buf);
	return 0;
}

int consumer_scan(const struct consumer_scan_opts *o, struct consumer *out, size_t max,
		  size_t *found)
{
	void *socks = NULL, *ms = NULL; /* struct proc_net_udp, proc_net_mship */
	size_t nsocks = 0, nms = 0;
	int r;

	*found = 0;
	r = load_table("/proc/net/udp", false, parse_udp4, sizeof(struct proc_net_udp), &socks,
		       &nsocks);
	if (r == 0)
		r = load_table("/proc/net/udp6", true, parse_udp6, sizeof(struct proc_net_udp),
			       &socks, &nsocks);
	if (r == 0)
		r = load_table("/proc/net/igmp", true, parse_igmp, sizeof(struct proc_net_mship),
			       &ms, &nms);
	if (r == 0)
		r = load_table("/proc/net/igmp6", true, parse_igmp6, sizeof(struct proc_net_mship),
			       &ms, &nms);
	if (r == 0)
		*found = consumer_match(o, socks, nsocks, ms, nms, out, max);
	free(socks);
	free(ms);
	return r;
}

/* "socket:[12345]" */
static bool socket_inode(const char *link, uint64_t *ino)
{
	const char *p;

	if (strncmp(link, "socket:[", 8))
		return false;
	*ino = 0;
	for (p = link + 8; *p >= '0' && *p <= '9' && p - link < 28; p++)
		*ino = *ino * 10 + (uint64_t)(*p - '0');
	return p > link + 8 && p[0] == ']' && p[1] == '\0';
}

/* The process's name, as it chose it: only printable ASCII kept. */
static void read_comm(int pid, char *comm)
{
	char path[64], buf[CONSUMER_COMM_LEN + 1];
	ssize_t r;
	int fd, i;

	comm[0] = '\0';
	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	r = read(fd, buf, CONSUMER_COMM_LEN);
	close(fd);
	if (r <= 0)
		return;
	if (buf[r - 1] == '\n')
		r--;
	for (i = 0; i < r && i < CONSUMER_COMM_LEN - 1; i++)
		comm[i] = buf[i] < ' ' || buf[i] > '~' ? '?' : buf[i];
	comm[i] = '\0';
}

/* Is pid a process (not a thread) directory name? */
static int dir_pid(const char *name)
{
	long v = 0;
	const char *p;

	for (p = name; *p; p++) {
		if (*p < '0' || *p > '9' || p - name > 9)
			return 0;
		v = v * 10 + (*p - '0');
	}
	return p > name ? (int)v : 0;
}

/* Match every socket descriptor of pid against c; how many are still unknown. */
static size_t owners_of(int pid, struct consumer *c, size_t n, size_t left, bool *hidden)
{
	char path[64], link[64];
	struct dirent *e;
	DIR *d;
	int dfd;

	snprintf(path, sizeof(path), "/proc/%d/fd", pid);
	d = opendir(path);
	if (!d) {
		if (errno == EACCES || errno == EPERM)
			*hidden = true;
		return left;
	}
	dfd = dirfd(d);
	while (left && (e = readdir(d))) {
		ssize_t r = readlinkat(dfd, e->d_name, link, sizeof(link) - 1);
		uint64_t ino;
		size_t i;

		if (r < 0 && (errno == EACCES || errno == EPERM))
			*hidden = true; /* a listing is allowed where the links are not */
		if (r <= 0)
			continue;
		link[r] = '\0';
		if (!socket_inode(link, &ino))
			continue;
		for (i = 0; i < n; i++)
			if (!c[i].pid && c[i].sock.inode == ino) {
				c[i].pid = pid;
				c[i].owner_err = 0;
				read_comm(pid, c[i].comm);
				left--;
			}
	}
	closedir(d);
	return left;
}

void consumer_owners(struct consumer *c, size_t n)
{
	struct dirent *e;
	bool hidden = false;
	size_t i, left = 0;
	DIR *d;

	for (i = 0; i < n; i++)
		left += c[i].pid == 0;
	if (!left)
		return;
	d = opendir("/proc");
	if (d) {
		while (left && (e = readdir(d))) {
			int pid = dir_pid(e->d_name);

			if (pid > 0)
				left = owners_of(pid, c, n, left, &hidden);
		}
		closedir(d);
	}
	for (i = 0; i < n; i++)
		if (!c[i].pid)
			c[i].owner_err = hidden || !d ? -EACCES : -ENOENT;
}

char *consumer_str(const struct consumer *c, const struct capd_conf *conf, char *buf, size_t len)
{
	char who[96], addr[INET6_ADDRSTRLEN], feed[96], group[64];
	const struct capd_conf_feed *f = c->feed < conf->nfeeds ? &conf->feeds[c->feed] : NULL;
	const char *ifname = c->iface < conf->capture.ninterfaces
				     ? conf->capture.interfaces[c->iface].name
				     : "?";

	if (c->pid)
		snprintf(who, sizeof(who), "%s (pid %d, uid %u)", c->comm[0] ? c->comm : "?",
			 (int)c->pid, c->sock.uid);
	else
		snprintf(who, sizeof(who), "a process of uid %u (%s)", c->sock.uid,
			 c->owner_err == -EACCES ? "its pid is not visible to this user"
			 : c->owner_err		 ? "no process holds it in this pid namespace"
						 : "pid not looked up");
	inet_ntop(c->sock.family == 6 ? AF_INET6 : AF_INET, c->sock.addr, addr, sizeof(addr));
	if (f)
		snprintf(feed, sizeof(feed), "feed %s (%s)", f->name,
			 capd_conf_addr_str(&f->group, group, sizeof(group)));
	else
		snprintf(feed, sizeof(feed), "multicast UDP (no feeds configured)");
	snprintf(buf, len, "%s, socket %s%s%s:%u (inode %llu), %s on %s", who,
		 c->sock.family == 6 ? "[" : "", addr, c->sock.family == 6 ? "]" : "", c->sock.port,
		 (unsigned long long)c->sock.inode, feed, ifname);
	return buf;
}
