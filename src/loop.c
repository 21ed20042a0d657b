/*
 * loop.c: one poll() loop for a daemon: file descriptors with callbacks,
 * timers kept as deadlines on the monotonic clock, and signals turned
 * into callbacks through a self-pipe.
 *
 * Each turn polls every descriptor with a timeout of the time left to the
 * nearest deadline, then runs every timer whose deadline has passed, then
 * the callback of every descriptor poll() found ready.  Nothing periodic
 * depends on how busy the descriptors are: a descriptor that is always
 * readable is served once a turn, and the timers due are served in the
 * same turn, so a timer is late by at most one turn's callbacks (chrony's
 * sched.c works the same way).  A callback that has more work than a
 * turn should take does a share of it and asks for a timer of 0 ms to
 * come back after the others.
 *
 * Callbacks may add and remove descriptors and timers, their own
 * included: a descriptor removed (or replaced by another with the same
 * number) during a turn is not called for what poll() saw of the old one.
 *
 * Signal handlers only record: loop_signal's handler notes the signal
 * and writes a byte to a pipe the loop polls; the callback runs in the
 * loop, never inside the handler.  One loop per process may take
 * signals.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sohoa.h"

struct loop_fd {
	int	 fd;
	uint64_t serial;	/* which registration: fds are reused */
	loop_fd_cb *cb;
	void	*arg;
};

struct loop_timer {
	int	 id;		/* 0: a free slot */
	uint64_t deadline;	/* loop_now() milliseconds */
	uint64_t serial;	/* the order they were added, for ties */
	loop_timer_cb *cb;
	void	*arg;
};

struct loop_sig {
	loop_signal_cb *cb;
	void	*arg;
};

struct loop {
	struct loop_fd *fds;
	size_t	 nfds;
	struct loop_timer *timers;
	size_t	 ntimers;
	uint64_t serial;
	int	 next_id;
	int	 quit;
	struct loop_sig sigs[NSIG];
};

/* The self-pipe and what its handler saw, for the one loop taking signals. */
static int loop_sig_pipe[2] = { -1, -1 };
static volatile sig_atomic_t loop_sig_seen[NSIG];

uint64_t
loop_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

struct loop *
loop_new(void)
{
	struct loop *l = xcalloc(1, sizeof *l);

	l->next_id = 1;
	return l;
}

void
loop_free(struct loop *l)
{
	int sig;

	if (l == NULL)
		return;
	for (sig = 1; sig < NSIG; sig++)
		if (l->sigs[sig].cb != NULL)
			signal(sig, SIG_DFL);
	if (loop_sig_pipe[0] != -1) {
		close(loop_sig_pipe[0]);
		close(loop_sig_pipe[1]);
		loop_sig_pipe[0] = loop_sig_pipe[1] = -1;
	}
	free(l->fds);
	free(l->timers);
	free(l);
}

void
loop_add_fd(struct loop *l, int fd, loop_fd_cb *cb, void *arg)
{
	size_t i;

	for (i = 0; i < l->nfds; i++)
		if (l->fds[i].fd == fd)
			break;
	if (i == l->nfds) {
		l->fds = xrealloc(l->fds, (l->nfds + 1) * sizeof *l->fds);
		l->nfds++;
	}
	l->fds[i].fd = fd;
	l->fds[i].serial = ++l->serial;
	l->fds[i].cb = cb;
	l->fds[i].arg = arg;
}

void
loop_remove_fd(struct loop *l, int fd)
{
	size_t i;

	for (i = 0; i < l->nfds; i++)
		if (l->fds[i].fd == fd) {
			l->fds[i] = l->fds[--l->nfds];
			return;
		}
}

int
loop_add_timer(struct loop *l, uint64_t after_ms, loop_timer_cb *cb, void *arg)
{
	struct loop_timer *t = NULL;
	size_t i;

	for (i = 0; i < l->ntimers && t == NULL; i++)
		if (l->timers[i].id == 0)
			t = &l->timers[i];
	if (t == NULL) {
		l->timers = xrealloc(l->timers, (l->ntimers + 1) *
		    sizeof *l->timers);
		t = &l->timers[l->ntimers++];
	}
	t->id = l->next_id++;
	if (l->next_id <= 0)
		l->next_id = 1;	/* after two billion timers: 0 means none */
	t->deadline = loop_now() + after_ms;
	t->serial = ++l->serial;
	t->cb = cb;
	t->arg = arg;
	return t->id;
}

void
loop_remove_timer(struct loop *l, int id)
{
	size_t i;

	for (i = 0; id > 0 && i < l->ntimers; i++)
		if (l->timers[i].id == id) {
			l->timers[i].id = 0;
			return;
		}
}

int
loop_timer_pending(const struct loop *l, int id)
{
	size_t i;

	for (i = 0; id > 0 && i < l->ntimers; i++)
		if (l->timers[i].id == id)
			return 1;
	return 0;
}

