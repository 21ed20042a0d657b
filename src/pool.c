/*
 * pool.c: the parent side of the worker processes (worker.c).  It starts
 * workers, hands each job to an idle one over a socketpair (one JSON
 * object per line each way), enforces the time limit, and turns a
 * worker's death into a failed result with a plain reason (the memory
 * limit named when it was that), then starts a new worker in its place.
 *
 * Two ways to hear back: pool_wait polls the workers itself (the batch
 * of `sohoa ingest`), or, attached to the daemon's loop (pool_attach),
 * every worker's socket is one of the loop's descriptors, each time
 * limit one of its timers, and each result a call of the caller's
 * function.  Attached, a worker that dies while idle is noticed at once
 * (its socket ends) and replaced.
 */
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sohoa.h"

struct pool_worker {
	struct pool *pool;
	pid_t	 pid;
	int	 fd;		/* our end of the socketpair */
	void	*tag;		/* the caller's job, NULL when idle */
	time_t	 started;
	int	 timed_out;
	int	 timer;		/* attached: the time limit's timer, or 0 */
	int	 respawn;	/* attached: the timer that starts it again */
	uint64_t backoff;	/* ms before it starts again after dying idle */
	struct buf in;		/* partial result line */
};

struct pool {
	struct pool_opts opts;
	int	 n;
	struct pool_worker *w;
	struct loop *loop;	/* attached to it, or NULL */
	pool_result_cb *cb;
	void	*cb_arg;
};

static void pool_readable(int, void *);

static int
pool_spawn(struct pool *p, struct pool_worker *w, char *err)
{
	int sv[2];
	pid_t pid;
	char mem[32], verbose[16];

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == -1) {
		snprintf(err, ERRMAX, "cannot start a worker: %s", strerror(errno));
		return -1;
	}
	snprintf(mem, sizeof mem, "%d", p->opts.memory_mb);
	snprintf(verbose, sizeof verbose, "%d", log_getverbose());
	switch ((pid = fork())) {
	case -1:
		snprintf(err, ERRMAX, "cannot start a worker: %s", strerror(errno));
		close(sv[0]);
		close(sv[1]);
		return -1;
	case 0:
		/* A worker outliving a killed parent would only waste CPU. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (dup2(sv[1], 0) == -1 || dup2(sv[1], 1) == -1)
			_exit(127);
		setenv("OMP_THREAD_LIMIT", "1", 1);
		setenv("SOHOA_WORKER_MEMORY_MB", mem, 1);
		setenv("SOHOA_VERBOSE", verbose, 1);
		signal(SIGINT, SIG_IGN);	/* the parent decides when we stop */
		execv(p->opts.argv[0], p->opts.argv);
		fprintf(stderr, "sohoa: cannot run the worker %s: %s\n",
		    p->opts.argv[0], strerror(errno));
		_exit(127);
	}
	close(sv[1]);
	w->pid = pid;
	w->fd = sv[0];
	w->tag = NULL;
	w->timed_out = 0;
	buf_free(&w->in);
	if (p->loop != NULL)
		loop_add_fd(p->loop, w->fd, pool_readable, w);
	return 0;
}

struct pool *
pool_start(const struct pool_opts *opts, char *err)
{
	struct pool *p = xcalloc(1, sizeof *p);
	int i;

	signal(SIGPIPE, SIG_IGN);
	p->opts = *opts;
	p->n = opts->workers > 0 ? opts->workers : util_ncpus();
	p->w = xcalloc((size_t)p->n, sizeof *p->w);
	for (i = 0; i < p->n; i++) {
		buf_init(&p->w[i].in, WORKER_LINE_MAX);
		p->w[i].pool = p;
		p->w[i].fd = -1;
		if (pool_spawn(p, &p->w[i], err) == -1) {
			pool_stop(p);
			return NULL;
		}
	}
	return p;
}

int
pool_size(const struct pool *p)
{
	return p->n;
}

int
pool_idle(const struct pool *p)
{
	int i, n = 0;

	for (i = 0; i < p->n; i++)
		if (p->w[i].tag == NULL && p->w[i].fd != -1)
			n++;
	return n;
}

int
pool_busy(const struct pool *p)
{
	int i, n = 0;

	for (i = 0; i < p->n; i++)
		if (p->w[i].tag != NULL)
			n++;
	return n;
}

/* Attached: a job ran past the time limit.  Its end comes as the end of
 * the worker's socket, read by pool_readable. */
