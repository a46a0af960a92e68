// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <fcntl.h>
#include <linux/genetlink.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "netdev.h"

/* From linux/netdev.h (Linux 6.3+). */
#define NETDEV_FAMILY_NAME		      "netdev"
#define NETDEV_CMD_DEV_GET		      1
#define NETDEV_A_DEV_IFINDEX		      1
#define NETDEV_A_DEV_XDP_FEATURES	      3
#define NETDEV_A_DEV_XDP_ZC_MAX_SEGS	      4
#define NETDEV_A_DEV_XDP_RX_METADATA_FEATURES 5

int netdev_ioctl(const char *ifname, unsigned long req, void *data)
{
	struct ifreq ifr;
	int fd, r = 0;

	if (strlen(ifname) >= sizeof(ifr.ifr_name))
		return -ENODEV;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	ifr.ifr_data = data;
	if (ioctl(fd, req, &ifr) < 0)
		r = -errno;
	close(fd);
	return r;
}

/* ---- netlink: one request, one reply ------------------------------------------ */

/* A request: the netlink header, the family's fixed header, attributes. */
struct nl_req {
	struct nlmsghdr nh;
	char body[128] __attribute__((aligned(NLMSG_ALIGNTO)));
};

typedef void nl_attr_fn(const struct nlattr *a, void *arg);

static void nl_req_init(struct nl_req *req, uint16_t type, uint32_t seq, const void *hdr,
			size_t hdrlen)
{
	memset(req, 0, sizeof(*req));
	req->nh.nlmsg_len = NLMSG_LENGTH(hdrlen);
	req->nh.nlmsg_type = type;
	req->nh.nlmsg_flags = NLM_F_REQUEST;
	req->nh.nlmsg_seq = seq;
	memcpy(req->body, hdr, hdrlen);
}

static void nl_req_put(struct nl_req *req, uint16_t type, const void *data, uint16_t len)
{
	struct nlattr *a = (struct nlattr *)((char *)req + NLMSG_ALIGN(req->nh.nlmsg_len));

	a->nla_type = type;
	a->nla_len = (uint16_t)(NLA_HDRLEN + len);
	memcpy((char *)a + NLA_HDRLEN, data, len);
	req->nh.nlmsg_len = NLMSG_ALIGN(req->nh.nlmsg_len) + NLA_ALIGN(a->nla_len);
}

/* Call fn for every well-formed attribute in len bytes at a; fn NULL: none. */
static void nl_attrs(const struct nlattr *a, int len, nl_attr_fn *fn, void *arg)
{
	while (fn && len >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN && a->nla_len <= len) {
		fn(a, arg);
		len -= NLA_ALIGN(a->nla_len);
		a = (const struct nlattr *)((const char *)a + NLA_ALIGN(a->nla_len));
	}
}

static const void *nl_data(const struct nlattr *a)
{
	return (const char *)a + NLA_HDRLEN;
}

/*
 * Send req on a new socket of protocol proto and call fn (unless NULL) for
 * every attribute of the reply, which follows a fixed header of hdrlen
 * bytes (copied to hdr unless NULL).
 * @return 0, the kernel's -errno, or -EIO for a malformed reply.
 */
static int nl_transact(int proto, struct nl_req *req, size_t hdrlen, void *hdr, nl_attr_fn *fn,
		       void *arg)
{
	/* rtnetlink's link replies carry statistics: several kB. */
	char buf[32768] __attribute__((aligned(NLMSG_ALIGNTO)));
	struct nlmsghdr *nh;
	ssize_t len;
	int fd, r = -EIO;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, proto);
	if (fd < 0)
		return -errno;
	if (send(fd, req, req->nh.nlmsg_len, 0) < 0) {
		r = -errno;
		goto out;
	}
	len = recv(fd, buf, sizeof(buf), 0);
	if (len < 0) {
		r = -errno;
		goto out;
	}
	for (nh = (struct nlmsghdr *)buf; NLMSG_OK(nh, len); nh = NLMSG_NEXT(nh, len)) {
		if (nh->nlmsg_type == NLMSG_ERROR) {
			const struct nlmsgerr *e = NLMSG_DATA(nh);

			r = e->error;
			break;
		}
		if (nh->nlmsg_type == NLMSG_DONE || nh->nlmsg_len < NLMSG_LENGTH(hdrlen))
			break;
		if (hdr)
			memcpy(hdr, NLMSG_DATA(nh), hdrlen);
		nl_attrs(
			(const struct nlattr *)((const char *)NLMSG_DATA(nh) + NLMSG_ALIGN(hdrlen)),
			(int)nh->nlmsg_len - (int)NLMSG_LENGTH(NLMSG_ALIGN(hdrlen)), fn, arg);
		r = 0;
		break;
	}
out:
	close(fd);
	return r;
}

/* ---- the netdev family ------------------------------------------------------- */

static void family_id_attr(const struct nlattr *a, void *arg)
{
	if ((a->nla_type & NLA_TYPE_MASK) == CTRL_ATTR_FAMILY_ID &&
	    a->nla_len >= NLA_HDRLEN + sizeof(uint16_t))
		memcpy(arg, nl_data(a), sizeof(uint16_t));
}

