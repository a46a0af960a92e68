// SPDX-License-Identifier: BSD-2-Clause
/* replay_map.c - see replay_map.h (being written) */
#include "replay_map.h"
