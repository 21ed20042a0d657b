/*
 * ship.c: sohoad's shipping to the city's PostgreSQL, in a child process
 * of its own, so that a slow or absent city link never holds the loop
 * that reads scans.
 *
 * The parent side (ship_start, attached to the daemon's loop) starts
 * `sohoad --ship DATADIR [CONF]` with a socketpair as its standard input
 * and output, wakes it with a byte whenever a record is committed
 * (ship_wake; a byte not written because the socket is full is no loss,
 * the child is awake then), and reads its one-line reports: "ok" once it
 * reaches the city, "down REASON" when it cannot.  The child exits when
 * the link fails; the parent logs the first failure (and each new reason,
 * not every retry), starts the child again after a back-off of 1 s
 * doubling to SHIP_BACKOFF_MAX_MS, and says so when the city is reachable
 * again.  Ingest goes on all the while: the outbox (outbox.c) keeps what
 * is owed, in the database.
 *
 * The child side (ship_main) holds the only PostgreSQL connection: it
 * sends batches until the outbox is empty, then waits for a wake byte or
 * SHIP_IDLE_MS (changes made by other programs, `sohoa edit` or `register
 * import`, are found so), and exits when the parent's end closes.
 */
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "sohoa.h"

#define SHIP_BATCH		500	/* changes per PostgreSQL transaction */
#define SHIP_IDLE_MS		1000	/* the outbox looked at when not woken */
#define SHIP_BACKOFF_MIN_MS	1000
#define SHIP_BACKOFF_MAX_MS	10000	/* the lag after the city is back */

struct ship {
	struct loop *loop;
	char	**argv;		/* a copy, NULL-terminated */
	pid_t	 pid;		/* 0: not running */
	int	 fd;		/* our end of the socketpair, or -1 */
	struct buf in;		/* a partial report line */
	int	 timer;		/* the restart, or 0 */
	uint64_t backoff;
	int	 down;		/* the last report was "down" */
	char	*reason;	/* ... and why, as last logged */
	int	 stopping;
};

static void ship_spawn(struct ship *);

static void
ship_restart(void *arg)
{
	struct ship *s = arg;

	s->timer = 0;
	ship_spawn(s);
}

/* The child is gone (its socket ended): reaped, and started again later. */
static void
ship_ended(struct ship *s)
{
	int status;

	loop_remove_fd(s->loop, s->fd);
	close(s->fd);
	s->fd = -1;
	buf_free(&s->in);
	while (waitpid(s->pid, &status, 0) == -1 && errno == EINTR)
		;
	s->pid = 0;
	if (s->stopping)
		return;
	if (!s->down && !(WIFEXITED(status) && WEXITSTATUS(status) == 1))
		log_warnx("city: the shipper stopped (%s %d); starting it "
		    "again", WIFSIGNALED(status) ? "signal" : "status",
		    WIFSIGNALED(status) ? WTERMSIG(status) :
		    WEXITSTATUS(status));
	s->timer = loop_add_timer(s->loop, s->backoff, ship_restart, s);
	s->backoff = s->backoff * 2 > SHIP_BACKOFF_MAX_MS ?
	    SHIP_BACKOFF_MAX_MS : s->backoff * 2;
}

static void
ship_report(struct ship *s, const char *line)
{
	if (strcmp(line, "ok") == 0) {
		if (s->down)
			log_info("city: the city database is reachable again; "
			    "the outbox is being sent");
		s->down = 0;
		free(s->reason);
		s->reason = NULL;
		s->backoff = SHIP_BACKOFF_MIN_MS;
	} else if (strncmp(line, "down ", 5) == 0) {
		/* Once per outage and reason, not at every retry. */
		if (s->reason == NULL || strcmp(s->reason, line + 5) != 0)
			log_warnx("city: %s; ingest goes on, the changes wait "
			    "in the outbox and are sent once it answers",
			    line + 5);
		free(s->reason);
		s->reason = xstrdup(line + 5);
		s->down = 1;
	} else
		log_info("city: %s", line);
}

static void
ship_readable(int fd, void *arg)
{
	struct ship *s = arg;
	char chunk[4096], *nl, *line;
	ssize_t n;

	n = read(fd, chunk, sizeof chunk);
	if (n == -1 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		ship_ended(s);
		return;
	}
	if (buf_append(&s->in, chunk, (size_t)n) == -1)
		buf_free(&s->in);	/* a line longer than that is no report */
	while (s->in.data != NULL && (nl = memchr(s->in.data, '\n',
	    s->in.len)) != NULL) {
		size_t used = (size_t)(nl - s->in.data) + 1;

		*nl = '\0';
		line = xstrdup(s->in.data);
		memmove(s->in.data, s->in.data + used, s->in.len - used + 1);
		s->in.len -= used;
		ship_report(s, line);
		free(line);
	}
}

static void
ship_spawn(struct ship *s)
{
	int sv[2];
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == -1) {
		log_warn("city: cannot start the shipper");
		goto later;
	}
	switch ((pid = fork())) {
	case -1:
		log_warn("city: cannot start the shipper");
		close(sv[0]);
		close(sv[1]);
		goto later;
	case 0:
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (dup2(sv[1], 0) == -1 || dup2(sv[1], 1) == -1)
			_exit(127);
		/* ^C at sohoad's terminal is the parent's to handle. */
		signal(SIGINT, SIG_IGN);
		execv(s->argv[0], s->argv);
		fprintf(stderr, "sohoad: cannot run the shipper %s: %s\n",
		    s->argv[0], strerror(errno));
		_exit(127);
	}
	close(sv[1]);
	s->pid = pid;
	s->fd = sv[0];
	fcntl(s->fd, F_SETFL, fcntl(s->fd, F_GETFL) | O_NONBLOCK);
	buf_init(&s->in, 1 << 16);
	loop_add_fd(s->loop, s->fd, ship_readable, s);
	return;
