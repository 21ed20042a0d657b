/*
 * cli_audit.c: the auditors' commands: `register import` and `register
 * unmatched` (the office's register of results issued against the
 * archive), `report` (digitization rates against the targets).  Each is
 * in the table of sohoa.c; what they share is in cli.c.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "sohoa.h"
#include "cli.h"

enum { OPT_AUDIT_CONFIG = 400, OPT_AUDIT_AS_OF, OPT_AUDIT_FROM,
    OPT_AUDIT_TO, OPT_AUDIT_LEVEL, OPT_AUDIT_AGENCY, OPT_AUDIT_FORMAT,
    OPT_AUDIT_MISSING, OPT_AUDIT_DOCUMENTS };
const struct option cli_audit_register_opts[] = {
	{ "config", required_argument, NULL, OPT_AUDIT_CONFIG },
	{ "documents", no_argument, NULL, OPT_AUDIT_DOCUMENTS },
	{ NULL, 0, NULL, 0 }
};
const struct option cli_audit_report_opts[] = {
	{ "config", required_argument, NULL, OPT_AUDIT_CONFIG },
	{ "as-of", required_argument, NULL, OPT_AUDIT_AS_OF },
	{ "from", required_argument, NULL, OPT_AUDIT_FROM },
	{ "to", required_argument, NULL, OPT_AUDIT_TO },
	{ "level", required_argument, NULL, OPT_AUDIT_LEVEL },
	{ "agency", required_argument, NULL, OPT_AUDIT_AGENCY },
	{ "format", required_argument, NULL, OPT_AUDIT_FORMAT },
	{ "missing", no_argument, NULL, OPT_AUDIT_MISSING },
	{ "output", required_argument, NULL, 'o' },
	{ "city", no_argument, NULL, CLI_OPT_CITY },
	{ NULL, 0, NULL, 0 }
};
static struct {
	const char *config;		/* --config: the sohoa.conf to read */
	const char *format;		/* report --format */
	int	 documents;		/* register unmatched --documents */
	struct report_opts report;
} audit;

#define BAD_ROWS_SHOWN	100
struct bad_rows {
	const char *file;
	long	 n;
};

static void
cli_audit_print_bad_row(long line, const char *why, void *arg)
{
	struct bad_rows *b = arg;

	if (b->n++ < BAD_ROWS_SHOWN)
		log_warnx("%s:%ld: %s", b->file, line, why);
}

static int
cli_audit_register_import(struct cmd_opts *o, int argc, char **argv)
{
	struct register_stats st;
	struct bad_rows bad = { NULL, 0 };
	struct conf conf;
	struct index *ix;
	json_t *j;
	char err[ERRMAX];
	int rc;

	if (argc != 1 || audit.documents)
		cli_usage("sohoa register import [--config FILE] FILE.csv");
	cli_load_conf(audit.config, &conf);
	bad.file = argv[0];
	ix = cli_open_index(o, 1);
	rc = register_import(ix, &conf, argv[0], cli_audit_print_bad_row, &bad,
	    &st, err);
	if (bad.n > BAD_ROWS_SHOWN)
		log_warnx("%s: and %ld more bad rows", argv[0],
		    bad.n - BAD_ROWS_SHOWN);
	if (rc == -1)
		log_warnx("%s: %s", argv[0], err);
	else if (o->json) {
		j = json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:I}", "file",
		    argv[0], "rows", (json_int_t)st.rows, "added",
		    (json_int_t)st.added, "updated", (json_int_t)st.updated,
		    "unchanged", (json_int_t)st.unchanged, "entries",
		    (json_int_t)st.entries, "digitized",
		    (json_int_t)st.digitized);
		cli_print_json(j);
		json_decref(j);
	} else
		printf("%s: %ld rows imported: %ld new, %ld updated, %ld "
		    "unchanged.  The register holds %ld entries, %ld of them "
		    "matched to archived documents.\n", argv[0], st.rows,
		    st.added, st.updated, st.unchanged, st.entries,
		    st.digitized);
	index_close(ix);
	conf_free(&conf);
	return rc == -1 ? 1 : 0;
}

