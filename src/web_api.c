/*
 * web_api.c: the JSON API under /api/, which the pages use and scripts
 * may use (sohoa-web(8) lists it).
 *
 * Every endpoint checks the session and the role first; a request that
 * changes something must carry the session's CSRF token.  The answers
 * are the CLI's own JSON: search and show give the document objects of
 * `sohoa search --json`, with the ID numbers masked (001******345) unless
 * the clerk asks to see them and says why; a download says why too.  The
 * purpose and the user go into the access log before anything is shown
 * (Luật Bảo vệ dữ liệu cá nhân 91/2025).
 */
#include <ctype.h>
#include <fcntl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "web.h"

#define WEB_LIMIT_DEFAULT	20
#define WEB_LIMIT_MAX		100
#define WEB_FILE_MAX		((size_t)1 << 30)

const char *
web_text_arg(struct web_req *r, const char *name, size_t max, int *bad)
{
	const char *v = NULL;
	size_t len = 0;

	if (MHD_lookup_connection_value_n(r->conn, MHD_GET_ARGUMENT_KIND,
	    name, strlen(name), &v, &len) != MHD_YES || v == NULL)
		return NULL;
	if (strlen(v) != len || !vntext_utf8_valid(v, len)) {
		web_error(r, MHD_HTTP_BAD_REQUEST, "%s is not valid UTF-8 text",
		    name);
		*bad = 1;
		return NULL;
	}
	if (len > max) {
		web_error(r, MHD_HTTP_BAD_REQUEST, "%s is longer than %zu "
		    "bytes", name, max);
		*bad = 1;
		return NULL;
	}
	return *v == '\0' ? NULL : v;
}

/* "001******345": the first and last three digits. */
static char *
web_mask_id(const char *id)
{
	size_t n = strlen(id), i;
	char *m = xstrdup(id);

	for (i = 3; n > 6 && i < n - 3; i++)
		m[i] = '*';
	if (n <= 6)
		memset(m, '*', n);
	return m;
}

/* Runs of 9 or 12 digits in a snippet, masked alike. */
static void
web_mask_text(char *s)
{
	char *p = s, *start;
	size_t n;

	while (*p != '\0') {
		if (!isdigit((unsigned char)*p)) {
			p++;
			continue;
		}
		start = p;
		while (isdigit((unsigned char)*p))
			p++;
		n = (size_t)(p - start);
		if (util_id_length_ok(n))
			memset(start + 3, '*', n - 6);
	}
}

void
web_mask_doc(json_t *d)
{
	json_t *ids = json_object_get(d, DOC_K_ID_NUMBERS), *v;
	const char *snip = json_string_value(json_object_get(d, "snippet"));
	size_t i;
	char *m;

	json_array_foreach(ids, i, v) {
		if (!json_is_string(v))
			continue;
		m = web_mask_id(json_string_value(v));
		json_array_set_new(ids, i, json_string(m));
		free(m);
	}
	if (snip != NULL) {
		m = xstrdup(snip);
		web_mask_text(m);
		json_object_set_new(d, "snippet", json_string(m));
		free(m);
	}
}

int
web_reveal(struct web_req *r, const char **purpose)
{
	const char *rv = web_arg(r, "reveal");
	int bad = 0;

	*purpose = NULL;
	if (rv == NULL || strcmp(rv, "1") != 0)
		return 0;
	*purpose = web_text_arg(r, "purpose", WEB_PURPOSE_MAX, &bad);
	if (bad)
		return -1;
	if (*purpose == NULL) {
		web_error(r, MHD_HTTP_BAD_REQUEST, "say why the full ID numbers "
		    "are needed (purpose): it goes into the access log");
		return -1;
	}
	return 0;
}

