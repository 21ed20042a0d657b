/*
 * test_loop.c: the daemon's event loop keeps its deadlines however busy
 * its descriptors are (a worker handing back results without a pause must
 * not starve systemd's watchdog), runs timers in order, never calls a
 * descriptor removed during the turn, and turns signals into callbacks
 * run in the loop.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "sohoa.h"

struct ticker {
	struct loop *l;
	uint64_t due;		/* when the timer should run next */
	uint64_t period;
	uint64_t worst;		/* latest it ran after its deadline, ms */
	int	 ticks;
	int	 past_due;	/* descriptor calls begun after the deadline */
	int	 worst_past_due;
	int	 fd_calls;
	int	 fd_busy_ms;	/* what each descriptor callback costs */
};

static void
busy_for(int ms)
{
	uint64_t end = loop_now() + (uint64_t)ms;

	while (loop_now() < end)
		;
}

static void
tick(void *arg)
{
	struct ticker *t = arg;
	uint64_t now = loop_now();

	if (now > t->due && now - t->due > t->worst)
		t->worst = now - t->due;
	t->ticks++;
	if (t->past_due > t->worst_past_due)
		t->worst_past_due = t->past_due;
	t->past_due = 0;
	/* Kept to its schedule, as sohoad's watchdog is: lateness does not
	 * add up. */
	t->due += t->period;
	loop_add_timer(t->l, t->due > now ? t->due - now : 0, tick, t);
}

static void
stop(void *arg)
{
	loop_quit(arg);
}

/* Never drained: the descriptor is readable on every turn. */
static void
always_readable(int fd, void *arg)
{
	struct ticker *t = arg;

	t->fd_calls++;
	if (loop_now() >= t->due)
		t->past_due++;
	busy_for(t->fd_busy_ms);
}

static void
test_deadlines_while_fd_always_readable(void **state)
{
	struct ticker t;
	int p[2];

	memset(&t, 0, sizeof t);
	assert_int_equal(pipe(p), 0);
	assert_int_equal(write(p[1], "x", 1), 1);
	t.l = loop_new();
	t.period = 50;
	t.fd_busy_ms = 3;	/* a result recorded: a few fsyncs */
	loop_add_fd(t.l, p[0], always_readable, &t);
	t.due = loop_now() + t.period;
	loop_add_timer(t.l, t.period, tick, &t);
	loop_add_timer(t.l, 1000, stop, t.l);
	loop_run(t.l);
	print_message("# %d ticks, %d descriptor calls, at worst %llu ms and "
	    "%d descriptor call%s late\n", t.ticks, t.fd_calls,
	    (unsigned long long)t.worst, t.worst_past_due,
	    t.worst_past_due == 1 ? "" : "s");
	/* The descriptor was served all along, and so was the timer. */
	assert_true(t.fd_calls >= 20);
	assert_in_range(t.ticks, 18, 20);
	/*
	 * A deadline that passed during a descriptor's callback is served on
	 * the next turn, before any descriptor: never more than that one
	 * call late, however long the machine (shared, loaded) took.
	 */
	assert_true(t.worst_past_due <= 1);
	assert_true(t.worst < 1000);
	loop_free(t.l);
	close(p[0]);
	close(p[1]);
}

static int order[8], norder;

static void
note(void *arg)
{
	order[norder++] = (int)(intptr_t)arg;
}

static void
test_timers_in_deadline_order(void **state)
{
	struct loop *l = loop_new();
	uint64_t start = loop_now();
	int turns = 0, gone;

	norder = 0;
	loop_add_timer(l, 30, note, (void *)3);
	loop_add_timer(l, 10, note, (void *)1);
	gone = loop_add_timer(l, 15, note, (void *)9);
	loop_add_timer(l, 20, note, (void *)2);
	assert_true(loop_timer_pending(l, gone));
	loop_remove_timer(l, gone);
	assert_false(loop_timer_pending(l, gone));
	loop_remove_timer(l, 0);	/* "no timer": nothing happens */
	while (norder < 3 && turns < 100) {
		assert_int_equal(loop_once(l), 0);
		turns++;
	}
	assert_int_equal(norder, 3);
	assert_int_equal(order[0], 1);
	assert_int_equal(order[1], 2);
	assert_int_equal(order[2], 3);
	/* It slept to each deadline rather than spinning. */
	assert_true(turns <= 6);
	assert_true(loop_now() - start >= 30);
	loop_free(l);
}

