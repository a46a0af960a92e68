// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_doctor - capctl doctor's verdicts on made-up boxes (doctor_check.c
 * is pure), its CPU lists, and how it tells receive-queue interrupts from
 * the rest by their names.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "capd_conf.h"
#include "cpulist.h"
#include "doctor_check.h"
#include "doctor_probe.h"
#include "test.h"

#define GID_CAPTURE 4242
#define UID_CAPD    4243

static struct doctor_conf dc;
static struct doctor_box box;
static struct doctor_iface ifs[2];
static struct doctor_item items[64];
static unsigned int nitems;

static void t_cpulist(void)
{
	struct cpulist l, e;
	char buf[64];

	T_EQ(cpulist_parse("0-3,8,10-11\n", &l), 0);
	T_EQ(cpulist_count(&l), 7);
	T_ASSERT(cpulist_has(&l, 0) && cpulist_has(&l, 3) && cpulist_has(&l, 8));
	T_ASSERT(!cpulist_has(&l, 4) && !cpulist_has(&l, 9) && !cpulist_has(&l, -1));
	T_ASSERT(!strcmp(cpulist_str(&l, buf, sizeof(buf)), "0-3,8,10-11"));
	T_EQ(cpulist_parse("", &l), 0);
	T_EQ(cpulist_count(&l), 0);
	T_ASSERT(!strcmp(cpulist_str(&l, buf, sizeof(buf)), ""));
	/* isolcpus= flags, and a value that ends at the next parameter */
	T_EQ(cpulist_parse("managed_irq,domain,2-3 quiet", &l), 0);
	T_EQ(cpulist_count(&l), 2);
	T_ASSERT(cpulist_has(&l, 2) && cpulist_has(&l, 3));
	T_EQ(cpulist_parse("3-1", &l), -EINVAL);
	T_EQ(cpulist_parse("1,x", &l), -EINVAL);
	T_EQ(cpulist_count(&l), 0);
	T_EQ(cpulist_parse("4096", &l), -EINVAL);
	T_EQ(cpulist_parse("4095", &l), 0);
	T_ASSERT(cpulist_has(&l, 4095));
	cpulist_parse("0-3", &l);
	cpulist_parse("0,1", &e);
	T_EQ(cpulist_first_not(&l, &e), 2);
	cpulist_parse("0-3", &e);
	T_EQ(cpulist_first_not(&l, &e), -1);
}

static void t_irq_names(void)
{
	T_EQ(doctor_probe_irq_queue("eth1-TxRx-3", "eth1", "0000:01:00.0"), 3);
	T_EQ(doctor_probe_irq_queue("i40e-eth1-TxRx-12", "eth1", "0000:01:00.0"), 12);
	T_EQ(doctor_probe_irq_queue("eth1-rx-0", "eth1", "0000:01:00.0"), 0);
	T_EQ(doctor_probe_irq_queue("eth1-tx-0", "eth1", "0000:01:00.0"), -1);
	T_EQ(doctor_probe_irq_queue("eth1", "eth1", "0000:01:00.0"), -1);
	T_EQ(doctor_probe_irq_queue("mlx5_comp2@pci:0000:01:00.0", "eth1", "0000:01:00.0"), 2);
	T_EQ(doctor_probe_irq_queue("mlx5_async0@pci:0000:01:00.0", "eth1", "0000:01:00.0"), -1);
	T_EQ(doctor_probe_irq_queue("virtio2-input.0", "eth0", "virtio2"), 0);
	T_EQ(doctor_probe_irq_queue("virtio2-output.0", "eth0", "virtio2"), -1);
	T_EQ(doctor_probe_irq_queue("virtio2-config", "eth0", "virtio2"), -1);
	T_ASSERT(doctor_probe_irq_match("eth1-TxRx-3", "eth1", "x"));
	T_ASSERT(!doctor_probe_irq_match("eth10-TxRx-3", "eth1", "x"));
	T_ASSERT(doctor_probe_irq_match("virtio2-input.0", "eth0", "virtio2"));
	T_ASSERT(!doctor_probe_irq_match("virtio21-input.0", "eth0", "virtio2"));
	T_ASSERT(!doctor_probe_irq_match("ttyS0", "eth0", ""));
}

