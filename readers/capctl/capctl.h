/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * capctl.h - the subcommands of capctl, the operator's view of a capture
 * box.  Each takes the arguments after its own name (argv[0] is the
 * subcommand) and returns the process exit status.
 */
#ifndef CAPD_CAPCTL_H
#define CAPD_CAPCTL_H

/* capctl status [RING] [--json]: writer, ring, counters, clock, readers. */
int capctl_status(int argc, char **argv);

/* capctl doctor [-c CONF] [--json]: pre-flight check of the box. */
int capctl_doctor(int argc, char **argv);

#endif
