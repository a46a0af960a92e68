// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ptp_client.h"

static int set_path(struct sockaddr_un *a, const char *path)
{
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(a->sun_path))
		return -ENAMETOOLONG;
	memcpy(a->sun_path, path, strlen(path));
	return 0;
}

int ptp_client_open(struct ptp_client *c, const char *server_path, const char *local_path,
		    uint8_t domain)
{
	int r;

	memset(c, 0, sizeof(*c));
	c->fd = -1;
	c->domain = domain;
	/* pmc's choice: the pid tells concurrent clients apart in ptp4l's log */
	c->port = (uint16_t)getpid();
	r = set_path(&c->server, server_path);
	if (!r)
		r = set_path(&c->local, local_path);
	if (r)
		return r;
	c->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		return -errno;
	/* A previous capd that was killed leaves its socket file behind. */
	if (unlink(local_path) < 0 && errno != ENOENT) {
		r = -errno;
		goto fail;
	}
	if (bind(c->fd, (struct sockaddr *)&c->local, sizeof(c->local)) < 0) {
		r = -errno;
		goto fail;
	}
	return 0;
fail:
	close(c->fd);
	c->fd = -1;
	return r;
}

void ptp_client_close(struct ptp_client *c)
{
	if (c->fd < 0)
		return;
	close(c->fd);
	c->fd = -1;
	unlink(c->local.sun_path);
}

int ptp_client_get(struct ptp_client *c, uint16_t id, uint16_t *seq)
{
	uint8_t buf[PTP_MGMT_REQ_LEN];
	size_t n;

	*seq = c->next_seq++;
	n = ptp_mgmt_get(buf, c->domain, c->port, *seq, id);
	if (sendto(c->fd, buf, n, MSG_DONTWAIT | MSG_NOSIGNAL, (struct sockaddr *)&c->server,
		   sizeof(c->server)) < 0)
		return errno == EWOULDBLOCK ? -EAGAIN : -errno;
	return 0;
}

int ptp_client_recv(struct ptp_client *c, struct ptp_mgmt_msg *m)
{
	uint8_t buf[PTP_MGMT_MAX_LEN];
	struct sockaddr_un from;
	socklen_t flen;
	ssize_t n;
	int r;

	for (;;) {
		flen = sizeof(from);
		memset(&from, 0, sizeof(from));
		n = recvfrom(c->fd, buf, sizeof(buf), MSG_DONTWAIT, (struct sockaddr *)&from,
			     &flen);
		if (n < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -errno;
		/* Anyone who can reach our path could write to it: only
		 * ptp4l's own socket is listened to. */
		if (flen > offsetof(struct sockaddr_un, sun_path) &&
		    !strncmp(from.sun_path, c->server.sun_path, sizeof(from.sun_path)))
			break;
	}
	r = ptp_mgmt_decode(buf, (size_t)n, m);
	return r < 0 ? r : 1;
}
