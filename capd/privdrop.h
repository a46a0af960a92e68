/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * privdrop.h - give up privileges once setup is done (OpenBSD ntpd order:
 * privileged work first, one drop, in one place, then verify).
 *
 * Capabilities are per thread: call privdrop() in the main thread before
 * any other thread exists, so every thread inherits the reduced set.
 */
#ifndef CAPD_PRIVDROP_H
#define CAPD_PRIVDROP_H

/*
 * Switch to user/group (NULL or "" = keep the current identity), drop all
 * supplementary groups but those of the new user, clear every capability
 * except `keep` (kept permitted but NOT effective, so the process holds no
 * effective capability), empty the bounding set and set no_new_privs.
 * Verifies the result.
 * @return 0; -ENOENT for an unknown user or group; -EPERM if the drop
 *         did not take effect; or the -errno of the failing call.
 */
int privdrop(const char *user, const char *group, const int *keep, int nkeep);

/*
 * Make a capability kept by privdrop() effective in the calling thread,
 * for teardown work (e.g. detaching XDP).
 * @return 0, or -EPERM if it was not kept.
 */
int privdrop_raise(int cap);

#endif
