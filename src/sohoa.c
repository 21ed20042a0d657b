/*
 * sohoa.c: the command line for people and scripts.
 *
 * A table of subcommands, each with its own options; --json everywhere a
 * script may want to read the output.  Records staff use `ingest`, clerks
 * use `search`, `show` and `get`, archivists use `verify`, auditors use
 * `register` and `report`.  The hidden `worker` subcommand is what
 * worker.c execs for each worker process.  The commands on the records
 * themselves are in cli_records.c, the auditors' in cli_audit.c, the
 * users of sohoa-web in cli_user.c, what all commands share in cli.c.
 */
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sohoa.h"
#include "cli.h"

/*
 * A command: its own long options (beyond --data, --json, -v, --help),
 * handled by opt(), which returns 0 or -1 for a bad value.  Commands keep
 * what their options say in struct cmd_opts or in state of their own.
 */
struct cmd {
	const char *name;
	int	(*run)(struct cmd_opts *, int, char **);
	const char *usage;
	const char *help;
	const struct option *opts;
	int	(*opt)(struct cmd_opts *, int ch, const char *arg);
};

static int cmd_ingest(struct cmd_opts *, int, char **);
static int cmd_search(struct cmd_opts *, int, char **);
static int cmd_list(struct cmd_opts *, int, char **);
static int cmd_status(struct cmd_opts *, int, char **);
static int cmd_worker(struct cmd_opts *, int, char **);

static int opt_basic(struct cmd_opts *, int, const char *);

/* search: what clerks filter by; show, get, verify, log, edit and reindex
 * are in cli_records.c. */
static int opt_search(struct cmd_opts *, int, const char *);

enum { OPT_PROFILE = 256, OPT_LIMIT, OPT_JOBS, OPT_ORIGINAL, OPT_PDF,
    OPT_TEXT };
static const struct option ingest_opts[] = {
	{ "profile", required_argument, NULL, OPT_PROFILE },
	{ "jobs", required_argument, NULL, OPT_JOBS },
	{ NULL, 0, NULL, 0 }
};
static const struct option limit_opts[] = {
	{ "limit", required_argument, NULL, OPT_LIMIT },
	{ NULL, 0, NULL, 0 }
};
static const struct option get_opts[] = {
	{ "original", no_argument, NULL, OPT_ORIGINAL },
	{ "pdf", no_argument, NULL, OPT_PDF },
	{ "text", no_argument, NULL, OPT_TEXT },
	{ "output", required_argument, NULL, 'o' },
	{ NULL, 0, NULL, 0 }
};

enum { OPT_LEVEL = 300, OPT_AGENCY, OPT_TYPE, OPT_FROM, OPT_TO,
    OPT_PERSON_ID, OPT_DOSSIER };
static const struct option search_opts[] = {
	{ "limit", required_argument, NULL, OPT_LIMIT },
	{ "level", required_argument, NULL, OPT_LEVEL },
	{ "agency", required_argument, NULL, OPT_AGENCY },
	{ "type", required_argument, NULL, OPT_TYPE },
	{ "from", required_argument, NULL, OPT_FROM },
	{ "to", required_argument, NULL, OPT_TO },
	{ "person-id", required_argument, NULL, OPT_PERSON_ID },
	{ "dossier", required_argument, NULL, OPT_DOSSIER },
	{ "city", no_argument, NULL, CLI_OPT_CITY },
	{ NULL, 0, NULL, 0 }
};
static struct search_filter search_filter;	/* what search's options say */

