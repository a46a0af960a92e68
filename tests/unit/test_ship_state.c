// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_ship_state - capship's state file: a round trip of files and
 * offsets whose paths hold spaces, '%', newlines and bytes beyond ASCII;
 * every truncation of a saved file (a power loss before the rename was
 * made durable, a copy cut short) and every changed byte refused, never
 * read past; its bound on save and on load; duplicates and junk refused.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ship_state.h"
#include "test.h"

static char *slurp(const char *path, size_t *len)
{
	struct stat st;
	char *b;
	int fd = open(path, O_RDONLY);

	T_ASSERT(fd >= 0 && fstat(fd, &st) == 0);
	b = malloc((size_t)st.st_size + 1);
	T_ASSERT(b && read(fd, b, (size_t)st.st_size) == st.st_size);
	close(fd);
	*len = (size_t)st.st_size;
	return b;
}

static void refused(const char *text, const char *why_part)
{
	struct ship_state *st = NULL;
	char why[256] = "";
	int r = ship_state_parse(text, strlen(text), &st, why, sizeof(why));

	if (r != -EBADMSG || st)
		T_FAIL("accepted (%d): %s", r, text);
	if (why_part && !strstr(why, why_part))
		T_FAIL("reason \"%s\" lacks \"%s\"", why, why_part);
}

int main(void)
{
	const char *dir = t_tmpdir("test_ship_state");
	static const char *const paths[] = {
		"/a/r_1.pcapng.zst",
		"/a/with space %25 and\nnewline",
		"/a/\xc3\xa9t\xe9",
		"/b/r_2.pcapng",
	};
	struct ship_state *st = ship_state_new(), *back = NULL;
	char path[300], why[256];
	size_t len, i;
	unsigned int k;
	char *buf;

	T_ASSERT(st);
	snprintf(path, sizeof(path), "%s/state", dir);
	T_EQ(ship_state_load(path, 1 << 20, &back, why, sizeof(why)), -ENOENT);
	for (k = 0; k < 4; k++)
		T_EQ(ship_state_add(st, paths[k], 1000 + k, 10 * k), 0);
	/* the same identity twice is one; another mtime is another file */
	T_EQ(ship_state_add(st, paths[0], 1000, 0), 0);
	T_EQ(ship_state_add(st, paths[0], 999, 0), 0);
	T_EQ(ship_state_nfiles(st), 5u);
	T_EQ(ship_state_set_offset(st, "/c/x.json", 4096), 0);
	T_EQ(ship_state_set_offset(st, "/c/y .json", 7), 0);
	T_EQ(ship_state_set_offset(st, "/c/z.json", 0), 0); /* nothing */
	T_EQ(ship_state_save(st, path, 1 << 20), 0);

	T_EQ(ship_state_load(path, 1 << 20, &back, why, sizeof(why)), 0);
	T_EQ(ship_state_nfiles(back), 5u);
	for (k = 0; k < 4; k++)
		T_ASSERT(ship_state_find(back, paths[k], 1000 + k, 10 * k));
	T_ASSERT(ship_state_find(back, paths[0], 999, 0));
	T_ASSERT(!ship_state_find(back, paths[0], 1001, 0));
	T_EQ(ship_state_offset(back, "/c/x.json"), 4096u);
	T_EQ(ship_state_offset(back, "/c/y .json"), 7u);
	T_EQ(ship_state_offset(back, "/c/z.json"), 0u);
	/* sorted: a file's entries side by side */
	for (i = 1; i < ship_state_nfiles(back); i++)
		T_ASSERT(strcmp(ship_state_file(back, i - 1)->path,
				ship_state_file(back, i)->path) <= 0);
	ship_state_del(back, 0);
	T_EQ(ship_state_nfiles(back), 4u);
	ship_state_free(back);

	/* every truncation and every changed byte is refused */
	buf = slurp(path, &len);
	for (i = 0; i < len; i++) {
		char why2[256];

		back = NULL;
		if (ship_state_parse(buf, i, &back, why2, sizeof(why2)) != -EBADMSG || back)
			T_FAIL("truncated to %zu bytes, accepted", i);
	}
	for (i = 0; i < len; i++) {
		char *c = malloc(len), why2[256];
		int bit;

		T_ASSERT(c);
		for (bit = 0; bit < 8; bit++) {
			memcpy(c, buf, len);
			c[i] ^= (char)(1 << bit);
			back = NULL;
			if (ship_state_parse(c, len, &back, why2, sizeof(why2)) != -EBADMSG)
				T_FAIL("byte %zu bit %d changed, accepted", i, bit);
		}
		free(c);
	}
	/* a power loss before the data reached the disk: an empty file */
	T_EQ(truncate(path, 0), 0);
	back = NULL;
	T_EQ(ship_state_load(path, 1 << 20, &back, why, sizeof(why)), -EBADMSG);
	T_ASSERT(!back && strstr(why, "not a capship state file"));
	free(buf);

	/* the bound: on save (nothing written) and on load */
	T_EQ(ship_state_save(st, path, 64), -EFBIG);
	T_EQ(ship_state_save(st, path, 1 << 20), 0);
	T_EQ(ship_state_load(path, 64, &back, why, sizeof(why)), -EFBIG);

	/* malformed entries */
	refused("capship-state 2\nend 0 0000000000000000\n", "not a capship");
	refused("capship-state 1\n", "no end line");
	refused("capship-state 1\nX 1 /a\n", "unknown entry");
	refused("capship-state 1\nF 01 2 /a\n", "malformed entry");
	refused("capship-state 1\nF 1 2 a\n", "malformed entry");
	refused("capship-state 1\nF 1 2 /a b\n", "malformed entry");
	refused("capship-state 1\nF 1 2 /a%00\n", "malformed entry");
	refused("capship-state 1\nF 1 2 /a%4\n", "malformed entry");
	refused("capship-state 1\nF 18446744073709551616 2 /a\n", "malformed entry");
	refused("capship-state 1\nI 0 /a\n", "twice (or an offset 0)");
	refused("capship-state 1\nF 1 2 /a\nF 1 2 /a\n", "twice");
	refused("capship-state 1\nend 1 0000000000000000\n", "count");
	ship_state_free(st);
	return 0;
}
