/*
 * web_http.c: one request from libmicrohttpd to its answer.
 *
 * Every request is read whole (a body over WEB_BODY_MAX is answered 413
 * and the rest thrown away), its session looked up, and then routed: the
 * API under /api/, the pages and their assets, which are files of web/
 * built into the program.  A page's text holds both languages as
 * {{Vietnamese|English}}: the Vietnamese side is served unless the
 * browser's Accept-Language puts English first; {{>NAME}} stands for the
 * file NAME of web/ (the top bar every page shares), markers and all.  Every answer carries
 * headers that keep the pages to their own origin.
 */
#include <sys/socket.h>
#include <sys/stat.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <strings.h>

#include "web.h"

static const char web_csp[] = "default-src 'self'; img-src 'self' data:; "
    "object-src 'self'; frame-src 'self'; frame-ancestors 'self'; "
    "base-uri 'none'; form-action 'self'";

const char *
web_arg(struct web_req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND,
	    name);
}

static int
web_queue(struct web_req *r, unsigned status, struct MHD_Response *resp)
{
	MHD_add_response_header(resp, "Content-Security-Policy", web_csp);
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "X-Frame-Options", "SAMEORIGIN");
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	if (r->cookie[0] != '\0')	/* set before the answer was made */
		MHD_add_response_header(resp, "Set-Cookie", r->cookie);
	if (web_conf.tls)
		MHD_add_response_header(resp, "Strict-Transport-Security",
		    "max-age=31536000");
	r->status = status;
	if (MHD_queue_response(r->conn, status, resp) != MHD_YES) {
		MHD_destroy_response(resp);
		return -1;
	}
	MHD_destroy_response(resp);
	return 0;
}

static int
web_send(struct web_req *r, unsigned status, struct MHD_Response *resp,
    const char *type, const char *filename, int attachment)
{
	char disp[300];

	MHD_add_response_header(resp, "Content-Type", type);
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	if (filename != NULL) {
		snprintf(disp, sizeof disp, "%s; filename=\"%s\"",
		    attachment ? "attachment" : "inline", filename);
		MHD_add_response_header(resp, "Content-Disposition", disp);
	}
	return web_queue(r, status, resp);
}

int
web_bytes(struct web_req *r, unsigned status, const char *type, void *data,
    size_t len, const char *filename, int attachment)
{
	struct MHD_Response *resp;

	resp = MHD_create_response_from_buffer(len, data,
	    MHD_RESPMEM_MUST_FREE);
	if (resp == NULL) {
		free(data);
		return -1;
	}
	return web_send(r, status, resp, type, filename, attachment);
}

int
web_file(struct web_req *r, unsigned status, const char *type, int fd,
    const char *filename, int attachment)
{
	struct MHD_Response *resp;
	struct stat st;

	if (fstat(fd, &st) == -1 || (resp = MHD_create_response_from_fd(
	    (uint64_t)st.st_size, fd)) == NULL) {
		close(fd);
		return web_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "the copy "
		    "cannot be sent");
	}
	return web_send(r, status, resp, type, filename, attachment);
}

int
web_json(struct web_req *r, unsigned status, json_t *j)
{
	char *s = json_dumps(j, JSON_COMPACT | JSON_ENSURE_ASCII);

	json_decref(j);
	if (s == NULL)
		s = xstrdup("{\"error\": \"the answer could not be made\"}");
	return web_bytes(r, status, "application/json; charset=utf-8", s,
	    strlen(s), NULL, 0);
}

