/*
 * cli_records.c: the commands on the records themselves: `show` and
 * `get` for clerks, `verify` for archivists, `log` for auditors, `edit`
 * and `reindex` for staff correcting what was read.  Each is in the
 * table of sohoa.c; what they share is in cli.c.
 */
#include <sys/stat.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sohoa.h"
#include "cli.h"

enum { OPT_REINDEX_PROFILE = 300 };
const struct option cli_records_reindex_opts[] = {
	{ "profile", required_argument, NULL, OPT_REINDEX_PROFILE },
	{ NULL, 0, NULL, 0 }
};
const struct option cli_records_show_opts[] = {
	{ "city", no_argument, NULL, CLI_OPT_CITY },
	{ NULL, 0, NULL, 0 }
};
static const char **reindex_profiles;		/* reindex --profile, each */
static int reindex_nprofiles;

static void cli_records_print_corrections(json_t *);

int
cli_records_opt_show(struct cmd_opts *o, int ch, const char *arg)
{
	if (ch != CLI_OPT_CITY)
		return -1;
	o->city = 1;
	return 0;
}

/* show --city OFFICE:ID: the record from the city's database, with its
 * corrections and office, logged there first. */
static json_t *
cli_records_show_city(const char *ref)
{
	struct city_asker who = { NULL, NULL };
	struct conf conf;
	char office[CITY_OFFICEMAX + 1], err[ERRMAX];
	json_t *d;
	int64_t id;
	PGconn *pg;

	if (city_ref(ref, office, &id) == -1)
		cli_usage("'%s' is not a record of the city (OFFICE:ID, such as "
		    "phuong-dich-vong-hau:12)", ref);
	cli_load_conf(NULL, &conf);
	pg = cli_city_open(&conf);
	who.office = conf.city_office;
	if ((d = city_show(pg, &who, office, id, err)) == NULL)
		fatalx("show: %s", err);
	city_close(pg);
	conf_free(&conf);
	return d;
}

int
cli_records_show(struct cmd_opts *o, int argc, char **argv)
{
	struct index *ix = NULL;
	json_t *d, *v, *corrections;
	const char *k;
	char err[ERRMAX];
	int64_t id;

	if (argc != 1)
		cli_usage(o->city ? "sohoa show --city [--json] OFFICE:ID: give "
		    "one record of the city" : "sohoa show [--json] ID: give one "
		    "document id");
	if (o->city) {
		d = cli_records_show_city(argv[0]);
		if ((corrections = json_object_get(d, "corrections")) != NULL)
			json_incref(corrections);
		else
			corrections = json_array();
		if (!o->json)
			json_object_del(d, "corrections");
	} else {
		id = cli_parse_id(argv[0]);
		ix = cli_open_index(o, 0);
		if ((d = store_get(ix, id)) == NULL)
			fatalx("there is no document #%lld", (long long)id);
		if (accesslog_show(ix, id, err) == -1)
			fatalx("show: %s", err);
		corrections = correct_history(ix, id);
		if (o->json && json_array_size(corrections) > 0)
			json_object_set(d, "corrections", corrections);
	}
	if (o->json)
		cli_print_json(d);
	else {
		struct shown sh = { { NULL }, 0 };

		json_object_foreach(d, k, v) {
			/* null as JSON says it, not "-": a value not read. */
			printf("%-15s %s\n", k, json_is_null(v) ? "null" :
			    cli_shown_json(&sh, v));
			cli_shown_free(&sh);
		}
		cli_records_print_corrections(corrections);
	}
	json_decref(corrections);
	json_decref(d);
	index_close(ix);
	return 0;
}