static void load_conf(const char *text)
{
	char err[512];

	memset(&dc, 0, sizeof(dc));
	dc.path = "test.conf";
	if (capd_conf_parse_string(&dc.conf, text, "test.conf", err, sizeof(err)))
		T_FAIL("config: %s", err);
}

/*
 * A good box: an 8 GiB ring, 2 MiB pages, 5000 free; /dev/hugepages/capd 2750
 * capd:capture; CPU 1 of 0-3 isolated; a 10G NIC with everything.
 */
static void good_box(void)
{
	struct doctor_iface *f = &ifs[0];

	load_conf("capture = { cpu = 1; interfaces = ( { name = \"eth1\"; mode = \"native\"; } ); "
		  "};\n");
	memset(&box, 0, sizeof(box));
	box.root = true;
	strcpy(box.ring_path, "/dev/hugepages/capd/default");
	strcpy(box.fs_dir, "/dev/hugepages/capd");
	box.on_hugetlbfs = true;
	box.hp = (struct ring_hugepages){
		.page_size = 2 << 20, .total = 5000, .free = 5000, .is_default = true
	};
	box.dir_st.st_mode = S_IFDIR | 02750;
	box.dir_st.st_uid = UID_CAPD;
	box.dir_st.st_gid = GID_CAPTURE;
	box.file_err = -ENOENT;
	box.ring_group_known = true;
	box.ring_gid = GID_CAPTURE;
	box.run_user_known = true;
	box.run_uid = UID_CAPD;
	box.run_groups[box.nrun_groups++] = GID_CAPTURE;
	cpulist_parse("0-3", &box.online);
	cpulist_parse("1", &box.isolated);
	cpulist_parse("1", &box.nohz_full);
	strcpy(box.cmdline, "quiet isolcpus=managed_irq,domain,1 nohz_full=1\n");
	box.cpu_node = 0;
	box.nnodes = 1;
	box.ptp4l.pid = 100;
	strcpy(box.ptp4l.args, "/usr/sbin/ptp4l -f /etc/linuxptp/ptp4l.conf -i eth1");
	strcpy(box.ptp4l_conf, "[global]\nhwts_filter full\n");
	box.phc2sys.pid = 101;
	box.sock_st.st_mode = S_IFSOCK | 0660;
	box.sock_st.st_gid = GID_CAPTURE;

	memset(f, 0, sizeof(*f));
	strcpy(f->name, "eth1");
	f->ifindex = 3;
	f->xdp.features =
		NETDEV_XDP_ACT_BASIC | NETDEV_XDP_ACT_REDIRECT | NETDEV_XDP_ACT_XSK_ZEROCOPY;
	f->xdp.rx_metadata = NETDEV_XDP_RX_METADATA_TIMESTAMP;
	f->ts.so_timestamping = SOF_TIMESTAMPING_RX_HARDWARE | SOF_TIMESTAMPING_RAW_HARDWARE;
	f->ts.phc_index = 0;
	f->ts.rx_filters = 1u << HWTSTAMP_FILTER_ALL;
	f->hwts.rx_filter = HWTSTAMP_FILTER_ALL;
	f->has_device = true;
	f->nirqs = 2;
	f->irqs[0] = (struct doctor_irq){ .irq = 40, .queue = 0 };
	strcpy(f->irqs[0].name, "eth1-TxRx-0");
	cpulist_parse("2", &f->irqs[0].affinity);
	f->irqs[1] = (struct doctor_irq){ .irq = 41, .queue = -1 };
	strcpy(f->irqs[1].name, "eth1");
	cpulist_parse("0-3", &f->irqs[1].affinity);
	f->numa_node = 0;
	f->speed_mbps = 10000;
	/* the ring's newest frames carry no switch stamp, as "nic" says */
	f->wire.in_ring = true;
	f->wire.frames = 1000;
	f->wire.status[WIRETS_ABSENT] = 1000;
}

static void run(void)
{
	nitems = doctor_check(&dc, &box, ifs, dc.conf.capture.ninterfaces, items,
			      sizeof(items) / sizeof(items[0]));
}