static const struct cmd cmds[] = {
	{ "ingest", cmd_ingest,
	  "ingest [--jobs N] [--profile FILE] [--json] FILE...",
	  "OCR scans (TIFF, PNG, JPEG, PDF), archive and index them",
	  ingest_opts, opt_basic },
	{ "search", cmd_search,
	  "search [--city] [--json] [--limit N] [FILTER...] [QUERY...]",
	  "find documents by name, ID number, dossier code, document number; "
	  "FILTER: --level L, --agency CODE, --type WORDS, --from DATE, "
	  "--to DATE, --person-id N, --dossier CODE; --city: in every office "
	  "of the city (sohoa.conf's [city])",
	  search_opts, opt_search },
	{ "list", cmd_list, "list [--json] [--limit N]",
	  "list documents, newest first", limit_opts, opt_basic },
	{ "show", cli_records_show, "show [--json] ID | show --city [--json] OFFICE:ID",
	  "show one document's record; --city: any office's, from the city's "
	  "database", cli_records_show_opts, cli_records_opt_show },
	{ "get", cli_records_get, "get ID --original|--pdf|--text -o FILE",
	  "copy a document out of its archive package (-o - for stdout)",
	  get_opts, opt_basic },
	{ "verify", cli_records_verify, "verify [--json]",
	  "re-hash every archive package and name each mismatch", NULL, NULL },
	{ "status", cmd_status, "status [--json]",
	  "the daemon's queues, per profile; exit 1 when it is not running",
	  NULL, NULL },
	{ "log", cli_records_log, "log [--json] [--limit N]",
	  "who searched, looked at, listed or took out what; newest first",
	  limit_opts, opt_basic },
	{ "edit", cli_records_edit, "edit [--json] ID FIELD=VALUE...",
	  "correct fields of a record (kept through reindex)", NULL, NULL },
	{ "reindex", cli_records_reindex, "reindex [--profile FILE]...",
	  "read every package's text again, rebuild the full text, keep "
	  "corrections", cli_records_reindex_opts, cli_records_opt_reindex },
	{ "register", cli_audit_register, "register import [--config FILE] FILE.csv | register unmatched [--documents] [--json]", "import the office's register of results issued; list what matches nothing", cli_audit_register_opts, cli_audit_opt },
	{ "report", cli_audit_report, "report [--city] [--as-of DATE] [--from DATE --to DATE] [--level L] [--agency CODE] [--format table|csv|json|html] [--missing] [-o FILE] [--config FILE]", "digitization rates per level and office against the targets; --city: over every office of the city", cli_audit_report_opts, cli_audit_opt },
	{ "user", cli_user, "user add NAME --role ROLE | user list [--json] | user passwd NAME | user disable NAME", "the people who sign in to sohoa-web; ROLE: clerk, staff, auditor or admin; the password on stdin, else asked twice", cli_user_opts, cli_user_opt },
	{ "sync", cli_sync, "sync [-c FILE] [--json]",
	  "send what the city database is owed ([city] in sohoa.conf) and exit",
	  cli_city_opts, cli_city_opt },
	{ "city", cli_city, "city init [--url URL] [-c FILE] | city office add NAME --role ROLE [--url URL] [-c FILE]", "the city database (admin): make or upgrade its schema; name an office and the PostgreSQL role that writes its rows", cli_city_opts, cli_city_opt },
	{ "worker", cmd_worker, NULL, NULL, NULL, NULL },
};
#define NCMDS (sizeof cmds / sizeof cmds[0])

static void
usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: sohoa COMMAND [--data DIR] [OPTIONS]\n\n"
	    "Digitizes results of administrative procedures: OCR, archive, "
	    "search.\n\ncommands:\n");
	for (i = 0; i < NCMDS; i++)
		if (cmds[i].usage != NULL)
			fprintf(f, "  %-44s %s\n", cmds[i].usage, cmds[i].help);
	fprintf(f, "\nevery command takes:\n"
	    "  --data DIR   where the database and archive live (default: "
	    "$SOHOA_DATA,\n               else %s)\n"
	    "  -v           say more; -h, --help: this text\n\n"
	    "Run `man sohoa` for the details.\n", SOHOA_DEFAULT_DATA);
}



static int
cmd_ingest(struct cmd_opts *o, int argc, char **argv)
{
	struct conf conf;
	struct profile prof;
	struct ingest_opts io;
	struct index *ix;
	char err[ERRMAX], self[PATH_MAX];
	char *wargv[3];
	ssize_t n;
	int failed;

	if (argc == 0)
		cli_usage("ingest: name at least one scan (TIFF, PNG, JPEG or "
		    "PDF)");
	/* Workers get the limits sohoa.conf sets for the daemon's, and a
	 * profile its levels. */
	cli_load_conf(NULL, &conf);
	if (o->profile != NULL) {
		if (profile_load_conf(o->profile, &conf, &prof, err) == -1)
			fatalx("%s", err);
	} else
		profile_default(&prof);
	if ((n = readlink("/proc/self/exe", self, sizeof self - 1)) == -1)
		fatal("cannot find my own program file");
	self[n] = '\0';
	wargv[0] = self;
	wargv[1] = "worker";
	wargv[2] = NULL;

	ix = cli_open_index(o, 1);
	memset(&io, 0, sizeof io);
	io.datadir = cli_data_dir(o);
	io.profile = &prof;
	io.jobs = o->jobs ? o->jobs : conf.workers;
	io.json = o->json;
	io.progress = isatty(STDERR_FILENO) && !o->json && argc > 1;
	io.worker_argv = wargv;
	io.time_limit = conf.job_time_limit;
	io.memory_mb = conf.job_memory_mb;
	io.max_pages = conf.max_pages;
	failed = ingest_files(ix, &io, argv, argc);
	index_close(ix);
	profile_free(&prof);
	conf_free(&conf);
	return failed ? 1 : 0;
}