int
cli_records_get(struct cmd_opts *o, int argc, char **argv)
{
	const char *member;
	struct document d;
	struct index *ix;
	struct buf out;
	char err[ERRMAX], *pkg;
	int64_t id;
	int rc = -1;

	if (argc != 1 || o->what == NULL || o->output == NULL)
		cli_usage("sohoa get ID --original|--pdf|--text -o FILE");
	id = cli_parse_id(argv[0]);
	ix = cli_open_index(o, 0);
	if (store_get_document(ix, id, &d) == -1)
		fatalx("there is no document #%lld", (long long)id);
	if (d.archive == NULL)
		fatalx("document #%lld has no archive package", (long long)id);
	pkg = xasprintf("%s/%s", cli_data_dir(o), d.archive);
	rc = package_take(pkg, o->what, (size_t)4 << 30, &out, &member, err);
	if (rc == -1)
		fatalx("%s: %s", pkg, err);
	if (accesslog_get(ix, id, o->what, err) == -1)
		fatalx("get: %s", err);
	if (strcmp(o->output, "-") == 0) {
		if (fwrite(out.data, 1, out.len, stdout) != out.len ||
		    fflush(stdout) == EOF)
			fatal("cannot write to standard output");
	} else if (util_write_durable(o->output, out.data, out.len, err) == -1)
		fatalx("%s", err);
	buf_free(&out);
	free(pkg);
	document_free(&d);
	index_close(ix);
	return 0;
}

struct verify_state {
	const char *datadir;
	const char *current;
	json_t	*problems;
	int	 json;
	int	 checked;
	size_t	 nproblems;
	int	 packages_closed;	/* were open to other users */
	int	 folders_closed;
};

static void
cli_records_verify_report(const char *member, const char *why, void *arg)
{
	struct verify_state *v = arg;

	struct shown sh = { { NULL }, 0 };

	/* Member names come from the package, which may have been altered. */
	if (v->json)
		json_array_append_new(v->problems, json_pack("{s:s, s:s?, s:s}",
		    "package", v->current, "member", member, "problem", why));
	else
		printf("%s%s%s: %s\n", cli_shown_text(&sh, v->current,
		    strlen(v->current)), member ? ": " : "", member ?
		    cli_shown_text(&sh, member, strlen(member)) : "",
		    cli_shown_text(&sh, why, strlen(why)));
	cli_shown_free(&sh);
	v->nproblems++;
}

/*
 * A package and the archive folders above it that an older sohoa left
 * open to other users (0644, 0755) are closed as verify reads it: verify
 * reads every package anyway, where a walk of the archive at every start
 * of the daemon would grow with the archive.  The data folder, closed at
 * every start, already keeps others out.
 */
static void
cli_records_verify_unshare(struct verify_state *v, const char *archive,
    const char *path)
{
	size_t root = strlen(v->datadir);
	char *p, *slash;
	mode_t was;

	if (archive[0] == '/' || strstr(archive, "..") != NULL)
		return;		/* not a place in the archive */
	p = xstrdup(path);
	if (util_unshare(p, &was) == 1)
		v->packages_closed++;
	while ((slash = strrchr(p, '/')) != NULL && (size_t)(slash - p) > root) {
		*slash = '\0';
		if (util_unshare(p, &was) == 1)
			v->folders_closed++;
	}
	free(p);
}

static int
cli_records_verify_one(int64_t id, const char *archive, const char *sha,
    void *arg)
{
	struct verify_state *v = arg;
	char *path = xasprintf("%s/%s", v->datadir, archive);
	char got[65], err[ERRMAX];
	struct stat st;

	v->current = archive;
	v->checked++;
	if (stat(path, &st) == -1)
		cli_records_verify_report(NULL, "the package is missing", v);
	else if (util_sha256_file(path, got, err) == -1)
		cli_records_verify_report(NULL, err, v);
	else {
		if (sha != NULL && strcmp(got, sha) != 0)
			cli_records_verify_report(NULL, "the package's checksum differs from "
			    "the one recorded when it was archived", v);
		package_verify(path, cli_records_verify_report, v);
		cli_records_verify_unshare(v, archive, path);
	}
	free(path);
	return 0;
}