static void
pool_overrun(void *arg)
{
	struct pool_worker *w = arg;

	w->timer = 0;
	if (w->tag != NULL && !w->timed_out) {
		w->timed_out = 1;
		kill(w->pid, SIGKILL);
	}
}

int
pool_submit(struct pool *p, json_t *job, void *tag)
{
	struct pool_worker *w = NULL;
	char *line;
	size_t len, off = 0;
	int i;

	for (i = 0; i < p->n && w == NULL; i++)
		if (p->w[i].tag == NULL && p->w[i].fd != -1)
			w = &p->w[i];
	if (w == NULL)
		return -1;
	if ((line = json_dumps(job, JSON_COMPACT)) == NULL) {
		log_warnx("a job could not be written for a worker");
		return -1;
	}
	len = strlen(line);
	line[len++] = '\n';	/* json_dumps left room: replace the NUL */
	while (off < len) {
		ssize_t n = write(w->fd, line + off, len - off);

		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			break;	/* a dead worker shows up in pool_wait */
		off += (size_t)n;
	}
	free(line);
	w->tag = tag;
	w->started = time(NULL);
	if (p->loop != NULL && p->opts.time_limit > 0)
		w->timer = loop_add_timer(p->loop,
		    (uint64_t)p->opts.time_limit * 1000, pool_overrun, w);
	return 0;
}

/*
 * A worker that ran out of memory answers for itself, so a worker that
 * died of SIGABRT met something else, and crashed.  WORKER_EXIT_MEMORY is
 * the one death that is the memory limit: the worker could not start
 * afresh to say so.  SIGKILL is no crash either: the time limit, a person,
 * or the kernel when the machine ran out of memory.
 */
static char *
pool_death_reason(int status, int timed_out, int limit, int memory_mb)
{
	if (timed_out)
		return xasprintf("reading this scan took longer than %d seconds, "
		    "the time limit for one document", limit);
	if (WIFEXITED(status) && WEXITSTATUS(status) == WORKER_EXIT_MEMORY)
		return xasprintf("reading this scan needed more memory than "
		    "job_memory_mb = %d MB (sohoa.conf) allows", memory_mb);
	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
		return xasprintf("the worker was killed (%s) while reading this "
		    "scan, by a person or by the system when it ran out of "
		    "memory", strsignal(WTERMSIG(status)));
	if (WIFSIGNALED(status))
		return xasprintf("the worker crashed (%s) while reading this scan",
		    strsignal(WTERMSIG(status)));
	return xasprintf("the worker stopped unexpectedly (exit status %d) "
	    "while reading this scan", WIFEXITED(status) ?
	    WEXITSTATUS(status) : -1);
}

/* Reaps a dead or killed worker and, with again, starts another in its
 * place. */
static json_t *
pool_restart(struct pool *p, struct pool_worker *w, int again)
{
	int status = 0;
	char err[ERRMAX], *why;
	json_t *res;

	if (p->loop != NULL) {
		loop_remove_fd(p->loop, w->fd);
		loop_remove_timer(p->loop, w->timer);
		w->timer = 0;
	}
	close(w->fd);
	w->fd = -1;
	while (waitpid(w->pid, &status, 0) == -1 && errno == EINTR)
		;
	why = pool_death_reason(status, w->timed_out, p->opts.time_limit,
	    p->opts.memory_mb);
	res = json_pack("{s:b, s:s, s:b, s:b}", "ok", 0, "reason", why,
	    "crashed", 1, "timed_out", w->timed_out);
	free(why);
	if (again && pool_spawn(p, w, err) == -1)
		log_warnx("%s", err);
	return res;
}

/*
 * Reads what worker w sent.  Returns 1 with *result (caller json_decref()s)
 * and *tag (NULL for a worker that died idle) when a result is whole or
 * the worker is gone, 0 when more is to come.
 */
static int
pool_take(struct pool *p, struct pool_worker *w, json_t **result, void **tag)
{
	char chunk[65536], *nl;
	ssize_t n;

	*result = NULL;
	*tag = NULL;
	n = read(w->fd, chunk, sizeof chunk);
	if (n == -1 && (errno == EINTR || errno == EAGAIN))
		return 0;
	if (n <= 0 || buf_append(&w->in, chunk, (size_t)n) == -1) {
		if (n > 0)
			kill(w->pid, SIGKILL);
		*tag = w->tag;
		/* Attached, one that died idle starts again after a while:
		 * a worker that cannot start must not spin (pool_readable). */
		*result = pool_restart(p, w, w->tag != NULL || p->loop == NULL);
		return 1;
	}
	if ((nl = memchr(w->in.data, '\n', w->in.len)) == NULL)
		return 0;
	*nl = '\0';
	*result = json_loads(w->in.data, 0, NULL);
	if (*result == NULL)
		*result = worker_fail("the worker answered nonsense");
	*tag = w->tag;
	w->tag = NULL;
	w->backoff = 0;		/* it works */
	buf_free(&w->in);
	if (p->loop != NULL) {
		loop_remove_timer(p->loop, w->timer);
		w->timer = 0;
	}
	return 1;
}