static const struct doctor_item *item(const char *check)
{
	unsigned int i;

	for (i = 0; i < nitems; i++)
		if (!strcmp(items[i].check, check))
			return &items[i];
	T_FAIL("no item %s", check);
}

/* The item has status s and its reason (and fix, if given) hold the texts. */
static void expect(const char *check, enum doctor_status s, const char *reason, const char *fix)
{
	const struct doctor_item *it = item(check);

	if (it->status != s || (reason && !strstr(it->reason, reason)) ||
	    (fix && !strstr(it->fix, fix)))
		T_FAIL("%s: %s \"%s\" fix \"%s\"; want %s with \"%s\" fix \"%s\"", check,
		       doctor_check_status_str(it->status), it->reason, it->fix,
		       doctor_check_status_str(s), reason ? reason : "", fix ? fix : "");
	printf("%-8s %-14s %s\n", doctor_check_status_str(it->status), check, it->reason);
}

static void t_good(void)
{
	unsigned int i;

	good_box();
	run();
	for (i = 0; i < nitems; i++)
		if (items[i].status != DOCTOR_OK || items[i].fix[0])
			T_FAIL("good box: %s is %s: %s (fix: %s)", items[i].check,
			       doctor_check_status_str(items[i].status), items[i].reason,
			       items[i].fix);
	/* 11 for the box, 7 for the interface */
	T_EQ(nitems, 18);
	expect("consumers", DOCTOR_OK, "no local socket receives a captured feed", NULL);
	expect("hugepages", DOCTOR_OK, "needs 4096 pages of 2048 kB; 5000 of 5000", NULL);
	expect("ring-access", DOCTOR_OK, "only group 'capture' may read it", NULL);
	expect("xdp-native", DOCTOR_OK, "native XDP", NULL);
	expect("ring-seconds", DOCTOR_OK, "6.9 s", NULL);
	expect("wire-time", DOCTOR_OK, "no switch timestamp in most of the newest 1000", NULL);
}

/* A local socket the bypass path starves: fail with the fixes; a warning
 * on an exclusive box; unknown when /proc/net cannot be read. */
static void t_consumers(void)
{
	good_box();
	box.ncons = 1;
	box.cons[0].sock.family = 4;
	box.cons[0].sock.port = 30001;
	box.cons[0].sock.inode = 777;
	box.cons[0].pid = 4242;
	strcpy(box.cons[0].comm, "feedhandler");
	box.cons[0].feed = CONSUMER_ALL_FEEDS;
	run();
	expect("consumers", DOCTOR_FAIL,
	       "1 local consumer(s) get nothing of a feed while capd captures it in bypass, and "
	       "capd refuses to start beside them: feedhandler (pid 4242, uid 0), socket "
	       "0.0.0.0:30001 (inode 777)",
	       "capture.exclusive = true");
	expect("consumers", DOCTOR_FAIL, NULL, "path = \"shared\"");
	dc.conf.capture.exclusive = true;
	run();
	expect("consumers", DOCTOR_WARN, "(capture.exclusive = true)", "or stop them");
	dc.conf.capture.exclusive = false;
	box.cons_err = -EACCES;
	run();
	expect("consumers", DOCTOR_UNKNOWN, "cannot read", NULL);
}

static void t_hugepages(void)
{
	good_box();
	box.hp.free = 4095;
	strcpy(box.hp_explain, "EXPLAINED");
	run();
	expect("hugepages", DOCTOR_FAIL, "EXPLAINED", "echo 5001 > /proc/sys/vm/nr_hugepages");
	/* a ring that exists at its size already holds its pages */
	box.file_err = 0;
	box.file_st.st_size = 8LL << 30;
	box.file_st.st_mode = S_IFREG | 0640;
	box.file_st.st_gid = GID_CAPTURE;
	box.file_st.st_uid = UID_CAPD;
	run();
	expect("hugepages", DOCTOR_OK, "exists and holds its 4096 pages", NULL);
	/* nothing reserved; a size that is not a whole number of pages rounds up */
	good_box();
	load_conf("ring = { size = \"65M\"; block_size = \"1M\"; };\n"
		  "capture = { interfaces = ( { name = \"eth1\"; } ); };");
	box.hp.total = box.hp.free = 0;
	run();
	expect("hugepages", DOCTOR_FAIL, "needs 33 pages", "echo 33 > /proc/sys/vm/nr_hugepages");
	expect("hugepages", DOCTOR_FAIL, "none are reserved", "vm.nr_hugepages=33");
	/* 1 GiB pages are set elsewhere */
	good_box();
	box.hp = (struct ring_hugepages){ .page_size = 1 << 30, .total = 0, .free = 0 };
	run();
	expect("hugepages", DOCTOR_FAIL, "needs 8 pages of 1048576 kB",
	       "echo 8 > /sys/kernel/mm/hugepages/hugepages-1048576kB/nr_hugepages");
	expect("hugepages", DOCTOR_FAIL, NULL, "hugepagesz=1048576K hugepages=8");
	good_box();
	box.on_hugetlbfs = false;
	strcpy(box.fs_dir, "/dev");
	run();
	expect("hugetlbfs", DOCTOR_FAIL, "/dev is not on hugetlbfs", "mount -t hugetlbfs");
}

