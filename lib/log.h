/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * log.h - the one logger of every program (never of lib/ code: libraries
 * return -errno and let the program say it once).  Messages go to stderr;
 * under systemd (JOURNAL_STREAM set) each line carries its syslog priority
 * as a "<N>" prefix so the journal files it at the right level.
 */
#ifndef CAPD_LOG_H
#define CAPD_LOG_H

#include <syslog.h>

/* Program name for the prefix, and the lowest priority printed. */
void log_init(const char *prog, int max_level);

void log_msg(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define pr_err(...)    log_msg(LOG_ERR, __VA_ARGS__)
#define pr_warn(...)   log_msg(LOG_WARNING, __VA_ARGS__)
#define pr_notice(...) log_msg(LOG_NOTICE, __VA_ARGS__)
#define pr_info(...)   log_msg(LOG_INFO, __VA_ARGS__)
#define pr_debug(...)  log_msg(LOG_DEBUG, __VA_ARGS__)

#endif