static void
pool_respawn(void *arg)
{
	struct pool_worker *w = arg;
	char err[ERRMAX];

	w->respawn = 0;
	if (w->fd == -1 && pool_spawn(w->pool, w, err) == -1)
		log_warnx("%s", err);
}

/* Attached: a worker's socket has something, or ended. */
static void
pool_readable(int fd, void *arg)
{
	struct pool_worker *w = arg;
	struct pool *p = w->pool;
	json_t *res;
	void *tag;

	if (pool_take(p, w, &res, &tag) == 0)
		return;
	if (tag != NULL) {
		p->cb(tag, res, p->cb_arg);
	} else {
		/* Died with no job (killed by hand, or it cannot start):
		 * started again in 1 s, then 2, 4... up to a minute, said
		 * once. */
		if (w->backoff == 0)
			log_warnx("a worker stopped while it had no job: %s; "
			    "another takes its place", json_string_value(
			    json_object_get(res, "reason")));
		w->backoff = w->backoff == 0 ? 1000 : w->backoff >= 30000 ?
		    60000 : w->backoff * 2;
		w->respawn = loop_add_timer(p->loop, w->backoff, pool_respawn,
		    w);
	}
	json_decref(res);
}

void
pool_attach(struct pool *p, struct loop *l, pool_result_cb *cb, void *arg)
{
	int i;

	p->loop = l;
	p->cb = cb;
	p->cb_arg = arg;
	for (i = 0; i < p->n; i++)
		if (p->w[i].fd != -1)
			loop_add_fd(l, p->w[i].fd, pool_readable, &p->w[i]);
}

int
pool_wait(struct pool *p, int timeout_ms, json_t **result, void **tag)
{
	struct pollfd *pfd = xcalloc((size_t)p->n, sizeof *pfd);
	time_t now;
	int i, rc = 0, wait_ms;

	*result = NULL;
	*tag = NULL;
	now = time(NULL);
	wait_ms = timeout_ms;
	for (i = 0; i < p->n; i++) {
		struct pool_worker *w = &p->w[i];

		pfd[i].fd = w->tag != NULL ? w->fd : -1;
		pfd[i].events = POLLIN;
		if (w->tag != NULL && p->opts.time_limit > 0) {
			long left = (long)(w->started + p->opts.time_limit - now);

			if (left <= 0 && !w->timed_out) {
				w->timed_out = 1;
				kill(w->pid, SIGKILL);
			}
			if (left > 0 && (wait_ms < 0 || left * 1000 < wait_ms))
				wait_ms = (int)(left * 1000);
		}
	}
	if (poll(pfd, (nfds_t)p->n, wait_ms) == -1) {
		rc = errno == EINTR ? 0 : -1;
		goto out;
	}
	for (i = 0; i < p->n; i++) {
		if (pfd[i].fd == -1 || pfd[i].revents == 0)
			continue;
		if ((rc = pool_take(p, &p->w[i], result, tag)) == 1)
			goto out;
	}
out:
	free(pfd);
	return rc;
}

void
pool_stop(struct pool *p)
{
	int i, status;

	if (p == NULL)
		return;
	for (i = 0; i < p->n; i++) {
		if (p->loop != NULL)
			loop_remove_timer(p->loop, p->w[i].respawn);
		if (p->w[i].fd == -1)
			continue;
		if (p->loop != NULL) {
			loop_remove_fd(p->loop, p->w[i].fd);
			loop_remove_timer(p->loop, p->w[i].timer);
		}
		close(p->w[i].fd);	/* EOF on stdin: the worker exits */
		if (p->w[i].tag != NULL)
			kill(p->w[i].pid, SIGKILL);
	}
	for (i = 0; i < p->n; i++) {
		if (p->w[i].fd == -1)
			continue;
		while (waitpid(p->w[i].pid, &status, 0) == -1 && errno == EINTR)
			;
		buf_free(&p->w[i].in);
	}
	free(p->w);
	free(p);
}