static void t_permissions(void)
{
	good_box();
	box.dir_st.st_gid = 0;
	box.dir_st.st_mode = S_IFDIR | 0700;
	run();
	expect("ring-access", DOCTOR_FAIL, "belongs to gid 0, not group 'capture'",
	       "chgrp capture /dev/hugepages/capd && chmod 2750 /dev/hugepages/capd");
	good_box();
	box.dir_st.st_mode = S_IFDIR | 0700;
	run();
	expect("ring-access", DOCTOR_FAIL, "does not let its group in", "chmod 2750");
	good_box();
	box.dir_st.st_mode = S_IFDIR | 02770;
	run();
	expect("ring-access", DOCTOR_FAIL, "create and remove files", "chmod g-w");
	good_box();
	box.dir_st.st_mode = S_IFDIR | 02755;
	run();
	expect("ring-access", DOCTOR_WARN, "lets everybody in", "chmod o-rwx");
	/* the file: capd corrects it when it starts, so it fails only while it runs */
	good_box();
	box.file_err = 0;
	box.file_st.st_mode = S_IFREG | 0644;
	box.file_st.st_gid = GID_CAPTURE;
	box.file_st.st_uid = UID_CAPD;
	box.file_st.st_size = 8LL << 30;
	run();
	expect("ring-access", DOCTOR_WARN, "has mode 0644, not ring.mode 0640", "chmod 0640");
	box.capd.pid = 7;
	run();
	expect("ring-access", DOCTOR_FAIL, "has mode 0644", "chmod 0640");
	good_box();
	box.ring_group_known = false;
	box.ring_group_missing = true;
	run();
	expect("ring-access", DOCTOR_FAIL, "no group 'capture'", "groupadd --system capture");
	/* what an ordinary user is told */
	good_box();
	box.root = false;
	box.access_err = -EACCES;
	strcpy(box.access_explain, "add the user to it (usermod -aG capture USER)");
	run();
	expect("ring-access", DOCTOR_WARN, "you may not read it: add the user", NULL);
	good_box();
	box.dir_err = -EACCES;
	box.file_err = -EACCES;
	run();
	expect("ring-access", DOCTOR_UNKNOWN, "unknown (needs root", NULL);
	/* a missing directory is made by tmpfiles */
	good_box();
	box.dir_err = -ENOENT;
	run();
	expect("ring-access", DOCTOR_WARN, "does not exist", "systemd-tmpfiles --create capd.conf");
}

