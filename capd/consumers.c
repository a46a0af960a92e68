// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "consumers.h"
#include "log.h"
#include "ring.h"

/* What to do about a consumer: the two ways out, for the log lines. */
static const char *fixes(const struct consumer *k, char *buf, size_t len)
{
	snprintf(buf, len,
		 "set capture.exclusive = true if this box only captures (the consumer then "
		 "gets nothing), or capture beside it with capture.interfaces[%u].path = "
		 "\"shared\"",
		 k->iface);
	return buf;
}

/* auto takes bypass only on an exclusive box (where consumers only warn),
 * and then only if XDP attaches: counted as bypass, it is watched too. */
static uint32_t bypass_ifaces(const struct capd_conf *c)
{
	uint32_t m = 0;
	unsigned int i;

	for (i = 0; i < c->capture.ninterfaces && i < 32; i++)
		if (c->capture.interfaces[i].path == CAPD_PATH_BYPASS ||
		    (c->capture.interfaces[i].path == CAPD_PATH_AUTO && c->capture.exclusive))
			m |= 1u << i;
	return m;
}

int consumers_check_start(struct consumers *cs, const struct capd_conf *c, const char *conf_path)
{
	struct consumer_scan_opts o = { .conf = c };
	char what[512], fix[256], more[64] = "";
	size_t found;
	int r;

	memset(cs, 0, sizeof(*cs));
	o.ifaces = bypass_ifaces(c);
	if (!o.ifaces)
		return 0;
	cs->conf = c;
	cs->conf_path = conf_path;
	cs->ifaces = o.ifaces;
	r = consumer_scan(&o, cs->now, CONSUMERS_MAX, &found);
	if (r < 0) {
		pr_warn("cannot look for local consumers of the feeds (/proc/net): %s",
			strerror(-r));
		cs->scan_err = r;
		return 0;
	}
	cs->nnow = found < CONSUMERS_MAX ? found : CONSUMERS_MAX;
	cs->found = found;
	cs->appeared = cs->nnow;
	if (!found)
		return 0;
	consumer_owners(cs->now, cs->nnow);
	consumer_str(&cs->now[0], c, what, sizeof(what));
	if (found > 1)
		snprintf(more, sizeof(more), " (and %zu more: capctl doctor lists them)",
			 found - 1);
	if (c->capture.exclusive) {
		pr_warn("local consumer %s%s gets nothing of the feed while capd captures in "
			"bypass: capture.exclusive = true says this box only captures",
			what, more);
		return 0;
	}
	pr_err("%s: local consumer %s%s would get nothing of the feed: the bypass path takes "
	       "it before the kernel sees it; %s",
	       conf_path, what, more, fixes(&cs->now[0], fix, sizeof(fix)));
	return -EBUSY;
}

static const struct consumer *known(const struct consumers *cs, uint64_t inode)
{
	size_t i;

	for (i = 0; i < cs->nnow; i++)
		if (cs->now[i].sock.inode == inode)
			return &cs->now[i];
	return NULL;
}

void consumers_poll(struct consumers *cs, struct ring_stats *st)
{
	struct consumer_scan_opts o = { .conf = cs->conf, .ifaces = cs->ifaces, .own_joins = true };
	char what[512], fix[256];
	size_t i, n, found, fresh = 0;
	int r;

	if (!cs->conf)
		return;
	r = consumer_scan(&o, cs->next, CONSUMERS_MAX, &found);
	if (r < 0) {
		if (r != cs->scan_err)
			pr_warn("cannot look for local consumers of the feeds (/proc/net): %s",
				strerror(-r));
		cs->scan_err = r;
		return;
	}
	if (cs->scan_err)
		pr_notice("looking for local consumers again");
	cs->scan_err = 0;
	n = found < CONSUMERS_MAX ? found : CONSUMERS_MAX;
	/* Owners of those seen before are kept: capd may no longer see them. */
	for (i = 0; i < n; i++) {
		const struct consumer *k = known(cs, cs->next[i].sock.inode);

		if (k)
			cs->next[i] = *k;
		else
			fresh++;
	}
	if (fresh)
		consumer_owners(cs->next, n);
	for (i = 0; fresh && i < n; i++) {
		if (known(cs, cs->next[i].sock.inode))
			continue;
		cs->appeared++;
		consumer_str(&cs->next[i], cs->conf, what, sizeof(what));
		if (cs->conf->capture.exclusive)
			pr_warn("local consumer appeared: %s gets nothing of the feed while capd "
				"captures in bypass (capture.exclusive = true)",
				what);
		else
			pr_warn("local consumer appeared: %s gets nothing of the feed while capd "
				"captures in bypass; %s",
				what, fixes(&cs->next[i], fix, sizeof(fix)));
	}
	memcpy(cs->now, cs->next, n * sizeof(cs->now[0]));
	cs->nnow = n;
	cs->found = found;
	ring_store_relaxed64(&st->local_consumers, found);
	ring_store_relaxed64(&st->consumers_appeared, cs->appeared);
}
