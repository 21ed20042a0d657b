/*
 * web_auth.c: who is asking.
 *
 * A login checks the password with users.c (Argon2id) and opens a session:
 * a random 256-bit token in an HttpOnly, SameSite=Strict cookie (Secure
 * under TLS), and a second random token for CSRF that every request
 * changing something must carry in X-CSRF-Token.  Sessions live in this
 * process: a restart logs everyone out, which is what a restart after an
 * upgrade should do.  Each request looks its user up again, so a user
 * disabled (or given another role) loses the old session at once; one
 * idle for [web] session_idle_minutes is gone.
 *
 * Guessing is slowed and then refused: after WEB_SLOW_AFTER wrong
 * passwords in WEB_FAIL_WINDOW seconds for a user each answer waits a
 * second, and after WEB_LOCK_AFTER the user is refused with 429 for
 * WEB_LOCK_SECONDS, good password or not.  An address counts too, with
 * four times the room: a whole office may sit behind one address, and
 * one clerk's typing must not lock out the others.  Each wrong password
 * and each refusal goes into the access log.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "web.h"

#define WEB_SESSIONS		2048
#define WEB_GUESSERS		1024
#define WEB_FAIL_WINDOW		900
#define WEB_SLOW_AFTER		3
#define WEB_LOCK_AFTER		5
#define WEB_LOCK_SECONDS	300
#define WEB_ADDRESS_ROOM	4	/* an address: this many times more */

struct web_session {
	char	 token[65];
	char	 csrf[65];
	char	 user[65];
	char	 stamp[65];		/* users_get's, at sign-in */
	time_t	 last;
};

struct web_guesser {
	char	 key[80];		/* "u:NAME" or "a:ADDRESS" */
	int	 fails;
	time_t	 first;
	time_t	 locked_until;
};

static pthread_mutex_t web_auth_lock = PTHREAD_MUTEX_INITIALIZER;
static struct web_session web_sessions[WEB_SESSIONS];
static struct web_guesser web_guessers[WEB_GUESSERS];

static const struct {
	const char	*name;
	enum web_role	 role;
} web_roles[] = {
	{ "clerk", ROLE_CLERK },
	{ "staff", ROLE_STAFF },
	{ "auditor", ROLE_AUDITOR },
	{ "admin", ROLE_ADMIN },
};

const char *
web_role_name(enum web_role role)
{
	size_t i;

	for (i = 0; i < sizeof web_roles / sizeof web_roles[0]; i++)
		if (web_roles[i].role == role)
			return web_roles[i].name;
	return "none";
}

enum web_role
web_role_named(const char *name)
{
	size_t i;

	for (i = 0; name != NULL && i < sizeof web_roles / sizeof web_roles[0];
	    i++)
		if (strcmp(web_roles[i].name, name) == 0)
			return web_roles[i].role;
	return ROLE_NONE;
}

void
web_auth_init(void)
{
	if (RAND_status() != 1)
		fatalx("the random number generator is not seeded");
}

static void
web_random_hex(char out[65])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char b[32];
	size_t i;

	if (RAND_bytes(b, sizeof b) != 1)
		fatalx("the random number generator failed");
	for (i = 0; i < sizeof b; i++) {
		out[2 * i] = hex[b[i] >> 4];
		out[2 * i + 1] = hex[b[i] & 15];
	}
	out[64] = '\0';
	OPENSSL_cleanse(b, sizeof b);
}

/* Under web_auth_lock. */
static struct web_session *
web_session_find(const char *token)
{
	size_t i;

	if (token == NULL || strlen(token) != 64)
		return NULL;
	for (i = 0; i < WEB_SESSIONS; i++)
		if (web_sessions[i].token[0] != '\0' &&
		    CRYPTO_memcmp(web_sessions[i].token, token, 64) == 0)
			return &web_sessions[i];
	return NULL;
}

void
web_auth_actor_of(struct web_req *r, const char *purpose,
    struct accesslog_actor *a)
{
	memset(a, 0, sizeof *a);
	/* Before a login the name typed is the one tried. */
	a->user = r->user[0] != '\0' ? r->user : "-";
	a->address = r->address;
	a->via = "web";
	a->purpose = purpose;
}

void
web_auth_actor(struct web_req *r, struct index *ix, const char *purpose)
{
	struct accesslog_actor a;
	char err[ERRMAX];

	web_auth_actor_of(r, purpose, &a);
	if (accesslog_set_actor(ix, &a, err) == -1)
		log_warnx("%s", err);	/* purposes are capped before */
}

