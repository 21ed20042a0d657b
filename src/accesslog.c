/*
 * accesslog.c: who searched for what, and who took which document out.
 *
 * The database holds citizens' names and ID numbers, and Nghị định
 * 13/2023 asks who saw them: every search, list, show and get is logged
 * (access_log, in index.c's schema) with the user, the time, the query
 * and filters or the document, before anything is shown.  A log entry that
 * cannot be written fails the command, so nothing is shown unlogged.
 *
 * On the command line the user is the OS account.  sohoa-web serves many
 * people from one account: it sets an actor on its index handle for each
 * request (accesslog_set_actor), and the entries then name the sohoa user,
 * the client's address, the program ("web") and the purpose the user
 * gave.  Sign-ins, sign-outs, and what the web does beyond searching and
 * taking out (revealing an ID number, correcting, requeueing) are events
 * of their own (accesslog_event), so an auditor reads them in one list.
 */
#include <sys/types.h>

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>


#include "sohoa.h"

/*
 * Who is at the keyboard: the account sohoa runs as, or, under sudo to
 * root, the account that ran sudo.  SUDO_USER is believed only as root,
 * where nobody gains by setting it by hand; under sudo to another account
 * both names are kept.
 */
void
accesslog_user(char out[ACCESSLOG_USERMAX])
{
	const char *sudo = getenv("SUDO_USER");
	struct passwd *pw = getpwuid(geteuid());
	char self[64];

	if (pw != NULL)
		snprintf(self, sizeof self, "%s", pw->pw_name);
	else
		snprintf(self, sizeof self, "uid %u", (unsigned)geteuid());
	if (sudo != NULL && *sudo != '\0' && geteuid() == 0)
		snprintf(out, ACCESSLOG_USERMAX, "%s", sudo);
	else if (sudo != NULL && *sudo != '\0' && strcmp(sudo, self) != 0)
		snprintf(out, ACCESSLOG_USERMAX, "%s (sudo from %s)", self,
		    sudo);
	else
		snprintf(out, ACCESSLOG_USERMAX, "%s", self);
}

/* The events accesslog_event writes, beside search, get, show and list. */
static const char *const accesslog_events[] = {
	"login", "login-failed", "logout", "reveal", "correct", "requeue",
	"user-add", "user-passwd", "user-disable", NULL
};

int
accesslog_set_actor(struct index *ix, const struct accesslog_actor *a,
    char *err)
{
	if (a != NULL && a->via != NULL && strcmp(a->via, "cli") != 0 &&
	    strcmp(a->via, "web") != 0) {
		snprintf(err, ERRMAX, "access log: '%s' is no program sohoa "
		    "knows (cli or web)", a->via);
		return -1;
	}
	if (a != NULL && a->purpose != NULL &&
	    strlen(a->purpose) > ACCESSLOG_PURPOSEMAX) {
		snprintf(err, ERRMAX, "access log: the purpose is longer than "
		    "%d bytes", ACCESSLOG_PURPOSEMAX);
		return -1;
	}
	if (a != NULL && a->user != NULL &&
	    strlen(a->user) >= ACCESSLOG_USERMAX) {
		snprintf(err, ERRMAX, "access log: the user name is longer "
		    "than %d bytes", ACCESSLOG_USERMAX - 1);
		return -1;
	}
	index_set_actor(ix, a);
	return 0;
}

const struct accesslog_actor *
accesslog_actor(struct index *ix)
{
	return index_actor(ix);
}

void
accesslog_who(struct index *ix, char out[ACCESSLOG_USERMAX])
{
	const struct accesslog_actor *a = index_actor(ix);

	if (a != NULL && a->user != NULL)
		snprintf(out, ACCESSLOG_USERMAX, "%s", a->user);
	else
		accesslog_user(out);
}

json_t *
accesslog_filter_json(const struct search_filter *f)
{
	json_t *o = json_object();

	if (f == NULL)
		return o;
#define KEEP(k, v) if ((v) != NULL) json_object_set_new(o, k, json_string(v))
	KEEP("level", f->level);
	KEEP("agency", f->agency_code);
	KEEP("type", f->doc_type);
	KEEP("from", f->from);
	KEEP("to", f->to);
	KEEP("person_id", f->person_id);
	KEEP("dossier", f->dossier_code);
#undef KEEP
	return o;
}