static void t_xdp(void)
{
	good_box();
	ifs[0].xdp.features = 0;
	run();
	expect("xdp-native", DOCTOR_FAIL, "capd will not start with mode = \"native\"",
	       "mode = \"auto\"");
	expect("zerocopy", DOCTOR_WARN, "no AF_XDP zero-copy", NULL);
	load_conf("capture = { cpu = 1; interfaces = ( { name = \"eth1\"; } ); "
		  "xsk = { zerocopy = \"on\"; }; };");
	run();
	expect("xdp-native", DOCTOR_WARN, "runs in generic mode", NULL);
	expect("zerocopy", DOCTOR_FAIL, "xsk.zerocopy = \"on\"", "xsk.zerocopy = \"auto\"");
	good_box();
	load_conf("capture = { cpu = 1; interfaces = ( { name = \"eth1\"; mode = \"generic\"; } ); "
		  "};");
	run();
	expect("xdp-native", DOCTOR_WARN, "mode = \"generic\"", "mode = \"native\"");
	expect("hw-timestamp", DOCTOR_WARN, "cannot use the kfunc", NULL);
	/* someone else's program blocks capd; capd's own is reported */
	good_box();
	ifs[0].prog = (struct netdev_xdp_prog){ .attached = XDP_ATTACHED_SKB, .prog_id = 9 };
	run();
	expect("xdp-native", DOCTOR_FAIL,
	       "(id 9, generic) is attached, and no capd writes this ring",
	       "ip link set dev eth1 xdpgeneric off");
	box.capd.pid = 77;
	run();
	expect("xdp-native", DOCTOR_WARN, "generic mode (program id 9, capd pid 77), though", NULL);
	ifs[0].prog.attached = XDP_ATTACHED_DRV;
	run();
	expect("xdp-native", DOCTOR_OK, "attached now in native mode", NULL);
	good_box();
	ifs[0].xdp_err = -ENOENT;
	run();
	expect("xdp-native", DOCTOR_UNKNOWN, "does not say", NULL);
}

static void t_timestamps(void)
{
	good_box();
	ifs[0].ts.phc_index = -1;
	ifs[0].ts.so_timestamping = SOF_TIMESTAMPING_RX_SOFTWARE;
	ifs[0].hwts_err = -EOPNOTSUPP;
	run();
	expect("hw-timestamp", DOCTOR_WARN, "no hardware receive stamping", NULL);
	expect("rx-filter", DOCTOR_OK, "no hardware timestamping", NULL);
	good_box();
	ifs[0].hwts.rx_filter = HWTSTAMP_FILTER_PTP_V2_EVENT;
	box.capd.pid = 5;
	run();
	expect("rx-filter", DOCTOR_WARN, "\"PTPv2 event\"", NULL);
	good_box();
	ifs[0].hwts.rx_filter = HWTSTAMP_FILTER_NONE;
	box.ptp4l_conf[0] = '\0';
	run();
	expect("rx-filter", DOCTOR_WARN, "without hwts_filter full", "hwts_filter full");
}

static void t_cores_and_irqs(void)
{
	good_box();
	box.isolated = (struct cpulist){ 0 };
	strcpy(box.cmdline, "quiet\n");
	box.nohz_err = -ENOENT;
	run();
	expect("isolcpus", DOCTOR_WARN, "CPU 1 is not isolated", "isolcpus=managed_irq,domain,1");
	expect("nohz_full", DOCTOR_WARN, "without NO_HZ_FULL", NULL);
	expect("rcu_nocbs", DOCTOR_WARN, "RCU callbacks run on CPU 1", "rcu_nocbs=1");
	strcpy(box.cmdline, "rcu_nocbs=0-3\n");
	run();
	expect("rcu_nocbs", DOCTOR_OK, "offloaded", NULL);
	/* the IRQ of a captured queue on the capture core; suggest CPU 0 */
	good_box();
	cpulist_parse("1-2", &ifs[0].irqs[0].affinity);
	box.irqbalance.pid = 3;
	box.isolated = (struct cpulist){ 0 };
	run();
	expect("irq-affinity", DOCTOR_WARN, "IRQ 40 (eth1-TxRx-0) may run on CPU 1-2",
	       "echo 0 > /proc/irq/40/smp_affinity_list");
	expect("irq-affinity", DOCTOR_WARN, "irqbalance", "IRQBALANCE_BANNED_CPULIST=1");
	/* not a captured queue */
	load_conf("capture = { cpu = 1; interfaces = ( { name = \"eth1\"; queues = [ 3 ]; } ); };");
	run();
	expect("irq-affinity", DOCTOR_UNKNOWN, "none of the device's 2 interrupts", NULL);
	good_box();
	ifs[0].has_device = false;
	run();
	expect("irq-affinity", DOCTOR_OK, "virtual interface", NULL);
	good_box();
	box.nnodes = 2;
	box.cpu_node = 1;
	cpulist_parse("0,2", &ifs[0].node_cpus);
	run();
	expect("numa", DOCTOR_WARN, "the NIC is on node 0, CPU 1 on node 1",
	       "capture.cpu = one of node 0's CPUs (0,2)");
}

