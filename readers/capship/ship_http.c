// SPDX-License-Identifier: BSD-2-Clause
#include <curl/curl.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ship_http.h"

#define REPLY_MAX 2048 /* bytes of an error reply kept for the log line */

struct ship_http {
	CURL *curl;
	struct curl_slist *headers;
	char *url, *database, *ca_file;
	unsigned int timeout;
	char reply[REPLY_MAX + 1];
	size_t reply_len;
	char errbuf[CURL_ERROR_SIZE];
};

static size_t on_reply(char *p, size_t size, size_t n, void *arg)
{
	struct ship_http *h = arg;
	size_t len = size * n, room = REPLY_MAX - h->reply_len;

	memcpy(h->reply + h->reply_len, p, len < room ? len : room);
	h->reply_len += len < room ? len : room;
	return len;
}

static void wipe_free(char *s)
{
	if (s) {
		explicit_bzero(s, strlen(s));
		free(s);
	}
}

void ship_http_close(struct ship_http *h)
{
	struct curl_slist *l;

	if (!h)
		return;
	if (h->curl)
		curl_easy_cleanup(h->curl);
	for (l = h->headers; l; l = l->next)
		explicit_bzero(l->data, strlen(l->data));
	curl_slist_free_all(h->headers);
	free(h->url);
	free(h->database);
	free(h->ca_file);
	free(h);
}

static int add_header(struct ship_http *h, const char *name, const char *value)
{
	struct curl_slist *n;
	char *line;

	if (asprintf(&line, "%s: %s", name, value) < 0)
		return -ENOMEM;
	n = curl_slist_append(h->headers, line);
	wipe_free(line);
	if (!n)
		return -ENOMEM;
	h->headers = n;
	return 0;
}

int ship_http_open(struct ship_http **out, const struct ship_http_opts *o)
{
	struct ship_http *h = calloc(1, sizeof(*h));

	*out = NULL;
	if (!h)
		return -ENOMEM;
	h->timeout = o->timeout;
	h->url = strdup(o->url);
	h->database = strdup(o->database);
	h->ca_file = o->ca_file && *o->ca_file ? strdup(o->ca_file) : NULL;
	h->curl = curl_easy_init();
	if (!h->url || !h->database || (o->ca_file && *o->ca_file && !h->ca_file) || !h->curl ||
	    add_header(h, "X-ClickHouse-User", o->user) ||
	    add_header(h, "X-ClickHouse-Key", o->password) ||
	    /* no 100-continue round trip before each body */
	    !(h->headers = curl_slist_append(h->headers, "Expect:")) ||
	    !(h->headers = curl_slist_append(h->headers, "Content-Type: application/json"))) {
		ship_http_close(h);
		return -ENOMEM;
	}
	*out = h;
	return 0;
}

/* A reply's first line, without control characters, for a log line. */
static void reply_line(struct ship_http *h, char *buf, size_t len)
{
	size_t i, n = 0;

	for (i = 0; i < h->reply_len && h->reply[i] != '\n' && n + 1 < len; i++)
		buf[n++] = (unsigned char)h->reply[i] < 0x20 || h->reply[i] == 0x7f ? '?'
										    : h->reply[i];
	while (n && buf[n - 1] == ' ')
		n--;
	buf[n] = '\0';
}

/* ClickHouse's error code in a reply ("Code: 193, e.displayText() = ..."). */
static long reply_code(struct ship_http *h)
{
	const char *p;

	h->reply[h->reply_len] = '\0';
	p = strstr(h->reply, "Code: ");
	return p ? strtol(p + 6, NULL, 10) : -1;
}

/* Codes that mean "who you are was refused": UNKNOWN_USER, WRONG_PASSWORD,
 * REQUIRED_PASSWORD, IP_ADDRESS_NOT_ALLOWED, ACCESS_DENIED,
 * AUTHENTICATION_FAILED.  Old servers answer them with 500. */
static bool auth_code(long c)
{
	return c == 192 || c == 193 || c == 194 || c == 195 || c == 497 || c == 516;
}

/* A certificate refused is the setup's (ca_file, url, the server's
 * certificate), not the network's: retrying would fail the same way. */
static bool cert_refused(CURLcode cr)
{
	return cr == CURLE_PEER_FAILED_VERIFICATION || cr == CURLE_SSL_CACERT_BADFILE ||
	       cr == CURLE_SSL_ISSUER_ERROR;
}

int ship_http_insert(struct ship_http *h, const char *table, const char *body, size_t len,
		     char *why, size_t whylen)
{
	char query[256], *q = NULL, *url = NULL, line[256];
	CURLcode cr;
	long status = 0, code;
	int r;

	snprintf(query, sizeof(query), "INSERT INTO %s.%s FORMAT JSONEachRow", h->database, table);
	q = curl_easy_escape(h->curl, query, 0);
	if (!q || asprintf(&url, "%s?query=%s", h->url, q) < 0) {
		url = NULL;
		r = -ENOMEM;
		snprintf(why, whylen, "out of memory");
		goto out;
	}
	curl_easy_reset(h->curl);
	h->reply_len = 0;
	h->errbuf[0] = '\0';
	curl_easy_setopt(h->curl, CURLOPT_URL, url);
	curl_easy_setopt(h->curl, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h->curl, CURLOPT_HTTPHEADER, h->headers);
	curl_easy_setopt(h->curl, CURLOPT_POST, 1L);
	curl_easy_setopt(h->curl, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(h->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	curl_easy_setopt(h->curl, CURLOPT_TIMEOUT, (long)h->timeout);
	curl_easy_setopt(h->curl, CURLOPT_CONNECTTIMEOUT,
			 (long)(h->timeout < 10 ? h->timeout : 10));
	curl_easy_setopt(h->curl, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(h->curl, CURLOPT_SSL_VERIFYHOST, 2L);
	if (h->ca_file)
		curl_easy_setopt(h->curl, CURLOPT_CAINFO, h->ca_file);
	curl_easy_setopt(h->curl, CURLOPT_WRITEFUNCTION, on_reply);
	curl_easy_setopt(h->curl, CURLOPT_WRITEDATA, h);
	curl_easy_setopt(h->curl, CURLOPT_ERRORBUFFER, h->errbuf);
	cr = curl_easy_perform(h->curl);
	if (cr != CURLE_OK) {
		r = cr == CURLE_OUT_OF_MEMORY ? -ENOMEM
		    : cert_refused(cr)	      ? -EKEYREJECTED
					      : -EHOSTUNREACH;
		snprintf(why, whylen, "%s", h->errbuf[0] ? h->errbuf : curl_easy_strerror(cr));
		goto out;
	}
	curl_easy_getinfo(h->curl, CURLINFO_RESPONSE_CODE, &status);
	if (status == 200) {
		r = 0;
		goto out;
	}
	code = reply_code(h);
	reply_line(h, line, sizeof(line));
	if (status == 401 || status == 403 || auth_code(code))
		r = -EACCES;
	else if (status >= 400 && status < 500)
		r = -EINVAL;
	else
		r = -EIO;
	snprintf(why, whylen, "HTTP %ld: %s", status, line[0] ? line : "(no reply)");
out:
	curl_free(q);
	free(url);
	return r;
}
