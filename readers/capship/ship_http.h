/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ship_http.h - inserting rows into ClickHouse over its HTTP interface
 * (libcurl): one POST per batch of one table, the query
 * "INSERT INTO DB.TABLE FORMAT JSONEachRow" as the URL's query parameter,
 * the rows as the body, the credentials as X-ClickHouse-User and
 * X-ClickHouse-Key headers (never in the URL).  https:// URLs verify the
 * server's certificate and name (libcurl's defaults, the CA store or
 * ca_file); redirects are not followed.
 *
 * The caller initialises libcurl once (curl_global_init()).
 */
#ifndef CAPD_SHIP_HTTP_H
#define CAPD_SHIP_HTTP_H

#include <stddef.h>

struct ship_http_opts {
	const char *url;      /* http://HOST:PORT/ or https://... */
	const char *database; /* an identifier (ship_conf checks) */
	const char *user;     /* printable ASCII */
	const char *password; /* printable ASCII, may be "" */
	const char *ca_file;  /* NULL or "" = libcurl's CA store */
	unsigned int timeout; /* s, the whole request */
};

struct ship_http;

/* @return 0 and *h, or -ENOMEM (the options are copied). */
int ship_http_open(struct ship_http **h, const struct ship_http_opts *o);
void ship_http_close(struct ship_http *h); /* NULL is ok; wipes the password */

/*
 * Insert len bytes of JSONEachRow rows into DB.table.
 * @return 0 when ClickHouse answered 200 (the rows are in); else, with the
 *	   cause in why (one line):
 *	   -EHOSTUNREACH  not reachable: refused connection, name, route,
 *			  timeout, TLS handshake failure, connection lost
 *			  (retry later)
 *	   -EKEYREJECTED  https: the server's certificate was not accepted
 *			  (unknown CA, wrong name, expired) or ca_file cannot
 *			  be read: the configuration's
 *	   -EACCES        the credentials were refused (the configuration's)
 *	   -EINVAL        another refusal of the request (4xx: no such
 *			  table or database, rows refused): the setup's
 *	   -EIO           a server error (5xx): retry later
 *	   -ENOMEM
 */
int ship_http_insert(struct ship_http *h, const char *table, const char *body, size_t len,
		     char *why, size_t whylen);

#endif