void
web_auth_session(struct web_req *r)
{
	const char *token = MHD_lookup_connection_value(r->conn,
	    MHD_COOKIE_KIND, "sohoa_session");
	struct web_session *s;
	struct index *ix;
	char user[65], role[USERS_ROLEMAX], stamp[65], now_stamp[65];
	time_t now = time(NULL);
	int disabled = 0, found = 0;

	r->authed = 0;
	pthread_mutex_lock(&web_auth_lock);
	if ((s = web_session_find(token)) != NULL) {
		if (now - s->last > web_conf.idle_seconds)
			memset(s, 0, sizeof *s);
		else {
			s->last = now;
			found = 1;
			memcpy(user, s->user, sizeof user);
			memcpy(stamp, s->stamp, sizeof stamp);
			memcpy(r->token, s->token, sizeof r->token);
			memcpy(r->csrf, s->csrf, sizeof r->csrf);
		}
	}
	pthread_mutex_unlock(&web_auth_lock);
	if (!found || (ix = web_index()) == NULL)
		return;
	/* The user as the database says now: disabled, another role, or a
	 * new password (which ends the sessions of the old one: a password
	 * is changed because someone else may know it). */
	if (users_get(ix, user, role, &disabled, now_stamp) == -1 ||
	    disabled || strcmp(now_stamp, stamp) != 0) {
		pthread_mutex_lock(&web_auth_lock);
		if ((s = web_session_find(token)) != NULL)
			memset(s, 0, sizeof *s);
		pthread_mutex_unlock(&web_auth_lock);
		return;
	}
	snprintf(r->user, sizeof r->user, "%s", user);
	r->role = web_role_named(role);
	r->authed = r->role != ROLE_NONE;
}

int
web_auth_csrf_ok(struct web_req *r)
{
	const char *t = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND,
	    "X-CSRF-Token");

	return r->authed && t != NULL && strlen(t) == 64 &&
	    CRYPTO_memcmp(t, r->csrf, 64) == 0;
}

/* Under web_auth_lock: the guesser of key, made when make is set. */
static struct web_guesser *
web_guesser(const char *key, time_t now, int make)
{
	struct web_guesser *g, *oldest = &web_guessers[0];
	size_t i;

	for (i = 0; i < WEB_GUESSERS; i++) {
		g = &web_guessers[i];
		if (g->key[0] != '\0' && strcmp(g->key, key) == 0) {
			if (g->locked_until <= now &&
			    now - g->first > WEB_FAIL_WINDOW) {
				g->fails = 0;
				g->first = now;
			}
			return g;
		}
		if (g->key[0] == '\0' || g->first < oldest->first)
			oldest = g;
	}
	if (!make)
		return NULL;
	/* Full: the oldest that is not locked makes room. */
	g = oldest;
	if (g->locked_until > now)
		for (i = 0; i < WEB_GUESSERS; i++)
			if (web_guessers[i].locked_until <= now) {
				g = &web_guessers[i];
				break;
			}
	memset(g, 0, sizeof *g);
	snprintf(g->key, sizeof g->key, "%s", key);
	g->first = now;
	return g;
}

/* Seconds the user or the address is refused for, 0 when it may try. */
static long
web_guess_locked(const char *ukey, const char *akey, time_t now)
{
	struct web_guesser *g;
	long wait = 0;

	pthread_mutex_lock(&web_auth_lock);
	if ((g = web_guesser(ukey, now, 0)) != NULL && g->locked_until > now)
		wait = g->locked_until - now;
	if ((g = web_guesser(akey, now, 0)) != NULL && g->locked_until > now &&
	    g->locked_until - now > wait)
		wait = g->locked_until - now;
	pthread_mutex_unlock(&web_auth_lock);
	return wait;
}

/* Counts a wrong password; returns the most failures of the two, an
 * address's divided by its room. */
static int
web_guess_failed(const char *ukey, const char *akey, time_t now)
{
	const char *keys[2] = { ukey, akey };
	struct web_guesser *g;
	int most = 0, i;

	pthread_mutex_lock(&web_auth_lock);
	for (i = 0; i < 2; i++) {
		int room = i == 0 ? 1 : WEB_ADDRESS_ROOM;

		g = web_guesser(keys[i], now, 1);
		if (++g->fails >= WEB_LOCK_AFTER * room)
			g->locked_until = now + WEB_LOCK_SECONDS;
		if (g->fails / room > most)
			most = g->fails / room;
	}
	pthread_mutex_unlock(&web_auth_lock);
	return most;
}

static void
web_guess_forget(const char *ukey, const char *akey)
{
	struct web_guesser *g;
	time_t now = time(NULL);

	pthread_mutex_lock(&web_auth_lock);
	if ((g = web_guesser(ukey, now, 0)) != NULL && g->locked_until <= now)
		memset(g, 0, sizeof *g);
	if ((g = web_guesser(akey, now, 0)) != NULL && g->locked_until <= now)
		memset(g, 0, sizeof *g);
	pthread_mutex_unlock(&web_auth_lock);
}

