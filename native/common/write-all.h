/* write_all(): the whole buffer or -1, across short writes and EINTR. Shared by the hook's native
 * entry and the runtime shim (a header, since each is one C file built on its own). */
#pragma once
#include <errno.h>
#include <stddef.h>
#include <unistd.h>

static inline int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	while (len) {
		ssize_t w = write(fd, p, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}
