// SPDX-License-Identifier: BSD-2-Clause
#include <endian.h>
#include <errno.h>
#include <string.h>

#include "pcapng_clock.h"

void pcapng_clock_encode(struct pcapng_clock *o, const struct ring_clock *c, uint8_t ts_source,
			 enum ring_utc_how how, uint64_t unsynced)
{
	memset(o, 0, sizeof(*o));
	o->version = PCAPNG_CLOCK_VERSION;
	o->synced = c->synced;
	o->sync_rule = htole16(c->sync_rule);
	o->ts_source = ts_source;
	o->utc_how = (uint8_t)how;
	o->port_state = c->port_state;
	o->ptp_status = c->ptp_status;
	o->time_flags = htole16(c->time_flags);
	o->utc_offset = (int16_t)htole16((uint16_t)c->utc_offset);
	o->kernel_tai_offset = (int32_t)htole32((uint32_t)c->kernel_tai_offset);
	memcpy(o->gm_identity, c->gm_identity, 8);
	o->master_offset_ns = (int64_t)htole64((uint64_t)c->master_offset_ns);
	o->path_delay_ns = (int64_t)htole64((uint64_t)c->path_delay_ns);
	o->phc_offset_ns = (int64_t)htole64((uint64_t)c->phc_offset_ns);
	o->update_ns = htole64(c->update_ns);
	o->unsynced = htole64(unsynced);
}

int pcapng_clock_decode(const void *data, size_t len, struct pcapng_clock *o)
{
	if (len < sizeof(*o))
		return -EBADMSG;
	memcpy(o, data, sizeof(*o));
	if (o->version < 1)
		return -EBADMSG;
	o->sync_rule = le16toh(o->sync_rule);
	o->time_flags = le16toh(o->time_flags);
	o->utc_offset = (int16_t)le16toh((uint16_t)o->utc_offset);
	o->kernel_tai_offset = (int32_t)le32toh((uint32_t)o->kernel_tai_offset);
	o->master_offset_ns = (int64_t)le64toh((uint64_t)o->master_offset_ns);
	o->path_delay_ns = (int64_t)le64toh((uint64_t)o->path_delay_ns);
	o->phc_offset_ns = (int64_t)le64toh((uint64_t)o->phc_offset_ns);
	o->update_ns = le64toh(o->update_ns);
	o->unsynced = le64toh(o->unsynced);
	return 0;
}
