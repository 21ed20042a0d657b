/*
 * cli_city.c: `sohoa sync`, which sends this office's outbox to the city
 * database and exits (cron, or the first load of an old archive), and
 * `sohoa city`, the city database's admin commands: `city init` makes or
 * upgrades its schema (city_schema.c), `city office add` names an office
 * and the PostgreSQL role that writes its rows.
 *
 * These are run by the city's DBA, not by an office: --url gives the
 * admin's own connection (a superuser, or the owner of the database with
 * CREATEROLE), else the [city] url of sohoa.conf (-c FILE) is used.  The
 * password, if any, comes from libpq's .pgpass or service file, never
 * from the command line.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sohoa.h"
#include "cli.h"

enum { OPT_CITY_URL = 600, OPT_CITY_ROLE };
const struct option cli_city_opts[] = {
	{ "url", required_argument, NULL, OPT_CITY_URL },
	{ "role", required_argument, NULL, OPT_CITY_ROLE },
	{ "config", required_argument, NULL, 'c' },
	{ NULL, 0, NULL, 0 }
};
static struct {
	const char *url;		/* --url */
	const char *role;		/* office add --role */
	const char *config;		/* -c, --config */
} city;

#define CLI_CITY_USAGE "sohoa city init [--url URL] [-c FILE] | " \
	"city office add NAME --role ROLE [--url URL] [-c FILE]"

int
cli_city_opt(struct cmd_opts *o, int ch, const char *arg)
{
	switch (ch) {
	case OPT_CITY_URL:
		city.url = arg;
		break;
	case OPT_CITY_ROLE:
		city.role = arg;
		break;
	case 'c':
		city.config = arg;
		break;
	default:
		return -1;
	}
	return 0;
}

/* The admin's connection: --url, else sohoa.conf's [city] url. */
static PGconn *
cli_city_connect(void)
{
	struct conf conf;
	char err[ERRMAX];
	PGconn *conn;

	memset(&conf, 0, sizeof conf);
	if (city.url != NULL)
		conn = city_connect(city.url, err);
	else {
		cli_load_conf(city.config, &conf);
		if (conf.city_url == NULL)
			cli_usage("city: give the city database with --url URL "
			    "or a sohoa.conf with [city] url (-c FILE)");
		conn = city_open(&conf, err);
	}
	conf_free(&conf);
	if (conn == NULL)
		fatalx("%s", err);
	return conn;
}

static int
cli_city_init(struct cmd_opts *o, int argc, char **argv)
{
	PGconn *conn;
	char err[ERRMAX];
	int from;

	if (argc != 0 || city.role != NULL)
		cli_usage("sohoa city init [--url URL] [-c FILE]");
	conn = cli_city_connect();
	if (city_schema_upgrade(conn, &from, err) == -1) {
		city_close(conn);
		fatalx("city init: %s", err);
	}
	city_close(conn);
	if (o->json) {
		json_t *j = json_pack("{s:i, s:i}", "from", from, "version",
		    city_schema_latest());

		cli_print_json(j);
		json_decref(j);
	} else if (from == city_schema_latest())
		printf("the city database is already at version %d: nothing "
		    "to do\n", from);
	else
		printf("the city database is now at version %d (it was at "
		    "%d)\n", city_schema_latest(), from);
	return 0;
}

static int
cli_city_office(struct cmd_opts *o, int argc, char **argv)
{
	PGconn *conn;
	char err[ERRMAX];
	int added;

	if (argc != 2 || strcmp(argv[0], "add") != 0 || city.role == NULL)
		cli_usage("sohoa city office add NAME --role ROLE [--url URL] "
		    "[-c FILE]");
	if (city_office_ok(argv[1], err) == -1)
		cli_usage("city office add: %s", err);
	conn = cli_city_connect();
	if (city_schema_office_add(conn, argv[1], city.role, &added,
	    err) == -1) {
		city_close(conn);
		fatalx("city office add %s: %s", argv[1], err);
	}
	city_close(conn);
	if (added)
		printf("office %s added, written by the role %s\n", argv[1],
		    city.role);
	else
		printf("office %s was there already, written by the role %s\n",
		    argv[1], city.role);
	return 0;
}

/* Changes per PostgreSQL transaction. */
#define CLI_SYNC_BATCH	500

static double
cli_city_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * The data folder of the office whose sohoa.conf -c names: --data, else
 * its data, else SOHOA_DATA or the built-in one (as sohoad finds it).
 */