later:
	s->timer = loop_add_timer(s->loop, SHIP_BACKOFF_MAX_MS, ship_restart,
	    s);
}

struct ship *
ship_start(struct loop *loop, char *const argv[])
{
	struct ship *s = xcalloc(1, sizeof *s);
	size_t i, n;

	for (n = 0; argv[n] != NULL; n++)
		;
	s->argv = xcalloc(n + 1, sizeof *s->argv);
	for (i = 0; i < n; i++)
		s->argv[i] = xstrdup(argv[i]);
	s->loop = loop;
	s->fd = -1;
	s->backoff = SHIP_BACKOFF_MIN_MS;
	ship_spawn(s);
	return s;
}

struct ship *
ship_begin(struct loop *loop, struct index *ix, const struct conf *c,
    const char *self, const char *datadir)
{
	char err[ERRMAX], *argv[5];
	int64_t queued;

	if (c->city_url == NULL)
		return NULL;
	if (outbox_start(ix, c->city_office, &queued, err) == -1)
		fatalx("%s: %s", c->path, err);
	if (queued > 0)
		log_info("city: first load: %lld records and register entries "
		    "queued for the city as office %s", (long long)queued,
		    c->city_office);
	argv[0] = (char *)self;
	argv[1] = "--ship";
	argv[2] = (char *)datadir;
	argv[3] = c->path;
	argv[4] = NULL;
	log_info("city: shipping to the city database as office %s",
	    c->city_office);
	return ship_start(loop, argv);
}

void
ship_wake(struct ship *s)
{
	ssize_t n;

	if (s == NULL || s->fd == -1)
		return;
	/* Full (EAGAIN): bytes are waiting, the child will look anyway. */
	do
		n = write(s->fd, "w", 1);
	while (n == -1 && errno == EINTR);
}

void
ship_stop(struct ship *s)
{
	size_t i;
	int status;

	if (s == NULL)
		return;
	s->stopping = 1;
	loop_remove_timer(s->loop, s->timer);
	if (s->pid > 0) {
		/* A batch cut short is sent again by the next start. */
		kill(s->pid, SIGTERM);
		loop_remove_fd(s->loop, s->fd);
		close(s->fd);
		while (waitpid(s->pid, &status, 0) == -1 && errno == EINTR)
			;
	}
	buf_free(&s->in);
	for (i = 0; s->argv[i] != NULL; i++)
		free(s->argv[i]);
	free(s->argv);
	free(s->reason);
	free(s);
}

/* ---- the child ---- */

static void
ship_say(const char *fmt, ...)
{
	char line[ERRMAX + 16], *c;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	for (c = line; *c != '\0'; c++)
		if (*c == '\n')
			*c = ' ';
	printf("%s\n", line);
	fflush(stdout);
}

/* Waits for a wake byte or SHIP_IDLE_MS: 0, or -1 when the parent is
 * gone. */
static int
ship_wait(void)
{
	struct pollfd pfd = { STDIN_FILENO, POLLIN, 0 };
	char bytes[256];
	ssize_t n;
	int r;

	r = poll(&pfd, 1, SHIP_IDLE_MS);
	if (r == -1)
		return errno == EINTR ? 0 : -1;
	if (r == 0)
		return 0;
	n = read(STDIN_FILENO, bytes, sizeof bytes);
	if (n == 0 || (n == -1 && errno != EINTR && errno != EAGAIN))
		return -1;
	return 0;
}

static int
ship_send_all(const struct conf *conf, const char *datadir)
{
	struct outbox_result res;
	struct index *ix;
	PGconn *pg = NULL;
	char err[ERRMAX], *db;
	int64_t queued;
	int n, rc = 1;

	signal(SIGPIPE, SIG_IGN);
	db = xasprintf("%s/sohoa.db", datadir);
	ix = index_open(db, err);
	free(db);
	if (ix == NULL) {
		ship_say("down %s", err);
		return 1;
	}
	if (conf->city_office == NULL) {
		ship_say("down sohoa.conf has no [city] section");
		goto out;
	}
	if (outbox_start(ix, conf->city_office, &queued, err) == -1 ||
	    (pg = city_open(conf, err)) == NULL ||
	    outbox_check_city(pg, conf->city_office, err) == -1) {
		ship_say("down %s", err);
		goto out;
	}
	ship_say("ok");
	for (;;) {
		memset(&res, 0, sizeof res);
		if ((n = outbox_send(ix, pg, conf->city_office, SHIP_BATCH, 0,
		    0, &res, err)) == -1) {
			ship_say("down %s", err);
			goto out;
		}
		if (res.sent + res.deleted > 0)
			log_debug("city: %lld sent, %lld deleted",
			    (long long)res.sent, (long long)res.deleted);
		if (n == 0 && ship_wait() == -1)
			break;
	}
	rc = 0;
out:
	city_close(pg);
	index_close(ix);
	return rc;
}

int
ship_main(const char *datadir, const char *confpath)
{
	struct conf conf;
	char err[ERRMAX];
	int rc;

	if (conf_load(confpath, &conf, err) == -1) {
		printf("down %s\n", err);
		return 1;
	}
	rc = ship_send_all(&conf, datadir);
	conf_free(&conf);
	return rc;
}
