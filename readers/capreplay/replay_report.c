// SPDX-License-Identifier: BSD-2-Clause
/*
 * replay_report.c - see replay_report.h.  A packet sent early (possible
 * only when the engine is behind no schedule at all, e.g. --topspeed)
 * counts as 0 ns late: the histogram holds lateness, not its sign.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "clock_text.h"
#include "json_out.h"
#include "replay_report.h"

#define REPLAY_REPORT_LATE1 10000ull  /* ns: "late" */
#define REPLAY_REPORT_LATE2 100000ull /* ns: "very late" */

static const char *const replay_report_skip_key[REPLAY_SKIP_N] = {
	[REPLAY_SKIP_TRUNCATED] = "truncated",
	[REPLAY_SKIP_NOT_UDP] = "not_udp",
	[REPLAY_SKIP_TOO_BIG] = "too_big",
};

static const char *const replay_report_skip_text[REPLAY_SKIP_N] = {
	[REPLAY_SKIP_TRUNCATED] = "truncated",
	[REPLAY_SKIP_NOT_UDP] = "not UDP",
	[REPLAY_SKIP_TOO_BIG] = "too big",
};

void replay_report_init(struct replay_report *r)
{
	memset(r, 0, sizeof(*r));
	hist_reset(&r->err);
}

void replay_report_sent(struct replay_report *r, uint64_t due, uint64_t at, uint32_t bytes)
{
	uint64_t late = at > due ? at - due : 0;

	r->sent++;
	r->sent_bytes += bytes;
	hist_add(&r->err, late);
	if (late > REPLAY_REPORT_LATE1)
		r->late_10us++;
	if (late > REPLAY_REPORT_LATE2)
		r->late_100us++;
	r->last_err = late;
}

void replay_report_error(struct replay_report *r, int err)
{
	unsigned int i;

	for (i = 0; i < REPLAY_REPORT_ERRNOS; i++) {
		if (r->send_err[i].count == 0) {
			r->send_err[i].err = err;
			r->send_err[i].count = 1;
			return;
		}
		if (r->send_err[i].err == err) {
			r->send_err[i].count++;
			return;
		}
	}
	r->send_err_other++;
}

uint64_t replay_report_errors(const struct replay_report *r)
{
	uint64_t n = r->send_err_other;
	unsigned int i;

	for (i = 0; i < REPLAY_REPORT_ERRNOS; i++)
		n += r->send_err[i].count;
	return n;
}

/* "ENOBUFS", or "E<number>" for a value the C library has no name for. */
static const char *replay_report_errname(int err, char *buf, size_t len)
{
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 32))
	const char *name = strerrorname_np(err);

	if (name)
		return name;
#endif
	snprintf(buf, len, "E%d", err);
	return buf;
}

/* ns as microseconds with 3 decimals. */
static void replay_report_us(FILE *f, uint64_t ns)
{
	fprintf(f, "%" PRIu64 ".%03" PRIu64 " us", ns / 1000, ns % 1000);
}