static int
accesslog_add(struct index *ix, const char *action, const char *query,
    const struct search_filter *f, int64_t id, const char *taken, int results,
    const char *what, char *err)
{
	const struct accesslog_actor *a = index_actor(ix);
	struct db_stmt *st = index_stmt(ix, STMT_LOG);
	char now[40], who[ACCESSLOG_USERMAX], *filters = NULL, *q = NULL;
	char *w = NULL;
	json_t *fj;
	int rc;

	util_now_iso8601(now);
	accesslog_who(ix, who);
	if (query != NULL)
		q = vntext_nfc(query, strlen(query));
	if (what != NULL)
		w = vntext_nfc(what, strlen(what));
	if (strcmp(action, "search") == 0) {
		fj = accesslog_filter_json(f);
		filters = json_dumps(fj, JSON_COMPACT);
		json_decref(fj);
	}
	db_bind_text(st, 1, now);
	db_bind_text(st, 2, who);
	db_bind_text(st, 3, action);
	db_bind_text(st, 4, q);
	db_bind_text(st, 5, filters);
	if (id > 0)
		db_bind_int64(st, 6, id);
	db_bind_text(st, 7, taken);
	if (results >= 0)
		db_bind_int64(st, 8, results);
	db_bind_text(st, 9, a != NULL ? a->address : NULL);
	db_bind_text(st, 10, a != NULL && a->via != NULL ? a->via : "cli");
	db_bind_text(st, 11, a != NULL ? a->purpose : NULL);
	db_bind_text(st, 12, w);
	rc = db_step(st);
	db_reset(st);
	free(filters);
	free(q);
	free(w);
	if (rc != DB_DONE) {
		snprintf(err, ERRMAX, "cannot write the access log, so nothing "
		    "is shown: %s", db_errmsg(index_db(ix)));
		return -1;
	}
	return 0;
}

int
accesslog_search(struct index *ix, const char *query,
    const struct search_filter *f, int results, char *err)
{
	return accesslog_add(ix, "search", query, f, 0, NULL, results, NULL,
	    err);
}

int
accesslog_get(struct index *ix, int64_t id, const char *taken, char *err)
{
	return accesslog_add(ix, "get", NULL, NULL, id, taken, -1, NULL, err);
}

int
accesslog_show(struct index *ix, int64_t id, char *err)
{
	return accesslog_add(ix, "show", NULL, NULL, id, NULL, -1, NULL, err);
}

int
accesslog_list(struct index *ix, int results, char *err)
{
	return accesslog_add(ix, "list", NULL, NULL, 0, NULL, results, NULL,
	    err);
}

int
accesslog_event(struct index *ix, const char *action, const char *what,
    char *err)
{
	size_t i;

	for (i = 0; accesslog_events[i] != NULL; i++)
		if (strcmp(action, accesslog_events[i]) == 0)
			return accesslog_add(ix, action, NULL, NULL, 0, NULL, -1,
			    what, err);
	snprintf(err, ERRMAX, "access log: '%s' is no event sohoa knows",
	    action);
	return -1;
}

json_t *
accesslog_newest(struct index *ix, int limit)
{
	return accesslog_find(ix, NULL, limit);
}

json_t *
accesslog_find(struct index *ix, const struct accesslog_filter *f, int limit)
{
	struct db_stmt *st = index_stmt(ix, STMT_ACCESS_LOG);
	json_t *a = json_array(), *e, *filters;
	const char *v[4] = { NULL, NULL, NULL, NULL };
	int i;

	if (f != NULL) {
		v[0] = f->who;
		v[1] = f->action;
		v[2] = f->from;
		v[3] = f->to;
	}
	db_bind_int64(st, 1, limit);
	for (i = 0; i < 4; i++)
		if (v[i] != NULL && *v[i] != '\0')
			db_bind_text(st, i + 2, v[i]);
		else
			db_bind_null(st, i + 2);
	while (db_step(st) == DB_ROW) {
		filters = db_col_json(st, 5);
		e = json_object();
		json_object_set_new(e, "id", json_integer(
		    db_col_int64(st, 0)));
		json_object_set_new(e, "at", db_col_str(st, 1));
		json_object_set_new(e, "who", db_col_str(st, 2));
		json_object_set_new(e, "action", db_col_str(st, 3));
		json_object_set_new(e, "query", db_col_str(st, 4));
		json_object_set_new(e, "filters", filters);
		json_object_set_new(e, "document",
		    db_col_null(st, 6) ? json_null() :
		    json_integer(db_col_int64(st, 6)));
		json_object_set_new(e, "taken", db_col_str(st, 7));
		json_object_set_new(e, "results",
		    db_col_null(st, 8) ? json_null() :
		    json_integer(db_col_int64(st, 8)));
		json_object_set_new(e, "address", db_col_str(st, 9));
		json_object_set_new(e, "via", db_col_str(st, 10));
		json_object_set_new(e, "purpose", db_col_str(st, 11));
		json_object_set_new(e, "what", db_col_str(st, 12));
		json_array_append_new(a, e);
	}
	db_reset(st);
	return a;
}
