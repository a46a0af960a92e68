// SPDX-License-Identifier: BSD-2-Clause
/*
 * capctl status: what a ring says about its writer and its clock.  A
 * writer counts as running while its state says so and its heartbeat
 * (every 100 ms) is younger than STALE_NS: a killed capd shows as
 * stopped within that time.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "capctl.h"
#include "clock_ns.h"
#include "clock_text.h"
#include "json_out.h"
#include "log.h"
#include "ring_clock.h"
#include "ring_file.h"
#include "ring_format.h"

#define STALE_NS 1000000000ull

static const char *writer_state(const struct ring_hdr *h, uint64_t hb_age)
{
	switch (__atomic_load_n(&h->writer_state, __ATOMIC_ACQUIRE)) {
	case RING_WRITER_RUNNING: return hb_age < STALE_NS ? "running" : "stopped";
	case RING_WRITER_STOPPED: return "stopped";
	default: return "never-started";
	}
}

/* Stopped without closing the ring: killed or crashed. */
static bool writer_crashed(const struct ring_hdr *h, uint64_t hb_age)
{
	return __atomic_load_n(&h->writer_state, __ATOMIC_ACQUIRE) == RING_WRITER_RUNNING &&
	       hb_age >= STALE_NS;
}

static void status_text(const char *path, const struct ring_hdr *h, const struct ring_clock *c,
			uint64_t hb_age)
{
	char line[768], t[32];

	printf("ring       %s (%" PRIu64 " MiB, %u blocks of %u KiB)\n", path,
	       h->file_size >> 20, h->nblocks, h->block_size >> 10);
	printf("writer     %s%s, pid %u, generation %u", writer_state(h, hb_age),
	       writer_crashed(h, hb_age) ? " (killed or crashed: no heartbeat)" : "",
	       h->writer_pid, h->generation);
	if (h->writer_start_ns) {
		printf(", started %s", clock_text_utc(h->writer_start_ns, 3, t, sizeof(t)));
	}
	if (hb_age != UINT64_MAX)
		printf(", heartbeat %.1f s ago", hb_age / 1e9);
	putchar('\n');
	printf("records    %" PRIu64 " written\n", __atomic_load_n(&h->next_seq, __ATOMIC_RELAXED));
	clock_text_describe(line, sizeof(line), c);
	printf("clock      %s\n", line);
	if (c->update_ns) {
		printf("           as of %s\n", clock_text_utc(c->update_ns, 3, t, sizeof(t)));
	}
}

static void status_json(const char *path, const struct ring_hdr *h, const struct ring_clock *c,
			uint64_t hb_age)
{
	char clock[2048];

	clock_text_json(clock, sizeof(clock), c);
	fputs("{\"ring\":{\"path\":", stdout);
	json_out_str(stdout, path);
	printf(",\"size\":%" PRIu64 ",\"block_size\":%u,\"blocks\":%u},"
	       "\"writer\":{\"state\":\"%s\",\"crashed\":%s,\"pid\":%u,\"generation\":%u,\"start_ns\":%" PRIu64
	       ",\"heartbeat_age_ns\":%" PRIu64 ",\"records\":%" PRIu64 "},\"clock\":%s}\n",
	       h->file_size, h->block_size, h->nblocks, writer_state(h, hb_age),
	       writer_crashed(h, hb_age) ? "true" : "false", h->writer_pid, h->generation, h->writer_start_ns, hb_age,
	       __atomic_load_n(&h->next_seq, __ATOMIC_RELAXED), clock);
}

int capctl_status(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *name = "default";
	struct ring_map m = { .fd = -1 };
	const struct ring_hdr *h;
	struct ring_clock c;
	char path[4096], msg[512];
	bool json = false;
	uint64_t hb, now, age;
	int opt, r;

	while ((opt = getopt_long(argc, argv, "jh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'j': json = true; break;
		case 'h':
			printf("usage: capctl status [RING] [--json]\n");
			return 0;
		default: return 2;
		}
	}
	if (optind < argc)
		name = argv[optind++];
	if (optind < argc) {
		pr_err("status: one ring at a time");
		return 2;
	}
	r = ring_file_resolve(name, path, sizeof(path));
	if (r == 0)
		r = ring_file_open_ro(path, &m);
	if (r < 0) {
		pr_err("%s", ring_file_explain(r, path, 0, msg, sizeof(msg)));
		return 1;
	}
	h = m.mem;
	ring_clock_read((const struct ring_clock *)((const uint8_t *)m.mem + RING_CLOCK_OFF), &c);
	hb = __atomic_load_n(&h->heartbeat_ns, __ATOMIC_RELAXED);
	now = clock_ns(CLOCK_MONOTONIC);
	age = hb && now > hb ? now - hb : 0;
	if (!hb)
		age = UINT64_MAX;
	if (json)
		status_json(path, h, &c, age);
	else
		status_text(path, h, &c, age);
	ring_file_close(&m);
	return 0;
}
