/*
 * accesslog.c: who searched for what, and who took which document out.
 *
 * The database holds citizens' names and ID numbers, and Nghị định
 * 13/2023 asks who saw them: every search, list, show and get is logged
 * (access_log, in index.c's schema) with the OS user, the time, the query
 * and filters or the document, before anything is shown.  A log entry that
 * cannot be written fails the command, so nothing is shown unlogged.
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

static json_t *
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
    char *err)
{
	struct db_stmt *st = index_stmt(ix, STMT_LOG);
	char now[40], who[ACCESSLOG_USERMAX], *filters = NULL, *q = NULL;
	json_t *fj;
	int rc;

	util_now_iso8601(now);
	accesslog_user(who);
	if (query != NULL)
		q = vntext_nfc(query, strlen(query));
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
	rc = db_step(st);
	db_reset(st);
	free(filters);
	free(q);
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
	return accesslog_add(ix, "search", query, f, 0, NULL, results, err);
}

int
accesslog_get(struct index *ix, int64_t id, const char *taken, char *err)
{
	return accesslog_add(ix, "get", NULL, NULL, id, taken, -1, err);
}

int
accesslog_show(struct index *ix, int64_t id, char *err)
{
	return accesslog_add(ix, "show", NULL, NULL, id, NULL, -1, err);
}

int
accesslog_list(struct index *ix, int results, char *err)
{
	return accesslog_add(ix, "list", NULL, NULL, 0, NULL, results, err);
}

json_t *
accesslog_newest(struct index *ix, int limit)
{
	struct db_stmt *st = index_stmt(ix, STMT_ACCESS_LOG);
	json_t *a = json_array(), *e, *filters;

	db_bind_int64(st, 1, limit);
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
		json_array_append_new(a, e);
	}
	db_reset(st);
	return a;
}
