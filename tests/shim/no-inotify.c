/*
 * no-inotify.so: an LD_PRELOAD shim for the system tests.  It makes the
 * machine look like one whose inotify limits are used up by other
 * programs, the way a shared server can be:
 *   SHIM_INOTIFY=instances  inotify_init1() fails with EMFILE
 *                           (fs.inotify.max_user_instances reached);
 *   SHIM_INOTIFY=watches    inotify_add_watch() fails with ENOSPC
 *                           (fs.inotify.max_user_watches reached).
 * sohoad must go on taking scans by looking at its inboxes itself.
 */
#include <sys/inotify.h>

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static int
shim_is(const char *what)
{
	const char *v = getenv("SHIM_INOTIFY");

	return v != NULL && strcmp(v, what) == 0;
}

int
inotify_init1(int flags)
{
	if (shim_is("instances")) {
		errno = EMFILE;
		return -1;
	}
	return (int)syscall(SYS_inotify_init1, flags);
}

int
inotify_init(void)
{
	return inotify_init1(0);
}

int
inotify_add_watch(int fd, const char *path, uint32_t mask)
{
	if (shim_is("watches")) {
		errno = ENOSPC;
		return -1;
	}
	return (int)syscall(SYS_inotify_add_watch, fd, path, mask);
}
