/*
 * cli_user.c: `sohoa user`, the people who sign in to sohoa-web: add one
 * with a role, list them, set a new password, disable one.  The users
 * themselves are users.c's; this file reads passwords and prints.
 *
 * A password never comes on the command line, where ps and the shell's
 * history would show it: a script pipes it on standard input (one line),
 * a person types it twice at the terminal, unechoed.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "sohoa.h"
#include "cli.h"

enum { OPT_USER_ROLE = 500 };
const struct option cli_user_opts[] = {
	{ "role", required_argument, NULL, OPT_USER_ROLE },
	{ NULL, 0, NULL, 0 }
};
static const char *cli_user_role;	/* user add --role */

#define CLI_USER_USAGE "sohoa user add NAME --role clerk|staff|auditor|admin" \
	" | user list [--json] | user passwd NAME | user disable NAME"

int
cli_user_opt(struct cmd_opts *o, int ch, const char *arg)
{
	if (ch != OPT_USER_ROLE)
		return -1;
	cli_user_role = arg;
	return 0;
}

/* The terminal as it was before echo was turned off, for the handler
 * that puts it back when the user gives up with ^C. */
static struct termios cli_user_tty;
static volatile sig_atomic_t cli_user_tty_saved;

static void
cli_user_restore(int sig)
{
	if (cli_user_tty_saved)
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &cli_user_tty);
	signal(sig, SIG_DFL);
	raise(sig);
}

/* One line of standard input without its end (\n, or \r\n from a file
 * made on Windows), or NULL at the end of the input.  Caller frees. */
static char *
cli_user_line(void)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	if ((n = getline(&line, &cap, stdin)) == -1) {
		if (ferror(stdin))
			fatal("cannot read the password from standard input");
		free(line);
		return NULL;
	}
	if (n > 0 && line[n - 1] == '\n')
		line[--n] = '\0';
	if (n > 0 && line[n - 1] == '\r')
		line[--n] = '\0';
	return line;
}

/* Asks for a password at the terminal, unechoed.  Caller frees. */
static char *
cli_user_ask(const char *prompt)
{
	struct termios quiet;
	struct sigaction sa, oldint, oldterm;
	char *line;

	if (tcgetattr(STDIN_FILENO, &cli_user_tty) == -1)
		fatal("cannot read the terminal's settings");
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = cli_user_restore;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &oldint);
	sigaction(SIGTERM, &sa, &oldterm);
	cli_user_tty_saved = 1;
	quiet = cli_user_tty;
	quiet.c_lflag &= ~(ECHO | ECHOE | ECHOK | ECHONL);
	if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) == -1)
		fatal("cannot turn the terminal's echo off");
	fprintf(stderr, "%s", prompt);
	fflush(stderr);
	line = cli_user_line();
	tcsetattr(STDIN_FILENO, TCSAFLUSH, &cli_user_tty);
	cli_user_tty_saved = 0;
	sigaction(SIGINT, &oldint, NULL);
	sigaction(SIGTERM, &oldterm, NULL);
	fputc('\n', stderr);
	if (line == NULL)
		fatalx("no password given");
	return line;
}

static void
cli_user_forget(char *password)
{
	if (password != NULL) {
		explicit_bzero(password, strlen(password));
		free(password);
	}
}

/* The new password of name, checked against users.c's rules: from
 * standard input when it is no terminal, else typed twice.  Caller frees
 * with cli_user_forget. */
static char *
cli_user_password(const char *name)
{
	char *pw, *again, prompt[128], err[ERRMAX];

	if (!isatty(STDIN_FILENO)) {
		if ((pw = cli_user_line()) == NULL)
			fatalx("no password on standard input for %s (one line)",
			    name);
	} else {
		snprintf(prompt, sizeof prompt, "New password for %s: ", name);
		pw = cli_user_ask(prompt);
		if (users_password_ok(pw, err) == -1) {
			cli_user_forget(pw);
			fatalx("%s: %s", name, err);
		}
		again = cli_user_ask("The same password again: ");
		if (strcmp(pw, again) != 0) {
			cli_user_forget(pw);
			cli_user_forget(again);
			fatalx("%s: the two passwords differ; nothing changed",
			    name);
		}
		cli_user_forget(again);
	}
	if (users_password_ok(pw, err) == -1) {
		cli_user_forget(pw);
		fatalx("%s: %s", name, err);
	}
	return pw;
}

static void
cli_user_name(const char *name)
{
	char err[ERRMAX];

	if (users_name_ok(name, err) == -1)
		cli_usage("'%s' is no user name: %s", name, err);
}

