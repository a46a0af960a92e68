// SPDX-License-Identifier: BSD-2-Clause
/* capreplay - being written (issue: capreplay) */
#include <stdio.h>

int main(void)
{
	fputs("capreplay: not built yet\n", stderr);
	return 1;
}
