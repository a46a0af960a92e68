// SPDX-License-Identifier: BSD-2-Clause
/* replay_sched.c - see replay_sched.h (being written) */
#include "replay_sched.h"
