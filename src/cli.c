/*
 * cli.c: what the commands of sohoa.c, cli_records.c and cli_audit.c
 * share: where the data lives, the index opened for reading or writing,
 * JSON out, text from outside escaped for people, ids and counts read
 * off the command line, sohoa.conf, the one way to say a command line is
 * wrong.
 */
#include <sys/stat.h>

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sohoa.h"
#include "cli.h"

/*
 * The manual promises 2 for a usage error and 1 for work that failed, so
 * that a script can tell "I called it wrong" from "it could not be done":
 * every mistake in how sohoa was called (an unknown command or option, a
 * missing argument, a value that is none) comes through here.  One line,
 * escaped as the log's are: it quotes the user's words.
 */
void
cli_usage(const char *fmt, ...)
{
	char line[2048], shown[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	vntext_escape_into(shown, sizeof shown, line, strlen(line));
	fprintf(stderr, "sohoa: usage: %s\n", shown);
	exit(2);
}

const char *
cli_data_dir(const struct cmd_opts *o)
{
	const char *d = o->data;

	if (d == NULL || *d == '\0')
		d = getenv("SOHOA_DATA");
	if (d == NULL || *d == '\0')
		d = SOHOA_DEFAULT_DATA;
	return d;
}

/* Opens the index; creating it only where the command writes. */
struct index *
cli_open_index(const struct cmd_opts *o, int create)
{
	const char *dir = cli_data_dir(o);
	char *db = xasprintf("%s/sohoa.db", dir), err[ERRMAX];
	struct index *ix;
	struct stat st;

	if (create) {
		if (util_mkdirs_private(dir) == -1)
			fatal("cannot create the data folder %s", dir);
	} else if (stat(db, &st) == -1) {
		fatalx("no sohoa data in %s: nothing has been ingested there yet "
		    "(use --data DIR or SOHOA_DATA)", dir);
	} else
		util_keep_private(dir);
	if ((ix = index_open(db, err)) == NULL)
		fatalx("%s", err);
	free(db);
	return ix;
}

void
cli_print_json(json_t *j)
{
	json_dumpf(j, stdout, JSON_INDENT(2));
	fputc('\n', stdout);
}

/* A string member as sohoa itself reads it (paths, names of actions),
 * "-" when it is missing; never for showing text from outside. */
const char *
cli_str(json_t *doc, const char *key)
{
	const char *s = json_string_value(json_object_get(doc, key));

	return s ? s : "-";
}

static const char *
cli_shown_keep(struct shown *sh, char *s)
{
	if (sh->n == SHOWN_MAX)
		fatalx("internal error: too many strings on one line");
	sh->v[sh->n++] = s;
	return s;
}

/* s[0..len) escaped, "-" for NULL; valid until cli_shown_free(sh). */
const char *
cli_shown_text(struct shown *sh, const char *s, size_t len)
{
	return s == NULL ? "-" : cli_shown_keep(sh, vntext_escape(s, len));
}

/* A JSON value for people: a string escaped, null "-", anything else as
 * compact JSON, escaped too (jansson leaves C1 and bidirectional controls
 * as they are).  Valid until cli_shown_free(sh). */
const char *
cli_shown_json(struct shown *sh, json_t *v)
{
	char *j;
	const char *r;

	if (json_is_string(v))
		return cli_shown_text(sh, json_string_value(v), json_string_length(v));
	if (v == NULL || json_is_null(v))
		return "-";
	if ((j = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT)) == NULL)
		fatalx("out of memory");
	r = cli_shown_text(sh, j, strlen(j));
	free(j);
	return r;
}

/* The member key of o, shown as shown_json does. */
const char *
cli_shown_key(struct shown *sh, json_t *o, const char *key)
{
	return cli_shown_json(sh, json_object_get(o, key));
}

void
cli_shown_free(struct shown *sh)
{
	while (sh->n > 0)
		free(sh->v[--sh->n]);
}

/* One line per document for people: id, date, pages, type, number, name. */
void
cli_print_doc_line(json_t *d)
{
	struct shown sh = { { NULL }, 0 };
	char date[11];

	snprintf(date, sizeof date, "%s", cli_shown_key(&sh, d,
	    DOC_K_INGESTED_AT));
	printf("#%-6lld %s %3lld p  %s  %s  %s",
	    (long long)json_integer_value(json_object_get(d, DOC_K_ID)), date,
	    (long long)json_integer_value(json_object_get(d, DOC_K_PAGES)),
	    cli_shown_key(&sh, d, DOC_K_TYPE),
	    cli_shown_key(&sh, d, DOC_K_NUMBER),
	    cli_shown_key(&sh, d, DOC_K_SOURCE_NAME));
	if (json_is_integer(json_object_get(d, DOC_K_DUPLICATE_OF)))
		printf("  (duplicate of #%lld)", (long long)json_integer_value(
		    json_object_get(d, DOC_K_DUPLICATE_OF)));
	putchar('\n');
	cli_shown_free(&sh);
}

int64_t
cli_parse_id(const char *s)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s[0] == '#' ? s + 1 : s, &end, 10);
	if (errno != 0 || *end != '\0' || v <= 0)
		cli_usage("'%s' is not a document id (a number such as 12)", s);
	return v;
}

int
cli_parse_count(const char *s, const char *what)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || v <= 0 || v > INT_MAX)
		cli_usage("%s must be a positive number, not '%s'", what, s);
	return (int)v;
}

/*
 * sohoa.conf for the commands that need it (targets, levels): --config
 * FILE, else $SOHOA_CONF, else the installed file, else the defaults.
 */
void
cli_load_conf(const char *path, struct conf *c)
{
	char err[ERRMAX];

	if (conf_load(path, c, err) == -1)
		fatalx("%s", err);
}

/*
 * The city commands read sohoa.conf's [city]: its url for the database,
 * its office for the access log.  Without it there is no city to ask.
 */
struct pg_conn *
cli_city_open(const struct conf *c)
{
	char err[ERRMAX];
	PGconn *pg;

	if (c->city_url == NULL || c->city_office == NULL)
		fatalx("%s has no [city] section (url, office): there is no "
		    "city database to ask", c->path ? c->path :
		    "sohoa.conf");
	if ((pg = city_open(c, err)) == NULL)
		fatalx("city: %s", err);
	return pg;
}
