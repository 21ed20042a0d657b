/*
 * web_log.c: the web's access-log entries, committed in groups.
 *
 * Every search a clerk makes is an access-log entry, written and made
 * durable (synchronous=FULL: fsync of the WAL) before the results are
 * shown.  One commit per entry serialises every server thread on the
 * disk's flush: bench/web-load measured about 9 ms a commit, so sohoa-web
 * could not answer much more than a hundred searches a second however few
 * of them needed the processor.
 *
 * Here a request that has an entry to write queues it.  When no thread is
 * writing, it becomes the leader: it takes every entry queued so far and
 * writes them in one transaction on its own index handle, each with its
 * own request's actor (user, address, purpose), commits once, and wakes
 * the requests it wrote for.  Entries queued meanwhile wait for the next
 * leader, which is one of them.  A request still returns only once its
 * own entry is durable, or with the error that kept it from being.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "web.h"

enum web_log_kind { WL_SEARCH, WL_GET, WL_SHOW, WL_EVENT };

struct web_log_entry {
	enum web_log_kind	 kind;
	/* the request's actor, copied: the leader's handle is not its own */
	int			 has_actor;
	char			 user[ACCESSLOG_USERMAX];
	char			 address[64];
	char			 via[8];
	char			 purpose[ACCESSLOG_PURPOSEMAX + 1];
	int			 has_purpose;
	/* what the entry says; the pointers are the waiting request's */
	const char		*query;
	const struct search_filter *filter;
	int			 results;
	int64_t			 id;
	const char		*text;		/* taken, or the event */
	const char		*what;
	/* the outcome */
	int			 done;
	int			 rc;
	char			 err[ERRMAX];
	struct web_log_entry	*next;
};

static pthread_mutex_t web_log_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t web_log_cond = PTHREAD_COND_INITIALIZER;
static struct web_log_entry *web_log_head, **web_log_tail = &web_log_head;
static int web_log_writing;

static void
web_log_copy(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src != NULL ? src : "");
}

/* The actor of e's request, as accesslog_set_actor takes it. */
static const struct accesslog_actor *
web_log_actor(struct web_log_entry *e, struct accesslog_actor *a)
{
	if (!e->has_actor)
		return NULL;
	a->user = e->user[0] != '\0' ? e->user : NULL;
	a->address = e->address[0] != '\0' ? e->address : NULL;
	a->via = e->via[0] != '\0' ? e->via : NULL;
	a->purpose = e->has_purpose ? e->purpose : NULL;
	return a;
}

static int
web_log_one(struct index *ix, struct web_log_entry *e, char *err)
{
	struct accesslog_actor a;

	if (accesslog_set_actor(ix, web_log_actor(e, &a), err) == -1)
		return -1;
	switch (e->kind) {
	case WL_SEARCH:
		return accesslog_search(ix, e->query, e->filter, e->results,
		    err);
	case WL_GET:
		return accesslog_get(ix, e->id, e->text, err);
	case WL_SHOW:
		return accesslog_show(ix, e->id, err);
	case WL_EVENT:
		return accesslog_event(ix, e->text, e->what, err);
	}
	return -1;
}

/* Writes batch in one transaction; each entry gets its own outcome, and a
 * commit that fails fails them all. */
static void
web_log_batch(struct index *ix, struct web_log_entry *batch)
{
	struct db *db = index_db(ix);
	struct web_log_entry *e;
	char err[ERRMAX];
	int tx;

	tx = db_begin(db) == 0;
	for (e = batch; e != NULL; e = e->next)
		e->rc = web_log_one(ix, e, e->err);
	if (!tx)
		return;		/* each entry was its own transaction */
	if (db_commit(db) == 0)
		return;
	snprintf(err, sizeof err, "cannot write the access log, so nothing "
	    "is shown: %s", db_errmsg(db));
	db_rollback(db);
	for (e = batch; e != NULL; e = e->next)
		if (e->rc == 0) {
			e->rc = -1;
			memcpy(e->err, err, sizeof err);
		}
}

static int
web_log_write(struct index *ix, struct web_log_entry *e, char *err)
{
	const struct accesslog_actor *a = accesslog_actor(ix);
	struct web_log_entry *batch, *n;

	if (a != NULL) {
		e->has_actor = 1;
		web_log_copy(e->user, sizeof e->user, a->user);
		web_log_copy(e->address, sizeof e->address, a->address);
		web_log_copy(e->via, sizeof e->via, a->via);
		if ((e->has_purpose = a->purpose != NULL))
			web_log_copy(e->purpose, sizeof e->purpose,
			    a->purpose);
	}
	pthread_mutex_lock(&web_log_lock);
	e->next = NULL;
	*web_log_tail = e;
	web_log_tail = &e->next;
	while (!e->done) {
		if (web_log_writing) {
			pthread_cond_wait(&web_log_cond, &web_log_lock);
			continue;
		}
		web_log_writing = 1;
		batch = web_log_head;
		web_log_head = NULL;
		web_log_tail = &web_log_head;
		pthread_mutex_unlock(&web_log_lock);
		web_log_batch(ix, batch);
		pthread_mutex_lock(&web_log_lock);
		for (; batch != NULL; batch = n) {
			n = batch->next;
			batch->done = 1;
		}
		web_log_writing = 0;
		pthread_cond_broadcast(&web_log_cond);
	}
	pthread_mutex_unlock(&web_log_lock);
	/* The leader's handle now has the last entry's actor: its own again. */
	if (e->has_actor) {
		struct accesslog_actor own;

		accesslog_set_actor(ix, web_log_actor(e, &own), err);
	} else
		accesslog_set_actor(ix, NULL, err);
	if (e->rc == -1)
		snprintf(err, ERRMAX, "%s", e->err);
	return e->rc;
}

int
web_log_search(struct index *ix, const char *query,
    const struct search_filter *f, int results, char *err)
{
	struct web_log_entry e = { .kind = WL_SEARCH, .query = query,
	    .filter = f, .results = results };

	return web_log_write(ix, &e, err);
}

int
web_log_get(struct index *ix, int64_t id, const char *taken, char *err)
{
	struct web_log_entry e = { .kind = WL_GET, .id = id, .text = taken };

	return web_log_write(ix, &e, err);
}

int
web_log_show(struct index *ix, int64_t id, char *err)
{
	struct web_log_entry e = { .kind = WL_SHOW, .id = id };

	return web_log_write(ix, &e, err);
}

int
web_log_event(struct index *ix, const char *action, const char *what,
    char *err)
{
	struct web_log_entry e = { .kind = WL_EVENT, .text = action,
	    .what = what };

	return web_log_write(ix, &e, err);
}