static int
web_session_open(struct web_req *r, const char *user, const char *stamp)
{
	struct web_session *s = NULL, *oldest = &web_sessions[0];
	time_t now = time(NULL);
	size_t i;

	pthread_mutex_lock(&web_auth_lock);
	for (i = 0; i < WEB_SESSIONS && s == NULL; i++) {
		if (web_sessions[i].token[0] == '\0' ||
		    now - web_sessions[i].last > web_conf.idle_seconds)
			s = &web_sessions[i];
		else if (web_sessions[i].last < oldest->last)
			oldest = &web_sessions[i];
	}
	if (s == NULL)
		s = oldest;	/* the longest idle gives way */
	web_random_hex(s->token);
	web_random_hex(s->csrf);
	snprintf(s->user, sizeof s->user, "%s", user);
	snprintf(s->stamp, sizeof s->stamp, "%s", stamp);
	s->last = now;
	memcpy(r->token, s->token, sizeof r->token);
	memcpy(r->csrf, s->csrf, sizeof r->csrf);
	pthread_mutex_unlock(&web_auth_lock);
	return 0;
}

int
web_auth_login(struct web_req *r)
{
	struct index *ix;
	json_t *body;
	const char *user, *password;
	char ukey[80], akey[80], role[USERS_ROLEMAX], err[ERRMAX], stamp[65];
	time_t now = time(NULL);
	long wait;
	int fails, rc, disabled;

	if ((body = web_body_json(r)) == NULL)
		return 0;
	user = json_string_value(json_object_get(body, "user"));
	password = json_string_value(json_object_get(body, "password"));
	if (user == NULL || password == NULL || *user == '\0' ||
	    strlen(user) > 64 || strlen(password) > 1024) {
		json_decref(body);
		return web_error(r, MHD_HTTP_BAD_REQUEST, "give \"user\" and "
		    "\"password\" as strings");
	}
	if ((ix = web_index()) == NULL) {
		json_decref(body);
		return web_error(r, MHD_HTTP_SERVICE_UNAVAILABLE, "the "
		    "database cannot be opened");
	}
	snprintf(ukey, sizeof ukey, "u:%s", user);
	snprintf(akey, sizeof akey, "a:%s", r->address);
	snprintf(r->user, sizeof r->user, "%s", user);
	web_auth_actor(r, ix, NULL);
	if ((wait = web_guess_locked(ukey, akey, now)) > 0) {
		web_log_event(ix, "login-refused", "too many wrong passwords",
		    err);
		json_decref(body);
		rc = web_error(r, MHD_HTTP_TOO_MANY_REQUESTS, "too many wrong "
		    "passwords: try again in %ld minutes", (wait + 59) / 60);
		return rc;
	}
	rc = users_check(ix, user, password, role, err);
	json_decref(body);	/* user and password with it: r->user is kept */
	user = r->user;
	if (rc == -2)
		return web_error(r, MHD_HTTP_SERVICE_UNAVAILABLE, "%s", err);
	if (rc == -1) {
		fails = web_guess_failed(ukey, akey, now);
		web_log_event(ix, "login-failed", "wrong user or password",
		    err);
		if (fails >= WEB_SLOW_AFTER)
			sleep(1);
		if (fails >= WEB_LOCK_AFTER)
			return web_error(r, MHD_HTTP_TOO_MANY_REQUESTS, "too "
			    "many wrong passwords: try again in %d minutes",
			    WEB_LOCK_SECONDS / 60);
		return web_error(r, MHD_HTTP_UNAUTHORIZED, "wrong user name "
		    "or password");
	}
	web_guess_forget(ukey, akey);
	if (users_get(ix, user, role, &disabled, stamp) == -1)
		return web_error(r, MHD_HTTP_SERVICE_UNAVAILABLE, "the user "
		    "cannot be read from the database");
	web_session_open(r, user, stamp);
	r->authed = 1;
	r->role = web_role_named(role);
	web_auth_actor(r, ix, NULL);
	if (web_log_event(ix, "login", NULL, err) == -1)
		return web_error(r, MHD_HTTP_SERVICE_UNAVAILABLE, "the access "
		    "log cannot be written: %s", err);
	web_set_cookie(r, r->token, web_conf.idle_seconds * 4);
	return web_json(r, MHD_HTTP_OK, json_pack("{s:s, s:s, s:s}", "user",
	    user, "role", role, "csrf", r->csrf));
}

int
web_auth_logout(struct web_req *r)
{
	struct web_session *s;
	struct index *ix;
	char err[ERRMAX];

	if (r->authed) {
		pthread_mutex_lock(&web_auth_lock);
		if ((s = web_session_find(r->token)) != NULL)
			memset(s, 0, sizeof *s);
		pthread_mutex_unlock(&web_auth_lock);
		if ((ix = web_index()) != NULL) {
			web_auth_actor(r, ix, NULL);
			web_log_event(ix, "logout", NULL, err);
		}
	}
	web_set_cookie(r, "", 0);
	return web_json(r, MHD_HTTP_OK, json_object());
}

int
web_auth_me(struct web_req *r)
{
	/* source tells the pages whose records they show: a city console's
	 * links name records OFFICE:ID and it has no scans to show. */
	return web_json(r, MHD_HTTP_OK, json_pack("{s:s, s:s, s:s, s:s, s:s}",
	    "user", r->user, "role", web_role_name(r->role), "csrf", r->csrf,
	    "lang", r->english ? "en" : "vi", "source",
	    web_conf.conf.web_source_city ? "city" : "office"));
}
