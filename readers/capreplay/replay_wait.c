// SPDX-License-Identifier: BSD-2-Clause
/* replay_wait.c - see replay_wait.h (being written) */
#include "replay_wait.h"
