/*
 * conf.c: sohoa.conf, the settings of one installation: where data and
 * scanner profiles live, how many workers and with what limits, and the
 * digitization targets per level that auditors check against.
 *
 * The levels and their targets are configuration, not code: [targets]
 * names the levels, in the order reports show them (city, district and
 * commune without it).  Since 1 July 2025 there are two tiers, province
 * and commune, yet results the former districts issued stay valid and
 * still count: [levels] says under which level they go, and which words
 * of a register mean which level (levels.c reads them).
 *
 *	[sohoa]
 *	data = /var/lib/sohoa
 *	profiles = /etc/sohoa/scanner-profiles
 *	workers = 0
 *	job_time_limit = 600
 *	job_memory_mb = 4096
 *	max_pages = 1000
 *	rescan_seconds = 60
 *	optimize_after = 500
 *	optimize_idle_seconds = 60
 *	min_free_mb = 64
 *
 *	[targets]
 *	city = 70%
 *	district = 60%
 *	commune = 50%
 *
 *	[web]			(sohoa-web, the console on the office LAN)
 *	listen = 127.0.0.1:8080
 *	tls_cert = /etc/sohoa/web.crt	(both or neither: HTTPS)
 *	tls_key = /etc/sohoa/web.key
 *	session_idle_minutes = 30
 *	source = office		(or city: records read from [city]'s database)
 *
 *	[levels]		(an installation of two tiers)
 *	province = tỉnh, thành phố, cấp tỉnh
 *	former_district = province
 *
 *	[city]			(the city's PostgreSQL; both or neither)
 *	url = host=/run/postgresql dbname=city user=sohoa_phuong_x
 *	office = phuong-x
 *
 * The url names no password: libpq reads it from the .pgpass or service
 * file of whoever runs sohoa, where ps and the shell's history cannot see
 * it.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sohoa.h"

enum conf_key {
	CK_DATA,
	CK_PROFILES,
	CK_WORKERS,
	CK_TIME_LIMIT,
	CK_MEMORY,
	CK_MAX_PAGES,
	CK_RESCAN,
	CK_OPTIMIZE_AFTER,
	CK_OPTIMIZE_IDLE,
	CK_MIN_FREE,
	CK_TARGET,
	CK_LEVELS,
	CK_WEB_LISTEN,
	CK_WEB_TLS_CERT,
	CK_WEB_TLS_KEY,
	CK_WEB_IDLE,
	CK_WEB_SOURCE,
	CK_CITY_URL,
	CK_CITY_OFFICE,
	CK_COUNT
};

static const struct cfgfile_key conf_keys[CK_COUNT] = {
	[CK_DATA] =		{ "sohoa", "data", 0 },
	[CK_PROFILES] =		{ "sohoa", "profiles", 0 },
	[CK_WORKERS] =		{ "sohoa", "workers", 0 },
	[CK_TIME_LIMIT] =	{ "sohoa", "job_time_limit", 0 },
	[CK_MEMORY] =		{ "sohoa", "job_memory_mb", 0 },
	[CK_MAX_PAGES] =	{ "sohoa", "max_pages", 0 },
	[CK_RESCAN] =		{ "sohoa", "rescan_seconds", 0 },
	[CK_OPTIMIZE_AFTER] =	{ "sohoa", "optimize_after", 0 },
	[CK_OPTIMIZE_IDLE] =	{ "sohoa", "optimize_idle_seconds", 0 },
	[CK_MIN_FREE] =		{ "sohoa", "min_free_mb", 0 },
	[CK_TARGET] =		{ "targets", "*", 0 },
	[CK_LEVELS] =		{ "levels", "*", 0 },
	[CK_WEB_LISTEN] =	{ "web", "listen", 0 },
	[CK_WEB_TLS_CERT] =	{ "web", "tls_cert", 0 },
	[CK_WEB_TLS_KEY] =	{ "web", "tls_key", 0 },
	[CK_WEB_IDLE] =		{ "web", "session_idle_minutes", 0 },
	[CK_WEB_SOURCE] =	{ "web", "source", 0 },
	[CK_CITY_URL] =		{ "city", "url", 0 },
	[CK_CITY_OFFICE] =	{ "city", "office", 0 },
};

#define CONF_FORMER_DISTRICT	"former_district"

static void
conf_free_targets(struct conf *c)
{
	size_t i, j;

	for (i = 0; i < c->ntargets; i++) {
		free(c->targets[i].level);
		for (j = 0; j < c->targets[i].nwords; j++)
			free(c->targets[i].words[j]);
		free(c->targets[i].words);
	}
	free(c->targets);
	c->targets = NULL;
	c->ntargets = 0;
	free(c->former_district);
	c->former_district = NULL;
}

static void
conf_add_target(struct conf *c, const char *level, double target)
{
	size_t i;

	for (i = 0; i < c->ntargets; i++)
		if (strcmp(c->targets[i].level, level) == 0) {
			c->targets[i].target = target;
			return;
		}
	c->targets = xrealloc(c->targets, (c->ntargets + 1) *
	    sizeof *c->targets);
	memset(&c->targets[c->ntargets], 0, sizeof *c->targets);
	c->targets[c->ntargets].level = xstrdup(level);
	c->targets[c->ntargets].target = target;
	c->ntargets++;
}

static void
conf_defaults(struct conf *c)
{
	memset(c, 0, sizeof *c);
	c->profiles = xstrdup(SOHOA_SYSCONFDIR "/scanner-profiles");
	c->job_time_limit = 600;
	c->job_memory_mb = 4096;
	c->max_pages = 1000;
	c->rescan_seconds = 60;
	c->optimize_after = 500;
	c->optimize_idle_seconds = 60;
	c->min_free_mb = 64;
	c->web_listen = xstrdup("127.0.0.1:8080");
	c->web_idle_minutes = 30;
	conf_add_target(c, "city", 0.70);
	conf_add_target(c, "district", 0.60);
	conf_add_target(c, "commune", 0.50);
}

/* "70%", "70" and "0.7" all mean seventy per cent. */
static int
conf_parse_target(const char *v, double *out)
{
	char *end;
	double d;

	errno = 0;
	d = strtod(v, &end);
	if (errno != 0 || end == v || !isfinite(d))
		return -1;
	if (*end == '%') {
		end++;
		d /= 100;
	} else if (d > 1)
		d /= 100;
	while (*end == ' ')
		end++;
	if (*end != '\0' || d < 0 || d > 1)
		return -1;
	*out = d;
	return 0;
}

