/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ptp_mgmt.h - PTP management messages (IEEE 1588-2008 §15) as ptp4l
 * serves them on its UNIX datagram socket: GET requests out, RESPONSE
 * datasets in.  Wire format only, no I/O (ptp_client.h does the socket).
 *
 * Every multi-byte field is big-endian.  A request is the 48-byte
 * management header, one MANAGEMENT TLV (type, length, managementId) and
 * no data (as `pmc -z` sends; ptp4l answers the same as to a full one).
 * ptp4l ignores a request whose domainNumber is not its own, so the caller
 * sets the domain it was configured with.
 */
#ifndef CAPD_PTP_MGMT_H
#define CAPD_PTP_MGMT_H

#include <stddef.h>
#include <stdint.h>

#define PTP_MGMT_HDR_LEN 48 /* header up to and including actionField */
#define PTP_MGMT_REQ_LEN 54 /* + TLV type, length, managementId */
#define PTP_MGMT_MAX_LEN 1500

/* managementId values capd asks for (1588 Table 40 and linuxptp's own) */
enum ptp_mgmt_id {
	PTP_MID_DEFAULT_DATA_SET = 0x2000,
	PTP_MID_CURRENT_DATA_SET = 0x2001,
	PTP_MID_PARENT_DATA_SET = 0x2002,
	PTP_MID_TIME_PROPERTIES_DATA_SET = 0x2003,
	PTP_MID_PORT_DATA_SET = 0x2004,
	PTP_MID_TIME_STATUS_NP = 0xC000,
};

/* portState (1588 Table 8); 0 is ours: not known */
enum ptp_port_state {
	PTP_PS_UNKNOWN = 0,
	PTP_PS_INITIALIZING = 1,
	PTP_PS_FAULTY = 2,
	PTP_PS_DISABLED = 3,
	PTP_PS_LISTENING = 4,
	PTP_PS_PRE_MASTER = 5,
	PTP_PS_MASTER = 6,
	PTP_PS_PASSIVE = 7,
	PTP_PS_UNCALIBRATED = 8,
	PTP_PS_SLAVE = 9,
};

/* timePropertiesDS flags, as in the header's flagField octet 1 */
enum ptp_time_flags {
	PTP_TF_LEAP_61 = 0x01,
	PTP_TF_LEAP_59 = 0x02,
	PTP_TF_UTC_OFF_VALID = 0x04,
	PTP_TF_PTP_TIMESCALE = 0x08,
	PTP_TF_TIME_TRACEABLE = 0x10,
	PTP_TF_FREQ_TRACEABLE = 0x20,
};

struct ptp_port_identity {
	uint8_t clock[8];
	uint16_t port;
};

/* The fields of each dataset capd uses; scaled values already in ns. */
struct ptp_time_status { /* TIME_STATUS_NP */
	int64_t master_offset_ns;
	int64_t ingress_time_ns;
	int32_t gm_present;
	uint8_t gm_identity[8];
};

struct ptp_port_ds { /* PORT_DATA_SET */
	struct ptp_port_identity port;
	uint8_t port_state;
	int64_t peer_mean_path_delay_ns;
};

struct ptp_current_ds { /* CURRENT_DATA_SET */
	uint16_t steps_removed;
	int64_t offset_from_master_ns;
	int64_t mean_path_delay_ns;
};

struct ptp_time_properties { /* TIME_PROPERTIES_DATA_SET */
	int16_t current_utc_offset;
	uint8_t flags; /* enum ptp_time_flags */
	uint8_t time_source;
};

struct ptp_parent_ds { /* PARENT_DATA_SET */
	struct ptp_port_identity parent;
	uint8_t gm_priority1, gm_priority2;
	uint8_t gm_clock_class, gm_clock_accuracy;
	uint16_t gm_offset_scaled_log_variance;
	uint8_t gm_identity[8];
};

/* One decoded response. */
struct ptp_mgmt_msg {
	uint16_t sequence_id;
	uint8_t domain;
	uint8_t action; /* 2 = RESPONSE */
	struct ptp_port_identity source;
	uint16_t id;	/* managementId */
	uint16_t error; /* MANAGEMENT_ERROR_STATUS id, 0 = none */
	union {
		struct ptp_time_status time_status;
		struct ptp_port_ds port;
		struct ptp_current_ds current;
		struct ptp_time_properties tprop;
		struct ptp_parent_ds parent;
	} u;
};

/*
 * Encode a GET of managementId id into buf (at least PTP_MGMT_REQ_LEN
 * bytes).  The source port number is taken from `port` (pmc uses its pid).
 * @return PTP_MGMT_REQ_LEN.
 */
size_t ptp_mgmt_get(uint8_t *buf, uint8_t domain, uint16_t port, uint16_t sequence_id, uint16_t id);

/*
 * Decode one received datagram.
 * @return 0 with *m filled (m->error set for MANAGEMENT_ERROR_STATUS);
 *         -EBADMSG when it is not a well-formed management response, or
 *         -ENOMSG for a well-formed response to a managementId this module
 *         does not decode (m->id says which).
 */
int ptp_mgmt_decode(const uint8_t *buf, size_t len, struct ptp_mgmt_msg *m);

#endif