static void
loop_sig_handler(int sig)
{
	int saved = errno;
	ssize_t n;

	loop_sig_seen[sig] = 1;
	/* A full pipe already says there is something to read. */
	n = write(loop_sig_pipe[1], "", 1);
	(void)n;
	errno = saved;
}

static void
loop_sig_read(int fd, void *arg)
{
	struct loop *l = arg;
	char drain[64];
	int sig;

	while (read(fd, drain, sizeof drain) > 0)
		;
	for (sig = 1; sig < NSIG; sig++)
		if (loop_sig_seen[sig]) {
			loop_sig_seen[sig] = 0;
			if (l->sigs[sig].cb != NULL)
				l->sigs[sig].cb(sig, l->sigs[sig].arg);
		}
}

int
loop_signal(struct loop *l, int sig, loop_signal_cb *cb, void *arg)
{
	struct sigaction sa;

	if (sig <= 0 || sig >= NSIG)
		return -1;
	if (loop_sig_pipe[0] == -1) {
		if (pipe2(loop_sig_pipe, O_NONBLOCK | O_CLOEXEC) == -1)
			return -1;
		loop_add_fd(l, loop_sig_pipe[0], loop_sig_read, l);
	}
	l->sigs[sig].cb = cb;
	l->sigs[sig].arg = arg;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = loop_sig_handler;
	sigemptyset(&sa.sa_mask);
	/* The pipe wakes poll(), which SA_RESTART never restarts; the
	 * callbacks' reads and writes go on undisturbed. */
	sa.sa_flags = SA_RESTART;
	return sigaction(sig, &sa, NULL);
}

/* The earliest timer due at now that was there before the turn's timers
 * began (serial up to last), or NULL. */
static struct loop_timer *
loop_due(struct loop *l, uint64_t now, uint64_t last)
{
	struct loop_timer *best = NULL;
	size_t i;

	for (i = 0; i < l->ntimers; i++) {
		struct loop_timer *t = &l->timers[i];

		if (t->id == 0 || t->deadline > now || t->serial > last)
			continue;
		if (best == NULL || t->deadline < best->deadline ||
		    (t->deadline == best->deadline && t->serial < best->serial))
			best = t;
	}
	return best;
}

/* Milliseconds to the nearest deadline, -1 when there is no timer. */
static int
loop_timeout(const struct loop *l, uint64_t now)
{
	uint64_t nearest = UINT64_MAX;
	size_t i;

	for (i = 0; i < l->ntimers; i++)
		if (l->timers[i].id != 0 && l->timers[i].deadline < nearest)
			nearest = l->timers[i].deadline;
	if (nearest == UINT64_MAX)
		return -1;
	if (nearest <= now)
		return 0;
	return nearest - now > INT32_MAX ? INT32_MAX : (int)(nearest - now);
}

int
loop_once(struct loop *l)
{
	struct pollfd *pfd;
	uint64_t *serial, now, last;
	struct loop_timer *t;
	size_t n = l->nfds, i, k;
	int rc = 0, ready;

	pfd = xcalloc(n ? n : 1, sizeof *pfd);
	serial = xcalloc(n ? n : 1, sizeof *serial);
	for (i = 0; i < n; i++) {
		pfd[i].fd = l->fds[i].fd;
		pfd[i].events = POLLIN;
		serial[i] = l->fds[i].serial;
	}
	ready = poll(pfd, (nfds_t)n, loop_timeout(l, loop_now()));
	if (ready == -1 && errno != EINTR)
		rc = -1;

	/*
	 * The timers due, earliest first; only those there before the first
	 * of them ran: one that adds itself again at 0 ms runs on the next
	 * turn, after the descriptors have had theirs.
	 */
	now = loop_now();
	last = l->serial;
	while ((t = loop_due(l, now, last)) != NULL) {
		loop_timer_cb *cb = t->cb;
		void *arg = t->arg;

		t->id = 0;
		cb(arg);	/* may add timers: t may have moved */
	}

	for (i = 0; ready > 0 && i < n; i++) {
		if (pfd[i].revents == 0)
			continue;
		for (k = 0; k < l->nfds; k++)
			if (l->fds[k].fd == pfd[i].fd)
				break;
		/* Removed, or another registration of the same number. */
		if (k == l->nfds || l->fds[k].serial != serial[i])
			continue;
		l->fds[k].cb(pfd[i].fd, l->fds[k].arg);
	}
	free(pfd);
	free(serial);
	return rc;
}

void
loop_run(struct loop *l)
{
	l->quit = 0;
	while (!l->quit)
		if (loop_once(l) == -1) {
			log_warn("poll");
			break;
		}
}

void
loop_quit(struct loop *l)
{
	l->quit = 1;
}
