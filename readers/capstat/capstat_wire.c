// SPDX-License-Identifier: BSD-2-Clause
/*
 * capstat_wire.c - time from the wire in capstat: per interface, which
 * time its packets got (readloop's counts), and per switch port (device
 * and port ID of the stamp) packets and bytes.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capstat.h"
#include "json_out.h"
#include "prom_label.h"

#define WIRE_PORTS_MAX 4096 /* (interface, device, port) kept; more are counted */

struct wire_port {
	uint32_t if_id;
	uint16_t device, port;
	uint64_t packets, bytes;
};

struct capstat_wire {
	const struct readloop *rl; /* while the loop runs; then the copy below */
	struct readloop_wire_counts *counts;
	bool *has;
	uint32_t nifaces;
	char (*names)[CAPSTAT_WIRE_NAME_LEN]; /* by if_id, "" unknown */
	uint32_t nnames;
	struct wire_port *ports; /* open addressing, 2 * WIRE_PORTS_MAX slots */
	uint32_t nports;
	uint64_t ports_beyond; /* packets of ports beyond WIRE_PORTS_MAX */
};

int capstat_wire_start(struct capstat *cs, const struct readloop *rl)
{
	struct capstat_wire *w = calloc(1, sizeof(*w));

	if (!w || !(w->ports = calloc(2 * WIRE_PORTS_MAX, sizeof(*w->ports)))) {
		free(w);
		return -ENOMEM;
	}
	w->rl = rl;
	cs->wire = w;
	return 0;
}

void capstat_wire_end(struct capstat *cs)
{
	struct capstat_wire *w = cs->wire;
	uint32_t i, n;

	if (!w || !w->rl)
		return;
	n = readloop_wire_ifaces(w->rl);
	w->counts = calloc(n ? n : 1, sizeof(*w->counts));
	w->has = calloc(n ? n : 1, sizeof(*w->has));
	if (w->counts && w->has) {
		for (i = 0; i < n; i++) {
			const struct readloop_wire_counts *c = readloop_wire_counts(w->rl, i);

			w->has[i] = c != NULL;
			if (c)
				w->counts[i] = *c;
		}
		w->nifaces = n;
	}
	w->rl = NULL;
}

void capstat_wire_free(struct capstat *cs)
{
	struct capstat_wire *w = cs->wire;

	if (!w)
		return;
	free(w->counts);
	free(w->has);
	free(w->names);
	free(w->ports);
	free(w);
	cs->wire = NULL;
}

static const struct readloop_wire_counts *counts(const struct capstat_wire *w, uint32_t i)
{
	if (w->rl)
		return readloop_wire_counts(w->rl, i);
	return i < w->nifaces && w->has[i] ? &w->counts[i] : NULL;
}

static uint32_t nifaces(const struct capstat_wire *w)
{
	return w->rl ? readloop_wire_ifaces(w->rl) : w->nifaces;
}

/* The interface's name, kept on its first packet. */
static void name_of(struct capstat_wire *w, const struct ringsrc *src, const struct readloop_pkt *p)
{
	const char *name = "";
	uint32_t n;

	if (p->if_id >= CAPSTAT_WIRE_IFACES)
		return;
	if (p->if_id >= w->nnames) {
		char(*nn)[CAPSTAT_WIRE_NAME_LEN];

		n = p->if_id + 16 < CAPSTAT_WIRE_IFACES ? p->if_id + 16 : CAPSTAT_WIRE_IFACES;
		nn = realloc(w->names, n * sizeof(*nn));
		if (!nn)
			return;
		memset(nn + w->nnames, 0, (n - w->nnames) * sizeof(*nn));
		w->names = nn;
		w->nnames = n;
	}
	if (w->names[p->if_id][0])
		return;
	if (p->rec && src) {
		const struct ring_stats *st = ringsrc_stats(src, p->rec->ring);

		if (p->rec->iface < st->niface && p->rec->iface < RING_MAX_IFACES)
			name = st->ifaces[p->rec->iface].name;
	} else if (p->file && capfile_iface(p->file, p->if_id)) {
		name = capfile_iface(p->file, p->if_id)->name;
	}
	if (name[0])
		snprintf(w->names[p->if_id], CAPSTAT_WIRE_NAME_LEN, "%.*s",
			 CAPSTAT_WIRE_NAME_LEN - 1, name);
	else /* a file's interface without if_name: its number */
		snprintf(w->names[p->if_id], CAPSTAT_WIRE_NAME_LEN, "if%u", p->if_id);
}

