/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * capd_conf_private.h - the shape of the key table in capd_conf.c, for the
 * parser, the dumper and tests/unit/test_conf.c, which walks the same table
 * so that a new row is tested without writing a new test.  Not for capd's
 * other modules: they read struct capd_conf.
 */
#ifndef CAPD_CONF_PRIVATE_H
#define CAPD_CONF_PRIVATE_H

#include <stddef.h>
#include <stdint.h>

#include "capd_conf.h"

enum ckey_type {
	CK_GROUP, /* { ... }: sub describes the struct at off */
	CK_LIST,  /* ( {...}, ... ): sub describes one element; min..max elements */
	CK_INT,	  /* integer in min..max */
	CK_SIZE,  /* "8G" or integer bytes, in min..max */
	CK_BOOL,
	CK_STR,	 /* string of min..max bytes, no control characters */
	CK_ENUM, /* string, one of names[]; stored as its index (int) */
	CK_MODE, /* octal string, bits within max and outside min */
	CK_ADDR, /* address or prefix into a struct capd_conf_addr */
	CK_INTS, /* [ int, ... ]: at most max elements, each in emin..emax */
};

enum ckey_flags {
	CKF_REQUIRED = 1 << 0, /* no default: must be present; sdef is an example */
	CKF_POW2 = 1 << 1,     /* CK_INT/CK_SIZE: power of two */
	CKF_UNIQUE = 1 << 2,   /* CK_STR in a list element: distinct across the list;
				* CK_INTS: distinct elements */
};

struct ckey {
	const char *name;
	enum ckey_type type;
	unsigned int flags;
	size_t off;		  /* offset in the struct this table describes */
	size_t size;		  /* sizeof the field; CK_INTS: of one element */
	int64_t def;		  /* CK_INT, CK_SIZE, CK_BOOL, CK_ENUM, CK_MODE */
	const char *sdef;	  /* CK_STR (an example if CKF_REQUIRED) */
	int64_t min, max;	  /* value; CK_STR: length; CK_LIST, CK_INTS: count;
				   * CK_MODE: bits that must be clear (min) / may be set (max) */
	int64_t emin, emax;	  /* CK_INTS: element range */
	size_t count_off;	  /* CK_LIST, CK_INTS: offset of the unsigned int count */
	size_t elem_size;	  /* CK_LIST: sizeof one element */
	const char *const *names; /* CK_ENUM: NULL terminated */
	const struct ckey *sub;	  /* CK_GROUP, CK_LIST: table of the member struct */
	/* CK_STR: more rules; @return why s is refused, or NULL */
	const char *(*check)(const char *s);
	/* CK_GROUP, CK_LIST element: checks across keys once all are read;
	 * @return why obj is refused and set *key to the key to blame, or NULL */
	const char *(*post)(const void *obj, const char **key, char *buf, size_t len);
	/* CK_INTS: a key of the same table that may not be given beside a
	 * non-empty list (capture.cpus excludes capture.cpu) */
	const char *excludes;
	const char *doc; /* one line; the range is printed from min/max */
};

/* The root table (describes struct capd_conf), terminated by a NULL name. */
extern const struct ckey capd_conf_table[];

#endif