static char *
join_args(int argc, char **argv)
{
	struct buf b;
	int i;

	buf_init(&b, 1 << 16);
	for (i = 0; i < argc; i++) {
		if ((i > 0 && buf_append(&b, " ", 1) == -1) ||
		    buf_append(&b, argv[i], strlen(argv[i])) == -1)
			cli_usage("the query is too long");
	}
	return b.data ? b.data : xstrdup("");
}

static int
cmd_search(struct cmd_opts *o, int argc, char **argv)
{
	struct index *ix;
	struct conf conf;
	json_t *res, *d;
	char err[ERRMAX], *q;
	size_t i;

	const struct search_filter *f = &search_filter;

	/* --level names one of the levels of sohoa.conf. */
	memset(&conf, 0, sizeof conf);
	if (search_filter.level != NULL) {
		cli_load_conf(NULL, &conf);
		search_filter.levels = &conf;
	}

	if (argc == 0 && !f->level && !f->agency_code && !f->doc_type &&
	    !f->from && !f->to && !f->person_id && !f->dossier_code)
		cli_usage("search: type what to look for, e.g. sohoa search "
		    "\"nguyen van an\", or filter, e.g. --level commune");
	q = join_args(argc, argv);
	if (o->city) {
		struct city_asker who = { NULL, NULL };
		PGconn *pg;

		if (search_filter.level == NULL)
			cli_load_conf(NULL, &conf);
		search_filter.levels = &conf;
		pg = cli_city_open(&conf);
		who.office = conf.city_office;
		if ((res = city_search(pg, &who, q, f, o->limit ? o->limit : 20,
		    err)) == NULL)
			fatalx("search: %s", err);
		city_close(pg);
		ix = NULL;
		goto print;
	}
	ix = cli_open_index(o, 0);
	/* Personal data is shown only once the search is in the access log. */
	if ((res = search_find(ix, q, f, o->limit ? o->limit : 20,
	    err)) == NULL || accesslog_search(ix, q, f,
	    (int)json_array_size(res), err) == -1) {
		index_close(ix);
		fatalx("search: %s", err);
	}
print:
	if (o->json)
		cli_print_json(res);
	else {
		struct shown sh = { { NULL }, 0 };

		json_array_foreach(res, i, d) {
			char *snip, *c;

			/* A city result is OFFICE:#ID. */
			if (json_is_string(json_object_get(d, "office")))
				printf("%s:", cli_shown_key(&sh, d, "office"));
			cli_print_doc_line(d);
			cli_shown_free(&sh);
			if (!json_is_string(json_object_get(d, "snippet")))
				continue;
			/* The page's own line breaks read as spaces; any
			 * other control is escaped. */
			snip = xstrdup(cli_str(d, "snippet"));
			for (c = snip; *c != '\0'; c++)
				if (*c == '\n' || *c == '\f' || *c == '\t')
					*c = ' ';
			printf("         %s\n", cli_shown_text(&sh, snip,
			    strlen(snip)));
			free(snip);
			cli_shown_free(&sh);
		}
		if (json_array_size(res) == 0)
			fprintf(stderr, "nothing found%s%s\n", *q ? " for: " : "",
			    cli_shown_text(&sh, q, strlen(q)));
		cli_shown_free(&sh);
	}
	json_decref(res);
	index_close(ix);
	free(q);
	conf_free(&conf);
	return 0;
}

static int
cmd_list(struct cmd_opts *o, int argc, char **argv)
{
	struct index *ix;
	json_t *res, *d;
	char err[ERRMAX];
	size_t i;

	if (argc != 0)
		cli_usage("list takes no arguments");
	ix = cli_open_index(o, 0);
	res = store_list(ix, o->limit ? o->limit : 50);
	/* Names and ID numbers are shown only once that is in the log. */
	if (accesslog_list(ix, (int)json_array_size(res), err) == -1)
		fatalx("list: %s", err);
	if (o->json)
		cli_print_json(res);
	else
		json_array_foreach(res, i, d)
			cli_print_doc_line(d);
	json_decref(res);
	index_close(ix);
	return 0;
}