struct conf_parse {
	struct conf *c;
	char	**seen;		/* levels named in [targets] */
	size_t	 nseen;
	char	**lseen;	/* keys of [levels] */
	size_t	 nlseen;
};

static int
conf_seen(char ***seen, size_t *n, const char *name)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if (strcmp((*seen)[i], name) == 0)
			return 1;
	*seen = xrealloc(*seen, (*n + 1) * sizeof **seen);
	(*seen)[(*n)++] = xstrdup(name);
	return 0;
}

static void
conf_levels_named(const struct conf *c, char *why)
{
	struct buf b;

	buf_init(&b, ERRMAX / 4);
	levels_list(c, ", ", &b);
	snprintf(why, ERRMAX / 2, "%s", b.data ? b.data : "none");
	buf_free(&b);
}

/* [levels] former_district = LEVEL: where the districts' results go. */
static int
conf_set_former(struct conf *c, const char *v, char *why)
{
	char names[ERRMAX / 2];

	if (conf_target(c, "district") >= 0) {
		snprintf(why, ERRMAX / 2, "former_district says where the "
		    "results of the former districts count when there is no "
		    "district level, but [targets] names one");
		return -1;
	}
	if (conf_target(c, v) < 0) {
		conf_levels_named(c, names);
		snprintf(why, ERRMAX / 2, "former_district must name one of "
		    "the levels of [targets] (%.200s), not '%.100s'", names, v);
		return -1;
	}
	c->former_district = xstrdup(v);
	return 0;
}