/* The n-th item (from 0) named check. */
static const struct doctor_item *item_n(const char *check, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < nitems; i++)
		if (!strcmp(items[i].check, check) && !n--)
			return &items[i];
	T_FAIL("no item %s number %u", check, n);
}

static void expect_n(const char *check, unsigned int n, enum doctor_status s, const char *reason)
{
	const struct doctor_item *it = item_n(check, n);

	if (it->status != s || !strstr(it->reason, reason))
		T_FAIL("%s #%u: %s \"%s\"; want %s with \"%s\"", check, n,
		       doctor_check_status_str(it->status), it->reason, doctor_check_status_str(s),
		       reason);
	printf("%-8s %-14s %s\n", doctor_check_status_str(it->status), check, it->reason);
}

/* capture.cpus = [ 1, 2 ]: two threads, two rings, two cores checked. */
static void t_threads(void)
{
	unsigned int i, n = 0;

	good_box();
	load_conf("capture = { cpus = [ 1, 2 ]; interfaces = ( { name = \"eth1\"; } ); };\n");
	run();
	for (i = 0; i < nitems; i++)
		n += !strcmp(items[i].check, "isolcpus");
	T_EQ(n, 2);
	expect_n("isolcpus", 0, DOCTOR_OK, "CPU 1 is isolated");
	expect_n("isolcpus", 1, DOCTOR_WARN, "CPU 2 is not isolated");
	expect_n("nohz_full", 1, DOCTOR_WARN, "CPU 2 is not in nohz_full");
	expect_n("rcu_nocbs", 1, DOCTOR_WARN, "RCU callbacks run on CPU 2");
	expect("capture-cores", DOCTOR_OK, "thread 0 on CPU 1, thread 1 on CPU 2", NULL);
	/* two 8 GiB rings: 8192 pages of 2 MiB, 5000 free */
	expect("hugepages", DOCTOR_FAIL, "the 2 rings of the set", "or fewer capture.cpus");
	box.hp.free = box.hp.total = 9000;
	run();
	expect("hugepages", DOCTOR_OK, "need 8192 pages of 2048 kB; 0 of them exist", NULL);
	/* capd runs: both rings exist and hold their pages */
	box.hp.free = 100;
	box.file_err = 0;
	box.file_st.st_size = 8ll << 30;
	box.members_present = 1;
	run();
	expect("hugepages", DOCTOR_OK, "2 of them exist", NULL);
	/* an interrupt of a captured queue on the second capture core */
	good_box();
	load_conf("capture = { cpus = [ 1, 2 ]; interfaces = ( { name = \"eth1\"; } ); };\n");
	cpulist_parse("3", &ifs[0].irqs[0].affinity);
	run();
	expect("irq-affinity", DOCTOR_OK, "stay off the capture cores 1-2", NULL);
	cpulist_parse("2", &ifs[0].irqs[0].affinity);
	run();
	expect("irq-affinity", DOCTOR_WARN, "IRQ 40 (eth1-TxRx-0) may run on CPU 2",
	       "echo 0 > /proc/irq/40/smp_affinity_list");
	/* the second core on the other node */
	good_box();
	load_conf("capture = { cpus = [ 1, 2 ]; interfaces = ( { name = \"eth1\"; } ); };\n");
	box.nnodes = 2;
	box.cpu_nodes[0] = 0;
	box.cpu_nodes[1] = 1;
	cpulist_parse("0-1", &ifs[0].node_cpus);
	run();
	expect("numa", DOCTOR_WARN, "capture thread 1's CPU 2 is on node 1",
	       "capture.cpus = cores of node 0 (0-1)");
	box.cpu_nodes[1] = 0;
	run();
	expect("numa", DOCTOR_OK, "as are the 2 capture cores", NULL);
	/* recorders: one free to run on core 2 (not isolated), one kept off */
	box.ncapdump = 2;
	box.capdump[0].pid = 77;
	cpulist_parse("0,3", &box.capdump[0].allowed);
	box.capdump[1].pid = 78;
	cpulist_parse("0-3", &box.capdump[1].allowed);
	run();
	expect("capture-cores", DOCTOR_WARN, "capdump (pid 78) may run on capture core(s) 2",
	       "CPUAffinity=");
	T_ASSERT(!strstr(item("capture-cores")->reason, "pid 77"));
	cpulist_parse("1", &box.capdump[1].allowed);
	run();
	expect("capture-cores", DOCTOR_WARN, "capdump (pid 78) is held to capture core(s) 1", NULL);
	cpulist_parse("0", &box.capdump[1].allowed);
	run();
	expect("capture-cores", DOCTOR_OK, "no recorder (2 capdump) may run on a capture core",
	       NULL);
	/* one thread and no recorder: no such item, as before */
	good_box();
	run();
	for (i = 0; i < nitems; i++)
		T_ASSERT(strcmp(items[i].check, "capture-cores"));
}

