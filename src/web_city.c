/*
 * web_city.c: sohoa-web as the city's console ([web] source = city, issue
 * 13): the search, a record and the report are read from the city's
 * PostgreSQL over every office that ships to it, by city_search.c, with
 * the same arguments and JSON as an office's console and each record's
 * "office" added, so that OFFICE:ID names it.  The users, the sessions
 * and the console's own log stay in the local data folder, as in an
 * office.
 *
 * What a city console does not do: the scans, their PDF and the text
 * stay in their office (the images are never shipped), so a download is
 * refused naming the office that holds it; and the city only reads, so a
 * correction is refused too (it is made in the record's office, and
 * reaches the city by its shipping).
 *
 * libpq's connections must not be shared between threads: each server
 * thread opens its own on its first city request, and opens it again
 * when the link broke (a PostgreSQL restarted, a network cut).  A city
 * that cannot be reached gets 503 and a sentence, and the console goes on
 * serving its logins and pages.  Each search, show and report is written
 * to the city's access_log by city_search.c, with this console's office
 * ([city] office) and the web user, before anything is shown.
 */
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "web.h"

#define WEB_CITY_TIMEOUT	"60s"	/* a city query at most */

static pthread_key_t web_city_key;

static void
web_city_close(void *pg)
{
	city_close(pg);
}

void
web_city_init(void)
{
	if (pthread_key_create(&web_city_key, web_city_close) != 0)
		fatalx("cannot make the threads' city key");
}

/* Forgets this thread's link, so that the next call opens a new one. */
static void
web_city_drop(void)
{
	PGconn *pg = pthread_getspecific(web_city_key);

	pthread_setspecific(web_city_key, NULL);
	city_close(pg);
}

/* This thread's link to the city database, opened when it has none or
 * the one it had is broken: NULL with err when the city cannot be
 * reached. */
static PGconn *
web_city_conn(char *err)
{
	PGconn *pg = pthread_getspecific(web_city_key);

	if (pg != NULL && PQstatus(pg) == CONNECTION_OK)
		return pg;
	if (pg != NULL)
		web_city_drop();
	if ((pg = city_open(&web_conf.conf, err)) == NULL)
		return NULL;
	/*
	 * A city that answers too slowly must not hold every server thread,
	 * or the console could not even log anyone in: a query gives up
	 * after WEB_CITY_TIMEOUT (the city's report of a million records
	 * takes under a second, bench/city).
	 */
	if (city_exec(pg, "SET statement_timeout = '" WEB_CITY_TIMEOUT "'",
	    err) == -1) {
		city_close(pg);
		return NULL;
	}
	pthread_setspecific(web_city_key, pg);
	return pg;
}

/* 1 when the last failure on this thread's link was the link itself. */
static int
web_city_broken(void)
{
	PGconn *pg = pthread_getspecific(web_city_key);

	return pg == NULL || PQstatus(pg) != CONNECTION_OK;
}

static int
web_city_unreachable(struct web_req *r, const char *err)
{
	return web_error(r, MHD_HTTP_SERVICE_UNAVAILABLE, "the city database "
	    "cannot be reached: %s", err);
}

/*
 * What the three readers have in common: the call made, and made once
 * more on a new link when the link it ran on was found broken (a
 * PostgreSQL restarted since this thread last asked: the first query
 * after it is the one that finds out).  Reading twice is harmless; a log
 * entry the first try wrote before the link broke stays, as it should.
 */
enum web_city_what { WC_SEARCH, WC_SHOW, WC_REPORT };
struct web_city_call {
	enum web_city_what what;
	struct city_asker who;
	const char *query;			/* WC_SEARCH */
	const struct search_filter *filter;
	int limit;
	const char *office;			/* WC_SHOW */
	int64_t id;
	const struct report_opts *ro;		/* WC_REPORT */
};

/* The answer, or NULL with err; *down is 1 when the city cannot be
 * reached (err then says why). */