int
web_error(struct web_req *r, unsigned status, const char *fmt, ...)
{
	char msg[ERRMAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (status >= 500)
		log_warnx("%s %s: %s", r->method, r->url, msg);
	return web_json(r, status, json_pack("{s:s}", "error", msg));
}

int
web_redirect(struct web_req *r, const char *to)
{
	struct MHD_Response *resp;

	resp = MHD_create_response_from_buffer(0, (void *)"",
	    MHD_RESPMEM_PERSISTENT);
	MHD_add_response_header(resp, "Location", to);
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	return web_queue(r, MHD_HTTP_FOUND, resp);
}

void
web_set_cookie(struct web_req *r, const char *value, int max_age)
{
	snprintf(r->cookie, sizeof r->cookie, "sohoa_session=%s; Path=/; "
	    "HttpOnly; SameSite=Strict; Max-Age=%d%s", value, max_age,
	    web_conf.tls ? "; Secure" : "");
}

static const struct web_asset *
web_asset_named(const char *name)
{
	size_t i;

	for (i = 0; i < web_nassets; i++)
		if (strcmp(web_assets[i].name, name) == 0)
			return &web_assets[i];
	return NULL;
}

static const char *
web_type(const char *name)
{
	const char *dot = strrchr(name, '.');

	if (dot == NULL)
		return "application/octet-stream";
	if (strcmp(dot, ".html") == 0)
		return "text/html; charset=utf-8";
	if (strcmp(dot, ".css") == 0)
		return "text/css; charset=utf-8";
	if (strcmp(dot, ".js") == 0)
		return "text/javascript; charset=utf-8";
	if (strcmp(dot, ".svg") == 0)
		return "image/svg+xml";
	if (strcmp(dot, ".png") == 0)
		return "image/png";
	return "application/octet-stream";
}


/* a's text into b with each {{vi|en}} replaced by one side, and each
 * {{>NAME}} by that file's (one level deep: an included file includes
 * nothing). */
static void
web_localize_into(struct buf *b, const struct web_asset *a, int english,
    int depth)
{
	const char *p = (const char *)a->data, *end = p + a->len, *open, *bar,
	    *close;
	const struct web_asset *inc;
	char name[64];

	while (p < end) {
		open = memmem(p, (size_t)(end - p), "{{", 2);
		close = open ? memmem(open, (size_t)(end - open), "}}", 2) :
		    NULL;
		bar = open && close ? memchr(open, '|', (size_t)(close -
		    open)) : NULL;
		if (open != NULL && close != NULL && open[2] == '>' &&
		    depth == 0 && (size_t)(close - open - 3) < sizeof name) {
			memcpy(name, open + 3, (size_t)(close - open - 3));
			name[close - open - 3] = '\0';
			buf_append(b, p, (size_t)(open - p));
			if ((inc = web_asset_named(name)) != NULL)
				web_localize_into(b, inc, english, depth + 1);
			p = close + 2;
			continue;
		}
		if (open == NULL || close == NULL || bar == NULL) {
			buf_append(b, p, (size_t)(end - p));
			break;
		}
		buf_append(b, p, (size_t)(open - p));
		if (english)
			buf_append(b, bar + 1, (size_t)(close - bar - 1));
		else
			buf_append(b, open + 2, (size_t)(bar - open - 2));
		p = close + 2;
	}
}

static char *
web_localize(const struct web_asset *a, int english, size_t *len)
{
	struct buf b;

	buf_init(&b, 4 * a->len + 65536);
	web_localize_into(&b, a, english, 0);
	*len = b.len;
	if (b.data == NULL)
		b.data = xstrdup("");
	return b.data;
}

static int
web_asset_as(struct web_req *r, const char *name, unsigned status)
{
	const struct web_asset *a = web_asset_named(name);
	struct MHD_Response *resp;
	size_t len;
	char *s;

	if (a == NULL || strstr(name, "..") != NULL)
		return web_error(r, MHD_HTTP_NOT_FOUND, "there is no such "
		    "page");
	s = web_localize(a, r->english, &len);
	resp = MHD_create_response_from_buffer(len, s, MHD_RESPMEM_MUST_FREE);
	MHD_add_response_header(resp, "Content-Type", web_type(name));
	MHD_add_response_header(resp, "Cache-Control", "no-cache");
	MHD_add_response_header(resp, "Content-Language", r->english ? "en" :
	    "vi");
	MHD_add_response_header(resp, "Vary", "Accept-Language");
	return web_queue(r, status, resp);
}

int
web_asset(struct web_req *r, const char *name)
{
	return web_asset_as(r, name, MHD_HTTP_OK);
}

/* A page for the roles allowed: others to the login page, or told no. */
int
web_page(struct web_req *r, const char *name, enum web_role allowed)
{
	char *to;
	int rc;

	if (!r->authed) {
		to = xasprintf("/dang-nhap?next=%s", r->url);
		rc = web_redirect(r, to);
		free(to);
		return rc;
	}
	if ((r->role & allowed) == 0)
		return web_asset_as(r, "forbidden.html", MHD_HTTP_FORBIDDEN);
	return web_asset(r, name);
}

json_t *
web_body_json(struct web_req *r)
{
	const char *type = MHD_lookup_connection_value(r->conn,
	    MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
	json_error_t je;
	json_t *j;

	if (r->too_big) {
		web_error(r, MHD_HTTP_CONTENT_TOO_LARGE, "the request is over "
		    "%d KB", WEB_BODY_MAX / 1024);
		return NULL;
	}
	/* JSON only: a form posted from another site cannot be JSON
	 * without the browser asking first. */
	if (type == NULL || strncasecmp(type, "application/json", 16) != 0) {
		web_error(r, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE, "the request must "
		    "be JSON (Content-Type: application/json)");
		return NULL;
	}
	j = json_loadb(r->body.data ? r->body.data : "", r->body.len,
	    JSON_REJECT_DUPLICATES, &je);
	if (j == NULL || !json_is_object(j)) {
		json_decref(j);
		web_error(r, MHD_HTTP_BAD_REQUEST, "the request is not a JSON "
		    "object");
		return NULL;
	}
	return j;
}

static void
web_address(struct web_req *r)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(r->conn,
	    MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci ? ci->client_addr : NULL;

	snprintf(r->address, sizeof r->address, "?");
	if (sa == NULL)
		return;
	if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr,
		    r->address, sizeof r->address);
	else if (sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->
		    sin6_addr, r->address, sizeof r->address);
}

/* English when the browser names it before any Vietnamese. */
static int
web_english(const char *al)
{
	const char *en, *vi;

	if (al == NULL)
		return 0;
	en = strcasestr(al, "en");
	vi = strcasestr(al, "vi");
	return en != NULL && (vi == NULL || en < vi);
}

static int
web_route(struct web_req *r)
{
	const char *u = r->url;

	if (strncmp(u, "/api/", 5) == 0)
		return web_api(r);
	if (strcmp(r->method, "GET") != 0 && strcmp(r->method, "HEAD") != 0)
		return web_error(r, MHD_HTTP_METHOD_NOT_ALLOWED, "pages are "
		    "only read (GET)");
	if (strncmp(u, "/static/", 8) == 0)
		return web_asset(r, u + 8);
	if (strcmp(u, "/dang-nhap") == 0)
		return web_asset(r, "login.html");
	if (strcmp(u, "/") == 0) {
		if (!r->authed)
			return web_redirect(r, "/dang-nhap");
		return web_redirect(r, r->role & ROLE_RECORDS ? "/tra-cuu" :
		    r->role & ROLE_REPORTS ? "/bao-cao" : "/dang-nhap");
	}
	if (strcmp(u, "/tra-cuu") == 0)
		return web_page(r, "search.html", ROLE_RECORDS);
	if (strncmp(u, "/ho-so/", 7) == 0)
		return web_page(r, "record.html", ROLE_RECORDS);
	if (strcmp(u, "/may-quet") == 0)
		return web_page(r, "scanners.html", ROLE_SCANNERS);
	if (strcmp(u, "/bao-cao") == 0)
		return web_page(r, "report.html", ROLE_REPORTS);
	if (strcmp(u, "/quan-tri") == 0)
		return web_page(r, "admin.html", ROLE_ADMIN);
	if (strcmp(u, "/favicon.ico") == 0)
		return web_asset(r, "favicon.svg");
	return web_error(r, MHD_HTTP_NOT_FOUND, "there is no such page");
}

enum MHD_Result
web_handle(void *cls, struct MHD_Connection *conn, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_size, void **con_cls)
{
	struct web_req *r = *con_cls;
	const char *cl;
	int rc;

	if (r == NULL) {
		r = xcalloc(1, sizeof *r);
		r->conn = conn;
		r->method = method;
		r->url = url;
		buf_init(&r->body, WEB_BODY_MAX);
		/* Told before the body comes: no need to read it. */
		cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
		    MHD_HTTP_HEADER_CONTENT_LENGTH);
		if (cl != NULL && strtoull(cl, NULL, 10) > WEB_BODY_MAX)
			r->too_big = 1;
		*con_cls = r;
		return MHD_YES;
	}
	if (*upload_size > 0) {
		if (!r->too_big && buf_append(&r->body, upload,
		    *upload_size) == -1)
			r->too_big = 1;
		*upload_size = 0;
		return MHD_YES;
	}
	web_address(r);
	r->english = web_english(MHD_lookup_connection_value(conn,
	    MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT_LANGUAGE));
	if (!vntext_utf8_valid(url, strlen(url)))
		rc = web_error(r, MHD_HTTP_BAD_REQUEST, "the address is not "
		    "valid UTF-8");
	else if (r->too_big && strncmp(url, "/api/", 5) == 0)
		rc = web_error(r, MHD_HTTP_CONTENT_TOO_LARGE, "the request is "
		    "over %d KB", WEB_BODY_MAX / 1024);
	else {
		web_auth_session(r);
		rc = web_route(r);
	}
	if (log_getverbose() > 0)
		log_info("%s %s %s %u %s", r->address, r->method, r->url,
		    r->status, r->authed ? r->user : "-");
	(void)cls;
	(void)version;
	return rc == 0 ? MHD_YES : MHD_NO;
}

void
web_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
    enum MHD_RequestTerminationCode code)
{
	struct web_req *r = *con_cls;

	if (r == NULL)
		return;
	buf_free(&r->body);
	free(r);
	*con_cls = NULL;
}
