// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <string.h>

#include "ptp_mgmt.h"

#define MSG_TYPE_MANAGEMENT	    0x0d
#define CONTROL_MANAGEMENT	    0x04
#define ACTION_GET		    0
#define ACTION_RESPONSE		    2
#define TLV_MANAGEMENT		    0x0001
#define TLV_MANAGEMENT_ERROR_STATUS 0x0002

/* Offsets in the message (1588-2008 Tables 18 and 37). */
#define OFF_TYPE	 0
#define OFF_VERSION	 1
#define OFF_LENGTH	 2
#define OFF_DOMAIN	 4
#define OFF_SOURCE	 20
#define OFF_SEQUENCE	 30
#define OFF_CONTROL	 32
#define OFF_LOG_INTERVAL 33
#define OFF_TARGET	 34
#define OFF_ACTION	 46
#define OFF_TLV		 PTP_MGMT_HDR_LEN

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)get16(p) << 16 | get16(p + 2);
}

static uint64_t get64(const uint8_t *p)
{
	return (uint64_t)get32(p) << 32 | get32(p + 4);
}

/* TimeInterval: nanoseconds scaled by 2^16; an arithmetic shift keeps the
 * sign (gcc and clang shift signed values arithmetically). */
static int64_t get_time_interval(const uint8_t *p)
{
	return (int64_t)get64(p) >> 16;
}

static void get_port_identity(const uint8_t *p, struct ptp_port_identity *id)
{
	memcpy(id->clock, p, 8);
	id->port = get16(p + 8);
}

size_t ptp_mgmt_get(uint8_t *buf, uint8_t domain, uint16_t port, uint16_t sequence_id, uint16_t id)
{
	memset(buf, 0, PTP_MGMT_REQ_LEN);
	buf[OFF_TYPE] = MSG_TYPE_MANAGEMENT;
	buf[OFF_VERSION] = 2;
	put16(buf + OFF_LENGTH, PTP_MGMT_REQ_LEN);
	buf[OFF_DOMAIN] = domain;
	/* source clockIdentity stays zero, as pmc's over a UNIX socket */
	put16(buf + OFF_SOURCE + 8, port);
	put16(buf + OFF_SEQUENCE, sequence_id);
	buf[OFF_CONTROL] = CONTROL_MANAGEMENT;
	buf[OFF_LOG_INTERVAL] = 0x7f;
	memset(buf + OFF_TARGET, 0xff, 10); /* every clock, every port */
	/* startingBoundaryHops = boundaryHops = 0: answered locally only */
	buf[OFF_ACTION] = ACTION_GET;
	put16(buf + OFF_TLV, TLV_MANAGEMENT);
	put16(buf + OFF_TLV + 2, 2);
	put16(buf + OFF_TLV + 4, id);
	return PTP_MGMT_REQ_LEN;
}

static int decode_data(const uint8_t *d, size_t n, struct ptp_mgmt_msg *m)
{
	switch (m->id) {
	case PTP_MID_TIME_STATUS_NP:
		if (n < 50)
			return -EBADMSG;
		m->u.time_status.master_offset_ns = (int64_t)get64(d);
		m->u.time_status.ingress_time_ns = (int64_t)get64(d + 8);
		m->u.time_status.gm_present = (int32_t)get32(d + 38);
		memcpy(m->u.time_status.gm_identity, d + 42, 8);
		return 0;
	case PTP_MID_PORT_DATA_SET:
		if (n < 26)
			return -EBADMSG;
		get_port_identity(d, &m->u.port.port);
		m->u.port.port_state = d[10];
		m->u.port.peer_mean_path_delay_ns = get_time_interval(d + 12);
		return 0;
	case PTP_MID_CURRENT_DATA_SET:
		if (n < 18)
			return -EBADMSG;
		m->u.current.steps_removed = get16(d);
		m->u.current.offset_from_master_ns = get_time_interval(d + 2);
		m->u.current.mean_path_delay_ns = get_time_interval(d + 10);
		return 0;
	case PTP_MID_TIME_PROPERTIES_DATA_SET:
		if (n < 4)
			return -EBADMSG;
		m->u.tprop.current_utc_offset = (int16_t)get16(d);
		m->u.tprop.flags = d[2];
		m->u.tprop.time_source = d[3];
		return 0;
	case PTP_MID_PARENT_DATA_SET:
		if (n < 32)
			return -EBADMSG;
		get_port_identity(d, &m->u.parent.parent);
		m->u.parent.gm_priority1 = d[18];
		m->u.parent.gm_clock_class = d[19];
		m->u.parent.gm_clock_accuracy = d[20];
		m->u.parent.gm_offset_scaled_log_variance = get16(d + 21);
		m->u.parent.gm_priority2 = d[23];
		memcpy(m->u.parent.gm_identity, d + 24, 8);
		return 0;
	default:
		return -ENOMSG;
	}
}

int ptp_mgmt_decode(const uint8_t *buf, size_t len, struct ptp_mgmt_msg *m)
{
	size_t msg_len, tlv_len;
	uint16_t tlv_type;

	memset(m, 0, sizeof(*m));
	if (len < OFF_TLV + 6)
		return -EBADMSG;
	/* low nibbles: messageType (high: transportSpecific), versionPTP
	 * (high: minorVersionPTP in 1588-2019) */
	if ((buf[OFF_TYPE] & 0x0f) != MSG_TYPE_MANAGEMENT || (buf[OFF_VERSION] & 0x0f) != 2)
		return -EBADMSG;
	msg_len = get16(buf + OFF_LENGTH);
	if (msg_len < OFF_TLV + 6 || msg_len > len)
		return -EBADMSG;
	m->domain = buf[OFF_DOMAIN];
	get_port_identity(buf + OFF_SOURCE, &m->source);
	m->sequence_id = get16(buf + OFF_SEQUENCE);
	m->action = buf[OFF_ACTION] & 0x0f;
	if (m->action != ACTION_RESPONSE)
		return -EBADMSG;
	tlv_type = get16(buf + OFF_TLV);
	tlv_len = get16(buf + OFF_TLV + 2);
	if (OFF_TLV + 4 + tlv_len > msg_len || tlv_len < 2)
		return -EBADMSG;
	if (tlv_type == TLV_MANAGEMENT_ERROR_STATUS) {
		if (tlv_len < 8)
			return -EBADMSG;
		m->error = get16(buf + OFF_TLV + 4);
		m->id = get16(buf + OFF_TLV + 6);
		return 0;
	}
	if (tlv_type != TLV_MANAGEMENT)
		return -EBADMSG;
	m->id = get16(buf + OFF_TLV + 4);
	return decode_data(buf + OFF_TLV + 6, tlv_len - 2, m);
}