int
web_search_args(struct web_req *r, struct search_filter *f, const char **q,
    int *limit, const char **purpose)
{
	const char *lim;
	char *end;
	long n = WEB_LIMIT_DEFAULT;
	int bad = 0;

	memset(f, 0, sizeof *f);
	f->levels = &web_conf.conf;
	*q = web_text_arg(r, "q", WEB_QUERY_MAX, &bad);
	if (!bad)
		f->level = web_text_arg(r, "level", 100, &bad);
	if (!bad)
		f->agency_code = web_text_arg(r, "agency", 100, &bad);
	if (!bad)
		f->doc_type = web_text_arg(r, "type", 200, &bad);
	if (!bad)
		f->from = web_text_arg(r, "from", 20, &bad);
	if (!bad)
		f->to = web_text_arg(r, "to", 20, &bad);
	if (!bad)
		f->person_id = web_text_arg(r, "person_id", 20, &bad);
	if (!bad)
		f->dossier_code = web_text_arg(r, "dossier", 100, &bad);
	if (bad)
		return -1;
	if ((lim = web_arg(r, "limit")) != NULL && *lim != '\0') {
		errno = 0;
		n = strtol(lim, &end, 10);
		if (errno != 0 || *end != '\0' || n < 1 || n > WEB_LIMIT_MAX) {
			web_error(r, MHD_HTTP_BAD_REQUEST, "limit is a number "
			    "from 1 to %d", WEB_LIMIT_MAX);
			return -1;
		}
	}
	*limit = (int)n;
	if (web_reveal(r, purpose) == -1)
		return -1;
	if (*q == NULL && !f->level && !f->agency_code && !f->doc_type &&
	    !f->from && !f->to && !f->person_id && !f->dossier_code) {
		web_json(r, MHD_HTTP_OK, json_pack("{s:[]}", "results"));
		return -1;
	}
	return 0;
}

static int
web_api_search(struct web_req *r, struct index *ix)
{
	struct search_filter f;
	const char *q, *purpose;
	json_t *res, *d;
	char err[ERRMAX];
	size_t i;
	int limit;

	if (web_search_args(r, &f, &q, &limit, &purpose) == -1)
		return 0;
	web_auth_actor(r, ix, purpose);
	if ((res = search_find(ix, q, &f, limit, err)) == NULL)
		return web_error(r, MHD_HTTP_BAD_REQUEST, "%s", err);
	if (web_log_search(ix, q, &f, (int)json_array_size(res), err) ==
	    -1) {
		json_decref(res);
		return web_error(r, MHD_HTTP_SERVICE_UNAVAILABLE, "the access "
		    "log cannot be written, so nothing is shown: %s", err);
	}
	if (purpose == NULL)
		json_array_foreach(res, i, d)
			web_mask_doc(d);
	return web_json(r, MHD_HTTP_OK, json_pack("{s:o}", "results", res));
}

/* The number at the start of rest ("12", "12/pdf"); -1 after a 404. */
static int64_t
web_id(struct web_req *r, const char *rest, const char **after)
{
	char *end;
	long long id;

	errno = 0;
	if (!isdigit((unsigned char)*rest)) {
		web_error(r, MHD_HTTP_NOT_FOUND, "a document is named by its "
		    "number, such as /api/documents/12");
		return -1;
	}
	id = strtoll(rest, &end, 10);
	if (errno != 0 || id <= 0 || (*end != '\0' && *end != '/')) {
		web_error(r, MHD_HTTP_NOT_FOUND, "a document is named by its "
		    "number, such as /api/documents/12");
		return -1;
	}
	*after = *end == '/' ? end + 1 : end;
	return id;
}

static int
web_api_document(struct web_req *r, struct index *ix, int64_t id)
{
	const char *purpose;
	json_t *d;
	char err[ERRMAX];

	if (web_reveal(r, &purpose) == -1)
		return 0;
	if ((d = store_get(ix, id)) == NULL)
		return web_error(r, MHD_HTTP_NOT_FOUND, "there is no document "
		    "#%lld", (long long)id);
	web_auth_actor(r, ix, purpose);
	if ((purpose ? web_log_event(ix, "reveal", NULL, err) : 0) == -1 ||
	    web_log_show(ix, id, err) == -1) {
		json_decref(d);
		return web_error(r, MHD_HTTP_SERVICE_UNAVAILABLE, "the access "
		    "log cannot be written, so nothing is shown: %s", err);
	}
	json_object_set_new(d, "corrections", correct_history(ix, id));
	if (purpose == NULL)
		web_mask_doc(d);
	return web_json(r, MHD_HTTP_OK, d);
}

