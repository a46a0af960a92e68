// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_app2wire - local midnights from the tz database (around midnight,
 * both summer time changes, a zone whose clocks jump over midnight), the
 * --exchange-tz words, and the signed distribution of a feed's samples.
 */
#include <stdint.h>
#include <string.h>

#include "app2wire.h"
#include "test.h"

#define S 1000000000ll

static int64_t mid(const char *tz, int64_t t, int days)
{
	int64_t ns = -1;

	T_EQ(app2wire_midnight(tz, t, days, &ns), 0);
	return ns;
}

static void test_midnight(void)
{
	const char *ny = "America/New_York";

	/* 10 s after midnight EST of 2026-01-16, and the days around it. */
	T_EQ(mid(ny, 1768539610, 0), 1768539600 * S);
	T_EQ(mid(ny, 1768539610, -1), 1768453200 * S);
	T_EQ(mid(ny, 1768539610, 1), 1768626000 * S);
	/* 1 s before it: the day before. */
	T_EQ(mid(ny, 1768539599, 0), 1768453200 * S);
	/* 2026-03-08 (23 h) and 2026-11-01 (25 h). */
	T_EQ(mid(ny, 1772985600, 0), 1772946000 * S);
	T_EQ(mid(ny, 1772985600, 1), 1773028800 * S);
	T_EQ(mid(ny, 1793593800, 0), 1793505600 * S); /* 23:30 EST, 24.5 h after */
	T_EQ(mid(ny, 1793593800, 1), 1793595600 * S);
	/* Santiago jumps from 00:00 to 01:00 on 2026-09-06: the date begins at 04:00 UTC. */
	T_EQ(mid("America/Santiago", 1788667200 + 12 * 3600, 0), 1788667200 * S);
	/* Havana on 2026-03-08 the same way, at 05:00 UTC. */
	T_EQ(mid("America/Havana", 1772946000 + 3600, 0), 1772946000 * S);
	T_EQ(mid("UTC", 1768539610, 0), 1768521600 * S);
}

static bool names_x(const void *ctx, const char *word)
{
	return !strcmp((const char *)ctx, word);
}

static void test_opts(void)
{
	struct app2wire_opts o = { 0 };
	char a[] = "Europe/London", b[] = "X=UTC", c[] = "Nowhere/Else", d[] = "../etc/passwd",
	     e[] = "=UTC", h[] = "Europe/\"London", f[] = "/usr/share/zoneinfo/UTC", g[] = "";

	T_ASSERT(!strcmp(app2wire_tz_of(&o, names_x, "X"), APP2WIRE_TZ_DEFAULT));
	T_EQ(app2wire_add_tz(&o, a), 0);
	T_EQ(app2wire_add_tz(&o, b), 0);
	T_EQ(app2wire_add_tz(&o, c), -ENOENT);
	T_EQ(app2wire_add_tz(&o, d), -EINVAL);
	T_EQ(app2wire_add_tz(&o, e), -EINVAL);
	T_EQ(app2wire_add_tz(&o, f), -EINVAL);
	T_EQ(app2wire_add_tz(&o, g), -EINVAL);
	T_EQ(app2wire_add_tz(&o, h), -EINVAL);
	T_ASSERT(!strcmp(app2wire_tz_of(&o, names_x, "X"), "UTC"));
	T_ASSERT(!strcmp(app2wire_tz_of(&o, names_x, "Y"), "Europe/London"));
}

/* An MDP 3.0 datagram sent at send_ns. */
static void mdp3(uint8_t *p, uint64_t send_ns)
{
	int i;

	memset(p, 0, 22);
	p[0] = 1;
	for (i = 0; i < 8; i++)
		p[4 + i] = (uint8_t)(send_ns >> (8 * i));
	p[12] = 10;
}

static void test_dist(void)
{
	const uint64_t t = 1768539610ull * S;
	struct app2wire *a = app2wire_new(SENDTIME_MDP3, "UTC");
	uint8_t p[22];
	int i;

	T_ASSERT(a);
	T_ASSERT(!a->tz); /* MDP 3.0 times are UTC: no zone */
	/* -300, then 10 samples of +1000..+10000, one of them in the next interval. */
	mdp3(p, t + 300);
	app2wire_add(a, p, sizeof(p), t, 0);
	for (i = 1; i <= 10; i++) {
		mdp3(p, t);
		app2wire_add(a, p, sizeof(p), t + (uint64_t)i * 1000, i == 10);
	}
	/* Zero, a day away, undecodable: unknown, unknown, nothing. */
	mdp3(p, 0);
	app2wire_add(a, p, sizeof(p), t, 0);
	mdp3(p, t - 86400 * S);
	app2wire_add(a, p, sizeof(p), t, 0);
	app2wire_add(a, p, 12, t, 0);
	T_EQ(app2wire_count(&a->run), 11);
	T_EQ(a->run.unknown, 2);
	T_EQ(app2wire_min(&a->run), -300);
	T_EQ(app2wire_max(&a->run), 10000);
	T_EQ(app2wire_quantile(&a->run, 0.5), 5055); /* top of its bucket, 4992..5055 */
	T_EQ(app2wire_quantile(&a->run, 0.01), -300);
	app2wire_interval(a);
	T_EQ(app2wire_count(&a->last), 10);
	T_EQ(a->last.unknown, 2);
	T_EQ(app2wire_count(&a->iv), 1);
	T_EQ(app2wire_min(&a->iv), 10000);
	app2wire_interval(a);
	T_EQ(app2wire_count(&a->last), 1);
	T_EQ(app2wire_count(&a->iv), 0);
	T_EQ(app2wire_min(&a->iv), 0);
	T_EQ(app2wire_max(&a->iv), 0);
	/* Only negative samples: the maximum is the one nearest zero. */
	mdp3(p, t + 700);
	app2wire_add(a, p, sizeof(p), t, 0);
	mdp3(p, t + 900);
	app2wire_add(a, p, sizeof(p), t, 0);
	T_EQ(app2wire_max(&a->iv), -700);
	T_EQ(app2wire_min(&a->iv), -900);
	app2wire_free(a);
}

int main(void)
{
	test_midnight();
	test_opts();
	test_dist();
	return 0;
}