struct alternate {
	struct loop *l;
	int	 timer_runs, fd_calls, max_fd_run, fd_run;
};

static void
again_at_once(void *arg)
{
	struct alternate *a = arg;

	a->timer_runs++;
	a->fd_run = 0;
	if (a->timer_runs < 20)
		loop_add_timer(a->l, 0, again_at_once, a);
	else
		loop_quit(a->l);
}

static void
count_fd(int fd, void *arg)
{
	struct alternate *a = arg;

	a->fd_calls++;
	if (++a->fd_run > a->max_fd_run)
		a->max_fd_run = a->fd_run;
}

/* A callback that does its work in shares (a 0 ms timer) lets the
 * descriptors in between, and is itself not starved by them. */
static void
test_zero_timer_takes_turns_with_fds(void **state)
{
	struct alternate a;
	int p[2];

	memset(&a, 0, sizeof a);
	assert_int_equal(pipe(p), 0);
	assert_int_equal(write(p[1], "x", 1), 1);
	a.l = loop_new();
	loop_add_fd(a.l, p[0], count_fd, &a);
	loop_add_timer(a.l, 0, again_at_once, &a);
	loop_run(a.l);
	assert_int_equal(a.timer_runs, 20);
	assert_in_range(a.fd_calls, 19, 20);
	assert_int_equal(a.max_fd_run, 1);
	loop_free(a.l);
	close(p[0]);
	close(p[1]);
}

struct two {
	struct loop *l;
	int	 other, first_calls, second_calls;
};

static void
first_removes_other(int fd, void *arg)
{
	struct two *t = arg;

	t->first_calls++;
	loop_remove_fd(t->l, t->other);
}

static void
second(int fd, void *arg)
{
	struct two *t = arg;

	t->second_calls++;
	loop_remove_fd(t->l, t->other);
}

/* Whichever runs first removes the other: the other is not called for
 * what poll() had seen of it. */
static void
test_removed_fd_not_called(void **state)
{
	struct two t;
	int p[2], q[2];

	memset(&t, 0, sizeof t);
	assert_int_equal(pipe(p), 0);
	assert_int_equal(pipe(q), 0);
	assert_int_equal(write(p[1], "x", 1), 1);
	assert_int_equal(write(q[1], "x", 1), 1);
	t.l = loop_new();
	t.other = q[0];
	loop_add_fd(t.l, p[0], first_removes_other, &t);
	loop_add_fd(t.l, q[0], second, &t);
	assert_int_equal(loop_once(t.l), 0);
	assert_int_equal(t.first_calls + t.second_calls, 1);
	loop_free(t.l);
	close(p[0]);
	close(p[1]);
	close(q[0]);
	close(q[1]);
}

static int got_sig, sig_calls;

static void
on_usr1(int sig, void *arg)
{
	got_sig = sig;
	sig_calls++;
	loop_quit(arg);
}

static void
test_signal_runs_in_loop(void **state)
{
	struct loop *l = loop_new();

	got_sig = sig_calls = 0;
	assert_int_equal(loop_signal(l, SIGUSR1, on_usr1, l), 0);
	raise(SIGUSR1);
	raise(SIGUSR1);
	/* The handler only noted it. */
	assert_int_equal(sig_calls, 0);
	loop_add_timer(l, 2000, stop, l);	/* a bound, should it fail */
	loop_run(l);
	assert_int_equal(got_sig, SIGUSR1);
	assert_int_equal(sig_calls, 1);
	loop_free(l);
	/* Freed, the loop gave the signal back to its default. */
	signal(SIGUSR1, SIG_IGN);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_deadlines_while_fd_always_readable),
		cmocka_unit_test(test_timers_in_deadline_order),
		cmocka_unit_test(test_zero_timer_takes_turns_with_fds),
		cmocka_unit_test(test_removed_fd_not_called),
		cmocka_unit_test(test_signal_runs_in_loop),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
