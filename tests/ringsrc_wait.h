/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ringsrc_wait.h - for tests that read rings through readers/common/ringsrc.h:
 * the next record, polling as a reader program does.
 */
#ifndef CAPD_TESTS_RINGSRC_WAIT_H
#define CAPD_TESTS_RINGSRC_WAIT_H

#include "ringsrc.h"

/* The next record within ms milliseconds: 1, 0 if none came, or -errno. */
static inline int ringsrc_wait_next(struct ringsrc *s, struct ringsrc_rec *rec, int ms)
{
	int r;

	for (; ms > 0; ms -= 50) {
		r = ringsrc_next(s, rec, 50);
		if (r != 0)
			return r;
	}
	return 0;
}

#endif
