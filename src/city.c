/*
 * city.c: the link to the city's PostgreSQL, through libpq: connecting
 * with the [city] url of sohoa.conf, running SQL with parameters, and
 * every failure said in one plain line.
 *
 * The city database is shared by every office of the city (README "The
 * city database"): the shipper (outbox.c) writes this office's records
 * into it, the city commands (city_search.c) read every office's, and
 * `sohoa city init` (city_schema.c) makes its tables.  All of them talk
 * to PostgreSQL through the few functions here, so that a message of
 * libpq, which often runs over two or three lines with a tab before the
 * hint, reaches the user as one line, and never with a password in it.
 *
 * Parameters are always sent apart from the SQL (PQexecParams, text
 * format): a name or a query from outside is never spliced into a
 * statement.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "sohoa.h"

/* libpq waits forever for a server that does not answer unless told. */
#define CITY_CONNECT_TIMEOUT	"10"

int
city_office_ok(const char *name, char *err)
{
	size_t i, n = strlen(name);

	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)name[i];

		if (!(islower(ch) || isdigit(ch)) &&
		    (i == 0 || (ch != '.' && ch != '_' && ch != '-')))
			break;
	}
	if (n == 0 || n > CITY_OFFICEMAX || i < n) {
		snprintf(err, ERRMAX / 2, "an office's name is 1 to %d small "
		    "letters, digits, '.', '_' or '-', beginning with a letter "
		    "or a digit (such as phuong-dich-vong-hau), not '%.100s'",
		    CITY_OFFICEMAX, name);
		return -1;
	}
	return 0;
}

/*
 * msg made one line in place: line breaks, tabs (libpq puts its hints on
 * a line of their own, after a tab) and runs of blanks become single
 * spaces, and the
 * blanks and full stop at the end go.  Every occurrence of secret, when
 * there is one, is starred out.
 */
static void
city_one_line(char *msg, const char *secret)
{
	char *p, *q, *hit;
	size_t slen;

	if (secret != NULL && (slen = strlen(secret)) > 0)
		for (p = msg; (hit = strstr(p, secret)) != NULL; p = hit + slen)
			memset(hit, '*', slen);
	for (p = q = msg; *p != '\0'; p++) {
		if (*p == '\n' || *p == '\r' || *p == '\t' || *p == ' ') {
			if (q > msg && q[-1] != ' ')
				*q++ = ' ';
			continue;
		}
		*q++ = *p;
	}
	while (q > msg && (q[-1] == ' ' || q[-1] == '.'))
		q--;
	*q = '\0';
}

/*
 * The password the connection string itself holds, if any (a DBA should
 * keep it in .pgpass, but one may not have): found with libpq's own
 * parser, so that it can be blanked out of any message that echoes it.
 * Caller frees; NULL when there is none or url cannot be parsed.
 */
static char *
city_url_password(const char *url)
{
	PQconninfoOption *opts, *o;
	char *pw = NULL;

	if ((opts = PQconninfoParse(url, NULL)) == NULL)
		return NULL;
	for (o = opts; o->keyword != NULL; o++)
		if (strcmp(o->keyword, "password") == 0 && o->val != NULL &&
		    *o->val != '\0')
			pw = xstrdup(o->val);
	PQconninfoFree(opts);
	return pw;
}

/* 1 when url may hold a password that libpq's parser could not find for
 * us to blank out: then its complaint is not echoed. */
static int
city_url_secretive(const char *url)
{
	const char *at, *colon;

	if (strstr(url, "password") != NULL)
		return 1;
	/* postgresql://user:password@host */
	if ((at = strchr(url, '@')) != NULL &&
	    (colon = strchr(url, ':')) != NULL && colon < at &&
	    strchr(colon + 1, ':') != NULL && strchr(colon + 1, ':') < at)
		return 1;
	return 0;
}

int
city_url_ok(const char *url, char *why)
{
	PQconninfoOption *opts;
	char msg[ERRMAX / 2], *perr = NULL;

	if ((opts = PQconninfoParse(url, &perr)) != NULL) {
		PQconninfoFree(opts);
		return 0;
	}
	if (perr != NULL && !city_url_secretive(url)) {
		snprintf(msg, sizeof msg, "%s", perr);
		city_one_line(msg, NULL);
		snprintf(why, ERRMAX / 2, "the url is not a libpq connection "
		    "string or URI: %s", msg);
	} else
		snprintf(why, ERRMAX / 2, "the url is not a libpq connection "
		    "string or URI");
	PQfreemem(perr);
	return -1;
}