/* The length of s without the blanks at its end. */
static size_t
conf_trimmed(const char *s)
{
	size_t n = strlen(s);

	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	return n;
}

/* The other level whose name or own words are w already, or NULL. */
static const char *
conf_word_taken(const struct conf *c, const struct conf_target *t,
    const char *w)
{
	const char *other = NULL;
	char *own;
	size_t i, j;

	for (i = 0; i < c->ntargets && other == NULL; i++) {
		own = levels_word(c->targets[i].level);
		if (strcmp(own, w) == 0 && &c->targets[i] != t)
			other = c->targets[i].level;
		free(own);
		for (j = 0; j < c->targets[i].nwords && other == NULL; j++)
			if (strcmp(c->targets[i].words[j], w) == 0)
				other = c->targets[i].level;
	}
	return other;
}

/* [levels] LEVEL = word, word...: the register words that mean LEVEL. */
static int
conf_set_words(struct conf *c, const char *name, const char *v, char *why)
{
	struct conf_target *t = NULL;
	const char *other;
	char names[ERRMAX / 2], *copy, *word, *save, *w;
	size_t i;
	int rc = 0;

	for (i = 0; i < c->ntargets; i++)
		if (strcmp(c->targets[i].level, name) == 0)
			t = &c->targets[i];
	if (t == NULL) {
		conf_levels_named(c, names);
		snprintf(why, ERRMAX / 2, "'%.100s' is not one of the levels "
		    "(%.200s): [levels] lists the register's words for the "
		    "levels [targets] names above it, or says former_district "
		    "= LEVEL", name, names);
		return -1;
	}
	copy = xstrdup(v);
	for (word = strtok_r(copy, ",", &save); word != NULL && rc == 0;
	    word = strtok_r(NULL, ",", &save)) {
		word += strspn(word, " \t");
		word[conf_trimmed(word)] = '\0';
		w = levels_word(word);
		if (*w == '\0') {
			snprintf(why, ERRMAX / 2, "the words for '%.100s' are "
			    "separated by commas, and none may be empty", name);
			rc = -1;
		} else if ((other = conf_word_taken(c, t, w)) != NULL) {
			snprintf(why, ERRMAX / 2, "'%.100s' already means the "
			    "level '%.100s'", word, other);
			rc = -1;
		} else {
			t->words = xrealloc(t->words, (t->nwords + 1) *
			    sizeof *t->words);
			t->words[t->nwords++] = w;
			w = NULL;
		}
		free(w);
	}
	free(copy);
	return rc;
}

