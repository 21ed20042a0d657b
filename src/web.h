/*
 * web.h: the internals sohoa-web's files share (web.c, web_http.c,
 * web_auth.c, web_api.c, web_city.c, web_admin.c, web_log.c and the
 * generated web_assets.c).
 * Nothing here is in the library: the process facing the network only
 * links what it serves.
 */
#ifndef SOHOA_WEB_H
#define SOHOA_WEB_H

#include <stddef.h>
#include <time.h>

#include <jansson.h>
#include <microhttpd.h>

#include "sohoa.h"

#define WEB_BODY_MAX	(64 * 1024)	/* a request body, JSON */
#define WEB_QUERY_MAX	1000		/* bytes of a search query */
#define WEB_PURPOSE_MAX	500		/* bytes of a stated purpose */

enum web_role { ROLE_NONE = 0, ROLE_CLERK = 1, ROLE_STAFF = 2,
    ROLE_AUDITOR = 4, ROLE_ADMIN = 8 };
#define ROLE_ANY	(ROLE_CLERK | ROLE_STAFF | ROLE_AUDITOR | ROLE_ADMIN)
#define ROLE_RECORDS	(ROLE_CLERK | ROLE_STAFF | ROLE_ADMIN)
#define ROLE_SCANNERS	(ROLE_STAFF | ROLE_ADMIN)
#define ROLE_REPORTS	(ROLE_AUDITOR | ROLE_ADMIN)

/* What sohoa-web was started with. */
struct web_conf {
	const char	*datadir;
	struct conf	 conf;
	struct profile	*profiles;
	size_t		 nprofiles;
	int		 tls;
	int		 idle_seconds;		/* a session's idle timeout */
};
extern struct web_conf web_conf;

/* One request, from its first call to its end. */
struct web_req {
	struct MHD_Connection *conn;
	const char	*method;
	const char	*url;
	char		 address[64];	/* the client's, as text */
	int		 english;	/* Accept-Language prefers English */
	struct buf	 body;
	int		 too_big;
	/* the session, when the cookie names a live one */
	int		 authed;
	char		 user[65];
	enum web_role	 role;
	char		 csrf[65];
	char		 token[65];
	/* the answer */
	char		 cookie[160];	/* Set-Cookie of the answer, or "" */
	unsigned	 status;
};

/* web.c: one handle on the index per server thread. */
struct index *web_index(void);

/* web_http.c: answers. */
const char *web_arg(struct web_req *, const char *name);
int	web_json(struct web_req *, unsigned status, json_t *j);	/* steals j */
int	web_error(struct web_req *, unsigned status, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
int	web_bytes(struct web_req *, unsigned status, const char *type,
	    void *data, size_t len, const char *filename, int attachment);
/* The whole of the file fd from its start (closed when sent). */
int	web_file(struct web_req *, unsigned status, const char *type, int fd,
	    const char *filename, int attachment);
int	web_redirect(struct web_req *, const char *to);
int	web_page(struct web_req *, const char *name, enum web_role allowed);
int	web_asset(struct web_req *, const char *name);
void	web_set_cookie(struct web_req *, const char *value, int max_age);
/* The body as a JSON object, or NULL after answering 400 or 413. */
json_t	*web_body_json(struct web_req *);
enum MHD_Result web_handle(void *cls, struct MHD_Connection *,
	    const char *url, const char *method, const char *version,
	    const char *upload, size_t *upload_size, void **con_cls);
void	web_completed(void *cls, struct MHD_Connection *, void **con_cls,
	    enum MHD_RequestTerminationCode);

/* web_auth.c: sessions, CSRF, slowing and refusing password guessing. */
void	web_auth_init(void);
/* Reads the session cookie into r (r->authed); a session idle too long,
 * or whose user was disabled since, is dropped. */
void	web_auth_session(struct web_req *);
/* 1 when a change request carries the session's CSRF token. */
int	web_auth_csrf_ok(struct web_req *);
int	web_auth_login(struct web_req *);
int	web_auth_logout(struct web_req *);
int	web_auth_me(struct web_req *);
const char *web_role_name(enum web_role);
enum web_role web_role_named(const char *);
/* Sets the access log's actor of ix to r's user and address, with purpose
 * (or NULL). */
void	web_auth_actor(struct web_req *, struct index *, const char *purpose);
/* The same actor into *a (its strings r's and purpose), for the city's
 * access log. */
struct accesslog_actor;
void	web_auth_actor_of(struct web_req *, const char *purpose,
	    struct accesslog_actor *a);

/* web_api.c: the JSON API the pages use. */
int	web_api(struct web_req *);
/* A query argument as text, checked: NULL when absent or empty; *bad set
 * (after answering 400) when it holds a NUL, is not UTF-8, or is over
 * max. */
const char *web_text_arg(struct web_req *, const char *name, size_t max,
	    int *bad);
/* The ID numbers of a record (and its snippet's) masked: 001******345. */
void	web_mask_doc(json_t *);
/* reveal=1 asks for the full ID numbers: only with a purpose.  *purpose
 * is NULL when not revealing; -1 after answering 400. */
int	web_reveal(struct web_req *, const char **purpose);
/* A search's arguments (q, the filters, limit, reveal and purpose) into
 * *f, *q, *limit and *purpose: 0, or -1 once answered (400, or 200 with
 * no results when nothing was asked). */
struct search_filter;
int	web_search_args(struct web_req *, struct search_filter *f,
	    const char **q, int *limit, const char **purpose);
/* The report's arguments into *o: 0, or -1 after answering 400. */
struct report_opts;
int	web_report_args(struct web_req *, struct report_opts *o);
/* Sends rep (stolen) as JSON, or as CSV when csv. */
int	web_report_send(struct web_req *, json_t *rep, int csv);

/* web_city.c: the records from the city database ([web] source = city). */
/* The threads' links; called once at start-up, before the server. */
void	web_city_init(void);
/* search, report, report.csv and documents/... under /api/ (u). */
int	web_city_api(struct web_req *, const char *u);

/* web_log.c: access-log entries as accesslog.c's (with ix's actor), but
 * committed in groups with the other threads' (one flush for many). */
int	web_log_search(struct index *, const char *query,
	    const struct search_filter *, int results, char *err);
int	web_log_get(struct index *, int64_t id, const char *taken, char *err);
int	web_log_show(struct index *, int64_t id, char *err);
int	web_log_event(struct index *, const char *action, const char *what,
	    char *err);

/* web_admin.c: users and the access log, for admins. */
int	web_admin_users(struct web_req *, const char *rest);
int	web_admin_log(struct web_req *, int csv);

/* web_assets.c (generated from web/ by the Makefile). */
struct web_asset {
	const char		*name;
	const unsigned char	*data;
	size_t			 len;
};
extern const struct web_asset web_assets[];
extern const size_t web_nassets;

#endif