void capstat_wire_packet(struct capstat *cs, const struct ringsrc *src,
			 const struct readloop_pkt *p)
{
	struct capstat_wire *w = cs->wire;
	uint32_t h, k;

	if (!w || !p->wire)
		return;
	name_of(w, src, p);
	if (p->wire->status != WIRETS_OK || !(p->wire->flags & WIRETS_F_DEVICE))
		return;
	h = (p->if_id * 2654435761u) ^ ((uint32_t)p->wire->device << 8) ^ p->wire->port;
	h = (h * 2246822519u) >> 4;
	for (k = 0; k < 2 * WIRE_PORTS_MAX; k++) {
		struct wire_port *e = &w->ports[(h + k) % (2 * WIRE_PORTS_MAX)];

		if (!e->packets) {
			if (w->nports == WIRE_PORTS_MAX)
				break;
			w->nports++;
			e->if_id = p->if_id;
			e->device = p->wire->device;
			e->port = p->wire->port;
		} else if (e->if_id != p->if_id || e->device != p->wire->device ||
			   e->port != p->wire->port) {
			continue;
		}
		e->packets++;
		e->bytes += p->orig_wirelen;
		return;
	}
	w->ports_beyond++;
}

static int port_cmp(const void *a, const void *b)
{
	const struct wire_port *x = a, *y = b;

	if (x->if_id != y->if_id)
		return x->if_id < y->if_id ? -1 : 1;
	if (x->device != y->device)
		return x->device < y->device ? -1 : 1;
	return x->port < y->port ? -1 : x->port > y->port;
}

/* The ports in order (interface, device, port); free() it.  NULL: none. */
static struct wire_port *sorted(const struct capstat_wire *w)
{
	struct wire_port *s;
	uint32_t i, n = 0;

	if (!w->nports || !(s = malloc(w->nports * sizeof(*s))))
		return NULL;
	for (i = 0; i < 2 * WIRE_PORTS_MAX; i++)
		if (w->ports[i].packets)
			s[n++] = w->ports[i];
	qsort(s, n, sizeof(*s), port_cmp);
	return s;
}

static const char *if_name(const struct capstat_wire *w, uint32_t i)
{
	return i < w->nnames && w->names[i][0] ? w->names[i] : "?";
}

void capstat_wire_table(const struct capstat *cs, FILE *f)
{
	const struct capstat_wire *w = cs->wire;
	struct wire_port *s;
	uint32_t i, n;

	if (!w || !(n = nifaces(w)))
		return;
	fprintf(f, "\n%-16s %-9s %12s %12s %10s %10s %10s %10s %10s %10s\n", "INTERFACE", "STAMP",
		"WIRE TIME", "HOST TIME", "ABSENT", "MALFORMED", "TRUNCATED", "NO UTC", "DEGRADED",
		"DUPLICATE");
	for (i = 0; i < n; i++) {
		const struct readloop_wire_counts *c = counts(w, i);

		if (!c)
			continue;
		fprintf(f, "%-16s %-9s %12llu %12llu %10llu %10llu %10llu %10llu %10llu %10llu\n",
			if_name(w, i), wirets_kind_name(c->kind), (unsigned long long)c->ok,
			(unsigned long long)(c->absent + c->malformed + c->truncated + c->no_utc),
			(unsigned long long)c->absent, (unsigned long long)c->malformed,
			(unsigned long long)c->truncated, (unsigned long long)c->no_utc,
			(unsigned long long)c->degraded, (unsigned long long)c->duplicate);
	}
	s = sorted(w);
	if (!s)
		return;
	fprintf(f, "\n%-16s %6s %5s %12s %14s\n", "INTERFACE", "DEVICE", "PORT", "PACKETS",
		"BYTES");
	for (i = 0; i < w->nports; i++)
		fprintf(f, "%-16s %6u %5u %12llu %14llu\n", if_name(w, s[i].if_id), s[i].device,
			s[i].port, (unsigned long long)s[i].packets,
			(unsigned long long)s[i].bytes);
	if (w->ports_beyond)
		fprintf(f, "%llu packets of ports beyond the first %u\n",
			(unsigned long long)w->ports_beyond, WIRE_PORTS_MAX);
	free(s);
}

