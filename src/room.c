/*
 * room.c: whether the data disk has room for what sohoad writes.
 *
 * A full data disk is not a scan's fault.  While the disk holds less than
 * min_free_mb (sohoa.conf), or once a write failed for room, the disk is
 * "full": sohoad reads and claims nothing, and scans wait in the inboxes
 * and the spool.  Once full, the disk is looked at every
 * ROOM_CHECK_SECONDS, and reading goes on when it holds min_free_mb and a
 * megabyte more than when it filled up (or, every ROOM_RETRY_SECONDS,
 * once anyway: a failed write leaves no trace in the free space).
 *
 * The database cannot say "full" while the disk is full, so the pid file
 * does: its second line is "full FREE SINCE" for `sohoa status`.
 */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "sohoa.h"

#define ROOM_RETRY_SECONDS	60

void
room_init(struct room *r, const char *datadir, int min_free_mb, int pidfd,
    const size_t *waiting)
{
	r->datadir = datadir;
	r->floor = (uint64_t)min_free_mb * ROOM_MB;
	r->min_free_mb = min_free_mb;
	r->pidfd = pidfd;
	r->waiting = waiting;
	r->full = 0;
	r->free = 0;
	r->since = r->tried = r->checked = 0;
}

/*
 * Rewriting the pid file's first few bytes takes no new room on the
 * disk.  Without pidfd (-1) there is nothing to tell.
 */
void
room_tell(const struct room *r)
{
	char line[128];
	int n;

	if (r->pidfd == -1)
		return;
	if (r->full)
		n = snprintf(line, sizeof line, "%ld\nfull %llu %lld\n",
		    (long)getpid(), (unsigned long long)r->free,
		    (long long)r->since);
	else
		n = snprintf(line, sizeof line, "%ld\n", (long)getpid());
	if (pwrite(r->pidfd, line, (size_t)n, 0) != n ||
	    ftruncate(r->pidfd, n) == -1)
		log_debug("cannot note the disk's state in the pid file");
}

void
room_full(struct room *r, uint64_t bytes)
{
	time_t now = time(NULL);
	size_t n = *r->waiting;

	if (!r->full) {
		log_warnx("the data disk is full: %.1f MB free on %s (sohoad "
		    "keeps min_free_mb = %d MB free); %zu claimed scan%s and "
		    "those in the inboxes wait, and are read once there is "
		    "room", bytes / (double)ROOM_MB, r->datadir,
		    r->min_free_mb, n, n == 1 ? "" : "s");
		r->since = now;
	}
	r->full = 1;
	r->free = bytes;
	r->tried = now;
	r->checked = now;
	room_tell(r);
}

int
room_short(struct room *r, uint64_t needs)
{
	uint64_t bytes;

	if (util_disk_free(r->datadir, &bytes) == -1 ||
	    bytes >= r->floor + needs)
		return 0;
	room_full(r, bytes);
	return 1;
}

int
room_check(struct room *r, time_t now)
{
	uint64_t bytes;

	if (!r->full) {
		if (util_disk_free(r->datadir, &bytes) == 0 && bytes < r->floor)
			room_full(r, bytes);
		return 0;
	}
	if (now - r->checked < ROOM_CHECK_SECONDS)
		return 0;
	r->checked = now;
	if (util_disk_free(r->datadir, &bytes) == -1 || bytes < r->floor ||
	    (bytes < r->free + ROOM_MB && now - r->tried < ROOM_RETRY_SECONDS))
		return 0;
	log_info("there is room on the data disk again (%.1f MB free): "
	    "reading the waiting scans", bytes / (double)ROOM_MB);
	r->full = 0;
	room_tell(r);
	return 1;
}

uint64_t
room_job_needs(const char *spool_path, const char *workdir)
{
	const char *names[] = { WORKER_PDF, WORKER_TEXT, WORKER_LAYOUT };
	struct stat st;
	uint64_t n = 0;
	char *p;
	size_t i;

	if (stat(spool_path, &st) == 0)
		n += (uint64_t)st.st_size;
	for (i = 0; workdir != NULL && i < sizeof names / sizeof *names; i++) {
		p = xasprintf("%s/%s", workdir, names[i]);
		if (stat(p, &st) == 0)
			n += (uint64_t)st.st_size;
		free(p);
	}
	/* Tar headers, manifests, the database's share: a quarter more. */
	return n + n / 4 + ROOM_MB;
}
