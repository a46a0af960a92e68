// SPDX-License-Identifier: BSD-2-Clause
#include <stdbool.h>
#include <string.h>

#include "hexdigit.h"
#include "proc_net.h"

#define MAX_TOKENS 12

struct tok {
	const char *p;
	size_t n;
};

/* The next line of [*pos, end): its bounds, without the newline. */
static bool next_line(const char **pos, const char *end, const char **line, size_t *len)
{
	const char *p = *pos, *nl;

	if (p >= end)
		return false;
	nl = memchr(p, '\n', (size_t)(end - p));
	*line = p;
	*len = (size_t)((nl ? nl : end) - p);
	*pos = nl ? nl + 1 : end;
	return true;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* Split a line at blanks into at most MAX_TOKENS tokens; the count. */
static size_t split(const char *line, size_t len, struct tok *t)
{
	size_t i = 0, n = 0;

	while (i < len && n < MAX_TOKENS) {
		while (i < len && is_space(line[i]))
			i++;
		if (i == len)
			break;
		t[n].p = line + i;
		while (i < len && !is_space(line[i]))
			i++;
		t[n].n = (size_t)(line + i - t[n].p);
		n++;
	}
	return n;
}

/* Exactly n hex digits (n <= 8) at p. */
static bool hex32(const char *p, size_t n, uint32_t *v)
{
	size_t i;

	*v = 0;
	for (i = 0; i < n; i++) {
		int h = hexdigit(p[i]);

		if (h < 0)
			return false;
		*v = *v << 4 | (uint32_t)h;
	}
	return n > 0 && n <= 8;
}

/* A decimal number of at most 19 digits, all of the token. */
static bool dec64(const struct tok *t, uint64_t *v)
{
	size_t i;

	*v = 0;
	if (t->n == 0 || t->n > 19)
		return false;
	for (i = 0; i < t->n; i++) {
		if (t->p[i] < '0' || t->p[i] > '9')
			return false;
		*v = *v * 10 + (uint64_t)(t->p[i] - '0');
	}
	return true;
}

static bool dec32(const struct tok *t, uint32_t *v)
{
	uint64_t x;

	if (!dec64(t, &x) || x > UINT32_MAX)
		return false;
	*v = (uint32_t)x;
	return true;
}

/*
 * The kernel prints an address as 32-bit words with %08X, each word as the
 * CPU holds it: storing the words back in host order gives the bytes.
 */
static bool addr_words(const char *p, size_t nwords, uint8_t *addr)
{
	size_t i;

	for (i = 0; i < nwords; i++) {
		uint32_t w;

		if (!hex32(p + 8 * i, 8, &w))
			return false;
		memcpy(addr + 4 * i, &w, 4);
	}
	return true;
}

/* 32 hex digits, the bytes in order (igmp6 prints them so). */
static bool addr_bytes16(const struct tok *t, uint8_t *addr)
{
	size_t i;

	if (t->n != 32)
		return false;
	for (i = 0; i < 16; i++) {
		int hi = hexdigit(t->p[2 * i]), lo = hexdigit(t->p[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return false;
		addr[i] = (uint8_t)(hi << 4 | lo);
	}
	return true;
}

/* An interface name as the kernel allows it: printable, no blank, no ':' or '/'. */
static bool ifname(const struct tok *t, char *out)
{
	size_t i;

	if (t->n == 0 || t->n >= PROC_NET_IFNAME_LEN)
		return false;
	for (i = 0; i < t->n; i++)
		if (t->p[i] <= ' ' || t->p[i] > '~' || t->p[i] == ':' || t->p[i] == '/')
			return false;
	memcpy(out, t->p, t->n);
	out[t->n] = '\0';
	return true;
}

/* "  12: 0100007F:0035 00000000:0000 07 ... uid timeout inode ..." */
static bool udp_line(const char *line, size_t len, int family, struct proc_net_udp *u)
{
	const size_t awords = family == 6 ? 4 : 1, alen = 8 * awords;
	struct tok t[MAX_TOKENS];
	uint32_t port;
	uint64_t sl;

	memset(u, 0, sizeof(*u));
	if (split(line, len, t) < 10 || t[0].n < 2 || t[0].p[t[0].n - 1] != ':')
		return false;
	t[0].n--;
	if (!dec64(&t[0], &sl) || t[1].n != alen + 5 || t[1].p[alen] != ':')
		return false;
	if (!addr_words(t[1].p, awords, u->addr) || !hex32(t[1].p + alen + 1, 4, &port))
		return false;
	if (!dec32(&t[7], &u->uid) || !dec64(&t[9], &u->inode))
		return false;
	u->port = (uint16_t)port;
	u->family = (uint8_t)family;
	return true;
}

void proc_net_udp_parse(const char *buf, size_t len, int family, struct proc_net_udp *out,
			size_t max, struct proc_net_count *cnt)
{
	const char *pos = buf, *end = buf + len, *line;
	struct proc_net_udp u;
	size_t n;

	memset(cnt, 0, sizeof(*cnt));
	if (family != 4 && family != 6)
		return;
	while (next_line(&pos, end, &line, &n)) {
		if (n == 0)
			continue;
		if (!udp_line(line, n, family, &u)) {
			cnt->skipped++;
			continue;
		}
		if (u.port == 0)
			continue;
		if (cnt->found < max)
			out[cnt->found] = u;
		cnt->found++;
	}
}

static void add_mship(const struct proc_net_mship *m, struct proc_net_mship *out, size_t max,
		      struct proc_net_count *cnt)
{
	if (cnt->found < max)
		out[cnt->found] = *m;
	cnt->found++;
}

/*
 * "1\tlo        :     2      V3" opens an interface, whose groups follow
 * on lines that start with a blank: "\t\t\t\t010000E0     1 0:00000000\t\t0".
 */
void proc_net_igmp_parse(const char *buf, size_t len, struct proc_net_mship *out, size_t max,
			 struct proc_net_count *cnt)
{
	const char *pos = buf, *end = buf + len, *line;
	struct proc_net_mship dev, m;
	struct tok t[MAX_TOKENS];
	bool in_dev = false;
	size_t n, nt;

	memset(cnt, 0, sizeof(*cnt));
	memset(&dev, 0, sizeof(dev));
	while (next_line(&pos, end, &line, &n)) {
		if (n == 0)
			continue;
		nt = split(line, n, t);
		if (!nt)
			continue;
		if (!is_space(line[0])) {
			/* An interface line; its name may run into the ':'. */
			in_dev = false;
			if (nt < 2 || !dec32(&t[0], &dev.ifindex)) {
				cnt->skipped++;
				continue;
			}
			if (t[1].n > 1 && t[1].p[t[1].n - 1] == ':')
				t[1].n--;
			else if (nt < 3 || t[2].n != 1 || t[2].p[0] != ':') {
				cnt->skipped++;
				continue;
			}
			if (!ifname(&t[1], dev.ifname)) {
				cnt->skipped++;
				continue;
			}
			in_dev = true;
			continue;
		}
		m = dev;
		memset(m.addr, 0, sizeof(m.addr));
		if (!in_dev || nt < 2 || t[0].n != 8 || !addr_words(t[0].p, 1, m.addr) ||
		    !dec32(&t[1], &m.users)) {
			cnt->skipped++;
			continue;
		}
		m.family = 4;
		add_mship(&m, out, max, cnt);
	}
}

/* "4    eth0            ff020000000000000000000000000001     1 0000000C 0" */
void proc_net_igmp6_parse(const char *buf, size_t len, struct proc_net_mship *out, size_t max,
			  struct proc_net_count *cnt)
{
	const char *pos = buf, *end = buf + len, *line;
	struct tok t[MAX_TOKENS];
	struct proc_net_mship m;
	size_t n;

	memset(cnt, 0, sizeof(*cnt));
	while (next_line(&pos, end, &line, &n)) {
		if (n == 0)
			continue;
		memset(&m, 0, sizeof(m));
		if (split(line, n, t) < 4 || !dec32(&t[0], &m.ifindex) ||
		    !ifname(&t[1], m.ifname) || !addr_bytes16(&t[2], m.addr) ||
		    !dec32(&t[3], &m.users)) {
			cnt->skipped++;
			continue;
		}
		m.family = 6;
		add_mship(&m, out, max, cnt);
	}
}