static json_t *
web_city_run(const struct web_city_call *c, int *down, char *err)
{
	PGconn *pg;
	json_t *j = NULL;
	int try;

	*down = 0;
	for (try = 0; try < 2; try++) {
		if ((pg = web_city_conn(err)) == NULL) {
			*down = 1;
			return NULL;
		}
		switch (c->what) {
		case WC_SEARCH:
			j = city_search(pg, &c->who, c->query, c->filter,
			    c->limit, err);
			break;
		case WC_SHOW:
			j = city_show(pg, &c->who, c->office, c->id, err);
			break;
		case WC_REPORT:
			j = city_report(pg, &c->who, &web_conf.conf, c->ro,
			    err);
			break;
		}
		if (j != NULL || !web_city_broken())
			return j;
		web_city_drop();
	}
	*down = 1;
	return NULL;
}

static int
web_city_search(struct web_req *r)
{
	struct web_city_call c;
	struct search_filter f;
	struct search_parsed p;
	struct accesslog_actor a;
	const char *q, *purpose;
	json_t *res, *d;
	char err[ERRMAX];
	size_t i;
	int limit, down;

	if (web_search_args(r, &f, &q, &limit, &purpose) == -1)
		return 0;
	/* A query or filter that is wrong is the clerk's to fix (400), not
	 * the city's failure: checked here as city_search checks it. */
	if (search_parse(q, &f, &p, err) == -1)
		return web_error(r, MHD_HTTP_BAD_REQUEST, "%s", err);
	search_parsed_free(&p);
	web_auth_actor_of(r, purpose, &a);
	memset(&c, 0, sizeof c);
	c.what = WC_SEARCH;
	c.who.office = web_conf.conf.city_office;
	c.who.actor = &a;
	c.query = q;
	c.filter = &f;
	c.limit = limit;
	if ((res = web_city_run(&c, &down, err)) == NULL)
		return down ? web_city_unreachable(r, err) :
		    web_error(r, MHD_HTTP_SERVICE_UNAVAILABLE, "%s", err);
	if (purpose == NULL)
		json_array_foreach(res, i, d)
			web_mask_doc(d);
	return web_json(r, MHD_HTTP_OK, json_pack("{s:o}", "results", res));
}

/*
 * The record named at the start of rest, OFFICE:ID (a ':' sent as %3A
 * too), up to a '/' or the end: 0 with *after past it, or -1 after
 * answering 404.  A plain number names a record of an office, which a
 * city console cannot tell.
 */
static int
web_city_ref(struct web_req *r, const char *rest, char *office, int64_t *id,
    const char **after)
{
	char ref[CITY_OFFICEMAX + 1 + 32], *pct;
	size_t n = strcspn(rest, "/");

	if (n < sizeof ref) {
		memcpy(ref, rest, n);
		ref[n] = '\0';
		if ((pct = strcasestr(ref, "%3a")) != NULL) {
			*pct = ':';
			memmove(pct + 1, pct + 3, strlen(pct + 3) + 1);
		}
		if (city_ref(ref, office, id) == 0) {
			*after = rest[n] == '/' ? rest + n + 1 : rest + n;
			return 0;
		}
	}
	web_error(r, MHD_HTTP_NOT_FOUND, "a record of the city is named "
	    "OFFICE:ID, such as /api/documents/phuong-a:12: its office and "
	    "its number there");
	return -1;
}

static int
web_city_show(struct web_req *r, const char *office, int64_t id)
{
	struct web_city_call c;
	struct accesslog_actor a;
	const char *purpose;
	json_t *d;
	char err[ERRMAX];
	int down;

	if (web_reveal(r, &purpose) == -1)
		return 0;
	web_auth_actor_of(r, purpose, &a);
	memset(&c, 0, sizeof c);
	c.what = WC_SHOW;
	c.who.office = web_conf.conf.city_office;
	c.who.actor = &a;
	c.office = office;
	c.id = id;
	if ((d = web_city_run(&c, &down, err)) == NULL) {
		if (down)
			return web_city_unreachable(r, err);
		return web_error(r, strncmp(err, "there is no ", 12) == 0 ?
		    MHD_HTTP_NOT_FOUND : MHD_HTTP_SERVICE_UNAVAILABLE, "%s",
		    err);
	}
	/* The page reads the corrections as the office's page does. */
	if (json_object_get(d, "corrections") == NULL)
		json_object_set_new(d, "corrections", json_array());
	if (purpose == NULL)
		web_mask_doc(d);
	return web_json(r, MHD_HTTP_OK, d);
}

