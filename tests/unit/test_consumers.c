// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_consumers - the /proc/net parsers (lib/proc_net.c) on text taken
 * from a Linux 6.18 box with python3 receivers (IPv4 and IPv6, bound to
 * the wildcard and to a group, joined with IP_ADD_MEMBERSHIP and
 * IPV6_JOIN_GROUP), on hostile text, and the matching of sockets and
 * memberships to feeds (lib/consumer_scan.c).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <sys/socket.h>

#include "consumer_scan.h"
#include "proc_net.h"
#include "test.h"

static const char udp4[] =
	"   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  "
	"timeout inode ref pointer drops            \n"
	"12259: 00000000:7531 00000000:0000 07 00000000:00000000 00:00000000 00000000     0 "
	"       0 2154668 2 00000000b0dd5f75 0       \n"
	"12260: 070809EF:7532 00000000:0000 07 00000000:00000000 00:00000000 00000000  1000 "
	"       0 2154669 2 0000000064f4b3b8 0       \n";

static const char udp6[] =
	"  sl  local_address                         remote_address                        st "
	"tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops\n"
	"12261: 00000000000000000000000000000000:7533 00000000000000000000000000000000:0000 07 "
	"00000000:00000000 00:00000000 00000000     0        0 2154670 2 00000000bfe3fed5 0\n"
	"12262: 00003EFF000000000000000001000080:7534 00000000000000000000000000000000:0000 07 "
	"00000000:00000000 00:00000000 00000000     0        0 2154671 2 000000001bcc579e 0\n";

static const char igmp[] = "Idx\tDevice    : Count Querier\tGroup    Users Timer\tReporter\n"
			   "1\tlo        :     2      V3\n"
			   "\t\t\t\t070809EF     1 0:00000000\t\t0\n"
			   "\t\t\t\t010000E0     1 0:00000000\t\t0\n"
			   "4\teth0      :     1      V3\n"
			   "\t\t\t\t010000E0     1 0:00000000\t\t0\n"
			   "7\tveth-capd0:     2      V3\n"
			   "\t\t\t\t070809EF     2 0:00000000\t\t0\n";

static const char igmp6[] =
	"1    lo              ff3e0000000000000000000080000001     1 00000004 0\n"
	"1    lo              ff020000000000000000000000000001     1 0000000C 0\n"
	"1    lo              ff010000000000000000000000000001     1 00000008 0\n"
	"4    eth0            ff0200000000000000000001ff000002     1 00000004 0\n"
	"4    eth0            ff020000000000000000000000000001     1 0000000C 0\n";

static void addr4(uint8_t *a, const char *s)
{
	T_ASSERT(inet_pton(AF_INET, s, a) == 1);
}

static void addr6(uint8_t *a, const char *s)
{
	T_ASSERT(inet_pton(AF_INET6, s, a) == 1);
}

static void test_udp(void)
{
	struct proc_net_udp u[4];
	struct proc_net_count cnt;
	uint8_t a[16] = { 0 };

	proc_net_udp_parse(udp4, sizeof(udp4) - 1, 4, u, 4, &cnt);
	T_EQ(cnt.found, 2);
	T_EQ(cnt.skipped, 1); /* the header */
	T_EQ(u[0].family, 4);
	T_EQ(u[0].port, 30001);
	T_EQ(u[0].inode, 2154668);
	T_ASSERT(!memcmp(u[0].addr, a, 16));
	T_EQ(u[1].port, 30002);
	T_EQ(u[1].uid, 1000);
	addr4(a, "239.9.8.7");
	T_ASSERT(!memcmp(u[1].addr, a, 16));

	proc_net_udp_parse(udp6, sizeof(udp6) - 1, 6, u, 4, &cnt);
	T_EQ(cnt.found, 2);
	T_EQ(u[0].family, 6);
	T_EQ(u[0].port, 30003);
	T_EQ(u[1].port, 30004);
	T_EQ(u[1].inode, 2154671);
	addr6(a, "ff3e::8000:1");
	T_ASSERT(!memcmp(u[1].addr, a, 16));

	/* max bounds what is stored, not what is counted */
	proc_net_udp_parse(udp4, sizeof(udp4) - 1, 4, u, 1, &cnt);
	T_EQ(cnt.found, 2);
	/* the IPv4 table read as IPv6 parses nothing */
	proc_net_udp_parse(udp4, sizeof(udp4) - 1, 6, u, 4, &cnt);
	T_EQ(cnt.found, 0);
	T_EQ(cnt.skipped, 3);
}

