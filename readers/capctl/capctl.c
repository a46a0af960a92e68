// SPDX-License-Identifier: BSD-2-Clause
/*
 * capctl - status of capd, its ring, its readers and its clock, and a
 * pre-flight check of a capture box.
 */
#include <stdio.h>
#include <string.h>

#include "capctl.h"
#include "log.h"

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *help;
} commands[] = {
	{ "status", capctl_status,
	  "[RING] [--json] [--wait]  state of capd, the ring, its readers and clock" },
	{ "doctor", capctl_doctor,
	  "[-c CONF] [--json]        pre-flight check of this capture box" },
};

static void usage(FILE *f)
{
	unsigned int i;

	fprintf(f, "usage:\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  capctl %s %s\n", commands[i].name, commands[i].help);
	fprintf(f, "  capctl -h | --help                      this help\n");
	fprintf(f, "  capctl -V | --version                   the version\n");
}

int main(int argc, char **argv)
{
	unsigned int i;

	log_init("capctl", LOG_INFO);
	if (argc == 2 && (!strcmp(argv[1], "-V") || !strcmp(argv[1], "--version"))) {
		printf("capctl " CAPD_VERSION "\n");
		return 0;
	}
	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name)) {
			char me[32];

			/* getopt's messages: "capctl status: invalid option" */
			snprintf(me, sizeof(me), "capctl %s", commands[i].name);
			argv[1] = me;
			return commands[i].run(argc - 1, argv + 1);
		}
	pr_err("unknown command '%s'; try 'capctl --help'", argv[1]);
	return 2;
}
