/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * capd_paths.h - where the programs find the files they were installed
 * with: capd's configuration and the XDP object.
 *
 * The defaults are the install paths CMake was configured with
 * (GNUInstallDirs: -DCMAKE_INSTALL_PREFIX=/usr gives /etc/capd/capd.conf
 * and /usr/lib/capd/capd_xdp.bpf.o).  A program that runs from somewhere
 * else but from PREFIX/bin or PREFIX/sbin (a tree installed with
 * `cmake --install --prefix PREFIX`, or into a DESTDIR) uses that tree:
 * PREFIX/etc/capd/capd.conf and PREFIX/lib/capd/capd_xdp.bpf.o, so that
 * an installed tree is self-consistent.  Anywhere else (the build tree, a
 * copied binary) the configured paths hold.
 */
#ifndef CAPD_PATHS_H
#define CAPD_PATHS_H

#include <stddef.h>

/* The default configuration file (capd -c, capctl doctor -c). */
const char *capd_paths_conf(void);

/* The installed XDP object (capd/xdp_prog.h says what overrides it). */
const char *capd_paths_bpf_obj(void);

/*
 * The same, from a given executable's path (for tests): into buf.
 * @return buf; the configured path when exe is not under PREFIX/bin or
 *         PREFIX/sbin, or is where the configured prefix puts it.
 */
const char *capd_paths_conf_for(const char *exe, char *buf, size_t len);
const char *capd_paths_bpf_obj_for(const char *exe, char *buf, size_t len);

#endif