/* A file of no name in the data folder (O_TMPFILE, else one made and
 * unlinked at once), gone when closed: -1 with errno. */
static int
web_api_tmpfile(void)
{
	char *path;
	int fd;

	if ((fd = open(web_conf.datadir, O_TMPFILE | O_RDWR | O_CLOEXEC,
	    0600)) != -1 || (errno != EOPNOTSUPP && errno != EISDIR &&
	    errno != EINVAL))
		return fd;
	path = xasprintf("%s/.sohoa-web-XXXXXX", web_conf.datadir);
	if ((fd = mkostemp(path, O_CLOEXEC)) != -1)
		unlink(path);
	free(path);
	return fd;
}

static int
web_api_take(struct web_req *r, struct index *ix, int64_t id,
    const char *what)
{
	static const struct { const char *what, *type, *ext; } kinds[] = {
		{ "pdf", "application/pdf", "pdf" },
		{ "text", "text/plain; charset=utf-8", "txt" },
		{ "original", NULL, NULL },
	};
	const char *purpose = NULL, *member, *type = NULL, *dl, *archive;
	json_t *d;
	char err[ERRMAX], *pkg, name[64];
	size_t i;
	int bad = 0, attachment, rc, fd;

	for (i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
		if (strcmp(kinds[i].what, what) == 0)
			break;
	if (i == sizeof kinds / sizeof kinds[0])
		return web_error(r, MHD_HTTP_NOT_FOUND, "a document has its "
		    "pdf, original and text, not '%s'", what);
	dl = web_arg(r, "download");
	/* Only the PDF is shown inline in the page; the rest is taken out. */
	attachment = strcmp(what, "pdf") != 0 || (dl != NULL &&
	    strcmp(dl, "1") == 0);
	purpose = web_text_arg(r, "purpose", WEB_PURPOSE_MAX, &bad);
	if (bad)
		return 0;
	if (attachment && purpose == NULL)
		return web_error(r, MHD_HTTP_BAD_REQUEST, "say why the document "
		    "is taken out (purpose): it goes into the access log");
	if ((d = store_get(ix, id)) == NULL)
		return web_error(r, MHD_HTTP_NOT_FOUND, "there is no document "
		    "#%lld", (long long)id);
	if ((archive = json_string_value(json_object_get(d, DOC_K_ARCHIVE))) ==
	    NULL) {
		json_decref(d);
		return web_error(r, MHD_HTTP_NOT_FOUND, "document #%lld has no "
		    "archive package", (long long)id);
	}
	/* The copy goes to a file of no name in the data folder and is sent
	 * from there: a scan of many pages is not held in memory, however
	 * many clerks take one at once. */
	if ((fd = web_api_tmpfile()) == -1) {
		json_decref(d);
		return web_error(r, MHD_HTTP_SERVICE_UNAVAILABLE, "there is no "
		    "room for a copy of document #%lld in the data folder: %s",
		    (long long)id, strerror(errno));
	}
	pkg = xasprintf("%s/%s", web_conf.datadir, archive);
	json_decref(d);
	rc = package_take_fd(pkg, what, WEB_FILE_MAX, fd, &member, err);
	free(pkg);
	if (rc == -1) {
		close(fd);
		return web_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "document "
		    "#%lld cannot be taken out of its package: %s",
		    (long long)id, err);
	}
	web_auth_actor(r, ix, purpose);
	if ((attachment ? web_log_get(ix, id, what, err) :
	    web_log_show(ix, id, err)) == -1) {
		close(fd);
		return web_error(r, MHD_HTTP_SERVICE_UNAVAILABLE, "the access "
		    "log cannot be written, so nothing is shown: %s", err);
	}
	type = kinds[i].type;
	if (type == NULL) {
		const char *ext = strrchr(member, '.') + 1;

		type = strcmp(ext, "pdf") == 0 ? "application/pdf" :
		    strcmp(ext, "png") == 0 ? "image/png" :
		    strcmp(ext, "jpg") == 0 ? "image/jpeg" : "image/tiff";
		snprintf(name, sizeof name, "sohoa-%lld-original.%s",
		    (long long)id, ext);
	} else
		snprintf(name, sizeof name, "sohoa-%lld.%s", (long long)id,
		    kinds[i].ext);
	return web_file(r, MHD_HTTP_OK, type, fd, name, attachment);
}

