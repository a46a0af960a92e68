// SPDX-License-Identifier: BSD-2-Clause
/*
 * fuzz_sendtime - lib/sendtime.c on anything: the first byte picks the
 * format, the rest is a run of datagrams as fuzz_seqdec.h reads them, each
 * in a buffer of exactly its size so that ASan sees any overread.  A
 * datagram walks exactly when the sequence decoder of its format decodes it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "seqdec.h"
#include "sendtime.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const spec[3] = { "mdp3", "moldudp64", "pitch" };
	enum sendtime_proto proto;
	struct sendtime_iter it;
	struct sendtime_msg m;
	struct seqdec_msg sm;
	struct seqdec d;

	if (size < 1)
		return 0;
	proto = (enum sendtime_proto)(data[0] % 3);
	if (seqdec_parse(spec[proto], &d) < 0)
		abort();
	data++;
	size--;
	while (size >= 2) {
		size_t n = (size_t)data[0] << 8 | data[1], msgs = 0;
		uint8_t *copy;

		data += 2;
		size -= 2;
		if (n > size)
			n = size;
		copy = malloc(n ? n : 1);
		if (!copy)
			break;
		memcpy(copy, data, n);
		if ((sendtime_begin(&it, proto, copy, n) == SENDTIME_OK) !=
		    (seqdec_decode(&d, copy, n, &sm) == SEQDEC_OK))
			abort();
		while (sendtime_next(&it, &m)) {
			if (++msgs > 65535 || m.kind > SENDTIME_PITCH_OFFSET)
				abort();
			if ((m.kind == SENDTIME_OF_DAY || m.kind == SENDTIME_PITCH_BASE) &&
			    m.ns >= SENDTIME_DAY_MAX_NS)
				abort();
			if (m.kind == SENDTIME_PITCH_OFFSET && m.ns >= 1000000000)
				abort();
		}
		free(copy);
		data += n;
		size -= n;
	}
	return 0;
}