static int
cli_audit_register_unmatched(struct cmd_opts *o, int argc, char **argv)
{
	struct index *ix;
	json_t *a, *e;
	char err[ERRMAX];
	size_t i, n;

	if (argc != 0)
		cli_usage("sohoa register unmatched [--documents] [--json]");
	ix = cli_open_index(o, 0);
	if ((a = register_match_unmatched(ix, audit.documents, err)) == NULL)
		fatalx("register: %s", err);
	n = json_array_size(a);
	if (o->json)
		cli_print_json(a);
	else if (audit.documents)
		json_array_foreach(a, i, e) {
			struct shown sh = { { NULL }, 0 };

			printf("#%-6lld %s  number %s  dossier %s  issued %s  "
			    "agency %s: %s\n", (long long)json_integer_value(
			    json_object_get(e, DOC_K_ID)),
			    cli_shown_key(&sh, e, DOC_K_SOURCE_NAME),
			    cli_shown_key(&sh, e, DOC_K_NUMBER),
			    cli_shown_key(&sh, e, DOC_K_DOSSIER_CODE),
			    cli_shown_key(&sh, e, DOC_K_ISSUED_ON),
			    cli_shown_key(&sh, e, DOC_K_AGENCY_CODE),
			    cli_shown_key(&sh, e, "reason"));
			cli_shown_free(&sh);
		}
	else
		json_array_foreach(a, i, e) {
			struct shown sh = { { NULL }, 0 };

			/* Register cells are the one-stop software's text. */
			printf("%s  %-8s  %-14s  %-20s  %-26s  %s\n",
			    cli_shown_key(&sh, e, "issued_on"),
			    cli_shown_key(&sh, e, "level"),
			    cli_shown_key(&sh, e, "agency_code"),
			    cli_shown_key(&sh, e, "doc_number"),
			    cli_shown_key(&sh, e, "dossier_code"),
			    cli_shown_key(&sh, e, "status"));
			cli_shown_free(&sh);
		}
	if (audit.documents)
		fprintf(stderr, "%zu archived document%s match%s no register "
		    "entry\n", n, n == 1 ? "" : "s", n == 1 ? "es" : "");
	else if (register_count(ix) == 0)
		fprintf(stderr, "no register has been imported (sohoa register "
		    "import FILE.csv)\n");
	else
		fprintf(stderr, "%zu register entr%s no archived document\n", n,
		    n == 1 ? "y has" : "ies have");
	json_decref(a);
	index_close(ix);
	return 0;
}

int
cli_audit_register(struct cmd_opts *o, int argc, char **argv)
{
	if (argc >= 1 && strcmp(argv[0], "import") == 0)
		return cli_audit_register_import(o, argc - 1, argv + 1);
	if (argc >= 1 && strcmp(argv[0], "unmatched") == 0)
		return cli_audit_register_unmatched(o, argc - 1, argv + 1);
	cli_usage("sohoa register import [--config FILE] FILE.csv | "
	    "register unmatched [--documents] [--json]");
}

int
cli_audit_report(struct cmd_opts *o, int argc, char **argv)
{
	enum report_format f = o->json ? REPORT_JSON : REPORT_TABLE;
	struct conf conf;
	struct index *ix;
	struct buf out;
	json_t *r;
	char err[ERRMAX];

	if (argc != 0)
		cli_usage("report takes no arguments (sohoa report --help)");
	if (audit.format != NULL && report_format(audit.format, &f) == -1)
		cli_usage("--format is table, csv, json or html, not '%s'",
		    audit.format);
	cli_load_conf(audit.config, &conf);
	if (o->city) {
		/* Every office's register, counted in the city's database. */
		struct city_asker who = { NULL, NULL };
		PGconn *pg = cli_city_open(&conf);

		who.office = conf.city_office;
		if ((r = city_report(pg, &who, &conf, &audit.report,
		    err)) == NULL)
			fatalx("report: %s", err);
		city_close(pg);
		ix = NULL;
	} else {
		ix = cli_open_index(o, 0);
		if ((r = report_build(ix, &conf, &audit.report, err)) == NULL)
			fatalx("report: %s", err);
	}
	buf_init(&out, 0);
	if (report_format_write(r, f, &out, err) == -1)
		fatalx("report: %s", err);
	if (o->output != NULL && strcmp(o->output, "-") != 0) {
		if (util_write_durable(o->output, out.data, out.len, err) == -1)
			fatalx("%s", err);
	} else if (fwrite(out.data, 1, out.len, stdout) != out.len ||
	    fflush(stdout) == EOF)
		fatal("cannot write to standard output");
	buf_free(&out);
	json_decref(r);
	index_close(ix);
	conf_free(&conf);
	return 0;
}

int
cli_audit_opt(struct cmd_opts *o, int ch, const char *arg)
{
	switch (ch) {
	case OPT_AUDIT_CONFIG:
		audit.config = arg;
		break;
	case OPT_AUDIT_AS_OF:
		audit.report.as_of = arg;
		break;
	case OPT_AUDIT_FROM:
		audit.report.from = arg;
		break;
	case OPT_AUDIT_TO:
		audit.report.to = arg;
		break;
	case OPT_AUDIT_LEVEL:
		audit.report.level = arg;
		break;
	case OPT_AUDIT_AGENCY:
		audit.report.agency = arg;
		break;
	case OPT_AUDIT_FORMAT:
		audit.format = arg;
		break;
	case OPT_AUDIT_MISSING:
		audit.report.missing = 1;
		break;
	case OPT_AUDIT_DOCUMENTS:
		audit.documents = 1;
		break;
	case CLI_OPT_CITY:
		o->city = 1;
		break;
	case 'o':
		o->output = arg;
		break;
	default:
		return -1;
	}
	return 0;
}
