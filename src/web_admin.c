/*
 * web_admin.c: the admin's part of the API: users (what `sohoa user` does)
 * and the access log with its filters, as JSON or as CSV for Excel.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <csv.h>

#include "web.h"

#define WEB_LOG_MAX	10000	/* entries one answer holds */

/* users.c logs each change itself, with the actor set before. */
static int
web_admin_changed(struct web_req *r, int rc, const char *err)
{
	if (rc == -1)
		return web_error(r, strstr(err, "no user") ? MHD_HTTP_NOT_FOUND :
		    MHD_HTTP_BAD_REQUEST, "%s", err);
	return web_json(r, MHD_HTTP_OK, json_object());
}

int
web_admin_users(struct web_req *r, const char *rest)
{
	struct index *ix = web_index();
	const char *name, *role, *password, *slash;
	json_t *body;
	char err[ERRMAX], user[65];
	json_t *list;
	int rc;

	web_auth_actor(r, ix, NULL);
	if (*rest == '\0') {
		if (strcmp(r->method, "GET") == 0) {
			if ((list = users_list(ix, err)) == NULL)
				return web_error(r,
				    MHD_HTTP_SERVICE_UNAVAILABLE, "%s", err);
			return web_json(r, MHD_HTTP_OK, json_pack("{s:o}",
			    "users", list));
		}
		if ((body = web_body_json(r)) == NULL)
			return 0;
		name = json_string_value(json_object_get(body, "name"));
		role = json_string_value(json_object_get(body, "role"));
		password = json_string_value(json_object_get(body,
		    "password"));
		if (name == NULL || role == NULL || password == NULL) {
			json_decref(body);
			return web_error(r, MHD_HTTP_BAD_REQUEST, "give "
			    "\"name\", \"role\" and \"password\"");
		}
		rc = users_add(ix, name, role, password, err);
		json_decref(body);
		return web_admin_changed(r, rc, err);
	}
	/* users/NAME/disable, users/NAME/password */
	if ((slash = strchr(rest, '/')) == NULL ||
	    (size_t)(slash - rest) >= sizeof user)
		return web_error(r, MHD_HTTP_NOT_FOUND, "users are changed with "
		    "POST /api/users/NAME/disable or /password");
	memcpy(user, rest, (size_t)(slash - rest));
	user[slash - rest] = '\0';
	if (strcmp(r->method, "POST") != 0)
		return web_error(r, MHD_HTTP_METHOD_NOT_ALLOWED, "users are "
		    "changed with POST");
	if (strcmp(slash + 1, "disable") == 0) {
		rc = users_disable(ix, user, err);
		rc = web_admin_changed(r, rc, err);
	} else if (strcmp(slash + 1, "password") == 0) {
		if ((body = web_body_json(r)) == NULL)
			return 0;
		password = json_string_value(json_object_get(body,
		    "password"));
		if (password == NULL)
			rc = web_error(r, MHD_HTTP_BAD_REQUEST, "give "
			    "\"password\"");
		else {
			rc = users_passwd(ix, user, password, err);
			rc = web_admin_changed(r, rc, err);
		}
		json_decref(body);
	} else
		rc = web_error(r, MHD_HTTP_NOT_FOUND, "users are changed with "
		    "POST /api/users/NAME/disable or /password");
	return rc;
}

static void
web_admin_csv_cell(struct buf *b, json_t *v, int last)
{
	char *s = NULL, *q;
	const char *t;
	size_t n;

	if (json_is_string(v))
		t = json_string_value(v);
	else if (json_is_null(v) || v == NULL)
		t = "";
	else
		t = s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	n = strlen(t);
	q = xmalloc(2 * n + 3);
	n = csv_write(q, 2 * n + 3, t, n);
	buf_append(b, q, n);
	buf_append(b, last ? "\r\n" : ",", last ? 2 : 1);
	free(q);
	free(s);
}

int
web_admin_log(struct web_req *r, int csv)
{
	static const char *const cols[] = { "at", "who", "via", "address",
	    "action", "query", "document", "taken", "what", "purpose",
	    "results", NULL };
	struct index *ix = web_index();
	struct accesslog_filter f;
	const char *lim;
	char from[11], to[11], err[ERRMAX];
	json_t *e, *out;
	struct buf b;
	long limit = csv ? WEB_LOG_MAX : 200;
	size_t i, j;

	if (date_arg("from", web_arg(r, "from"), from, err) == -1 ||
	    date_arg("to", web_arg(r, "to"), to, err) == -1)
		return web_error(r, MHD_HTTP_BAD_REQUEST, "%s", err);
	if ((lim = web_arg(r, "limit")) != NULL && *lim != '\0') {
		limit = strtol(lim, NULL, 10);
		if (limit < 1 || limit > WEB_LOG_MAX)
			return web_error(r, MHD_HTTP_BAD_REQUEST, "limit is a "
			    "number from 1 to %d", WEB_LOG_MAX);
	}
	f.who = web_arg(r, "user");
	f.action = web_arg(r, "action");
	f.from = from;
	f.to = to;
	out = accesslog_find(ix, &f, (int)limit);
	if (!csv)
		return web_json(r, MHD_HTTP_OK, json_pack("{s:o}", "entries",
		    out));
	buf_init(&b, (size_t)256 << 20);
	buf_append(&b, "\xef\xbb\xbf", 3);	/* UTF-8, says Excel */
	for (j = 0; cols[j] != NULL; j++) {
		json_t *h = json_string(cols[j]);

		web_admin_csv_cell(&b, h, cols[j + 1] == NULL);
		json_decref(h);
	}
	json_array_foreach(out, i, e)
		for (j = 0; cols[j] != NULL; j++)
			web_admin_csv_cell(&b, json_object_get(e, cols[j]),
			    cols[j + 1] == NULL);
	json_decref(out);
	return web_bytes(r, MHD_HTTP_OK, "text/csv; charset=utf-8", b.data,
	    b.len, "nhat-ky-truy-cap.csv", 1);
}