/* What the city's database is still owed, once this office ships there. */
static void
cmd_status_city(json_t *c)
{
	struct shown sh = { { NULL }, 0 };
	json_int_t pending = json_integer_value(json_object_get(c, "pending"));
	json_t *age = json_object_get(c, "oldest_age_seconds");

	if (!json_is_object(c))
		return;
	printf("\ncity: office %s, ", cli_shown_key(&sh, c, "office"));
	if (pending == 0)
		printf("nothing waits to be sent");
	else
		printf("%lld change%s wait%s to be sent, the oldest for %lld s "
		    "(since %s)", (long long)pending, pending == 1 ? "" : "s",
		    pending == 1 ? "s" : "", (long long)json_integer_value(age),
		    cli_shown_key(&sh, c, "oldest_unsent"));
	printf("; last sent %s\n", json_is_string(json_object_get(c,
	    "last_sent_at")) ? cli_shown_key(&sh, c, "last_sent_at") : "never");
	cli_shown_free(&sh);
}

/*
 * The daemon holds a lock on its pid file while it runs; the file's
 * second line, "full FREE SINCE", says it waits for room on the data disk
 * (sohoad cannot write that into the database then).
 */
static int
cmd_status(struct cmd_opts *o, int argc, char **argv)
{
	struct index *ix;
	json_t *st, *disk, *p;
	size_t i;
	int running;

	if (argc != 0)
		cli_usage("status takes no arguments");
	ix = cli_open_index(o, 1);
	st = status_build(ix, cli_data_dir(o));
	running = json_is_true(json_object_get(st, "running"));
	disk = json_object_get(st, "disk");
	if (o->json)
		cli_print_json(st);
	else {
		json_t *pid = json_object_get(st, "pid");

		if (running && json_is_integer(pid))
			printf("sohoad is running (pid %lld) on %s\n",
			    (long long)json_integer_value(pid), cli_data_dir(o));
		else if (running)
			printf("sohoad is running (pid -1) on %s\n",
			    cli_data_dir(o));
		else
			printf("sohoad is NOT running on %s\n", cli_data_dir(o));
		if (json_is_true(json_object_get(disk, "full")))
			printf("sohoad is waiting: the data disk is full (%.1f "
			    "MB free since %s); scans wait in the inboxes and "
			    "the spool and are read once there is room\n",
			    json_integer_value(json_object_get(disk,
			    "free_bytes")) / 1048576.0, cli_str(disk,
			    "full_since"));
		p = json_object_get(st, "profiles");
		if (json_array_size(p) > 0)
			printf("\n%-20s %6s %11s %13s %12s %10s  %s\n", "profile",
			    "queue", "done today", "failed today",
			    "quarantined", "pages/min", "oldest pending");
		json_array_foreach(json_object_get(st, "profiles"), i, p) {
			struct shown sh = { { NULL }, 0 };

			printf("%-20s %6lld %11lld %13lld %12lld %10.1f  %s\n",
			    cli_shown_key(&sh, p, "profile"),
			    json_integer_value(json_object_get(p, "queue")),
			    json_integer_value(json_object_get(p, "done_today")),
			    json_integer_value(json_object_get(p,
			    "failed_today")),
			    json_integer_value(json_object_get(p, "quarantined")),
			    json_real_value(json_object_get(p,
			    "pages_per_minute")),
			    cli_shown_key(&sh, p, "oldest_pending"));
			cli_shown_free(&sh);
		}
		cmd_status_city(json_object_get(st, "city"));
	}
	json_decref(st);
	index_close(ix);
	return running ? 0 : 1;
}

static int
opt_search(struct cmd_opts *o, int ch, const char *arg)
{
	switch (ch) {
	case OPT_LEVEL:
		search_filter.level = arg;
		break;
	case OPT_AGENCY:
		search_filter.agency_code = arg;
		break;
	case OPT_TYPE:
		search_filter.doc_type = arg;
		break;
	case OPT_FROM:
		search_filter.from = arg;
		break;
	case OPT_TO:
		search_filter.to = arg;
		break;
	case OPT_PERSON_ID:
		search_filter.person_id = arg;
		break;
	case OPT_DOSSIER:
		search_filter.dossier_code = arg;
		break;
	case CLI_OPT_CITY:
		o->city = 1;
		break;
	default:
		return opt_basic(o, ch, arg);
	}
	return 0;
}

static int
cmd_worker(struct cmd_opts *o, int argc, char **argv)
{
	if (isatty(STDIN_FILENO))
		cli_usage("the worker command is for sohoa's own use");
	return worker_main();
}