static void test_igmp(void)
{
	struct proc_net_mship m[8];
	struct proc_net_count cnt;
	uint8_t a[16] = { 0 };

	proc_net_igmp_parse(igmp, sizeof(igmp) - 1, m, 8, &cnt);
	T_EQ(cnt.found, 4);
	T_EQ(cnt.skipped, 1);
	T_EQ(m[0].ifindex, 1);
	T_ASSERT(!strcmp(m[0].ifname, "lo"));
	addr4(a, "239.9.8.7");
	T_ASSERT(!memcmp(m[0].addr, a, 16));
	T_EQ(m[0].users, 1);
	T_EQ(m[0].family, 4);
	addr4(a, "224.0.0.1");
	T_ASSERT(!memcmp(m[1].addr, a, 16));
	T_ASSERT(!strcmp(m[2].ifname, "eth0"));
	T_EQ(m[2].ifindex, 4);
	/* a ten-character name runs into the colon */
	T_ASSERT(!strcmp(m[3].ifname, "veth-capd0"));
	T_EQ(m[3].users, 2);

	proc_net_igmp6_parse(igmp6, sizeof(igmp6) - 1, m, 8, &cnt);
	T_EQ(cnt.found, 5);
	T_EQ(cnt.skipped, 0);
	addr6(a, "ff3e::8000:1");
	T_ASSERT(!memcmp(m[0].addr, a, 16));
	T_EQ(m[0].family, 6);
	T_ASSERT(!strcmp(m[3].ifname, "eth0"));
	addr6(a, "ff02::1:ff00:2");
	T_ASSERT(!memcmp(m[3].addr, a, 16));
}

/* Garbage, cut lines, no newline, NULs, overlong fields: skipped, never read past. */
static void test_hostile(void)
{
	static const char *bad[] = {
		"",
		"\n\n\n",
		"1: 00000000:7531",
		"1: 0000000:7531 00000000:0000 07 0:0 0:0 0 0 0 1 2 0 0",
		"1: 00000000:75310 00000000:0000 07 0:0 0:0 0 0 0 1 2 0 0",
		"1: 0000000G:7531 00000000:0000 07 0:0 0:0 0 0 0 1 2 0 0",
		"1: 00000000:7531 00000000:0000 07 0:0 0:0 0 99999999999 0 1 2 0 0",
		"1: 00000000:7531 00000000:0000 07 0:0 0:0 0 0 0 99999999999999999999 2",
		"x: 00000000:7531 00000000:0000 07 0:0 0:0 0 0 0 1 2 0 0",
		"\t\t\t\t070809EF     1 0:00000000\t\t0\n", /* a group before any interface */
		"1\tlo/x      :     2      V3\n\t\t070809EF 1 0\n",
		"1\tthisnameistoolong:     2      V3\n\t\t070809EF 1 0\n",
		"1 lo ff3e000000000000000000008000000 1 0 0",
		"1 lo ff3e00000000000000000000800000011 1 0 0",
		"1 lo zz3e0000000000000000000080000001 1 0 0",
	};
	struct proc_net_udp u[4];
	struct proc_net_mship m[4];
	struct proc_net_count cnt;
	char big[4096];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		size_t n = strlen(bad[i]);

		proc_net_udp_parse(bad[i], n, 4, u, 4, &cnt);
		T_EQ(cnt.found, 0);
		proc_net_udp_parse(bad[i], n, 6, u, 4, &cnt);
		T_EQ(cnt.found, 0);
		proc_net_igmp_parse(bad[i], n, m, 4, &cnt);
		T_EQ(cnt.found, 0);
		proc_net_igmp6_parse(bad[i], n, m, 4, &cnt);
		T_EQ(cnt.found, 0);
	}
	/* a line cut short by the buffer's end parses only what is there */
	proc_net_udp_parse(udp4, 200, 4, u, 4, &cnt);
	T_EQ(cnt.found, 0);
	/* NULs and high bytes */
	memset(big, 0, sizeof(big));
	for (i = 0; i < sizeof(big); i += 7)
		big[i] = (char)(0x80 + i % 128);
	proc_net_udp_parse(big, sizeof(big), 4, u, 4, &cnt);
	T_EQ(cnt.found, 0);
	proc_net_igmp_parse(big, sizeof(big), m, 4, &cnt);
	T_EQ(cnt.found, 0);
	proc_net_igmp6_parse(big, sizeof(big), m, 4, &cnt);
	T_EQ(cnt.found, 0);
	/* max 0 with NULL: counts only */
	proc_net_igmp_parse(igmp, sizeof(igmp) - 1, NULL, 0, &cnt);
	T_EQ(cnt.found, 4);
}