static int
conf_set(void *arg, int k, const char *name, const char *v, char *why)
{
	struct conf_parse *cp = arg;
	struct conf *c = cp->c;
	double t;
	size_t i;

	switch ((enum conf_key)k) {
	case CK_DATA:
		free(c->data);
		c->data = xstrdup(v);
		return 0;
	case CK_PROFILES:
		free(c->profiles);
		c->profiles = xstrdup(v);
		return 0;
	case CK_WORKERS:
		if (cfgfile_int(v, 0, 256, &c->workers) == 0)
			return 0;
		snprintf(why, ERRMAX / 2, "workers must be a whole number from "
		    "0 (one per core) to 256, not '%s'", v);
		return -1;
	case CK_TIME_LIMIT:
		if (cfgfile_int(v, 10, 86400, &c->job_time_limit) == 0)
			return 0;
		snprintf(why, ERRMAX / 2, "job_time_limit must be a number of "
		    "seconds from 10 to 86400, not '%s'", v);
		return -1;
	case CK_MEMORY:
		if (cfgfile_int(v, 256, 1 << 20, &c->job_memory_mb) == 0)
			return 0;
		snprintf(why, ERRMAX / 2, "job_memory_mb must be a number of "
		    "megabytes from 256 to 1048576, not '%s'", v);
		return -1;
	case CK_MAX_PAGES:
		if (cfgfile_int(v, 1, 100000, &c->max_pages) == 0)
			return 0;
		snprintf(why, ERRMAX / 2, "max_pages must be a whole number "
		    "from 1 to 100000, not '%s'", v);
		return -1;
	case CK_RESCAN:
		if (cfgfile_int(v, 1, 86400, &c->rescan_seconds) == 0)
			return 0;
		snprintf(why, ERRMAX / 2, "rescan_seconds must be a number of "
		    "seconds from 1 to 86400, not '%s'", v);
		return -1;
	case CK_OPTIMIZE_AFTER:
		if (cfgfile_int(v, 0, 100000000, &c->optimize_after) == 0)
			return 0;
		snprintf(why, ERRMAX / 2, "optimize_after must be a number of "
		    "documents (0 = never), not '%s'", v);
		return -1;
	case CK_OPTIMIZE_IDLE:
		if (cfgfile_int(v, 1, 86400, &c->optimize_idle_seconds) == 0)
			return 0;
		snprintf(why, ERRMAX / 2, "optimize_idle_seconds must be a "
		    "number of seconds from 1 to 86400, not '%s'", v);
		return -1;
	case CK_MIN_FREE:
		if (cfgfile_int(v, 0, 1 << 20, &c->min_free_mb) == 0)
			return 0;
		snprintf(why, ERRMAX / 2, "min_free_mb must be a number of "
		    "megabytes from 0 to 1048576, not '%s'", v);
		return -1;
	case CK_TARGET:
		for (i = 0; i < cp->nseen; i++)
			if (strcmp(cp->seen[i], name) == 0) {
				snprintf(why, ERRMAX / 2, "the target for '%s' "
				    "is set twice", name);
				return -1;
			}
		if (cp->nlseen > 0) {
			snprintf(why, ERRMAX / 2, "[targets] names the levels "
			    "[levels] speaks of: write it first");
			return -1;
		}
		if (strcmp(name, CONF_FORMER_DISTRICT) == 0) {
			snprintf(why, ERRMAX / 2, "former_district is no level "
			    "but a key of [levels]");
			return -1;
		}
		if (strspn(name, "abcdefghijklmnopqrstuvwxyz_-") !=
		    strlen(name)) {
			snprintf(why, ERRMAX / 2, "a level name is written in "
			    "small letters, such as commune, not '%s'", name);
			return -1;
		}
		if (conf_parse_target(v, &t) == -1) {
			snprintf(why, ERRMAX / 2, "the target for '%s' must be "
			    "a share such as 70%% or 0.7, not '%s'", name, v);
			return -1;
		}
		/* The first level named drops the built-in ones: the file
		 * says which levels there are. */
		if (cp->nseen == 0)
			conf_free_targets(c);
		cp->seen = xrealloc(cp->seen, (cp->nseen + 1) *
		    sizeof *cp->seen);
		cp->seen[cp->nseen++] = xstrdup(name);
		conf_add_target(c, name, t);
		return 0;
	case CK_LEVELS:
		if (conf_seen(&cp->lseen, &cp->nlseen, name)) {
			snprintf(why, ERRMAX / 2, "'%s' is set twice in "
			    "[levels]", name);
			return -1;
		}
		if (strcmp(name, CONF_FORMER_DISTRICT) == 0)
			return conf_set_former(c, v, why);
		return conf_set_words(c, name, v, why);
	case CK_WEB_LISTEN:
		free(c->web_listen);
		c->web_listen = xstrdup(v);
		return 0;
	case CK_WEB_TLS_CERT:
		free(c->web_tls_cert);
		c->web_tls_cert = xstrdup(v);
		return 0;
	case CK_WEB_TLS_KEY:
		free(c->web_tls_key);
		c->web_tls_key = xstrdup(v);
		return 0;
	case CK_WEB_IDLE:
		if (cfgfile_int(v, 1, 24 * 60, &c->web_idle_minutes) == 0)
			return 0;
		snprintf(why, ERRMAX / 2, "session_idle_minutes must be a "
		    "number of minutes from 1 to 1440, not '%s'", v);
		return -1;
	case CK_WEB_SOURCE:
		if (strcmp(v, "office") == 0 || strcmp(v, "city") == 0) {
			c->web_source_city = v[0] == 'c';
			return 0;
		}
		snprintf(why, ERRMAX / 2, "source is office (this office's "
		    "records) or city (the city database's), not '%s'", v);
		return -1;
	case CK_CITY_URL:
		if (city_url_ok(v, why) == -1)
			return -1;
		free(c->city_url);
		c->city_url = xstrdup(v);
		return 0;
	case CK_CITY_OFFICE:
		if (city_office_ok(v, why) == -1)
			return -1;
		free(c->city_office);
		c->city_office = xstrdup(v);
		return 0;
	case CK_COUNT:
		break;
	}
	fatalx("%s: no such key", __func__);
}

