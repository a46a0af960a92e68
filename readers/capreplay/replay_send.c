// SPDX-License-Identifier: BSD-2-Clause
/* replay_send.c - see replay_send.h (being written) */
#include "replay_send.h"