static int
opt_basic(struct cmd_opts *o, int ch, const char *arg)
{
	switch (ch) {
	case OPT_PROFILE:
		o->profile = arg;
		break;
	case OPT_LIMIT:
		o->limit = cli_parse_count(arg, "--limit");
		break;
	case OPT_JOBS:
		o->jobs = cli_parse_count(arg, "--jobs");
		break;
	case OPT_ORIGINAL:
		o->what = "original";
		break;
	case OPT_PDF:
		o->what = "pdf";
		break;
	case OPT_TEXT:
		o->what = "text";
		break;
	case 'o':
		o->output = arg;
		break;
	default:
		return -1;
	}
	return 0;
}

/* A first word that is no command: the commands, in one line. */
static noreturn void
unknown_command(const char *name)
{
	struct buf b;
	size_t i;

	buf_init(&b, 4096);
	for (i = 0; i < NCMDS; i++)
		if (cmds[i].usage != NULL)
			buf_printf(&b, "%s%s", b.len ? ", " : "", cmds[i].name);
	cli_usage("unknown command '%s'; the commands are %s (sohoa --help)",
	    name, b.data);
}

/*
 * What getopt refused (ch '?': an unknown option, or a value given to one
 * that takes none; ':': an option without its value), or an option of
 * another command that the command's opt() refused: the option as typed,
 * and the command's usage.
 */
static noreturn void
bad_option(const struct cmd *cmd, const struct option *longopts, int ch,
    char **argv)
{
	const char *typed = argv[optind - 1];
	const char *u = cmd->usage != NULL ? cmd->usage : cmd->name;
	char name[64];
	size_t i;

	if (ch != '?' && ch != ':') {
		for (i = 0; longopts[i].name != NULL; i++)
			if (longopts[i].val == ch)
				break;
		if (longopts[i].name != NULL)
			snprintf(name, sizeof name, "--%s", longopts[i].name);
		else
			snprintf(name, sizeof name, "-%c", ch);
		cli_usage("sohoa %s takes no %s; sohoa %s", cmd->name, name, u);
	}
	/* In a group of short options (-vx), argv holds the group. */
	if (strncmp(typed, "--", 2) != 0 && optopt > 0 && optopt < 128) {
		snprintf(name, sizeof name, "-%c", optopt);
		typed = name;
	}
	if (ch == ':')
		cli_usage("%s needs a value; sohoa %s", typed, u);
	cli_usage("unknown option '%s'; sohoa %s", typed, u);
}

int
main(int argc, char **argv)
{
	enum { OPT_DATA = 1000, OPT_JSON, OPT_VERSION };
	static const struct option common[] = {
		{ "data", required_argument, NULL, OPT_DATA },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, OPT_VERSION },
	};
	struct option longopts[64];
	struct cmd_opts o;
	const struct cmd *cmd = NULL;
	size_t i, n = 0;
	int ch;

	log_init("sohoa", 0);
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("sohoa %s\n", SOHOA_VERSION);
		return 0;
	}
	for (i = 0; i < NCMDS; i++)
		if (strcmp(argv[1], cmds[i].name) == 0)
			cmd = &cmds[i];
	if (cmd == NULL)
		unknown_command(argv[1]);
	/* The common options, then the command's own. */
	for (i = 0; i < sizeof common / sizeof common[0]; i++)
		longopts[n++] = common[i];
	for (i = 0; cmd->opts != NULL && cmd->opts[i].name != NULL &&
	    n < sizeof longopts / sizeof longopts[0] - 1; i++)
		longopts[n++] = cmd->opts[i];
	memset(&longopts[n], 0, sizeof longopts[n]);

	memset(&o, 0, sizeof o);
	argc--;
	argv++;
	/* getopt's own message would be a second line, under the name of
	 * the command rather than sohoa's: bad_option says it in one. */
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":hc:o:v", longopts, NULL)) != -1) {
		switch (ch) {
		case OPT_DATA:
			o.data = optarg;
			break;
		case OPT_JSON:
			o.json = 1;
			break;
		case 'v':
			o.verbose++;
			break;
		case OPT_VERSION:
			printf("sohoa %s\n", SOHOA_VERSION);
			return 0;
		case 'h':
			if (cmd->usage != NULL)
				printf("usage: sohoa %s\n  %s\n", cmd->usage,
				    cmd->help);
			return 0;
		default:
			if (ch != '?' && ch != ':' && cmd->opt != NULL &&
			    cmd->opt(&o, ch, optarg) == 0)
				break;
			bad_option(cmd, longopts, ch, argv);
		}
	}
	log_setverbose(o.verbose);
	return cmd->run(&o, argc - optind, argv + optind);
}
