// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_status_thread - what capctl status says about a capture thread from
 * its ring's statistics: its queues, packets and busy share, on made-up
 * and hostile statistics.
 */
#include <stdint.h>
#include <string.h>

#include "ring_format.h"
#include "status_thread.h"
#include "test.h"

static struct ring_stats st;

static void add_queue(uint16_t iface, uint16_t queue, uint64_t packets)
{
	struct ring_queue_stats *q = &st.queues[st.nqueue++];

	q->iface = iface;
	q->queue = queue;
	q->packets = packets;
	q->bytes = 100 * packets;
}

static void t_queues(void)
{
	struct status_thread_sum s;
	char buf[64];

	memset(&st, 0, sizeof(st));
	st.niface = 2;
	memcpy(st.ifaces[0].name, "eth1", 5);
	memcpy(st.ifaces[1].name, "eth2", 5);
	T_ASSERT(!strcmp(status_thread_queues(&st, buf, sizeof(buf)), ""));
	/* thread 1 of 2 over eth1 queues 0-3 and eth2 queues 0-1: every other */
	add_queue(0, 1, 10);
	add_queue(0, 3, 20);
	add_queue(1, 1, 30);
	T_ASSERT(!strcmp(status_thread_queues(&st, buf, sizeof(buf)), "eth1:1,3 eth2:1"));
	s = status_thread_sum(&st);
	T_EQ(s.packets, 60);
	T_EQ(s.bytes, 6000);
	/* interfaces in the order of their first queue */
	memset(&st, 0, sizeof(st));
	st.niface = 2;
	memcpy(st.ifaces[0].name, "eth1", 5);
	memcpy(st.ifaces[1].name, "eth2", 5);
	add_queue(1, 0, 1);
	add_queue(0, 2, 1);
	add_queue(1, 2, 1);
	T_ASSERT(!strcmp(status_thread_queues(&st, buf, sizeof(buf)), "eth2:0,2 eth1:2"));
	/* too small: cut with "..." and still terminated */
	T_ASSERT(!strcmp(status_thread_queues(&st, buf, 10), "eth2:0..."));
	T_ASSERT(!strcmp(status_thread_queues(&st, buf, 3), ""));
}

static void t_hostile(void)
{
	char buf[4096];

	memset(&st, 0, sizeof(st));
	/* a name without its NUL, an interface index beyond the table, counts
	 * beyond the arrays */
	st.niface = 1000;
	memset(st.ifaces[0].name, 'x', RING_IFNAME_LEN);
	add_queue(0, 7, 1);
	add_queue(RING_MAX_IFACES + 3, 9, 1);
	T_ASSERT(!strcmp(status_thread_queues(&st, buf, sizeof(buf)), "xxxxxxxxxxxxxxxx:7 ?:9"));
	st.nqueue = 100000;
	status_thread_queues(&st, buf, sizeof(buf));
	T_ASSERT(strlen(buf) < sizeof(buf));
	T_EQ(status_thread_sum(&st).packets, 2);
}

static void t_busy(void)
{
	T_ASSERT(status_thread_busy_share(250, 1000, 2000) == 0.25);
	T_ASSERT(status_thread_busy_share(5000, 1000, 2000) == 1);
	T_ASSERT(status_thread_busy_share(10, 0, 2000) == 0);
	T_ASSERT(status_thread_busy_share(10, 3000, 2000) == 0);
}

int main(void)
{
	t_queues();
	t_hostile();
	t_busy();
	return T_EXIT_PASS;
}