static const char *
cli_sync_data(const struct cmd_opts *o, const struct conf *c)
{
	if ((o->data == NULL || *o->data == '\0') && c->data != NULL &&
	    *c->data != '\0')
		return c->data;
	return cli_data_dir(o);
}

/* The city cannot be reached or refuses: why, and what stays queued. */
static noreturn void
cli_sync_fail(struct index *ix, const char *why)
{
	int64_t n = outbox_pending(ix, 0);

	fatalx("sync: %s; %lld change%s wait%s in the outbox", why,
	    (long long)n, n == 1 ? "" : "s", n == 1 ? "s" : "");
}

int
cli_sync(struct cmd_opts *o, int argc, char **argv)
{
	struct outbox_result res = { 0, 0, 0 };
	struct cmd_opts io = *o;
	struct conf conf;
	struct index *ix;
	PGconn *pg;
	char err[ERRMAX];
	int64_t queued, last, total, done = 0;
	double t0 = cli_city_seconds();
	int n, progress = isatty(STDERR_FILENO) && !o->json;

	if (argc != 0 || city.url != NULL || city.role != NULL)
		cli_usage("sohoa sync [-c FILE] [--json]");
	cli_load_conf(city.config, &conf);
	if (conf.city_url == NULL)
		fatalx("sync: %s has no [city] section: this installation ships "
		    "to no city database (sohoa.conf(5))", conf.path != NULL ?
		    conf.path : "sohoa.conf");
	io.data = cli_sync_data(o, &conf);
	ix = cli_open_index(&io, 0);
	if (outbox_start(ix, conf.city_office, &queued, err) == -1)
		fatalx("sync: %s", err);
	if (queued > 0 && !o->json)
		fprintf(stderr, "first load: %lld records and register entries "
		    "queued for the city as office %s\n", (long long)queued,
		    conf.city_office);
	/* What is pending now; what others add meanwhile is sohoad's or
	 * the next sync's, so that a busy office cannot keep this going.  A
	 * person running it tries again what the city refused before.  The
	 * register's matches of new records are made first (outbox_send
	 * makes them too), so that the entries they change are among what is
	 * pending now. */
	if (register_match_refresh(ix, err) == -1)
		fatalx("sync: %s", err);
	last = outbox_last_seq(ix);
	total = outbox_pending(ix, last);
	if ((pg = city_open(&conf, err)) == NULL ||
	    outbox_check_city(pg, conf.city_office, err) == -1) {
		city_close(pg);
		cli_sync_fail(ix, err);
	}
	while ((n = outbox_send(ix, pg, conf.city_office, CLI_SYNC_BATCH, last,
	    1, &res, err)) > 0) {
		done += n;
		if (progress)
			fprintf(stderr, "\rsync: %lld of %lld sent", (long long)done,
			    (long long)total);
	}
	if (progress && done > 0)
		fputc('\n', stderr);
	city_close(pg);
	if (n == -1)
		cli_sync_fail(ix, err);
	total = outbox_pending(ix, 0);
	if (o->json) {
		json_t *j = json_pack("{s:I, s:I, s:I, s:I, s:f}", "sent",
		    (json_int_t)res.sent, "deleted", (json_int_t)res.deleted,
		    "refused", (json_int_t)res.refused, "pending",
		    (json_int_t)total, "seconds", cli_city_seconds() - t0);

		cli_print_json(j);
		json_decref(j);
	} else
		printf("%lld sent to the city as office %s, %lld deleted there, "
		    "%lld pending, in %.1f s\n", (long long)res.sent,
		    conf.city_office, (long long)res.deleted, (long long)total,
		    cli_city_seconds() - t0);
	index_close(ix);
	conf_free(&conf);
	if (res.refused > 0) {
		fflush(stdout);
		log_warnx("sync: the city refused %lld change%s (said above): "
		    "%s in the outbox", (long long)res.refused,
		    res.refused == 1 ? "" : "s", res.refused == 1 ?
		    "it waits" : "they wait");
		return 1;
	}
	return 0;
}

int
cli_city(struct cmd_opts *o, int argc, char **argv)
{
	if (argc >= 1 && strcmp(argv[0], "init") == 0)
		return cli_city_init(o, argc - 1, argv + 1);
	if (argc >= 1 && strcmp(argv[0], "office") == 0)
		return cli_city_office(o, argc - 1, argv + 1);
	cli_usage(CLI_CITY_USAGE);
}