int
cli_records_verify(struct cmd_opts *o, int argc, char **argv)
{
	struct verify_state v;
	struct index *ix;
	size_t n;

	if (argc != 0)
		cli_usage("verify takes no arguments");
	ix = cli_open_index(o, 0);
	memset(&v, 0, sizeof v);
	v.datadir = cli_data_dir(o);
	v.json = o->json;
	v.problems = json_array();
	store_foreach_package(ix, cli_records_verify_one, &v);
	n = v.nproblems;
	if (o->json) {
		json_t *r = json_pack("{s:i, s:O}", "checked", v.checked,
		    "problems", v.problems);

		cli_print_json(r);
		json_decref(r);
	}
	fprintf(stderr, "%d package%s checked, %zu problem%s\n", v.checked,
	    v.checked == 1 ? "" : "s", n, n == 1 ? "" : "s");
	if (v.packages_closed + v.folders_closed > 0)
		log_info("%d package%s and %d archive folder%s were open to "
		    "other users; now for their owner and group only",
		    v.packages_closed, v.packages_closed == 1 ? "" : "s",
		    v.folders_closed, v.folders_closed == 1 ? "" : "s");
	json_decref(v.problems);
	index_close(ix);
	return n ? 1 : 0;
}

/* show's and edit's lines for corrections: when, who, field, old -> new. */
static void
cli_records_print_corrections(json_t *corrections)
{
	json_t *c;
	char *old, *new;
	size_t i;

	if (json_array_size(corrections) > 0)
		printf("corrections:\n");
	json_array_foreach(corrections, i, c) {
		struct shown sh = { { NULL }, 0 };

		/* Values as JSON ("..." or [...]), escaped for the terminal. */
		old = json_dumps(json_object_get(c, "old"), JSON_ENCODE_ANY |
		    JSON_COMPACT);
		new = json_dumps(json_object_get(c, "new"), JSON_ENCODE_ANY |
		    JSON_COMPACT);
		printf("  %s  %s  %s: %s -> %s\n", cli_shown_key(&sh, c, "at"),
		    cli_shown_key(&sh, c, "who"),
		    cli_shown_key(&sh, c, "field"),
		    old ? cli_shown_text(&sh, old, strlen(old)) : "null",
		    new ? cli_shown_text(&sh, new, strlen(new)) : "null");
		free(old);
		free(new);
		cli_shown_free(&sh);
	}
}

int
cli_records_log(struct cmd_opts *o, int argc, char **argv)
{
	struct index *ix;
	json_t *res, *e, *v;
	const char *k;
	size_t i;

	if (argc != 0)
		cli_usage("log takes no arguments");
	ix = cli_open_index(o, 0);
	res = accesslog_newest(ix, o->limit ? o->limit : 50);
	if (o->json)
		cli_print_json(res);
	else
		json_array_foreach(res, i, e) {
			/* One line per entry, whatever a query holds: an
			 * auditor reads what was asked, not what it forges. */
			struct shown sh = { { NULL }, 0 };
			json_t *taken = json_object_get(e, "taken");

			/* Where from: the program, and the web client's
			 * address. */
			printf("%s  %-12s %s%s%s  %-6s",
			    cli_shown_key(&sh, e, "at"),
			    cli_shown_key(&sh, e, "who"),
			    cli_shown_key(&sh, e, "via"),
			    json_is_string(json_object_get(e, "address")) ?
			    " " : "",
			    json_is_string(json_object_get(e, "address")) ?
			    cli_shown_key(&sh, e, "address") : "",
			    cli_shown_key(&sh, e, "action"));
			if (json_is_integer(json_object_get(e, "document")))
				printf(" #%lld%s%s", (long long)json_integer_value(
				    json_object_get(e, "document")),
				    json_is_string(taken) ? " " : "",
				    json_is_string(taken) ?
				    cli_shown_json(&sh, taken) : "");
			if (json_is_string(json_object_get(e, "query")))
				printf(" \"%s\"", cli_shown_key(&sh, e,
				    "query"));
			if (json_is_string(json_object_get(e, "what")))
				printf(" \"%s\"", cli_shown_key(&sh, e,
				    "what"));
			cli_shown_free(&sh);
			json_object_foreach(json_object_get(e, "filters"), k, v) {
				printf(" --%s %s", strcmp(k, "person_id") == 0 ?
				    "person-id" : cli_shown_text(&sh, k,
				    strlen(k)),
				    cli_shown_json(&sh, v));
				cli_shown_free(&sh);
			}
			if (json_is_integer(json_object_get(e, "results")))
				printf("  (%lld %s)", (long long)
				    json_integer_value(json_object_get(e,
				    "results")), strcmp(cli_str(e, "action"),
				    "list") == 0 ? "shown" : "found");
			if (json_is_string(json_object_get(e, "purpose"))) {
				printf("  purpose \"%s\"", cli_shown_key(&sh, e,
				    "purpose"));
				cli_shown_free(&sh);
			}
			putchar('\n');
		}
	json_decref(res);
	index_close(ix);
	return 0;
}

