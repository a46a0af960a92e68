/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ptp_client.h - capd's end of ptp4l's management socket (uds_address):
 * a UNIX datagram socket bound to a path of capd's own, since ptp4l
 * answers to the sender's address.  Non-blocking throughout: the caller
 * sends a round of GETs and collects whatever answers arrived since, so a
 * missing, restarting or slow ptp4l costs nothing but stale data.
 *
 * The socket is not connected: each send finds ptp4l's socket by path
 * again, so a restarted ptp4l is reached without reopening anything.
 * Answers are accepted only from that path.  Sending needs write access
 * to ptp4l's socket (mode 0660, owned by ptp4l's user and group).
 */
#ifndef CAPD_PTP_CLIENT_H
#define CAPD_PTP_CLIENT_H

#include <stdint.h>
#include <sys/un.h>

#include "ptp_mgmt.h"

struct ptp_client {
	int fd;
	uint8_t domain;
	uint16_t port; /* our sourcePortIdentity.portNumber */
	uint16_t next_seq;
	struct sockaddr_un server;
	struct sockaddr_un local;
};

/*
 * Bind a datagram socket to local_path (an old socket file there is
 * replaced) for talking to the ptp4l at server_path in PTP domain domain.
 * @return 0 or -errno (-ENAMETOOLONG for a path longer than sun_path).
 */
int ptp_client_open(struct ptp_client *c, const char *server_path, const char *local_path,
		    uint8_t domain);

/* Close the socket and remove its file; safe on a client never opened
 * (fd < 0). */
void ptp_client_close(struct ptp_client *c);

/*
 * Send one GET of managementId id; its sequenceId is returned in *seq.
 * @return 0; -ENOENT (no socket at the path: ptp4l not running),
 *         -ECONNREFUSED (a stale socket: ptp4l died), -EACCES, -EAGAIN
 *         (ptp4l's queue is full) or another -errno of sendto.
 */
int ptp_client_get(struct ptp_client *c, uint16_t id, uint16_t *seq);

/*
 * Take one waiting answer from ptp4l.
 * @return 1 with *m decoded; 0 when nothing is waiting; -EBADMSG or
 *         -ENOMSG for a datagram that was read but not usable (see
 *         ptp_mgmt_decode()); or another -errno of recvfrom.
 */
int ptp_client_recv(struct ptp_client *c, struct ptp_mgmt_msg *m);

#endif