PGconn *
city_connect(const char *url, char *err)
{
	/* Later keywords win, and dbname is expanded as a whole connection
	 * string or URI: the url may set its own timeout and name, while
	 * the encoding is always UTF-8 (sohoa's text is). */
	const char *const keys[] = { "connect_timeout", "application_name",
	    "dbname", "client_encoding", NULL };
	const char *vals[5];
	char msg[ERRMAX], *pw = NULL, *perr = NULL;
	PGconn *conn = NULL;
	PQconninfoOption *opts;

	if (url == NULL || *url == '\0') {
		snprintf(err, ERRMAX, "no city database: sohoa.conf has no "
		    "[city] url");
		goto out;
	}
	if ((opts = PQconninfoParse(url, &perr)) == NULL) {
		if (perr != NULL && !city_url_secretive(url)) {
			snprintf(msg, sizeof msg, "%s", perr);
			city_one_line(msg, NULL);
			snprintf(err, ERRMAX, "the city database's url is not a "
			    "libpq connection string or URI: %s", msg);
		} else
			snprintf(err, ERRMAX, "the city database's url is not a "
			    "libpq connection string or URI");
		PQfreemem(perr);
		goto out;
	}
	PQconninfoFree(opts);
	pw = city_url_password(url);
	vals[0] = CITY_CONNECT_TIMEOUT;
	vals[1] = "sohoa";
	vals[2] = url;
	vals[3] = "UTF8";
	vals[4] = NULL;
	if ((conn = PQconnectdbParams(keys, vals, 1)) == NULL)
		fatalx("out of memory");
	if (PQstatus(conn) != CONNECTION_OK) {
		snprintf(msg, sizeof msg, "%s", PQerrorMessage(conn));
		city_one_line(msg, pw);
		snprintf(err, ERRMAX, "cannot connect to the city database: %s",
		    msg);
		PQfinish(conn);
		conn = NULL;
		goto out;
	}
	/* Times and dates the same whatever the server's defaults; and the
	 * server's notices ("relation already exists, skipping") are no news
	 * for the user, whom libpq would tell on stderr. */
	if (city_exec(conn, "SET TIME ZONE 'UTC'; SET datestyle = 'ISO, YMD';"
	    "SET client_min_messages = warning", err) == -1) {
		PQfinish(conn);
		conn = NULL;
	}
out:
	if (pw != NULL) {
		explicit_bzero(pw, strlen(pw));
		free(pw);
	}
	return conn;
}

PGconn *
city_open(const struct conf *c, char *err)
{
	if (c->city_url == NULL) {
		snprintf(err, ERRMAX, "%s has no [city] section: this "
		    "installation ships to no city database (sohoa.conf(5))",
		    c->path != NULL ? c->path : "sohoa.conf");
		return NULL;
	}
	return city_connect(c->city_url, err);
}

void
city_close(PGconn *conn)
{
	if (conn != NULL)
		PQfinish(conn);
}

void
city_error(PGconn *conn, const PGresult *res, char *err)
{
	const char *m = NULL;
	char msg[ERRMAX];

	if (res != NULL)
		m = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
	if ((m == NULL || *m == '\0') && res != NULL)
		m = PQresultErrorMessage(res);
	if ((m == NULL || *m == '\0') && conn != NULL)
		m = PQerrorMessage(conn);
	if (m == NULL || *m == '\0')
		m = "unknown error";
	snprintf(msg, sizeof msg, "%s", m);
	city_one_line(msg, NULL);
	if (conn != NULL && PQstatus(conn) == CONNECTION_BAD)
		snprintf(err, ERRMAX, "the city database: the link is lost: %s",
		    msg);
	else
		snprintf(err, ERRMAX, "the city database: %s", msg);
}

PGresult *
city_query(PGconn *conn, const char *sql, int nparams,
    const char *const *params, char *err)
{
	PGresult *res;
	ExecStatusType st;

	res = PQexecParams(conn, sql, nparams, NULL, params, NULL, NULL, 0);
	st = res != NULL ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
		city_error(conn, res, err);
		PQclear(res);
		return NULL;
	}
	return res;
}

int
city_exec(PGconn *conn, const char *sql, char *err)
{
	PGresult *res;
	ExecStatusType st;
	int rc = 0;

	/* PQexec, not PQexecParams: sql may be several statements (a
	 * migration). */
	res = PQexec(conn, sql);
	st = res != NULL ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
		city_error(conn, res, err);
		rc = -1;
	}
	PQclear(res);
	return rc;
}

int
city_exec_params(PGconn *conn, const char *sql, int nparams,
    const char *const *params, char *err)
{
	PGresult *res;

	if ((res = city_query(conn, sql, nparams, params, err)) == NULL)
		return -1;
	PQclear(res);
	return 0;
}

void
city_rollback(PGconn *conn)
{
	PGresult *res;

	/* Nothing to say when it fails: the link is gone, and the server
	 * rolls back by itself then. */
	if (PQtransactionStatus(conn) != PQTRANS_IDLE) {
		res = PQexec(conn, "ROLLBACK");
		PQclear(res);
	}
}

int
city_schema_version(PGconn *conn, char *err)
{
	PGresult *res;
	int v = -1;

	if ((res = city_query(conn, "SELECT to_regclass('sohoa_schema') IS "
	    "NOT NULL", 0, NULL, err)) == NULL)
		return -1;
	if (strcmp(PQgetvalue(res, 0, 0), "t") != 0) {
		PQclear(res);
		return 0;
	}
	PQclear(res);
	if ((res = city_query(conn, "SELECT coalesce(max(version), 0) FROM "
	    "sohoa_schema", 0, NULL, err)) == NULL)
		return -1;
	v = atoi(PQgetvalue(res, 0, 0));
	PQclear(res);
	return v;
}