int
cli_records_edit(struct cmd_opts *o, int argc, char **argv)
{
	struct index *ix;
	json_t *changed, *d, *copies, *v;
	char err[ERRMAX];
	int64_t id;
	size_t i;

	if (argc < 2)
		cli_usage("sohoa edit ID FIELD=VALUE..., e.g. sohoa edit 12 "
		    "doc_number=1245/QĐ-UBND \"people=Nguyễn Văn An, Lê Thị Hoa\"");
	id = cli_parse_id(argv[0]);
	ix = cli_open_index(o, 0);
	if (correct_edit(ix, id, argv + 1, argc - 1, &changed, err) == -1)
		fatalx("edit: #%lld: %s", (long long)id, err);
	if (o->json) {
		d = store_get(ix, id);
		json_object_set_new(d, "corrections", correct_history(ix, id));
		if (json_array_size(json_object_get(d, "corrections")) == 0)
			json_object_del(d, "corrections");
		cli_print_json(d);
		json_decref(d);
	} else if (json_array_size(changed) == 0)
		printf("#%lld: nothing to change, the record already says "
		    "so\n", (long long)id);
	else {
		printf("#%lld corrected\n", (long long)id);
		cli_records_print_corrections(changed);
		copies = store_copies(ix, id);
		if (json_array_size(copies) > 1) {
			printf("the same scan's other record%s corrected alike:",
			    json_array_size(copies) > 2 ? "s" : "");
			json_array_foreach(copies, i, v)
				if (json_integer_value(v) != id)
					printf(" #%lld", (long long)
					    json_integer_value(v));
			putchar('\n');
		}
		json_decref(copies);
	}
	json_decref(changed);
	index_close(ix);
	return 0;
}

int
cli_records_reindex(struct cmd_opts *o, int argc, char **argv)
{
	struct correct_reindex_stats st;
	struct profile *prof;
	struct index *ix;
	struct conf conf;
	char err[ERRMAX];
	int i, builtin, rc;

	if (argc != 0)
		cli_usage("reindex takes no arguments but --profile FILE");
	if (conf_load(NULL, &conf, err) == -1)
		fatalx("%s", err);
	prof = xcalloc((size_t)reindex_nprofiles + 1, sizeof *prof);
	for (i = 0; i < reindex_nprofiles; i++)
		if (profile_load_conf(reindex_profiles[i], &conf, &prof[i],
		    err) == -1)
			fatalx("%s", err);
	ix = cli_open_index(o, 0);
	rc = correct_reindex(ix, cli_data_dir(o), prof,
	    (size_t)reindex_nprofiles, &conf, &st, &builtin, err);
	if (rc == -1)
		fatalx("reindex: %s; the index is as it was", err);
	printf("%d document%s: %d read again from the archive, %d kept the "
	    "text already indexed, %d without text; %d correction%s "
	    "re-applied\n", st.documents, st.documents == 1 ? "" : "s",
	    st.reread, st.kept, st.failed, st.corrections,
	    st.corrections == 1 ? "" : "s");
	if (builtin > 0)
		fprintf(stderr, "sohoa: %d document%s read with the built-in "
		    "profile, %s not found (give it with --profile FILE)\n",
		    builtin, builtin == 1 ? " was" : "s were",
		    builtin == 1 ? "its own was" : "theirs were");
	index_close(ix);
	conf_free(&conf);
	for (i = 0; i < reindex_nprofiles; i++)
		profile_free(&prof[i]);
	free(prof);
	return st.kept + st.failed > 0 ? 1 : 0;
}

int
cli_records_opt_reindex(struct cmd_opts *o, int ch, const char *arg)
{
	if (ch != OPT_REINDEX_PROFILE)
		return -1;
	reindex_profiles = xrealloc(reindex_profiles,
	    ((size_t)reindex_nprofiles + 1) * sizeof *reindex_profiles);
	reindex_profiles[reindex_nprofiles++] = arg;
	return 0;
}