/* A config of two interfaces, eth0 (bypass) and eth1, and feeds. */
static struct capd_conf conf;

static void add_feed(const char *name, const char *addr, int bits, uint16_t port)
{
	struct capd_conf_feed *f = &conf.feeds[conf.nfeeds++];

	memset(f, 0, sizeof(*f));
	snprintf(f->name, sizeof(f->name), "%s", name);
	f->group.family = strchr(addr, ':') ? AF_INET6 : AF_INET;
	T_ASSERT(inet_pton(f->group.family, addr, f->group.addr) == 1);
	f->group.prefix_len = (uint8_t)bits;
	if (port) {
		f->nports = 1;
		f->ports[0] = port;
	}
}

static struct proc_net_udp sock(const char *addr, uint16_t port, uint64_t inode)
{
	struct proc_net_udp u = { .inode = inode, .port = port };

	u.family = strchr(addr, ':') ? 6 : 4;
	T_ASSERT(inet_pton(u.family == 6 ? AF_INET6 : AF_INET, addr, u.addr) == 1);
	return u;
}

static struct proc_net_mship mship(const char *ifname, const char *addr, unsigned int users)
{
	struct proc_net_mship m = { .users = users };

	m.family = strchr(addr, ':') ? 6 : 4;
	T_ASSERT(inet_pton(m.family == 6 ? AF_INET6 : AF_INET, addr, m.addr) == 1);
	snprintf(m.ifname, sizeof(m.ifname), "%s", ifname);
	return m;
}

static size_t match(bool own, const struct proc_net_udp *s, size_t ns,
		    const struct proc_net_mship *m, size_t nm, struct consumer *out)
{
	struct consumer_scan_opts o = { .conf = &conf, .ifaces = 1, .own_joins = own };

	return consumer_match(&o, s, ns, m, nm, out, 8);
}

