/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * readopt.h - what the command lines of the reader programs share, so that
 * -i RING / -r FILE, --from, -T, the trailing pcap-filter expression and
 * the signals behave the same in each of them.
 */
#ifndef CAPD_READOPT_H
#define CAPD_READOPT_H

#include <stddef.h>

#include "capfile.h"
#include "ringsrc.h"

/* The words argv[first..argc-1] joined by spaces, as tcpdump joins them.
 * @return a malloc()ed string ("" without words), or NULL without memory. */
char *readopt_expr(int argc, char **argv, int first);

/* "--from newest|oldest". @return 0, or -EINVAL for another word. */
int readopt_from(const char *arg, enum ring_seek *from);

/*
 * Open the rings and position them: back_secs > 0 that many seconds back
 * from now, else at from.
 * @return 0, or -errno with a line for the operator in err.
 */
int readopt_open_rings(struct ringsrc **src, char *const *names, unsigned int n,
		       enum ring_seek from, double back_secs, char *err, size_t errlen);

/* capfile_open() with a line for the operator in err on failure. */
int readopt_open_file(const char *path, struct capfile **f, char *err, size_t errlen);

/* SIGINT, SIGTERM and SIGHUP call handler; SIGPIPE is ignored (a closed
 * pipe is an ordinary end, reported by write()). */
void readopt_signals(void (*handler)(int));

#endif
