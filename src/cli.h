/*
 * cli.h: the command line's own declarations, shared by sohoa.c and the
 * files of its commands (cli_*.c); not part of libsohoa.
 */
#ifndef SOHOA_CLI_H
#define SOHOA_CLI_H

#include <getopt.h>
#include <stdint.h>
#include <stdio.h>

#include "sohoa.h"

/* Options every command takes, and those of the commands that keep
 * them here. */
struct cmd_opts {
	const char *data;
	const char *profile;
	const char *output;
	const char *what;	/* get: original | pdf | text */
	int	 json;
	int	 city;		/* search, show, report: the city's database */
	int	 jobs;
	int	 limit;
	int	 verbose;
};

/*
 * Text from outside shown to people (queries, user names, fields read by
 * OCR, file names, register cells) goes through vntext_escape, so that a
 * newline or an escape sequence in it can neither add a line to what an
 * auditor reads nor move the cursor.  The escaped strings of one piece
 * of output are kept in a struct shown and freed together by
 * cli_shown_free.
 */
#define SHOWN_MAX	16
struct shown {
	char	*v[SHOWN_MAX];
	size_t	 n;
};

/* cli.c */
/* A command line that is wrong: one line "sohoa: usage: ..." on stderr,
 * exit status 2 (a failure of the work itself exits 1). */
noreturn void	 cli_usage(const char *, ...) PRINTFLIKE(1, 2);
const char	*cli_data_dir(const struct cmd_opts *);
struct index	*cli_open_index(const struct cmd_opts *, int create);
void		 cli_print_json(json_t *);
const char	*cli_str(json_t *, const char *);
const char	*cli_shown_text(struct shown *, const char *, size_t);
const char	*cli_shown_json(struct shown *, json_t *);
const char	*cli_shown_key(struct shown *, json_t *, const char *);
void		 cli_shown_free(struct shown *);
void		 cli_print_doc_line(json_t *);
int64_t		 cli_parse_id(const char *);
int		 cli_parse_count(const char *, const char *);
void		 cli_load_conf(const char *, struct conf *);
/* The city's database of sohoa.conf's [city] (conf loaded already): the
 * connection, or a plain line and exit 1.  Caller city_close()s. */
struct pg_conn	*cli_city_open(const struct conf *);
/* The option --city of search, show and report. */
#define CLI_OPT_CITY	900

/* cli_records.c: show, get, verify, log, edit, reindex */
extern const struct option cli_records_reindex_opts[];
extern const struct option cli_records_show_opts[];
int	cli_records_opt_show(struct cmd_opts *, int, const char *);
int	cli_records_show(struct cmd_opts *, int, char **);
int	cli_records_get(struct cmd_opts *, int, char **);
int	cli_records_verify(struct cmd_opts *, int, char **);
int	cli_records_log(struct cmd_opts *, int, char **);
int	cli_records_edit(struct cmd_opts *, int, char **);
int	cli_records_reindex(struct cmd_opts *, int, char **);
int	cli_records_opt_reindex(struct cmd_opts *, int, const char *);

/* cli_audit.c: register, report */
extern const struct option cli_audit_register_opts[];
extern const struct option cli_audit_report_opts[];
int	cli_audit_register(struct cmd_opts *, int, char **);
int	cli_audit_report(struct cmd_opts *, int, char **);
int	cli_audit_opt(struct cmd_opts *, int, const char *);

/* cli_user.c: user add, list, passwd, disable */
extern const struct option cli_user_opts[];
int	cli_user(struct cmd_opts *, int, char **);
int	cli_user_opt(struct cmd_opts *, int, const char *);

/* cli_city.c: city init, city office add; sync */
extern const struct option cli_city_opts[];
int	cli_city(struct cmd_opts *, int, char **);
int	cli_city_opt(struct cmd_opts *, int, const char *);
int	cli_sync(struct cmd_opts *, int, char **);

#endif /* SOHOA_CLI_H */
