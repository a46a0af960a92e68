// SPDX-License-Identifier: BSD-2-Clause
/* replay_report.c - see replay_report.h (being written) */
#include "replay_report.h"
