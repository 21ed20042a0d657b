/*
 * register_int.h: what register.c, register_csv.c and register_match.c
 * share and no other file needs: the columns of a register, the state of
 * one import (the CSV being read and where its rows go), the module's
 * statements, and the functions each calls in another.
 */

#ifndef REGISTER_INT_H
#define REGISTER_INT_H

/* Covers the report's grouped scan: it reads no row, only this index.
 * register.c makes it; register_match.c rebuilds it after a bulk match. */
#define REGISTER_FIGURES_INDEX "CREATE INDEX IF NOT EXISTS " \
	"register_entries_figures ON register_entries(level, agency_code, " \
	"issued_on, status, valid_until, doc_id, agency_name)"

/* The columns of a register; register_csv.c holds the header names that
 * mean each one. */
enum register_col {
	RC_DOSSIER,
	RC_NUMBER,
	RC_AGENCY,
	RC_AGENCY_NAME,
	RC_LEVEL,
	RC_PROCEDURE,
	RC_ISSUED,
	RC_VALID_UNTIL,
	RC_STATUS,
	RC_MAX
};

/* The register module's statements (register_sql in register.c). */
enum register_stmt {
	/* the import, register.c */
	RS_FIND,
	RS_BY_NUMBER,
	RS_INSERT,
	RS_UPDATE,
	RS_SEEN,
	RS_REMEMBER,
	RS_FORGET_SEEN,
	RS_IMPORT_ADD,
	RS_IMPORT_DONE,
	RS_ENTRIES,
	RS_DIGITIZED,
	RS_LAST_IMPORT,
	RS_NUMBERS,
	/* the match, register_match.c: RS_AFFECTED_OLD to RS_AFFECTED_NEW
	 * run in their order */
	RS_ANY_NEW,
	RS_STALE_ALL,
	RS_STALE_MATCHED,
	RS_STALE_NEW,
	RS_STATE,
	RS_AFFECTED_OLD,
	RS_DOCS_FORGET,
	RS_DOCS_KEY,
	RS_AFFECTED_NEW,
	RS_AFFECTED_COUNT,
	RS_FIRST_DOC,
	RS_AFFECTED_CLEAR,
	RS_STALE_CLEAR,
	RS_UNMATCHED_ENTRIES,
	RS_UNMATCHED_DOCS,
	RS_MAX
};

/* One import in progress: libcsv's callbacks see only this. */
struct register_reader {
	const struct conf *conf;
	void	(*bad)(long, const char *, void *);
	void	*arg;
	struct register_stats *st;
	struct db *db;
	int64_t	 import_id;
	char	**f;			/* fields of the record being read */
	size_t	 nf;
	size_t	 capf;
	int	 toomany;		/* over REGISTER_FIELDS_MAX fields */
	long	 line;			/* line being read */
	long	 rec_line;		/* line the record began on */
	int	 pending;		/* a record has begun and not ended */
	int	 header_done;
	int	 col[RC_MAX];		/* field of each column, or -1 */
	size_t	 ncols;			/* fields of the header */
	int	 stop;			/* a problem with the whole file */
	int	 bad_header;
	char	*err;
};

/* register.c */
/* Inserts or updates one checked row (v holds its values by column). */
void	register_store(struct register_reader *, char **v, const char *level,
	    const char *status, const char *issued, const char *until);
/* Statement s of the register module, ready to bind and step. */
struct db_stmt *register_stmt(struct db *, enum register_stmt s);
/* Runs statement s, which returns no row: 0, or -1 with err set. */
int	register_run(struct db *, enum register_stmt s, char *err);
/* The number statement s answers, or -1 when it gives no row. */
int64_t	register_int(struct db *, enum register_stmt s);

/* register_csv.c */
/* Reads the whole file into r, row by row (each stored through
 * register_store or reported through r->bad): 0, or -1 with err set. */
int	register_csv_read(struct register_reader *, FILE *, char *err);

/* register_match.c */
/* Matches the documents recorded since the last time and those changed
 * since, or with all set every document (the register changed).  Runs
 * inside the caller's transaction. */
int	register_match_run(struct db *, int all, char *err);

#endif /* REGISTER_INT_H */
