// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_replay_map - capreplay's rewriting: --map parsing, destinations
 * after the rules, and frames rewritten with their checksums (checked here
 * by replay_frame.h's own sums).  With an argument, the rewritten frames
 * are also written to that pcap file for tshark to judge
 * (tests/lab/replay_map_tshark.sh): each one's checksums good, then one
 * frame spoilt after the rewrite whose UDP checksum must be found bad.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "replay_frame.h"
#include "replay_map.h"
#include "test.h"

static FILE *pcap;

static void pcap_open(const char *path)
{
	static const uint32_t hdr[6] = { 0xa1b2c3d4, 0x00040002, 0, 0, 65535, 1 };

	pcap = fopen(path, "wb");
	if (!pcap || fwrite(hdr, sizeof(hdr), 1, pcap) != 1)
		T_FAIL("%s: cannot write", path);
}

static void pcap_frame(const uint8_t *f, uint32_t len)
{
	static uint32_t sec = 1;
	uint32_t rec[4] = { sec++, 0, len, len };

	if (pcap && (fwrite(rec, sizeof(rec), 1, pcap) != 1 || fwrite(f, len, 1, pcap) != 1))
		T_FAIL("pcap write");
}

static void a4(uint8_t *a, const char *s)
{
	T_EQ(inet_pton(AF_INET, s, a), 1);
}

static void a6(uint8_t *a, const char *s)
{
	T_EQ(inet_pton(AF_INET6, s, a), 1);
}

static int add(struct replay_map *m, const char *arg)
{
	char err[256] = "";
	int r = replay_map_add(m, arg, err, sizeof(err));

	if (r) {
		/* Every refusal says what and why in one line. */
		T_ASSERT(strstr(err, "--map") != NULL);
		T_ASSERT(strchr(err, '\n') == NULL);
	}
	return r;
}

static void test_parse(void)
{
	static const char *const junk[] = {
		"",
		"=",
		"239.1.1.1",
		"239.1.1.1=",
		"=239.1.1.1",
		"a=b",
		"239.1.1.1:70000=239.1.1.2",
		"239.1.1.1:x=239.1.1.2",
		"239.1.1.1:=239.1.1.2",
		"239.1.1.1:+5=239.1.1.2",
		"239.1.1.256=239.1.1.1",
		"239.1.1=239.1.1.1",
		"ff3e::1=ff3e::2",
		"[ff3e::1=[ff3e::2]",
		"[ff3e::1]x=[ff3e::2]",
		"[ff3e::1]:=[ff3e::2]",
		"[239.1.1.1]=[ff3e::2]",
		"239.1.1.1=239.1.1.2=239.1.1.3",
		" 239.1.1.1=239.1.1.2",
		"239.1.1.1=239.1.1.2 ",
	};
	struct replay_map m;
	uint8_t a[16];
	char big[400];
	unsigned int i;

	memset(&m, 0, sizeof(m));
	T_EQ(add(&m, "239.1.1.1:30001=239.2.2.2:40001"), 0);
	T_EQ(m.nrules, 1);
	T_EQ(m.rule[0].family, AF_INET);
	a4(a, "239.1.1.1");
	T_ASSERT(!memcmp(m.rule[0].from, a, 4));
	a4(a, "239.2.2.2");
	T_ASSERT(!memcmp(m.rule[0].to, a, 4));
	T_EQ(m.rule[0].from_port, 30001);
	T_EQ(m.rule[0].to_port, 40001);

	T_EQ(add(&m, "239.1.1.1=239.2.2.3"), 0);
	T_EQ(m.rule[1].from_port, 0);
	T_EQ(m.rule[1].to_port, 0);

	T_EQ(add(&m, "[ff3e::1]:30001=[ff3e::2]"), 0);
	T_EQ(m.rule[2].family, AF_INET6);
	a6(a, "ff3e::2");
	T_ASSERT(!memcmp(m.rule[2].to, a, 16));
	T_EQ(m.rule[2].from_port, 30001);
	T_EQ(m.rule[2].to_port, 0);
	T_EQ(add(&m, "[ff3e::1]=[ff15::9]:65535"), 0);
	T_EQ(m.rule[3].to_port, 65535);
	T_EQ(m.nrules, 4);

	/* Families mixed, unicast targets, port 0: refused, nothing added. */
	T_EQ(add(&m, "239.1.1.1=[ff3e::2]"), -EINVAL);
	T_EQ(add(&m, "[ff3e::1]=239.1.1.1"), -EINVAL);
	T_EQ(add(&m, "239.1.1.1=10.0.0.1"), -EINVAL);
	T_EQ(add(&m, "239.1.1.1=255.255.255.255"), -EINVAL);
	T_EQ(add(&m, "[ff3e::1]=[fd00::1]"), -EINVAL);
	T_EQ(add(&m, "239.1.1.1=239.1.1.2:0"), -EINVAL);
	T_EQ(add(&m, "239.1.1.1:0=239.1.1.2"), -EINVAL);
	for (i = 0; i < sizeof(junk) / sizeof(junk[0]); i++)
		if (add(&m, junk[i]) != -EINVAL)
			T_FAIL("--map '%s' taken", junk[i]);
	memset(big, '1', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	T_EQ(add(&m, big), -EINVAL);
	T_EQ(m.nrules, 4);

	/* Unicast is a choice: set before the rules are taken. */
	m.allow_unicast = true;
	T_EQ(add(&m, "239.1.1.1=10.0.0.1:5000"), 0);
	T_EQ(add(&m, "[ff3e::1]=[fd00::1]"), 0);
	T_EQ(m.nrules, 6);

	/* 64 rules, not 65. */
	memset(&m, 0, sizeof(m));
	for (i = 0; i < REPLAY_MAP_RULES_MAX; i++) {
		char r[64];

		snprintf(r, sizeof(r), "239.1.1.%u=239.2.2.%u", i, i);
		T_EQ(add(&m, r), 0);
	}
	T_EQ(add(&m, "239.1.1.200=239.2.2.200"), -ENOSPC);
	T_EQ(m.nrules, REPLAY_MAP_RULES_MAX);
}

static void test_mac(void)
{
	uint8_t mac[6];

	T_EQ(replay_map_parse_mac("02:00:00:aB:cd:EF", mac), 0);
	T_EQ(mac[0], 0x02);
	T_EQ(mac[3], 0xab);
	T_EQ(mac[5], 0xef);
	T_EQ(replay_map_parse_mac("02:00:00:ab:cd", mac), -EINVAL);
	T_EQ(replay_map_parse_mac("02:00:00:ab:cd:ef:", mac), -EINVAL);
	T_EQ(replay_map_parse_mac("02-00-00-ab-cd-ef", mac), -EINVAL);
	T_EQ(replay_map_parse_mac("0x:00:00:ab:cd:ef", mac), -EINVAL);
	T_EQ(replay_map_parse_mac(" 2:00:00:ab:cd:ef", mac), -EINVAL);
	T_EQ(replay_map_parse_mac("", mac), -EINVAL);
}

static void test_is_multicast(void)
{
	static const struct {
		int family;
		const char *a;
		bool mc;
	} c[] = {
		{ AF_INET, "224.0.0.0", true },		 { AF_INET, "239.255.255.255", true },
		{ AF_INET, "233.1.2.3", true },		 { AF_INET, "223.255.255.255", false },
		{ AF_INET, "240.0.0.0", false },	 { AF_INET, "255.255.255.255", false },
		{ AF_INET, "10.0.0.1", false },		 { AF_INET, "0.0.0.0", false },
		{ AF_INET6, "ff02::1", true },		 { AF_INET6, "ff3e::8000:1", true },
		{ AF_INET6, "fe80::1", false },		 { AF_INET6, "::1", false },
		{ AF_INET6, "::ffff:239.1.1.1", false },
	};
	uint8_t a[16];
	unsigned int i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		T_EQ(inet_pton(c[i].family, c[i].a, a), 1);
		if (replay_map_is_multicast(c[i].family, a) != c[i].mc)
			T_FAIL("%s: multicast should be %d", c[i].a, c[i].mc);
	}
	T_ASSERT(!replay_map_is_multicast(0, a));
}

/* Decode a frame built from spec. */
static void decode(uint8_t *f, const struct rf_spec *s, struct frame_info *fi)
{
	T_EQ(frame_decode(f, rf_build(f, s), fi), 0);
}

static void test_dest(void)
{
	struct replay_map m;
	struct replay_dest d;
	struct frame_info fi;
	uint8_t f[256], g[16], want[16];
	struct rf_spec s = { .dst = g, .dport = 30001, .ttl = 64, .plen = 10 };
	uint32_t len;

	memset(&m, 0, sizeof(m));
	T_EQ(add(&m, "239.1.1.1:30001=239.9.9.1"), 0);
	T_EQ(add(&m, "239.1.1.1=239.9.9.2:5000"), 0);
	T_EQ(add(&m, "239.1.1.1:30003=239.9.9.3"), 0); /* shadowed by the second */
	T_EQ(add(&m, "[ff3e::1]=[ff3e::99]:7"), 0);

	/* First match wins; a TO without a port keeps the packet's. */
	a4(g, "239.1.1.1");
	decode(f, &s, &fi);
	T_EQ(replay_map_dest(&m, &fi, &d), 0);
	T_EQ(d.family, AF_INET);
	a4(want, "239.9.9.1");
	T_ASSERT(!memcmp(d.addr, want, 4));
	T_EQ(d.port, 30001);
	s.dport = 30003;
	decode(f, &s, &fi);
	T_EQ(replay_map_dest(&m, &fi, &d), 0);
	a4(want, "239.9.9.2");
	T_ASSERT(!memcmp(d.addr, want, 4));
	T_EQ(d.port, 5000);

	/* No rule: as it was. */
	a4(g, "239.1.1.7");
	decode(f, &s, &fi);
	T_EQ(replay_map_dest(&m, &fi, &d), 0);
	T_ASSERT(!memcmp(d.addr, g, 4));
	T_EQ(d.port, 30003);

	/* IPv6, through a VLAN tag. */
	s.v6 = s.vlan = true;
	a6(g, "ff3e::1");
	decode(f, &s, &fi);
	T_EQ(replay_map_dest(&m, &fi, &d), 0);
	T_EQ(d.family, AF_INET6);
	a6(want, "ff3e::99");
	T_ASSERT(!memcmp(d.addr, want, 16));
	T_EQ(d.port, 7);

	/* Unicast refused unless allowed; d says where it was going. */
	s.v6 = s.vlan = false;
	a4(g, "10.0.0.9");
	decode(f, &s, &fi);
	T_EQ(replay_map_dest(&m, &fi, &d), -EDESTADDRREQ);
	T_ASSERT(!memcmp(d.addr, g, 4));
	T_EQ(d.port, 30003);
	m.allow_unicast = true;
	T_EQ(replay_map_dest(&m, &fi, &d), 0);
	m.allow_unicast = false;

	/* Not UDP, a later fragment, a first fragment: not a datagram to send. */
	a4(g, "239.1.1.1");
	len = rf_build(f, &s);
	f[14 + 9] = 6;
	T_EQ(frame_decode(f, len, &fi), 0);
	T_EQ(replay_map_dest(&m, &fi, &d), -EPROTONOSUPPORT);
	len = rf_build(f, &s);
	f[14 + 6] = 0x00, f[14 + 7] = 0x10;
	T_EQ(frame_decode(f, len, &fi), 0);
	T_EQ(replay_map_dest(&m, &fi, &d), -EPROTONOSUPPORT);
	len = rf_build(f, &s);
	f[14 + 6] = 0x20;
	T_EQ(frame_decode(f, len, &fi), 0);
	T_EQ(replay_map_dest(&m, &fi, &d), -EPROTONOSUPPORT);
}

/* Offsets of a frame built from s. */
static uint32_t l3(const struct rf_spec *s)
{
	return s->vlan ? 18 : 14;
}

static uint32_t l4(const struct rf_spec *s)
{
	return l3(s) + (s->v6 ? 40 : 20);
}

/* Rewrite one frame of spec s under m and check it; return its length. */
static uint32_t rewrite(const struct replay_map *m, const struct rf_spec *s, uint8_t *f,
			const uint8_t *want_dst, uint16_t want_port, const uint8_t *want_dmac,
			int want_n)
{
	uint32_t len = rf_build(f, s), o3 = l3(s), o4 = l4(s);
	uint8_t orig[256];

	memcpy(orig, f, len);
	T_EQ(replay_map_frame_check(m, f, len), 0);
	T_EQ(replay_map_frame(m, f, len), want_n);
	T_ASSERT(!memcmp(f + (s->v6 ? o3 + 24 : o3 + 16), want_dst, s->v6 ? 16 : 4));
	T_EQ(f[o4 + 2] << 8 | f[o4 + 3], want_port);
	T_ASSERT(!memcmp(f, want_dmac, 6));
	if (!s->v6)
		T_ASSERT(rf_ip4_ok(f + o3));
	T_ASSERT(rf_udp_ok(s->v6, f + o3, f + o4));
	/* The payload and the source are untouched. */
	T_ASSERT(!memcmp(f + o4 + 8, orig + o4 + 8, s->plen));
	T_ASSERT(!memcmp(f + o4, orig + o4, 2));
	return len;
}

static void test_frame(void)
{
	static const uint8_t mac4[6] = { 0x01, 0x00, 0x5e, 0x09, 0x02, 0x03 };
	static const uint8_t mac6[6] = { 0x33, 0x33, 0x12, 0x34, 0x56, 0x78 };
	static const uint8_t smac[6] = { 0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee };
	static const uint8_t dmac[6] = { 0x01, 0x00, 0x5e, 0x7f, 0x00, 0x42 };
	struct replay_map m;
	uint8_t f[256], orig[256], g[16], g4[4], g6[16];
	struct rf_spec s = { .dst = g, .dport = 30001, .ttl = 64, .plen = 33 };
	uint32_t len, o3;
	int vlan;

	memset(&m, 0, sizeof(m));
	m.ttl = -1;
	/* 239.137.2.3: the MAC takes the low 23 bits, 137 & 0x7f = 9. */
	T_EQ(add(&m, "239.1.1.1:30001=239.137.2.3:40001"), 0);
	T_EQ(add(&m, "[ff3e::1]=[ff3e::1234:5678]:40002"), 0);
	a4(g4, "239.137.2.3");
	a6(g6, "ff3e::1234:5678");

	for (vlan = 0; vlan < 2; vlan++) {
		s.vlan = vlan;
		/* IPv4: group, port and MAC, TTL kept; both checksums redone. */
		s.v6 = false;
		a4(g, "239.1.1.1");
		len = rewrite(&m, &s, f, g4, 40001, mac4, 3);
		T_EQ(f[l3(&s) + 8], 64);
		pcap_frame(f, len);
		/* IPv6: the same, the MAC from the low 32 bits. */
		s.v6 = true;
		a6(g, "ff3e::1");
		len = rewrite(&m, &s, f, g6, 40002, mac6, 3);
		pcap_frame(f, len);
	}

	/* TTL, hop limit and MACs set; no rule matches: the UDP sum untouched. */
	m.ttl = 3;
	m.set_smac = m.set_dmac = true;
	memcpy(m.smac, smac, 6);
	memcpy(m.dmac, dmac, 6);
	s.vlan = true;
	s.v6 = false;
	a4(g, "239.5.5.5");
	len = rf_build(f, &s);
	memcpy(orig, f, len);
	T_EQ(replay_map_frame(&m, f, len), 3);
	T_ASSERT(!memcmp(f, dmac, 6) && !memcmp(f + 6, smac, 6));
	T_EQ(f[18 + 8], 3);
	T_ASSERT(rf_ip4_ok(f + 18));
	T_ASSERT(!memcmp(f + 38, orig + 38, len - 38));
	pcap_frame(f, len);
	/* Again: nothing left to change. */
	T_EQ(replay_map_frame(&m, f, len), 0);
	s.v6 = true;
	a6(g, "ff3e::5");
	len = rf_build(f, &s);
	T_EQ(replay_map_frame(&m, f, len), 3);
	T_EQ(f[18 + 7], 3);
	T_ASSERT(rf_udp_ok(true, f + 18, f + 58));

	/* A rule and set_dmac: the rule's MAC, then --dmac over it. */
	s.vlan = false;
	a6(g, "ff3e::1");
	len = rewrite(&m, &s, f, g6, 40002, dmac, 5);
	T_EQ(f[14 + 7], 3);
	pcap_frame(f, len);
	m.ttl = -1;
	m.set_smac = m.set_dmac = false;

	/* IPv4 without a UDP checksum stays without. */
	s.v6 = false;
	s.no_csum = true;
	a4(g, "239.1.1.1");
	len = rewrite(&m, &s, f, g4, 40001, mac4, 3);
	T_EQ(f[34 + 6] | f[34 + 7], 0);
	T_ASSERT(rf_ip4_ok(f + 14));
	s.no_csum = false;

	/* IPv6 whose sender left the checksum 0 (not allowed): computed. */
	s.v6 = true;
	a6(g, "ff3e::1");
	len = rf_build(f, &s);
	f[54 + 6] = f[54 + 7] = 0;
	T_EQ(replay_map_frame(&m, f, len), 3);
	T_ASSERT(f[54 + 6] | f[54 + 7]);
	T_ASSERT(rf_udp_ok(true, f + 14, f + 54));

	/* An odd payload length, and one of 0. */
	s.v6 = false;
	a4(g, "239.1.1.1");
	for (s.plen = 0; s.plen < 4; s.plen++) {
		len = rewrite(&m, &s, f, g4, 40001, mac4, 3);
		pcap_frame(f, len);
	}
	s.plen = 33;

	/* Cut short of what the headers claim: left as it was, wherever cut. */
	m.ttl = 9;
	m.set_dmac = true;
	memcpy(m.dmac, dmac, 6);
	for (vlan = 0; vlan < 4; vlan++) {
		s.v6 = vlan & 1;
		s.vlan = vlan & 2;
		if (s.v6)
			a6(g, "ff3e::1");
		else
			a4(g, "239.1.1.1");
		len = rf_build(f, &s);
		memcpy(orig, f, len);
		for (o3 = 15; o3 < len; o3++) {
			T_EQ(replay_map_frame(&m, f, o3), 0);
			T_ASSERT(!memcmp(f, orig, len));
		}
		T_ASSERT(replay_map_frame(&m, f, len) > 0);
	}
	/* A UDP length beyond the IP payload: broken, left alone. */
	s.v6 = false;
	s.vlan = false;
	len = rf_build(f, &s);
	f[34 + 4] = 0x7f;
	memcpy(orig, f, len);
	T_EQ(replay_map_frame(&m, f, len), 0);
	T_ASSERT(!memcmp(f, orig, len));

	/* Not IP: the MACs only. */
	len = rf_build(f, &s);
	f[12] = 0x88, f[13] = 0xb5;
	memcpy(orig, f, len);
	T_EQ(replay_map_frame(&m, f, len), 1);
	T_ASSERT(!memcmp(f, dmac, 6) && !memcmp(f + 6, orig + 6, len - 6));
	m.ttl = -1;
	m.set_dmac = false;

	/* Spoilt after a rewrite: tshark must find its UDP checksum bad. */
	s.v6 = false;
	a4(g, "239.1.1.1");
	len = rewrite(&m, &s, f, g4, 40001, mac4, 3);
	f[len - 1] ^= 0x55;
	T_ASSERT(!rf_udp_ok(false, f + 14, f + 34));
	pcap_frame(f, len);
}

static void test_frame_check(void)
{
	struct replay_map m;
	uint8_t f[256], g[16];
	struct rf_spec s = { .dst = g, .dport = 30001, .ttl = 64, .plen = 8 };
	uint32_t len;

	memset(&m, 0, sizeof(m));
	m.ttl = -1;
	T_EQ(add(&m, "239.1.1.1:30001=239.1.1.2"), 0);
	m.allow_unicast = true;
	T_EQ(add(&m, "239.1.1.1:30002=10.1.1.1"), 0);
	m.allow_unicast = false;

	a4(g, "239.1.1.1");
	len = rf_build(f, &s);
	T_EQ(replay_map_frame_check(&m, f, len), 0);
	/* Mapped to unicast: refused, allowed with allow_unicast. */
	s.dport = 30002;
	len = rf_build(f, &s);
	T_EQ(replay_map_frame_check(&m, f, len), -EDESTADDRREQ);
	m.allow_unicast = true;
	T_EQ(replay_map_frame_check(&m, f, len), 0);
	m.allow_unicast = false;
	/* Unicast IP, not UDP: refused. */
	a4(g, "10.2.2.2");
	len = rf_build(f, &s);
	f[14 + 9] = 6;
	T_EQ(replay_map_frame_check(&m, f, len), -EDESTADDRREQ);
	/* Not IP: the Ethernet group bit decides; broadcast is not a group. */
	f[12] = 0x88, f[13] = 0xb5;
	T_EQ(replay_map_frame_check(&m, f, len), 0);
	memset(f, 0xff, 6);
	T_EQ(replay_map_frame_check(&m, f, len), -EDESTADDRREQ);
	f[0] = 0x02;
	T_EQ(replay_map_frame_check(&m, f, len), -EDESTADDRREQ);
	m.set_dmac = true;
	m.dmac[0] = 0x01;
	T_EQ(replay_map_frame_check(&m, f, len), 0);
	T_EQ(replay_map_frame_check(&m, f, 5), -EDESTADDRREQ);
}

int main(int argc, char **argv)
{
	if (argc > 1)
		pcap_open(argv[1]);
	test_parse();
	test_mac();
	test_is_multicast();
	test_dest();
	test_frame();
	test_frame_check();
	if (pcap && fclose(pcap))
		T_FAIL("pcap close");
	return T_EXIT_PASS;
}