static int
cli_user_add(struct cmd_opts *o, int argc, char **argv)
{
	struct index *ix;
	char err[ERRMAX], *pw;
	int rc;

	if (argc != 1 || cli_user_role == NULL)
		cli_usage("sohoa user add NAME --role "
		    "clerk|staff|auditor|admin");
	cli_user_name(argv[0]);
	if (users_role_ok(cli_user_role, err) == -1)
		cli_usage("%s", err);
	pw = cli_user_password(argv[0]);
	ix = cli_open_index(o, 1);
	rc = users_add(ix, argv[0], cli_user_role, pw, err);
	cli_user_forget(pw);
	index_close(ix);
	if (rc == -1) {
		log_warnx("user %s: %s", argv[0], err);
		return 1;
	}
	if (!o->json)
		printf("user %s added, role %s\n", argv[0], cli_user_role);
	return 0;
}

static int
cli_user_passwd(struct cmd_opts *o, int argc, char **argv)
{
	struct index *ix;
	char err[ERRMAX], role[USERS_ROLEMAX], *pw;
	int rc, disabled;

	if (argc != 1)
		cli_usage("sohoa user passwd NAME");
	cli_user_name(argv[0]);
	/* Said before the password is asked for, not after. */
	ix = cli_open_index(o, 0);
	if (users_get(ix, argv[0], role, &disabled, NULL) == -1) {
		index_close(ix);
		fatalx("there is no user %s (sohoa user list)", argv[0]);
	}
	pw = cli_user_password(argv[0]);
	rc = users_passwd(ix, argv[0], pw, err);
	cli_user_forget(pw);
	index_close(ix);
	if (rc == -1) {
		log_warnx("user %s: %s", argv[0], err);
		return 1;
	}
	if (!o->json)
		printf("user %s: new password set%s\n", argv[0], disabled ?
		    " (the user is still disabled)" : "");
	return 0;
}

static int
cli_user_disable(struct cmd_opts *o, int argc, char **argv)
{
	struct index *ix;
	char err[ERRMAX];
	int rc;

	if (argc != 1)
		cli_usage("sohoa user disable NAME");
	cli_user_name(argv[0]);
	ix = cli_open_index(o, 0);
	rc = users_disable(ix, argv[0], err);
	index_close(ix);
	if (rc == -1) {
		log_warnx("user %s: %s", argv[0], err);
		return 1;
	}
	if (!o->json)
		printf("user %s disabled\n", argv[0]);
	return 0;
}

static int
cli_user_list(struct cmd_opts *o, int argc, char **argv)
{
	struct index *ix;
	json_t *a, *u;
	char err[ERRMAX], created[11];
	size_t i;

	if (argc != 0)
		cli_usage("sohoa user list [--json]");
	ix = cli_open_index(o, 0);
	a = users_list(ix, err);
	index_close(ix);
	if (a == NULL)
		fatalx("%s", err);
	if (o->json)
		cli_print_json(a);
	else {
		if (json_array_size(a) > 0)
			printf("%-24s %-8s %-9s %s\n", "name", "role", "state",
			    "created");
		json_array_foreach(a, i, u) {
			struct shown sh = { { NULL }, 0 };

			snprintf(created, sizeof created, "%s",
			    cli_str(u, "created_at"));
			printf("%-24s %-8s %-9s %s\n",
			    cli_shown_key(&sh, u, "name"),
			    cli_shown_key(&sh, u, "role"),
			    json_is_true(json_object_get(u, "disabled")) ?
			    "disabled" : "enabled", created);
			cli_shown_free(&sh);
		}
	}
	json_decref(a);
	return 0;
}

int
cli_user(struct cmd_opts *o, int argc, char **argv)
{
	if (argc == 0)
		cli_usage("%s", CLI_USER_USAGE);
	if (cli_user_role != NULL && strcmp(argv[0], "add") != 0)
		cli_usage("--role goes with sohoa user add only");
	if (strcmp(argv[0], "add") == 0)
		return cli_user_add(o, argc - 1, argv + 1);
	if (strcmp(argv[0], "list") == 0)
		return cli_user_list(o, argc - 1, argv + 1);
	if (strcmp(argv[0], "passwd") == 0)
		return cli_user_passwd(o, argc - 1, argv + 1);
	if (strcmp(argv[0], "disable") == 0)
		return cli_user_disable(o, argc - 1, argv + 1);
	cli_usage("there is no command 'user %s'; %s", argv[0],
	    CLI_USER_USAGE);
}
