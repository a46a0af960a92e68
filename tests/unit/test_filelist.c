// SPDX-License-Identifier: BSD-2-Clause
/* test_filelist.c - -r's names: files, directories, patterns. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "filelist.h"
#include "test.h"

static char dir[] = "/tmp/test_filelist.XXXXXX";

static void touch(const char *name)
{
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_CREAT | O_WRONLY, 0644);
	T_ASSERT(fd >= 0);
	close(fd);
}

static const char *base(const char *path)
{
	return strrchr(path, '/') + 1;
}

int main(void)
{
	struct filelist l = { 0 };
	char err[256], arg[300];
	static const char *const want[] = { "a_00002.pcapng.ZST", "b.pcap", "c.pcapng", "d.ntar",
					    "e.pcapng.zstd" };
	unsigned int i;

	T_ASSERT(mkdtemp(dir));
	/* out of order, with what is not a capture file */
	touch("e.pcapng.zstd");
	touch("c.pcapng");
	touch("b.pcap");
	touch("a_00002.pcapng.ZST");
	touch("d.ntar");
	touch(".c.pcapng.part");
	touch(".c.pcapng.idx.Xa12bc");
	touch("c.pcapng.idx");
	touch("notes.txt");
	touch(".pcapng");
	T_ASSERT(mkdir((snprintf(arg, sizeof(arg), "%s/sub.pcapng", dir), arg), 0755) == 0);
	T_ASSERT(symlink("c.pcapng", (snprintf(arg, sizeof(arg), "%s/link.pcapng", dir), arg)) ==
		 0);

	/* a directory: its capture files, sorted by name */
	T_EQ(filelist_add(&l, dir, err, sizeof(err)), 0);
	T_EQ(l.n, 5u);
	for (i = 0; i < 5; i++)
		T_ASSERT(!strcmp(base(l.path[i]), want[i]));

	/* a pattern, when no file has its name */
	snprintf(arg, sizeof(arg), "%s/?.pcap*", dir);
	T_EQ(filelist_add(&l, arg, err, sizeof(err)), 0);
	T_EQ(l.n, 5u + 3);
	T_ASSERT(!strcmp(base(l.path[5]), "b.pcap"));
	T_ASSERT(!strcmp(base(l.path[6]), "c.pcapng"));
	T_ASSERT(!strcmp(base(l.path[7]), "e.pcapng.zstd"));

	/* nothing matched, an empty directory: errors that say so */
	snprintf(arg, sizeof(arg), "%s/*.nothing", dir);
	T_EQ(filelist_add(&l, arg, err, sizeof(err)), -ENOENT);
	T_ASSERT(strstr(err, "no capture file matches"));
	snprintf(arg, sizeof(arg), "%s/sub.pcapng", dir);
	T_EQ(filelist_add(&l, arg, err, sizeof(err)), -ENOENT);
	T_ASSERT(strstr(err, "without capture files"));
	T_EQ(l.n, 8u);

	/* a file, "-", a name that does not exist: as they are */
	snprintf(arg, sizeof(arg), "%s/notes.txt", dir);
	T_EQ(filelist_add(&l, arg, err, sizeof(err)), 0);
	T_EQ(filelist_add(&l, "-", err, sizeof(err)), 0);
	T_EQ(filelist_add(&l, "/nonexistent/x.pcapng", err, sizeof(err)), 0);
	T_EQ(l.n, 11u);
	T_ASSERT(!strcmp(l.path[9], "-"));

	T_ASSERT(!filelist_capture_name(".x.pcapng"));
	T_ASSERT(!filelist_capture_name("pcapng"));
	T_ASSERT(filelist_capture_name("x.PcapNG"));
	filelist_free(&l);
	filelist_free(&l);
	T_EQ(system((snprintf(arg, sizeof(arg), "rm -rf %s", dir), arg)), 0);
	return T_EXIT_PASS;
}
