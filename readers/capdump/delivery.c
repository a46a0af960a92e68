// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <unistd.h>

#include "delivery.h"

int delivery_init(struct delivery *d, size_t cap)
{
	*d = (struct delivery){ .cap = cap };
	d->end = calloc(cap, sizeof(*d->end));
	return d->end ? 0 : -ENOMEM;
}

void delivery_free(struct delivery *d)
{
	free(d->end);
	d->end = NULL;
}

/* Per packet: a wrap by compare, not the division % would cost. */
bool delivery_add(struct delivery *d, uint64_t end)
{
	size_t i;

	if (end <= d->reached) {
		d->done++;
		return true;
	}
	if (d->n == d->cap)
		return false;
	i = d->head + d->n++;
	d->end[i >= d->cap ? i - d->cap : i] = end;
	return true;
}

void delivery_reached(struct delivery *d, uint64_t bytes)
{
	if (bytes > d->reached)
		d->reached = bytes;
	while (d->n && d->end[d->head] <= d->reached) {
		d->head = d->head + 1 == d->cap ? 0 : d->head + 1;
		d->n--;
		d->done++;
	}
}

/* The old stdout's descriptor, and what stdio handed on to it. */
static ssize_t stdout_write(void *cookie, const char *buf, size_t len)
{
	struct delivery *d = cookie;
	size_t done = 0;
	ssize_t r;

	while (done < len) {
		r = write(STDOUT_FILENO, buf + done, len - done);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		done += (size_t)r;
		delivery_reached(d, d->reached + (uint64_t)r);
	}
	/* Short: stdio marks the stream in error (EPIPE: SIGPIPE stopped us). */
	return (ssize_t)done;
}

int delivery_stdout(struct delivery *d)
{
	cookie_io_functions_t io = { .write = stdout_write };
	bool tty = isatty(STDOUT_FILENO);
	FILE *f;

	fflush(stdout);
	f = fopencookie(d, "w", io);
	if (!f)
		return -errno;
	if (setvbuf(f, NULL, tty ? _IOLBF : _IOFBF, BUFSIZ)) {
		fclose(f);
		return -ENOMEM;
	}
	stdout = f;
	return 0;
}

uint64_t delivery_stdout_offset(const struct delivery *d)
{
	return d->reached + __fpending(stdout);
}