static void t_ring_seconds(void)
{
	good_box();
	run();
	/* 4095 blocks of 2 MiB at 10 Gb/s */
	expect("ring-seconds", DOCTOR_OK, "6.9 s of traffic", NULL);
	ifs[0].speed_mbps = 25000;
	run();
	expect("ring-seconds", DOCTOR_WARN, "2.7 s", "ring.size = \"15G\"");
	ifs[0].speed_mbps = -1;
	run();
	expect("ring-seconds", DOCTOR_UNKNOWN, "no link speed", NULL);
}

static void t_clock_and_config(void)
{
	good_box();
	strcpy(box.ptp4l.args, "/usr/sbin/ptp4l -i eth10");
	box.ptp4l_conf[0] = '\0';
	run();
	expect("ptp4l", DOCTOR_WARN, "not on eth1", "ptp4l@eth1.service");
	strcpy(box.ptp4l.args, "ptp4l -ieth1");
	run();
	expect("ptp4l", DOCTOR_OK, "on eth1", NULL);
	box.sock_st.st_gid = 0;
	run();
	expect("ptp4l", DOCTOR_WARN, "may not write its socket", "Group=capture");
	box.ptp4l.pid = 0;
	box.phc2sys.pid = 0;
	run();
	expect("ptp4l", DOCTOR_WARN, "not running", "ptp4l@eth1.service");
	expect("phc2sys", DOCTOR_WARN, "not running", "phc2sys@eth1.service");
	box.procs_err = -EACCES;
	run();
	expect("ptp4l", DOCTOR_UNKNOWN, "needs root", NULL);
	good_box();
	dc.err = -EACCES;
	run();
	expect("config", DOCTOR_UNKNOWN, "unknown (needs root)", NULL);
	dc.err = -EINVAL;
	strcpy(dc.msg, "test.conf:3: capture.cpu: out of range");
	run();
	expect("config", DOCTOR_FAIL, "test.conf:3: capture.cpu", "capd -c test.conf -n");
	good_box();
	ifs[0].ifindex = 0;
	run();
	expect("interface", DOCTOR_FAIL, "no interface eth1", NULL);
	/* the shipped file: loads, names no interface; an item with the fix,
	 * the checks of the box still made, none of an interface */
	good_box();
	load_conf("capture = { cpu = 1; interfaces = ( ); };\n");
	run();
	expect("config", DOCTOR_FAIL, "test.conf: capture.interfaces names no interface",
	       "name the capture interface in capture.interfaces");
	T_ASSERT(strstr(item("config")->fix, "systemctl start capd"));
	T_EQ(nitems, 11);
	expect("hugepages", DOCTOR_OK, NULL, NULL);
	expect("consumers", DOCTOR_OK, NULL, NULL);
	expect("ring-seconds", DOCTOR_UNKNOWN, "no link speed", NULL);
}

