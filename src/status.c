/*
 * status.c: what sohoad is doing, for `sohoa status` and sohoa-web's
 * Máy quét page alike: whether it runs (its pid file's lock), whether it
 * waits for room on a full disk (the pid file's second line), the room
 * left, each profile's queue from the job journal, and, once the
 * installation ships to the city's database, what it still owes it (the
 * outbox, outbox.c): how many changes and how old the oldest is.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sohoa.h"

struct status_daemon {
	long	 pid;		/* 0: not running; -1: running, pid unknown */
	int	 full;
	unsigned long long full_free;
	long long full_since;
};

static void
status_daemon(const char *datadir, struct status_daemon *ds)
{
	char *path = xasprintf("%s/sohoad.pid", datadir), buf[256], *nl;
	ssize_t n = 0;
	int fd;

	memset(ds, 0, sizeof *ds);
	/* Asks about sohoad's lock without taking one (see sohoad_lock). */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) != -1) {
		if (util_lock_held(fd, &ds->pid) == 1) {
			if ((n = read(fd, buf, sizeof buf - 1)) < 0)
				n = 0;
			buf[n] = '\0';
			if (ds->pid <= 0)
				ds->pid = strtol(buf, NULL, 10);
			if (ds->pid <= 0)
				ds->pid = -1;	/* running, pid unknown */
			if ((nl = strchr(buf, '\n')) != NULL &&
			    sscanf(nl + 1, "full %llu %lld", &ds->full_free,
			    &ds->full_since) == 2)
				ds->full = 1;
		}
		close(fd);
	}
	free(path);
}

json_t *
status_build(struct index *ix, const char *datadir)
{
	struct status_daemon ds;
	json_t *disk, *city;
	uint64_t room = 0;
	char since[40] = "";
	int room_known;

	status_daemon(datadir, &ds);
	room_known = util_disk_free(datadir, &room) == 0;
	if (ds.full) {
		time_t t = (time_t)ds.full_since;
		struct tm tm;

		localtime_r(&t, &tm);
		strftime(since, sizeof since, "%Y-%m-%dT%H:%M:%S", &tm);
	}
	disk = json_pack("{s:o, s:b, s:o}", "free_bytes", room_known ?
	    json_integer((json_int_t)room) : json_null(), "full", ds.full,
	    "full_since", ds.full ? json_string(since) : json_null());
	city = outbox_status(ix);
	return json_pack("{s:b, s:o, s:o, s:o, s:o}", "running", ds.pid != 0,
	    "pid", ds.pid > 0 ? json_integer(ds.pid) : json_null(), "disk",
	    disk, "profiles", job_status(ix), "city", city != NULL ? city :
	    json_null());
}