int
conf_load(const char *path, struct conf *out, char *err)
{
	static const char *const sections[] = { "sohoa", "targets", "levels",
	    "web", "city", NULL };
	struct conf_parse cp;
	int lines[CK_COUNT];
	const char *env;
	char *deflt = NULL;
	size_t i;
	int rc;

	conf_defaults(out);
	if (path == NULL) {
		if ((env = getenv("SOHOA_CONF")) != NULL && *env != '\0')
			path = env;
		else {
			deflt = xstrdup(SOHOA_SYSCONFDIR "/sohoa.conf");
			if (access(deflt, F_OK) == -1) {
				free(deflt);
				return 0;	/* no file: the defaults */
			}
			path = deflt;
		}
	}
	memset(&cp, 0, sizeof cp);
	cp.c = out;
	out->path = xstrdup(path);
	rc = cfgfile_parse(path, sections, conf_keys, CK_COUNT, conf_set, &cp,
	    lines, err);
	for (i = 0; i < cp.nseen; i++)
		free(cp.seen[i]);
	free(cp.seen);
	for (i = 0; i < cp.nlseen; i++)
		free(cp.lseen[i]);
	free(cp.lseen);
	free(deflt);
	if (rc == 0 && (out->web_tls_cert == NULL) !=
	    (out->web_tls_key == NULL)) {
		snprintf(err, ERRMAX, "%s: [web] needs both tls_cert and "
		    "tls_key for HTTPS, or neither", out->path);
		rc = -1;
	}
	/* One without the other would ship nowhere, or as nobody. */
	if (rc == 0 && (out->city_url == NULL) != (out->city_office == NULL)) {
		snprintf(err, ERRMAX, "%s:%d: [city] needs both url (the city "
		    "database) and office (this installation's name there), "
		    "or neither", out->path, out->city_url != NULL ?
		    lines[CK_CITY_URL] : lines[CK_CITY_OFFICE]);
		rc = -1;
	}
	/* A city console reads from the [city] database: without it there
	 * is nothing to read. */
	if (rc == 0 && out->web_source_city && out->city_url == NULL) {
		snprintf(err, ERRMAX, "%s:%d: [web] source = city needs a [city] "
		    "section with url (the city database) and office (the name "
		    "this console logs under)", out->path, lines[CK_WEB_SOURCE]);
		rc = -1;
	}
	if (rc == -1)
		conf_free(out);
	return rc;
}

double
conf_target(const struct conf *c, const char *level)
{
	size_t i;

	for (i = 0; level != NULL && i < c->ntargets; i++)
		if (strcmp(c->targets[i].level, level) == 0)
			return c->targets[i].target;
	return -1;
}

void
conf_free(struct conf *c)
{
	free(c->path);
	free(c->data);
	free(c->profiles);
	free(c->web_listen);
	free(c->web_tls_cert);
	free(c->web_tls_key);
	free(c->city_url);
	free(c->city_office);
	conf_free_targets(c);
	memset(c, 0, sizeof *c);
}