/* {"fields": {FIELD: VALUE}}: what `sohoa edit ID FIELD=VALUE` does. */
static int
web_api_correct(struct web_req *r, struct index *ix, int64_t id)
{
	json_t *body, *fields, *v, *changed = NULL, *e;
	const char *k;
	char err[ERRMAX], **assign, *s;
	struct buf b;
	size_t i, n = 0, j;
	int rc;

	if ((body = web_body_json(r)) == NULL)
		return 0;
	fields = json_object_get(body, "fields");
	if (!json_is_object(fields) || json_object_size(fields) == 0 ||
	    json_object_size(fields) > 32) {
		json_decref(body);
		return web_error(r, MHD_HTTP_BAD_REQUEST, "give the corrections "
		    "as {\"fields\": {\"doc_number\": \"...\"}}");
	}
	assign = xcalloc(json_object_size(fields), sizeof *assign);
	rc = 0;
	json_object_foreach(fields, k, v) {
		buf_init(&b, 1 << 16);
		buf_printf(&b, "%s=", k);
		if (json_is_string(v))
			buf_printf(&b, "%s", json_string_value(v));
		else if (json_is_array(v)) {
			json_array_foreach(v, j, e) {
				if (!json_is_string(e) ||
				    strchr(json_string_value(e), ',') != NULL)
					rc = -1;
				buf_printf(&b, "%s%s", j ? "," : "",
				    json_string_value(e) ?
				    json_string_value(e) : "");
			}
		} else if (!json_is_null(v))
			rc = -1;
		assign[n++] = b.data ? b.data : xstrdup("");
	}
	json_decref(body);
	if (rc == -1) {
		for (i = 0; i < n; i++)
			free(assign[i]);
		free(assign);
		return web_error(r, MHD_HTTP_BAD_REQUEST, "each field is a "
		    "string, or for people and id_numbers a list of strings "
		    "without commas");
	}
	web_auth_actor(r, ix, NULL);
	rc = correct_edit(ix, id, assign, (int)n, &changed, err);
	for (i = 0; i < n; i++)
		free(assign[i]);
	free(assign);
	if (rc == -1)
		return web_error(r, strstr(err, "no document") ?
		    MHD_HTTP_NOT_FOUND : MHD_HTTP_BAD_REQUEST, "%s", err);
	s = xasprintf("document #%lld: %zu field(s)", (long long)id,
	    json_array_size(changed));
	web_log_event(ix, "correct", s, err);
	free(s);
	return web_json(r, MHD_HTTP_OK, json_pack("{s:o}", "changed",
	    changed ? changed : json_array()));
}

static int
web_api_documents(struct web_req *r, struct index *ix, const char *rest)
{
	const char *after;
	int64_t id;

	if ((r->role & ROLE_RECORDS) == 0)
		return web_error(r, MHD_HTTP_FORBIDDEN, "your role may not "
		    "look at records");
	if ((id = web_id(r, rest, &after)) == -1)
		return 0;
	if (strcmp(after, "corrections") == 0) {
		if (strcmp(r->method, "POST") != 0)
			return web_error(r, MHD_HTTP_METHOD_NOT_ALLOWED,
			    "corrections are made with POST");
		if ((r->role & ROLE_SCANNERS) == 0)
			return web_error(r, MHD_HTTP_FORBIDDEN, "only records "
			    "staff and admins correct records");
		return web_api_correct(r, ix, id);
	}
	if (strcmp(r->method, "GET") != 0)
		return web_error(r, MHD_HTTP_METHOD_NOT_ALLOWED, "records are "
		    "read with GET");
	if (*after == '\0')
		return web_api_document(r, ix, id);
	return web_api_take(r, ix, id, after);
}

