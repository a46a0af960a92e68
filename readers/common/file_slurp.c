// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file_slurp.h"

int file_slurp(const char *path, size_t max, uint8_t **out, size_t *len, size_t *size)
{
	struct stat st;
	uint8_t *buf = NULL;
	size_t got = 0;
	ssize_t n;
	int fd, r;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		r = -errno;
		goto out;
	}
	r = -ENXIO;
	if (!S_ISREG(st.st_mode))
		goto out;
	r = -EFBIG;
	if ((uint64_t)st.st_size > max)
		goto out;
	r = -ENOMEM;
	buf = malloc((size_t)st.st_size + 1);
	if (!buf)
		goto out;
	/* One byte more than its size: a file that grew is seen as such. */
	while (got <= (size_t)st.st_size) {
		n = read(fd, buf + got, (size_t)st.st_size + 1 - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = -errno;
			goto out;
		}
		if (!n)
			break;
		got += (size_t)n;
	}
	*out = buf;
	*len = got;
	if (size)
		*size = (size_t)st.st_size;
	buf = NULL;
	r = 0;
out:
	free(buf);
	close(fd);
	return r;
}