static void features_attr(const struct nlattr *a, void *arg)
{
	struct netdev_xdp *x = arg;
	uint64_t v = 0;
	uint32_t w;

	switch (a->nla_type & NLA_TYPE_MASK) {
	case NETDEV_A_DEV_XDP_FEATURES:
	case NETDEV_A_DEV_XDP_RX_METADATA_FEATURES:
		if (a->nla_len < NLA_HDRLEN + sizeof(v))
			return;
		memcpy(&v, nl_data(a), sizeof(v));
		if ((a->nla_type & NLA_TYPE_MASK) == NETDEV_A_DEV_XDP_FEATURES)
			x->features = v;
		else
			x->rx_metadata = v;
		break;
	case NETDEV_A_DEV_XDP_ZC_MAX_SEGS:
		if (a->nla_len < NLA_HDRLEN + sizeof(w))
			return;
		memcpy(&w, nl_data(a), sizeof(w));
		x->zc_max_segs = w;
		break;
	}
}

int netdev_xdp_features(int ifindex, struct netdev_xdp *x)
{
	struct genlmsghdr gh = { .cmd = CTRL_CMD_GETFAMILY, .version = 1 };
	uint32_t idx = (uint32_t)ifindex;
	struct nl_req req;
	uint16_t family = 0;
	int r;

	memset(x, 0, sizeof(*x));
	nl_req_init(&req, GENL_ID_CTRL, 1, &gh, sizeof(gh));
	nl_req_put(&req, CTRL_ATTR_FAMILY_NAME, NETDEV_FAMILY_NAME, sizeof(NETDEV_FAMILY_NAME));
	r = nl_transact(NETLINK_GENERIC, &req, sizeof(gh), NULL, family_id_attr, &family);
	if (r)
		return r;
	if (!family)
		return -ENOENT;
	gh.cmd = NETDEV_CMD_DEV_GET;
	nl_req_init(&req, family, 2, &gh, sizeof(gh));
	nl_req_put(&req, NETDEV_A_DEV_IFINDEX, &idx, sizeof(idx));
	return nl_transact(NETLINK_GENERIC, &req, sizeof(gh), NULL, features_attr, x);
}

/* ---- rtnetlink: the attached program ------------------------------------------- */

static void xdp_inner_attr(const struct nlattr *a, void *arg)
{
	struct netdev_xdp_prog *p = arg;

	switch (a->nla_type & NLA_TYPE_MASK) {
	case IFLA_XDP_ATTACHED:
		if (a->nla_len >= NLA_HDRLEN + sizeof(uint8_t))
			p->attached = *(const uint8_t *)nl_data(a);
		break;
	case IFLA_XDP_PROG_ID:
		if (a->nla_len >= NLA_HDRLEN + sizeof(uint32_t))
			memcpy(&p->prog_id, nl_data(a), sizeof(p->prog_id));
		break;
	}
}

static void link_attr(const struct nlattr *a, void *arg)
{
	if ((a->nla_type & NLA_TYPE_MASK) == IFLA_XDP)
		nl_attrs((const struct nlattr *)nl_data(a), a->nla_len - NLA_HDRLEN, xdp_inner_attr,
			 arg);
}

int netdev_xdp_attached(int ifindex, struct netdev_xdp_prog *p)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = ifindex };
	struct nl_req req;

	memset(p, 0, sizeof(*p));
	nl_req_init(&req, RTM_GETLINK, 1, &ifi, sizeof(ifi));
	return nl_transact(NETLINK_ROUTE, &req, sizeof(ifi), NULL, link_attr, p);
}

/* ---- rtnetlink: the routing table ------------------------------------------- */

int netdev_route_prefix4(int ifindex, const uint8_t addr[4], unsigned int *prefix_len)
{
	struct rtmsg rtm = { .rtm_family = AF_INET,
			     .rtm_dst_len = 32,
			     .rtm_flags = RTM_F_FIB_MATCH };
	struct nl_req req;
	int r;

	nl_req_init(&req, RTM_GETROUTE, 1, &rtm, sizeof(rtm));
	nl_req_put(&req, RTA_DST, addr, 4);
	nl_req_put(&req, RTA_OIF, &ifindex, sizeof(ifindex));
	r = nl_transact(NETLINK_ROUTE, &req, sizeof(rtm), &rtm, NULL, NULL);
	if (r == 0)
		*prefix_len = rtm.rtm_dst_len;
	return r;
}

/* ---- sysfs: the NIC's drop counters -------------------------------------------- */

static int read_stat(const char *ifname, const char *name, uint64_t *v)
{
	char path[128], buf[32], *end;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/sys/class/net/%s/statistics/%s", ifname, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? -ENODEV : -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	errno = 0;
	*v = strtoull(buf, &end, 10);
	if (end == buf || (*end && *end != '\n') || errno)
		return -EINVAL;
	return 0;
}

int netdev_nic_rx_drops(const char *ifname, uint64_t *drops)
{
	uint64_t missed, fifo;
	int r;

	/* the kernel's dev_valid_name(): nothing that leaves the directory */
	if (!*ifname || strlen(ifname) >= IFNAMSIZ || strchr(ifname, '/') || !strcmp(ifname, ".") ||
	    !strcmp(ifname, ".."))
		return -ENODEV;
	r = read_stat(ifname, "rx_missed_errors", &missed);
	if (!r)
		r = read_stat(ifname, "rx_fifo_errors", &fifo);
	if (r)
		return r;
	*drops = missed + fifo;
	return 0;
}