static int
web_api_requeue(struct web_req *r, struct index *ix, const char *rest)
{
	const char *after;
	char err[ERRMAX], *where, *what;
	int64_t id;

	if ((id = web_id(r, rest, &after)) == -1)
		return 0;
	if (strcmp(after, "requeue") != 0)
		return web_error(r, MHD_HTTP_NOT_FOUND, "a quarantined scan is "
		    "put back with POST /api/quarantine/ID/requeue");
	if (strcmp(r->method, "POST") != 0)
		return web_error(r, MHD_HTTP_METHOD_NOT_ALLOWED, "a scan is put "
		    "back with POST");
	if (job_requeue(ix, id, &where, err) == -1)
		return web_error(r, strstr(err, "there is no") ?
		    MHD_HTTP_NOT_FOUND : MHD_HTTP_CONFLICT, "%s", err);
	web_auth_actor(r, ix, NULL);
	what = xasprintf("scan #%lld back to %s", (long long)id, where);
	web_log_event(ix, "requeue", what, err);
	free(what);
	log_info("%s put quarantined scan #%lld back into %s", r->user,
	    (long long)id, where);
	free(where);
	return web_json(r, MHD_HTTP_OK, json_object());
}

int
web_report_args(struct web_req *r, struct report_opts *o)
{
	const char *m;
	int bad = 0;

	memset(o, 0, sizeof *o);
	o->as_of = web_text_arg(r, "as_of", 20, &bad);
	if (!bad)
		o->from = web_text_arg(r, "from", 20, &bad);
	if (!bad)
		o->to = web_text_arg(r, "to", 20, &bad);
	if (!bad)
		o->level = web_text_arg(r, "level", 100, &bad);
	if (!bad)
		o->agency = web_text_arg(r, "agency", 100, &bad);
	if (bad)
		return -1;
	o->missing = (m = web_arg(r, "missing")) != NULL && strcmp(m, "1") == 0;
	return 0;
}

int
web_report_send(struct web_req *r, json_t *rep, int csv)
{
	struct buf out;
	char err[ERRMAX];

	if (!csv)
		return web_json(r, MHD_HTTP_OK, rep);
	buf_init(&out, 0);
	if (report_format_write(rep, REPORT_CSV, &out, err) == -1) {
		json_decref(rep);
		buf_free(&out);
		return web_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "%s", err);
	}
	json_decref(rep);
	if (out.data == NULL)
		out.data = xstrdup("");
	return web_bytes(r, MHD_HTTP_OK, "text/csv; charset=utf-8", out.data,
	    out.len, "bao-cao-so-hoa.csv", 1);
}

static int
web_api_report(struct web_req *r, struct index *ix, int csv)
{
	struct report_opts o;
	json_t *rep;
	char err[ERRMAX];

	if (web_report_args(r, &o) == -1)
		return 0;
	if ((rep = report_build(ix, &web_conf.conf, &o, err)) == NULL)
		return web_error(r, MHD_HTTP_BAD_REQUEST, "%s", err);
	return web_report_send(r, rep, csv);
}

static int
web_api_levels(struct web_req *r)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < web_conf.conf.ntargets; i++)
		json_array_append_new(a, json_pack("{s:s, s:f}", "name",
		    web_conf.conf.targets[i].level, "target",
		    web_conf.conf.targets[i].target));
	return web_json(r, MHD_HTTP_OK, json_pack("{s:o}", "levels", a));
}

