// SPDX-License-Identifier: BSD-2-Clause
/*
 * wirets_print - what wirets_decode() finds in each packet of a capture
 * file, as the TSV tests/lab/tools/wirets_gen.py --expect writes:
 *
 *	wirets_print [-x] FILE KIND|@TSV
 *
 * KIND decodes every packet as that kind; @TSV takes each packet's kind from
 * the second column of a wirets_gen.py expectation file.  The host time is
 * the record's.  -x adds a column: the frame after wirets_strip(), in hex.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capfile.h"
#include "wirets.h"

#define KINDS_MAX 100000

static int read_kinds(const char *path, uint8_t *kinds, size_t *n)
{
	char line[512];
	FILE *fp = fopen(path, "r");

	if (!fp)
		return -1;
	*n = 0;
	while (fgets(line, sizeof(line), fp) && *n < KINDS_MAX) {
		char *tab = strchr(line, '\t'), *end;
		enum wirets_kind k;

		if (line[0] == '#' || !tab)
			continue;
		end = strchr(tab + 1, '\t');
		if (!end)
			continue;
		*end = 0;
		if (wirets_kind_parse(tab + 1, &k)) {
			fclose(fp);
			return -1;
		}
		kinds[(*n)++] = (uint8_t)k;
	}
	fclose(fp);
	return 0;
}

int main(int argc, char **argv)
{
	static uint8_t kinds[KINDS_MAX], out[CAPFILE_BLOCK_MAX];
	enum wirets_kind kind = WIRETS_NONE;
	struct capfile_rec r;
	struct capfile *f;
	size_t nkinds = 0, n = 0;
	int hex = 0, ret, rc = 0;

	if (argc > 1 && !strcmp(argv[1], "-x")) {
		hex = 1;
		argc--;
		argv++;
	}
	if (argc != 3) {
		fprintf(stderr, "usage: wirets_print [-x] FILE KIND|@TSV\n");
		return 2;
	}
	if (argv[2][0] == '@' ? read_kinds(argv[2] + 1, kinds, &nkinds)
			      : wirets_kind_parse(argv[2], &kind)) {
		fprintf(stderr, "wirets_print: bad kind(s) %s\n", argv[2]);
		return 2;
	}
	if (capfile_open(argv[1], &f)) {
		fprintf(stderr, "wirets_print: %s: %s\n", argv[1], capfile_error(NULL));
		return 1;
	}
	printf("#n\tkind\tstatus\tts_ns\tsub_ns\tdevice\tport\tflags\tseq%s\n",
	       hex ? "\tframe" : "");
	while ((ret = capfile_next(f, &r)) > 0) {
		enum wirets_kind k = kind;
		struct wirets w;

		if (ret != 1)
			continue;
		if (argv[2][0] == '@') {
			if (n >= nkinds) {
				fprintf(stderr, "wirets_print: more packets than kinds\n");
				rc = 1;
				break;
			}
			k = (enum wirets_kind)kinds[n];
		}
		n++;
		wirets_decode(k, r.data, r.caplen, r.wirelen, r.ts_ns, &w);
		printf("%zu\t%s\t%s\t%" PRIu64 "\t%u\t%u\t%u\t%u\t%u", n, wirets_kind_name(w.kind),
		       wirets_status_name(w.status), w.ts_ns, w.sub_ns, w.device, w.port, w.flags,
		       w.seq);
		if (hex) {
			uint32_t wl = r.wirelen, cl = wirets_strip(&w, r.data, r.caplen, out, &wl),
				 i;

			putchar('\t');
			for (i = 0; i < cl; i++)
				printf("%02x", out[i]);
		}
		putchar('\n');
	}
	if (ret < 0) {
		fprintf(stderr, "wirets_print: %s: %s\n", argv[1], capfile_error(f));
		rc = 1;
	}
	capfile_close(f);
	return rc;
}