void capstat_wire_json(const struct capstat *cs, FILE *f)
{
	const struct capstat_wire *w = cs->wire;
	struct wire_port *s = NULL;
	uint32_t i, n = w ? nifaces(w) : 0;
	bool first = true;

	fputs(",\"wire\":[", f);
	for (i = 0; i < n; i++) {
		const struct readloop_wire_counts *c = counts(w, i);

		if (!c)
			continue;
		fputs(first ? "{\"interface\":" : ",{\"interface\":", f);
		first = false;
		json_out_str(f, if_name(w, i));
		fprintf(f,
			",\"if_id\":%u,\"stamp\":\"%s\",\"wire_time\":%llu,\"host_time\":%llu,"
			"\"absent\":%llu,\"malformed\":%llu,\"truncated\":%llu,\"no_utc\":%llu,"
			"\"degraded\":%llu,\"duplicate\":%llu}",
			i, wirets_kind_name(c->kind), (unsigned long long)c->ok,
			(unsigned long long)(c->absent + c->malformed + c->truncated + c->no_utc),
			(unsigned long long)c->absent, (unsigned long long)c->malformed,
			(unsigned long long)c->truncated, (unsigned long long)c->no_utc,
			(unsigned long long)c->degraded, (unsigned long long)c->duplicate);
	}
	fputs("],\"ports\":[", f);
	if (w)
		s = sorted(w);
	for (i = 0; s && i < w->nports; i++) {
		fputs(i ? ",{\"interface\":" : "{\"interface\":", f);
		json_out_str(f, if_name(w, s[i].if_id));
		fprintf(f,
			",\"if_id\":%u,\"device\":%u,\"port\":%u,\"packets\":%llu,\"bytes\":%llu}",
			s[i].if_id, s[i].device, s[i].port, (unsigned long long)s[i].packets,
			(unsigned long long)s[i].bytes);
	}
	fprintf(f, "],\"ports_beyond\":%llu", w ? (unsigned long long)w->ports_beyond : 0ull);
	free(s);
}

static void prom_head(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

void capstat_wire_prom(const struct capstat *cs, FILE *f)
{
	static const char *const how[] = { "wire", "absent", "malformed", "truncated", "no_utc" };
	const struct capstat_wire *w = cs->wire;
	struct wire_port *s;
	uint32_t i, j, n;

	if (!w || !(n = nifaces(w)))
		return;
	prom_head(f, "capstat_wire_packets_total", "counter",
		  "Packets of interfaces with a switch's stamp, by the time they got: wire, or "
		  "the host's because the stamp was absent, malformed, truncated or TAI without "
		  "a UTC offset.");
	for (i = 0; i < n; i++) {
		const struct readloop_wire_counts *c = counts(w, i);
		const uint64_t v[] = { c ? c->ok : 0, c ? c->absent : 0, c ? c->malformed : 0,
				       c ? c->truncated : 0, c ? c->no_utc : 0 };

		for (j = 0; c && j < 5; j++) {
			fputs("capstat_wire_packets_total{interface=\"", f);
			prom_label(f, if_name(w, i));
			fprintf(f, "\",time=\"%s\"} %llu\n", how[j], (unsigned long long)v[j]);
		}
	}
	prom_head(f, "capstat_wire_flagged_total", "counter",
		  "Packets the device flagged: its clock degraded, or a duplicate.");
	for (i = 0; i < n; i++) {
		const struct readloop_wire_counts *c = counts(w, i);

		for (j = 0; c && j < 2; j++) {
			fputs("capstat_wire_flagged_total{interface=\"", f);
			prom_label(f, if_name(w, i));
			fprintf(f, "\",flag=\"%s\"} %llu\n", j ? "duplicate" : "degraded",
				(unsigned long long)(j ? c->duplicate : c->degraded));
		}
	}
	s = sorted(w);
	if (!s)
		return;
	for (j = 0; j < 2; j++) {
		const char *name = j ? "capstat_port_bytes_total" : "capstat_port_packets_total";

		prom_head(
			f, name, "counter",
			j ? "Frame bytes (without the stamp) by the switch port that stamped them."
			  : "Packets by the switch port that stamped them.");
		for (i = 0; i < w->nports; i++) {
			fprintf(f, "%s{interface=\"", name);
			prom_label(f, if_name(w, s[i].if_id));
			fprintf(f, "\",device=\"%u\",port=\"%u\"} %llu\n", s[i].device, s[i].port,
				(unsigned long long)(j ? s[i].bytes : s[i].packets));
		}
	}
	free(s);
}