int
web_api(struct web_req *r)
{
	const char *u = r->url + 5, *m = r->method;
	int get = strcmp(m, "GET") == 0, post = strcmp(m, "POST") == 0;
	struct index *ix;

	if (strcmp(u, "login") == 0) {
		if (!post)
			return web_error(r, MHD_HTTP_METHOD_NOT_ALLOWED, "log "
			    "in with POST");
		return web_auth_login(r);
	}
	if (!r->authed)
		return web_error(r, MHD_HTTP_UNAUTHORIZED, "log in first");
	if (!get && !post)
		return web_error(r, MHD_HTTP_METHOD_NOT_ALLOWED, "the API "
		    "takes GET and POST");
	if (post && !web_auth_csrf_ok(r))
		return web_error(r, MHD_HTTP_FORBIDDEN, "the request lacks the "
		    "session's CSRF token (X-CSRF-Token): reload the page");
	if (strcmp(u, "logout") == 0)
		return post ? web_auth_logout(r) :
		    web_error(r, MHD_HTTP_METHOD_NOT_ALLOWED, "log out with "
		    "POST");
	if (strcmp(u, "me") == 0)
		return web_auth_me(r);
	if (strcmp(u, "levels") == 0)
		return web_api_levels(r);
	/* A city console: the records are the city database's (web_city.c);
	 * the users, sessions and its own log stay in the data folder. */
	if (web_conf.conf.web_source_city && (strcmp(u, "search") == 0 ||
	    strncmp(u, "documents/", 10) == 0 || strcmp(u, "report") == 0 ||
	    strcmp(u, "report.csv") == 0))
		return web_city_api(r, u);
	if ((ix = web_index()) == NULL)
		return web_error(r, MHD_HTTP_SERVICE_UNAVAILABLE, "the "
		    "database cannot be opened");
	if (strcmp(u, "search") == 0) {
		if ((r->role & ROLE_RECORDS) == 0)
			return web_error(r, MHD_HTTP_FORBIDDEN, "your role may "
			    "not search the records");
		return get ? web_api_search(r, ix) : web_error(r,
		    MHD_HTTP_METHOD_NOT_ALLOWED, "search with GET");
	}
	if (strncmp(u, "documents/", 10) == 0)
		return web_api_documents(r, ix, u + 10);
	if (strcmp(u, "status") == 0 || strcmp(u, "quarantine") == 0 ||
	    strncmp(u, "quarantine/", 11) == 0) {
		if ((r->role & ROLE_SCANNERS) == 0)
			return web_error(r, MHD_HTTP_FORBIDDEN, "only records "
			    "staff and admins see the scanners");
		if (u[0] == 's')
			return web_json(r, MHD_HTTP_OK, status_build(ix,
			    web_conf.datadir));
		if (u[10] == '/')
			return web_api_requeue(r, ix, u + 11);
		return web_json(r, MHD_HTTP_OK, json_pack("{s:o}", "items",
		    job_quarantined(ix, 500)));
	}
	if (strcmp(u, "report") == 0 || strcmp(u, "report.csv") == 0) {
		if ((r->role & ROLE_REPORTS) == 0)
			return web_error(r, MHD_HTTP_FORBIDDEN, "only auditors "
			    "and admins see the report");
		return web_api_report(r, ix, u[6] == '.');
	}
	if (strcmp(u, "log") == 0 || strcmp(u, "log.csv") == 0 ||
	    strcmp(u, "users") == 0 || strncmp(u, "users/", 6) == 0) {
		if ((r->role & ROLE_ADMIN) == 0)
			return web_error(r, MHD_HTTP_FORBIDDEN, "only admins "
			    "see users and the access log");
		if (u[0] == 'l')
			return web_admin_log(r, u[3] == '.');
		return web_admin_users(r, u[5] == '/' ? u + 6 : u + 5);
	}
	return web_error(r, MHD_HTTP_NOT_FOUND, "there is no such API "
	    "endpoint");
}
