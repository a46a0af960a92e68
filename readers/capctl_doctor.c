// SPDX-License-Identifier: BSD-2-Clause
#include "capctl.h"
#include "log.h"

int capctl_doctor(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	pr_err("capctl doctor: not implemented yet");
	return 1;
}