static void test_match(void)
{
	struct consumer out[8];
	struct proc_net_udp s[4];
	struct proc_net_mship m[4];
	char buf[512];

	capd_conf_defaults(&conf);
	conf.capture.ninterfaces = 2;
	strcpy(conf.capture.interfaces[0].name, "eth0");
	strcpy(conf.capture.interfaces[1].name, "eth1");
	add_feed("a", "239.1.1.1", 32, 5000);
	add_feed("b", "ff3e::8000:1", 128, 6000);
	add_feed("u", "10.1.1.1", 32, 7000);
	add_feed("p", "239.2.0.0", 16, 0);

	/* wildcard on the port, joined on eth0 by someone: a consumer */
	s[0] = sock("0.0.0.0", 5000, 11);
	m[0] = mship("eth0", "239.1.1.1", 1);
	T_EQ(match(false, s, 1, m, 1, out), 1);
	T_EQ(out[0].feed, 0);
	T_EQ(out[0].iface, 0);
	T_EQ(out[0].sock.inode, 11);
	out[0].pid = 42;
	strcpy(out[0].comm, "feedh");
	consumer_str(&out[0], &conf, buf, sizeof(buf));
	T_ASSERT(!strcmp(buf, "feedh (pid 42, uid 0), socket 0.0.0.0:5000 (inode 11), feed a "
			      "(239.1.1.1) on eth0"));
	/* ... but that one membership is capd's own while it runs */
	T_EQ(match(true, s, 1, m, 1, out), 0);
	m[0].users = 2;
	T_EQ(match(true, s, 1, m, 1, out), 1);
	/* another port, another group, another interface, eth1 not in bypass */
	s[0] = sock("0.0.0.0", 5001, 11);
	T_EQ(match(false, s, 1, m, 1, out), 0);
	s[0] = sock("0.0.0.0", 5000, 11);
	m[0] = mship("eth0", "239.1.1.2", 1);
	T_EQ(match(false, s, 1, m, 1, out), 0);
	m[0] = mship("eth1", "239.1.1.1", 1);
	T_EQ(match(false, s, 1, m, 1, out), 0);
	/* bound to the group itself; bound to another group or a unicast address */
	m[0] = mship("eth0", "239.1.1.1", 1);
	s[0] = sock("239.1.1.1", 5000, 12);
	T_EQ(match(false, s, 1, m, 1, out), 1);
	s[0] = sock("239.1.1.3", 5000, 12);
	T_EQ(match(false, s, 1, m, 1, out), 0);
	s[0] = sock("192.0.2.1", 5000, 12);
	T_EQ(match(false, s, 1, m, 1, out), 0);
	/* an IPv6 wildcard socket may take IPv4; a v4-mapped group address too */
	s[0] = sock("::", 5000, 13);
	T_EQ(match(false, s, 1, m, 1, out), 1);
	s[0] = sock("::ffff:239.1.1.1", 5000, 13);
	T_EQ(match(false, s, 1, m, 1, out), 1);
	/* the kernel's own groups never count */
	m[0] = mship("eth0", "224.0.0.1", 1);
	s[0] = sock("0.0.0.0", 5000, 11);
	T_EQ(match(false, s, 1, m, 1, out), 0);
	/* IPv6 feed: wildcard v6 socket on its port, joined; an IPv4 socket never */
	m[0] = mship("eth0", "ff3e::8000:1", 1);
	s[0] = sock("::", 6000, 14);
	s[1] = sock("0.0.0.0", 6000, 15);
	T_EQ(match(false, s, 2, m, 1, out), 1);
	T_EQ(out[0].feed, 1);
	T_EQ(out[0].sock.inode, 14);
	consumer_str(&out[0], &conf, buf, sizeof(buf));
	T_ASSERT(strstr(buf, "socket [::]:6000"));
	/* a unicast feed needs no membership */
	s[0] = sock("0.0.0.0", 7000, 16);
	T_EQ(match(false, s, 1, NULL, 0, out), 1);
	T_EQ(out[0].feed, 2);
	/* a prefix feed with any port: a group inside it, joined */
	m[0] = mship("eth0", "239.2.3.4", 1);
	s[0] = sock("0.0.0.0", 12345, 17);
	T_EQ(match(true, s, 1, m, 1, out), 1);
	T_EQ(out[0].feed, 3);
	m[0] = mship("eth0", "239.3.3.4", 1);
	T_EQ(match(true, s, 1, m, 1, out), 0);
	/* no feeds: every multicast group, any port */
	conf.nfeeds = 0;
	m[0] = mship("eth0", "239.3.3.4", 1);
	T_EQ(match(false, s, 1, m, 1, out), 1);
	T_EQ(out[0].feed, CONSUMER_ALL_FEEDS);
	m[0] = mship("eth0", "ff02::1:ff00:2", 1);
	T_EQ(match(false, s, 1, m, 1, out), 0);
}

int main(void)
{
	test_udp();
	test_igmp();
	test_hostile();
	test_match();
	printf("test_consumers: ok\n");
	return 0;
}