/* The stamps seen in the ring's newest frames against capd.conf's kind. */
static void t_wire_time(void)
{
	struct doctor_wire *w = &ifs[0].wire;

	/* "nic", but most frames carry a valid Metamako trailer */
	good_box();
	w->ok_as[WIRETS_METAMAKO] = 600;
	run();
	expect("wire-time", DOCTOR_WARN, "600 of the newest 1000 frames carry a valid metamako",
	       "capture.interfaces[0].timestamp = \"metamako\", then restart capd");
	/* ... and capd runs with it: change the file, not just restart */
	w->ring_kind = WIRETS_METAMAKO;
	run();
	expect("wire-time", DOCTOR_WARN, "the running capd was started with timestamp \"metamako\"",
	       "capture.interfaces[0].timestamp = \"metamako\", then restart capd");
	T_ASSERT(!strstr(item("wire-time")->fix, "restart capd to apply"));
	w->ring_kind = WIRETS_NONE;
	/* a few are not most */
	w->ok_as[WIRETS_METAMAKO] = 500;
	run();
	expect("wire-time", DOCTOR_OK, "no switch timestamp", NULL);

	/* arista64 configured and running, nearly every frame stamped */
	load_conf("capture = { cpu = 1; interfaces = ( { name = \"eth1\"; mode = \"native\"; "
		  "timestamp = \"arista64\"; } ); };\n");
	memset(w, 0, sizeof(*w));
	w->in_ring = true;
	w->ring_kind = WIRETS_ARISTA64;
	w->frames = 1000;
	w->status[WIRETS_OK] = w->ok_as[WIRETS_ARISTA64] = 990;
	w->status[WIRETS_MALFORMED] = 10;
	w->degraded = 3;
	w->duplicate = 4;
	w->ndevs = 2;
	w->devs[0] = (struct doctor_wire_dev){ 7, 1, 900 };
	w->devs[1] = (struct doctor_wire_dev){ 7, 2, 90 };
	run();
	expect("wire-time", DOCTOR_OK,
	       "990 of the newest 1000 frames carry a valid arista64 timestamp (absent 0, "
	       "malformed 10, truncated 0); flagged degraded 3, duplicate 4; seen from device 7 "
	       "port 1: 900 frames, device 7 port 2: 90 frames",
	       NULL);
	T_ASSERT(!item("wire-time")->fix[0]);
	/* the capd that runs was started with another kind */
	w->ring_kind = WIRETS_NONE;
	run();
	expect("wire-time", DOCTOR_WARN, "the running capd was started with timestamp \"nic\"",
	       "restart capd to apply timestamp \"arista64\"");

	/* most frames lack it; they are 48-bit ones */
	w->ring_kind = WIRETS_ARISTA64;
	w->status[WIRETS_OK] = w->ok_as[WIRETS_ARISTA64] = 0;
	w->status[WIRETS_MALFORMED] = 1000;
	w->ndevs = 0;
	w->degraded = w->duplicate = 0;
	w->ok_as[WIRETS_ARISTA48] = 1000;
	run();
	expect("wire-time", DOCTOR_WARN, "most lack one: readers take the host's time",
	       "capture.interfaces[0].timestamp = \"arista48\" (1000 frames carry that)");
	/* cut off by the snap length */
	w->ok_as[WIRETS_ARISTA48] = 0;
	w->status[WIRETS_MALFORMED] = 0;
	w->status[WIRETS_TRUNCATED] = 800;
	w->status[WIRETS_ABSENT] = 200;
	run();
	expect("wire-time", DOCTOR_WARN, "truncated 800", "capture.snaplen");
	/* simply absent */
	w->status[WIRETS_TRUNCATED] = 0;
	w->status[WIRETS_ABSENT] = 1000;
	run();
	expect("wire-time", DOCTOR_WARN, "absent 1000",
	       "make the switch or tap in front of eth1 stamp the frames (arista64)");

	/* nothing to look at */
	memset(w, 0, sizeof(*w));
	run();
	expect("wire-time", DOCTOR_UNKNOWN, "hold no frame of eth1", NULL);
	w->err = -ENOENT;
	run();
	expect("wire-time", DOCTOR_UNKNOWN, "capd has not made it yet", NULL);
	w->err = -EACCES;
	run();
	expect("wire-time", DOCTOR_UNKNOWN, "Permission denied", NULL);
}

int main(void)
{
	t_cpulist();
	t_irq_names();
	t_good();
	t_consumers();
	t_hugepages();
	t_permissions();
	t_xdp();
	t_timestamps();
	t_cores_and_irqs();
	t_ring_seconds();
	t_threads();
	t_clock_and_config();
	t_wire_time();
	printf("PASS: test_doctor\n");
	return 0;
}
