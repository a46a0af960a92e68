/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * capindex_chain.h - what a capture file of an archive continues from the
 * file before it, by their indexes (capindex.h): the drops of an interface
 * in this file (the increase of its ISB counters over the previous file of
 * the same recording) and the gap of a feed across the boundary (its first
 * message against the previous file's last, in the same session).
 *
 * One rule for every program that tells them: capdump --list and capship
 * report the same drops and boundary gaps for the same files.  The caller
 * keeps one struct per interface (by if_id) and per feed (by name), zeroed
 * at the start of an archive and after a file that could not be read
 * (nothing is known to continue then), and walks the files in listing
 * order (filelist.h).
 */
#ifndef CAPD_CAPINDEX_CHAIN_H
#define CAPD_CAPINDEX_CHAIN_H

#include <stdbool.h>
#include <stdint.h>

#include "capindex.h"

/* An interface: its last ISB counters in a previous file. */
struct capindex_chain_iface {
	bool isb; /* an ISB seen; the rest is valid */
	uint32_t present;
	uint64_t ifrecv, ifdrop, osdrop, usrdeliv;
};

/* The interfaces of an archive walk, by if_id. */
struct capindex_chain_ifaces {
	struct capindex_chain_iface *ifs;
	uint32_t n;
};

/* Interface if_id's state, zeroed when new.  @return it, or NULL (if_id
 * beyond CAPINDEX_IFACES_MAX, no memory). */
struct capindex_chain_iface *capindex_chain_ifaces_at(struct capindex_chain_ifaces *a,
						      uint32_t if_id);

/* After a file that could not be read: no interface's ISB continues. */
void capindex_chain_ifaces_forget(struct capindex_chain_ifaces *a);

/* Free them (zeroed: a new archive). */
void capindex_chain_ifaces_free(struct capindex_chain_ifaces *a);

/* A feed: where the previous file with a decoded message of it ended. */
struct capindex_chain_feed {
	bool prev; /* last and session are valid */
	uint64_t last;
	uint8_t session_len;
	uint8_t session[12];
};

/*
 * The drops of interface c in its file beyond its epb_dropcount, given
 * prev (the same if_id's state before this file).  capdump's counters run
 * from the start of the recorder, and isb_usrdeliv (packets written) tells
 * a recording: the previous file's plus at least this file's packets in
 * the same one, exactly this file's packets in its first file.
 * @return whether they are known (*ifdrop, *osdrop set).
 */
bool capindex_chain_drops(const struct capindex_chain_iface *prev, const struct capindex_iface *c,
			  uint64_t *ifdrop, uint64_t *osdrop);

/* After interface c's file: what the next file's drops are counted from. */
void capindex_chain_iface_next(struct capindex_chain_iface *a, const struct capindex_iface *c);

/* Whether feed f's numbers were decoded in its file (it has a seq range). */
bool capindex_chain_decoded(const struct capindex_feed *f);

/*
 * Feed f's gap before its file: messages [*from, *to) missing between the
 * previous file's last message and f's first, when f starts in the
 * session the previous one ended in (another session is a new numbering,
 * not a gap).  Then a remembers where f ends.  Nothing for a feed not
 * decoded in this file (a unchanged).
 * @return whether there is such a gap.
 */
bool capindex_chain_gap(struct capindex_chain_feed *a, const struct capindex_feed *f,
			uint64_t *from, uint64_t *to);

#endif
