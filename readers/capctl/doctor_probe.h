/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * doctor_probe.h - the facts `capctl doctor` judges (doctor_check.h), read
 * from sysfs, procfs, interface ioctls and netlink with the caller's own
 * rights: what the caller may not see is recorded as an -errno, never
 * guessed.  Nothing here changes the system, takes a lock or prints.
 */
#ifndef CAPD_DOCTOR_PROBE_H
#define CAPD_DOCTOR_PROBE_H

#include <stdbool.h>

#include "capd_conf.h"
#include "doctor_check.h"

/* Facts about the whole box for configuration c. */
void doctor_probe_box(const struct capd_conf *c, struct doctor_box *b);

/* Facts about the interface ifname. */
void doctor_probe_iface(const char *ifname, struct doctor_iface *f);

/*
 * Is IRQ name (from /proc/interrupts) one of the interface's, by its name
 * or its device's ("eth1-TxRx-3", "virtio2-input.0")?  Whole words only:
 * eth1 is not eth10.
 */
bool doctor_probe_irq_match(const char *name, const char *ifname, const char *devname);

/*
 * The receive queue IRQ name serves: its last number once the interface's
 * and device's names are taken out ("eth1-TxRx-3" -> 3, "mlx5_comp2@pci:..."
 * -> 2, "virtio2-input.0" -> 0).
 * @return the queue, or -1 for a transmit-only or administrative IRQ
 *         ("eth1-tx-0", "virtio2-config", "mlx5_async0@...").
 */
int doctor_probe_irq_queue(const char *name, const char *ifname, const char *devname);

#endif
