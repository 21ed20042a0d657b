/*
 * cli_city.c: `sohoa city`, the city database's admin commands: `city
 * init` makes or upgrades its schema (city_schema.c), `city office add`
 * names an office and the PostgreSQL role that writes its rows.
 *
 * These are run by the city's DBA, not by an office: --url gives the
 * admin's own connection (a superuser, or the owner of the database with
 * CREATEROLE), else the [city] url of sohoa.conf (-c FILE) is used.  The
 * password, if any, comes from libpq's .pgpass or service file, never
 * from the command line.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

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

int
cli_city(struct cmd_opts *o, int argc, char **argv)
{
	if (argc >= 1 && strcmp(argv[0], "init") == 0)
		return cli_city_init(o, argc - 1, argv + 1);
	if (argc >= 1 && strcmp(argv[0], "office") == 0)
		return cli_city_office(o, argc - 1, argv + 1);
	cli_usage(CLI_CITY_USAGE);
}
