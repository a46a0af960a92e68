// SPDX-License-Identifier: BSD-2-Clause
/*
 * capctl doctor - a pre-flight check of a capture box: read capd's
 * configuration, gather the facts (doctor_probe.c), judge them
 * (doctor_check.c), print one line per item with its fix.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "capctl.h"
#include "capd_conf.h"
#include "capd_paths.h"
#include "doctor_check.h"
#include "doctor_probe.h"
#include "doctor_wire.h"
#include "json_out.h"
#include "log.h"

#define MAX_ITEMS (16 + 3 * CAPD_CONF_MAX_CPUS + 8 * CAPD_CONF_MAX_IFACES)
#define WRAP	  100

static void usage(FILE *f)
{
	fprintf(f,
		"usage: capctl doctor [-c FILE] [--json]\n"
		"  -c FILE  capd's configuration (default %s)\n"
		"  --json   one JSON object instead of text\n"
		"Exit status 0 when no check fails, 1 otherwise, 2 for bad arguments.\n",
		capd_paths_conf());
}

static void print_json(const struct doctor_conf *dc, const struct doctor_item *items,
		       unsigned int n, const unsigned int *count)
{
	unsigned int i;

	printf("{\"config\":");
	json_out_str(stdout, dc->path);
	printf(",\"uid\":%u,\"checks\":[", (unsigned int)geteuid());
	for (i = 0; i < n; i++) {
		printf("%s{\"check\":", i ? "," : "");
		json_out_str(stdout, items[i].check);
		printf(",\"interface\":");
		json_out_str(stdout, items[i].iface);
		printf(",\"status\":\"%s\",\"reason\":", doctor_check_status_str(items[i].status));
		json_out_str(stdout, items[i].reason);
		printf(",\"fix\":");
		json_out_str(stdout, items[i].fix);
		printf("}");
	}
	printf("],\"ok\":%u,\"warning\":%u,\"fail\":%u,\"unknown\":%u}\n", count[DOCTOR_OK],
	       count[DOCTOR_WARN], count[DOCTOR_FAIL], count[DOCTOR_UNKNOWN]);
}

/* Print s after `used` columns, wrapped at WRAP with an indent of `indent`
 * (no wrapping when wrap is false: scripts grep whole lines). */
static void print_wrapped(const char *s, size_t used, size_t indent, bool wrap)
{
	while (wrap && used + strlen(s) > WRAP) {
		size_t room = WRAP - used, cut = room;

		while (cut > 0 && s[cut] != ' ')
			cut--;
		if (!cut)
			cut = strcspn(s, " ");
		printf("%.*s\n%*s", (int)cut, s, (int)indent, "");
		s += cut;
		s += strspn(s, " ");
		used = indent;
	}
	printf("%s\n", s);
}

static void print_text(const struct doctor_conf *dc, const struct doctor_item *items,
		       unsigned int n, const unsigned int *count)
{
	bool wrap = isatty(STDOUT_FILENO);
	unsigned int i;

	printf("capctl doctor: %s%s\n", dc->path,
	       geteuid() ? " (not root: some checks may say unknown)" : "");
	for (i = 0; i < n; i++) {
		const struct doctor_item *it = &items[i];
		const char *st =
			it->status == DOCTOR_FAIL ? "FAIL" : doctor_check_status_str(it->status);
		char name[48];

		snprintf(name, sizeof(name), "%s%s%s", it->check, it->iface[0] ? " " : "",
			 it->iface);
		printf("%-8s %-24s ", st, name);
		print_wrapped(it->reason, 34, 34, wrap);
		if (it->fix[0]) {
			printf("%34sfix: ", "");
			print_wrapped(it->fix, 39, 39, wrap);
		}
	}
	printf("%u ok, %u warning(s), %u failed, %u unknown\n", count[DOCTOR_OK],
	       count[DOCTOR_WARN], count[DOCTOR_FAIL], count[DOCTOR_UNKNOWN]);
}

int capctl_doctor(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	/* large: keep them off the stack */
	static struct doctor_conf dc;
	static struct doctor_box box;
	static struct doctor_iface ifs[CAPD_CONF_MAX_IFACES];
	static struct doctor_wire wire[CAPD_CONF_MAX_IFACES];
	static struct doctor_item items[MAX_ITEMS];
	unsigned int count[4] = { 0 }, n, i;
	bool json = false;
	int c;

	dc.path = capd_paths_conf();
	while ((c = getopt_long(argc, argv, "c:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			dc.path = optarg;
			break;
		case 'j':
			json = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default: /* getopt_long() named it */
			fprintf(stderr, "Try 'capctl doctor --help' for the options.\n");
			return 2;
		}
	}
	if (optind != argc) {
		pr_err("doctor: no arguments besides options: %s", argv[optind]);
		return 2;
	}
	dc.err = capd_conf_load(&dc.conf, dc.path, dc.msg, sizeof(dc.msg));
	if (dc.err)
		capd_conf_defaults(&dc.conf);
	doctor_probe_box(&dc.conf, &box);
	for (i = 0; i < dc.conf.capture.ninterfaces; i++)
		doctor_probe_iface(dc.conf.capture.interfaces[i].name, &ifs[i]);
	doctor_wire_probe(box.ring_path, &dc.conf, wire);
	for (i = 0; i < dc.conf.capture.ninterfaces; i++)
		ifs[i].wire = wire[i];
	n = doctor_check(&dc, &box, ifs, dc.conf.capture.ninterfaces, items, MAX_ITEMS);
	for (i = 0; i < n; i++)
		count[items[i].status]++;
	if (json)
		print_json(&dc, items, n, count);
	else
		print_text(&dc, items, n, count);
	if (fflush(stdout) == EOF) {
		pr_err("writing the report: %s", strerror(errno));
		return 1;
	}
	return count[DOCTOR_FAIL] ? 1 : 0;
}