static int
web_city_documents(struct web_req *r, const char *rest)
{
	char office[CITY_OFFICEMAX + 1];
	const char *after;
	int64_t id;

	if ((r->role & ROLE_RECORDS) == 0)
		return web_error(r, MHD_HTTP_FORBIDDEN, "your role may not "
		    "look at records");
	if (web_city_ref(r, rest, office, &id, &after) == -1)
		return 0;
	if (strcmp(after, "corrections") == 0)
		return web_error(r, MHD_HTTP_FORBIDDEN, "CSDL thành phố chỉ "
		    "để tra cứu: hồ sơ được sửa tại đơn vị %s (the city "
		    "database is read only: correct the record in its office, "
		    "%s)", office, office);
	if (strcmp(r->method, "GET") != 0)
		return web_error(r, MHD_HTTP_METHOD_NOT_ALLOWED, "records are "
		    "read with GET");
	if (*after == '\0')
		return web_city_show(r, office, id);
	if (strcmp(after, "pdf") == 0 || strcmp(after, "original") == 0 ||
	    strcmp(after, "text") == 0)
		return web_error(r, MHD_HTTP_CONFLICT, "bản quét và bản PDF "
		    "của hồ sơ %s:%lld được lưu tại đơn vị %s, không gửi lên "
		    "thành phố (the scan stays in its office, %s: images are "
		    "not shipped to the city)", office, (long long)id, office,
		    office);
	return web_error(r, MHD_HTTP_NOT_FOUND, "a document has its pdf, "
	    "original and text, not '%s'", after);
}

static int
web_city_report(struct web_req *r, int csv)
{
	struct web_city_call c;
	struct report_opts o;
	struct report_span sp;
	struct accesslog_actor a;
	json_t *rep;
	char err[ERRMAX];
	int down;

	if ((r->role & ROLE_REPORTS) == 0)
		return web_error(r, MHD_HTTP_FORBIDDEN, "only auditors and "
		    "admins see the report");
	if (web_report_args(r, &o) == -1)
		return 0;
	/* Dates and a level that are wrong are the auditor's to fix. */
	if (report_span(&web_conf.conf, &o, &sp, err) == -1)
		return web_error(r, MHD_HTTP_BAD_REQUEST, "%s", err);
	web_auth_actor_of(r, NULL, &a);
	memset(&c, 0, sizeof c);
	c.what = WC_REPORT;
	c.who.office = web_conf.conf.city_office;
	c.who.actor = &a;
	c.ro = &o;
	if ((rep = web_city_run(&c, &down, err)) == NULL)
		return down ? web_city_unreachable(r, err) :
		    web_error(r, MHD_HTTP_SERVICE_UNAVAILABLE, "%s", err);
	return web_report_send(r, rep, csv);
}

int
web_city_api(struct web_req *r, const char *u)
{
	if (strcmp(u, "search") == 0) {
		if ((r->role & ROLE_RECORDS) == 0)
			return web_error(r, MHD_HTTP_FORBIDDEN, "your role may "
			    "not search the records");
		if (strcmp(r->method, "GET") != 0)
			return web_error(r, MHD_HTTP_METHOD_NOT_ALLOWED,
			    "search with GET");
		return web_city_search(r);
	}
	if (strncmp(u, "documents/", 10) == 0)
		return web_city_documents(r, u + 10);
	return web_city_report(r, u[6] == '.');
}