void replay_report_text(FILE *f, const struct replay_report *r, const char *mode,
			const char *ifname)
{
	double elapsed = (double)r->elapsed_ns / 1e9;
	char buf[16], when[40];
	unsigned int i;

	fprintf(f, "mode: %s\n", mode);
	fprintf(f, "interface: %s\n", ifname);
	fprintf(f, "selected: %" PRIu64 " packets per pass\n", r->selected);
	if (r->loops_asked)
		fprintf(f, "passes: %" PRIu64 " of %" PRIu64 "\n", r->loops_done, r->loops_asked);
	else
		fprintf(f, "passes: %" PRIu64 " (until stopped)\n", r->loops_done);
	fprintf(f, "sent: %" PRIu64 " packets, %" PRIu64 " bytes\n", r->sent, r->sent_bytes);
	fprintf(f, "send error: p50 ");
	replay_report_us(f, hist_percentile(&r->err, 0.5));
	fprintf(f, ", p99 ");
	replay_report_us(f, hist_percentile(&r->err, 0.99));
	fprintf(f, ", max ");
	replay_report_us(f, r->err.n ? r->err.max : 0);
	fprintf(f, "\ndrift: ");
	replay_report_us(f, r->last_err);
	fprintf(f, "\nlate: %" PRIu64 " > 10 us, %" PRIu64 " > 100 us\n", r->late_10us,
		r->late_100us);
	fprintf(f, "out of order: %" PRIu64 "\n", r->out_of_order);
	fprintf(f, "not sent:");
	for (i = 0; i < REPLAY_SKIP_N; i++)
		fprintf(f, "%s %" PRIu64 " %s", i ? "," : "", r->skipped[i],
			replay_report_skip_text[i]);
	fprintf(f, "\nsend errors: %" PRIu64, replay_report_errors(r));
	for (i = 0; i < REPLAY_REPORT_ERRNOS && r->send_err[i].count; i++)
		fprintf(f, "%s%s %" PRIu64, i ? ", " : " (",
			replay_report_errname(r->send_err[i].err, buf, sizeof(buf)),
			r->send_err[i].count);
	if (r->send_err_other)
		fprintf(f, "%sother %" PRIu64, i ? ", " : " (", r->send_err_other);
	fprintf(f, "%s\n", i || r->send_err_other ? ")" : "");
	if (r->start_wall)
		fprintf(f, "start: %s\n", clock_text_utc(r->start_wall, 9, when, sizeof(when)));
	fprintf(f, "elapsed: %.3f s\n", elapsed);
	fprintf(f, "cpu: %.3f s (%.1f %% of %.1f s elapsed), spinning %.1f s\n",
		(double)r->cpu_ns / 1e9,
		r->elapsed_ns ? 100.0 * (double)r->cpu_ns / (double)r->elapsed_ns : 0.0, elapsed,
		(double)r->spun_ns / 1e9);
	fprintf(f, "core taken while spinning: %" PRIu64 " times >= 5 us (%" PRIu64 " >= 20 us), ",
		r->stalls_5us, r->stalls_20us);
	replay_report_us(f, r->stalled_ns);
	fprintf(f, " in all, longest ");
	replay_report_us(f, r->stall_max_ns);
	fprintf(f, "\ninterrupted: %s\n", r->interrupted ? "yes" : "no");
}

void replay_report_json(FILE *f, const struct replay_report *r, const char *mode,
			const char *ifname)
{
	char buf[16];
	unsigned int i;

	fprintf(f, "{\"mode\":");
	json_out_str(f, mode);
	fprintf(f, ",\"interface\":");
	json_out_str(f, ifname);
	fprintf(f,
		",\"selected\":%" PRIu64 ",\"loops\":%" PRIu64 ",\"loops_done\":%" PRIu64
		",\"sent\":%" PRIu64 ",\"bytes\":%" PRIu64,
		r->selected, r->loops_asked, r->loops_done, r->sent, r->sent_bytes);
	fprintf(f,
		",\"err_p50_ns\":%" PRIu64 ",\"err_p99_ns\":%" PRIu64 ",\"err_max_ns\":%" PRIu64
		",\"drift_ns\":%" PRIu64,
		hist_percentile(&r->err, 0.5), hist_percentile(&r->err, 0.99),
		r->err.n ? r->err.max : 0, r->last_err);
	fprintf(f,
		",\"late_10us\":%" PRIu64 ",\"late_100us\":%" PRIu64 ",\"out_of_order\":%" PRIu64,
		r->late_10us, r->late_100us, r->out_of_order);
	fprintf(f, ",\"not_sent\":{");
	for (i = 0; i < REPLAY_SKIP_N; i++)
		fprintf(f, "%s\"%s\":%" PRIu64, i ? "," : "", replay_report_skip_key[i],
			r->skipped[i]);
	fprintf(f, "},\"send_errors\":{");
	for (i = 0; i < REPLAY_REPORT_ERRNOS && r->send_err[i].count; i++)
		fprintf(f, "%s\"%s\":%" PRIu64, i ? "," : "",
			replay_report_errname(r->send_err[i].err, buf, sizeof(buf)),
			r->send_err[i].count);
	if (r->send_err_other)
		fprintf(f, "%s\"other\":%" PRIu64, i ? "," : "", r->send_err_other);
	fprintf(f,
		"},\"start_ns\":%" PRIu64 ",\"elapsed_ns\":%" PRIu64 ",\"cpu_ns\":%" PRIu64
		",\"spun_ns\":%" PRIu64 ",\"stalls_5us\":%" PRIu64 ",\"stalls_20us\":%" PRIu64
		",\"stalled_ns\":%" PRIu64 ",\"stall_max_ns\":%" PRIu64 ",\"interrupted\":%s}\n",
		r->start_wall, r->elapsed_ns, r->cpu_ns, r->spun_ns, r->stalls_5us, r->stalls_20us,
		r->stalled_ns, r->stall_max_ns, r->interrupted ? "true" : "false");
}
