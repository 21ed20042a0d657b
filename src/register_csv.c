/*
 * register_csv.c: reading the office's register as the one-stop software
 * exports it.
 *
 * The export is CSV: UTF-8 with or without a BOM, comma or semicolon
 * (the more frequent of the two in the header line), English or
 * Vietnamese headers ("Mã hồ sơ", "Số, ký hiệu", "Ngày cấp", "Trạng
 * thái"...), levels and statuses in either language.  libcsv is fed one
 * line at a time so that every row is known by the line it began on.
 * Every row is checked (its fields, its dossier code or number, agency,
 * level among the configured targets, dates, status) and either handed
 * to register_store (register.c) or reported with all its reasons; the
 * caller imports nothing when any row is bad.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <csv.h>

#include "sohoa.h"
#include "register_int.h"

#define REGISTER_LINE_MAX	65536	/* bytes in one line of the CSV */
#define REGISTER_FIELD_MAX	512	/* bytes in one field */
#define REGISTER_FIELDS_MAX	256	/* fields in one row */

/* The header names that mean each column, written as
 * register_csv_header_name() leaves them. */
static const struct {
	const char *name;
	int	 required;
	const char *names[8];
} register_csv_cols[RC_MAX] = {
	[RC_DOSSIER] = { "dossier_code", 0, { "dossier code", "ma ho so",
	    "ma so ho so", "so ho so", NULL } },
	[RC_NUMBER] = { "doc_number", 0, { "doc number", "document number",
	    "so van ban", "so ky hieu", "so ky hieu van ban", "so hieu van ban",
	    "so hieu", NULL } },
	[RC_AGENCY] = { "agency_code", 1, { "agency code", "ma co quan",
	    "ma don vi", "ma co quan ban hanh", NULL } },
	[RC_AGENCY_NAME] = { "agency_name", 0, { "agency name", "ten co quan",
	    "ten don vi", "co quan ban hanh", "ten co quan ban hanh", NULL } },
	[RC_LEVEL] = { "level", 1, { "level", "cap", "cap hanh chinh",
	    "cap co quan", NULL } },
	[RC_PROCEDURE] = { "procedure_code", 0, { "procedure code",
	    "ma thu tuc", "ma thu tuc hanh chinh", "ma tthc", NULL } },
	[RC_ISSUED] = { "issued_on", 1, { "issued on", "issue date",
	    "date issued", "ngay cap", "ngay ban hanh", "ngay ky", NULL } },
	[RC_VALID_UNTIL] = { "valid_until", 0, { "valid until",
	    "hieu luc den", "co hieu luc den", "ngay het hieu luc", NULL } },
	[RC_STATUS] = { "status", 1, { "status", "trang thai", "tinh trang",
	    NULL } },
};

static const struct {
	const char *status;
	const char *names[6];
} register_csv_status_names[] = {
	{ "valid", { "valid", "con hieu luc", "hieu luc", NULL } },
	{ "revoked", { "revoked", "thu hoi", "da thu hoi", "bi thu hoi",
	    NULL } },
};

static int
register_csv_is_ascii(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s >= 0x80)
			return 0;
	return 1;
}

/*
 * A header name or a word value as it is compared: folded (no case, no
 * marks, đ -> d), "_", "-" and "/" read as spaces, ",", ":", "." and "*"
 * dropped, spaces collapsed.  "Số, ký hiệu" -> "so ky hieu".  Caller frees.
 */
static char *
register_csv_header_name(const char *s)
{
	char *fold = vntext_fold(s), *out = xmalloc(strlen(fold) + 1);
	const char *p;
	size_t n = 0;

	for (p = fold; *p != '\0'; p++) {
		char c = *p;

		if (c == '_' || c == '-' || c == '/' ||
		    isspace((unsigned char)c))
			c = ' ';
		else if (c == ',' || c == ':' || c == '.' || c == '*')
			continue;
		if (c == ' ' && (n == 0 || out[n - 1] == ' '))
			continue;
		out[n++] = c;
	}
	while (n > 0 && out[n - 1] == ' ')
		n--;
	out[n] = '\0';
	free(fold);
	return out;
}

static int
register_csv_in(const char *s, const char *const *names)
{
	for (; *names != NULL; names++)
		if (strcmp(s, *names) == 0)
			return 1;
	return 0;
}

/* The configured level that v names, or NULL: levels.c knows the words. */
static const char *
register_csv_level(const struct conf *conf, const char *v)
{
	return levels_find(conf, v);
}

static const char *
register_csv_status(const char *v)
{
	char *name = register_csv_header_name(v);
	const char *status = NULL;
	size_t i;

	for (i = 0; i < sizeof register_csv_status_names /
	    sizeof register_csv_status_names[0] && status == NULL; i++)
		if (register_csv_in(name, register_csv_status_names[i].names))
			status = register_csv_status_names[i].status;
	free(name);
	return status;
}

static void
register_csv_levels_list(const struct conf *conf, struct buf *b)
{
	size_t i;

	for (i = 0; i < conf->ntargets; i++)
		buf_printf(b, "%s%s", i ? ", " : "", conf->targets[i].level);
}

static void
register_csv_header(struct register_reader *r)
{
	struct buf why;
	char *name;
	size_t i;
	int c;

	buf_init(&why, ERRMAX);
	r->header_done = 1;
	r->ncols = r->nf;
	for (c = 0; c < RC_MAX; c++)
		r->col[c] = -1;
	for (i = 0; i < r->nf; i++) {
		name = register_csv_header_name(r->f[i]);
		for (c = 0; c < RC_MAX; c++) {
			char *own = register_csv_header_name(register_csv_cols[c].name);
			int hit = strcmp(name, own) == 0 ||
			    register_csv_in(name, register_csv_cols[c].names);

			free(own);
			if (!hit)
				continue;
			if (r->col[c] != -1 && why.len == 0)
				buf_printf(&why, "the header names the %s "
				    "column twice (columns %d and %zu)",
				    register_csv_cols[c].name, r->col[c] + 1,
				    i + 1);
			r->col[c] = (int)i;
			break;
		}
		if (c == RC_MAX && name[0] != '\0')
			log_debug("register column %zu ('%s') is not used",
			    i + 1, r->f[i]);
		free(name);
	}
	for (c = 0; c < RC_MAX && why.len == 0; c++)
		if (register_csv_cols[c].required && r->col[c] == -1)
			buf_printf(&why, "the header has no %s column (one of "
			    "the header names in sohoa(1), such as \"%s\")",
			    register_csv_cols[c].name, register_csv_cols[c].name);
	if (why.len == 0 && r->col[RC_DOSSIER] == -1 && r->col[RC_NUMBER] == -1)
		buf_printf(&why, "the header has neither a dossier_code nor a "
		    "doc_number column (\"Mã hồ sơ\", \"Số văn bản\")");
	if (why.len > 0) {
		r->bad(r->rec_line, why.data, r->arg);
		r->stop = 1;
		r->bad_header = 1;
	}
	buf_free(&why);
}

/* The value of column c in the record: NFC, trimmed; NULL when empty. */
static char *
register_csv_value(struct register_reader *r, enum register_col c)
{
	const char *v;
	char *out;
	size_t len;

	if (r->col[c] == -1 || (size_t)r->col[c] >= r->nf)
		return NULL;
	v = r->f[r->col[c]];
	while (isspace((unsigned char)*v))
		v++;
	len = strlen(v);
	while (len > 0 && isspace((unsigned char)v[len - 1]))
		len--;
	if (len == 0)
		return NULL;
	if (!register_csv_is_ascii(v))
		return vntext_nfc(v, len);
	out = xmalloc(len + 1);
	memcpy(out, v, len);
	out[len] = '\0';
	return out;
}

/* An agency identifier: at most 35 of [0-9A-Z.], put in capitals. */
static int
register_csv_agency_ok(char *s)
{
	char *p;

	if (strlen(s) > 35 || strspn(s, "0123456789.ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz") != strlen(s))
		return 0;
	for (p = s; *p != '\0'; p++)
		*p = (char)toupper((unsigned char)*p);
	return 1;
}

static int
register_csv_empty_key(const char *s)
{
	char *k = register_key(s);

	free(k);
	return k == NULL;
}

/* Adds one reason to the reasons a row is bad. */
static void PRINTFLIKE(2, 3)
register_csv_why(struct buf *why, const char *fmt, ...)
{
	char s[ERRMAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s, sizeof s, fmt, ap);
	va_end(ap);
	if (why->len > 0)
		buf_append(why, "; ", 2);
	buf_append(why, s, strlen(s));
}

/* Checks one row of the register and stores it, or reports why not. */
static void
register_csv_row(struct register_reader *r)
{
	struct buf why;
	char *v[RC_MAX], issued[11] = "", until[11] = "";
	const char *level = NULL, *status = NULL;
	size_t i;
	int c;

	r->st->rows++;
	buf_init(&why, 4 * ERRMAX);
	memset(v, 0, sizeof v);
	if (r->toomany || r->nf != r->ncols) {
		buf_printf(&why, "%s%zu fields where the header has %zu",
		    r->toomany ? "more than " : "", r->nf, r->ncols);
		goto out;
	}
	for (i = 0; i < r->nf; i++) {
		if (!vntext_utf8_valid(r->f[i], strlen(r->f[i]))) {
			buf_printf(&why, "field %zu is not UTF-8 text (save "
			    "the file as \"CSV UTF-8\")", i + 1);
			goto out;
		}
		if (strlen(r->f[i]) > REGISTER_FIELD_MAX) {
			buf_printf(&why, "field %zu is longer than %d bytes",
			    i + 1, REGISTER_FIELD_MAX);
			goto out;
		}
	}
	for (c = 0; c < RC_MAX; c++)
		v[c] = register_csv_value(r, c);
	if (v[RC_DOSSIER] == NULL && v[RC_NUMBER] == NULL)
		register_csv_why(&why, "no dossier code and no document number");
	/* Keyed, "Số:" or a no-break space is nothing: no entry to name. */
	if (v[RC_DOSSIER] != NULL && register_csv_empty_key(v[RC_DOSSIER]))
		register_csv_why(&why, "dossier code '%s' holds no code",
		    v[RC_DOSSIER]);
	if (v[RC_NUMBER] != NULL && register_csv_empty_key(v[RC_NUMBER]))
		register_csv_why(&why, "document number '%s' holds no number",
		    v[RC_NUMBER]);
	if (v[RC_AGENCY] == NULL)
		register_csv_why(&why, "no agency code");
	else if (!register_csv_agency_ok(v[RC_AGENCY]))
		register_csv_why(&why, "agency code '%s' is not an agency "
		    "identifier (capital letters, digits and dots, at most 35)",
		    v[RC_AGENCY]);
	if (v[RC_LEVEL] == NULL)
		register_csv_why(&why, "no level");
	else if ((level = register_csv_level(r->conf, v[RC_LEVEL])) == NULL) {
		struct buf levels;

		buf_init(&levels, ERRMAX);
		register_csv_levels_list(r->conf, &levels);
		register_csv_why(&why, "level '%s' is not one of the levels "
		    "with a target (%s)", v[RC_LEVEL],
		    levels.data ? levels.data : "none");
		buf_free(&levels);
	}
	if (v[RC_ISSUED] == NULL)
		register_csv_why(&why, "no issue date");
	else if (date_read(v[RC_ISSUED], issued) == -1)
		register_csv_why(&why, "issue date '%s' " DATE_NOT, v[RC_ISSUED]);
	if (v[RC_VALID_UNTIL] != NULL) {
		if (date_read(v[RC_VALID_UNTIL], until) == -1)
			register_csv_why(&why, "valid-until date '%s' " DATE_NOT
			    "; empty for no end", v[RC_VALID_UNTIL]);
		else if (issued[0] != '\0' && strcmp(until, issued) < 0)
			register_csv_why(&why, "valid until %s, before its issue "
			    "date %s", until, issued);
	}
	if (v[RC_STATUS] == NULL)
		register_csv_why(&why, "no status (valid or revoked)");
	else if ((status = register_csv_status(v[RC_STATUS])) == NULL)
		register_csv_why(&why, "status '%s' is neither valid (còn hiệu "
		    "lực) nor revoked (thu hồi)", v[RC_STATUS]);
	if (why.len == 0)
		register_store(r, v, level, status, issued,
		    until[0] ? until : NULL);
out:
	if (why.len > 0) {
		r->st->bad++;
		r->bad(r->rec_line, why.data, r->arg);
	}
	for (c = 0; c < RC_MAX; c++)
		free(v[c]);
	buf_free(&why);
}

static void
register_csv_field(void *s, size_t len, void *arg)
{
	struct register_reader *r = arg;

	if (r->nf >= REGISTER_FIELDS_MAX) {
		r->toomany = 1;
		return;
	}
	if (r->nf == r->capf) {
		r->capf = r->capf ? r->capf * 2 : 16;
		r->f = xrealloc(r->f, r->capf * sizeof *r->f);
	}
	r->f[r->nf] = xmalloc(len + 1);
	memcpy(r->f[r->nf], s, len);
	r->f[r->nf][len] = '\0';
	r->nf++;
}

static void
register_csv_clear(struct register_reader *r)
{
	size_t i;

	for (i = 0; i < r->nf; i++)
		free(r->f[i]);
	r->nf = 0;
	r->toomany = 0;
}

static void
register_csv_record(int c, void *arg)
{
	struct register_reader *r = arg;

	if (!r->stop) {
		if (!r->header_done)
			register_csv_header(r);
		else
			register_csv_row(r);
	}
	register_csv_clear(r);
	r->pending = 0;
}

/* The header line's separator: the more frequent of ";" and ",". */
static unsigned char
register_csv_delimiter(const char *line)
{
	size_t commas = 0, semis = 0;
	int quoted = 0;

	for (; *line != '\0'; line++) {
		if (*line == '"')
			quoted = !quoted;
		else if (!quoted && *line == ',')
			commas++;
		else if (!quoted && *line == ';')
			semis++;
	}
	return semis > commas ? ';' : ',';
}

static int
register_csv_blank(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (!isspace((unsigned char)s[i]))
			return 0;
	return 1;
}

/* Feeds the file to libcsv one line at a time, to know each row's line. */
int
register_csv_read(struct register_reader *r, FILE *f, char *err)
{
	struct csv_parser p;
	char *line = NULL, *s;
	size_t cap = 0;
	ssize_t len;
	int rc = -1;

	if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI) != 0)
		fatalx("out of memory");
	while (!r->stop && (len = getline(&line, &cap, f)) != -1) {
		s = line;
		r->line++;
		if (r->line == 1) {
			if (len >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0) {
				s += 3;
				len -= 3;
			}
			csv_set_delim(&p, register_csv_delimiter(s));
		}
		if (len > REGISTER_LINE_MAX) {
			r->st->bad++;
			r->bad(r->line, "the line is too long for a register "
			    "row", r->arg);
			r->stop = 1;
			break;
		}
		if (!r->pending) {
			if (register_csv_blank(s, (size_t)len))
				continue;
			r->rec_line = r->line;
			r->pending = 1;
		}
		if (csv_parse(&p, s, (size_t)len, register_csv_field,
		    register_csv_record, r) != (size_t)len) {
			r->st->bad++;
			r->bad(r->line, "a quote is out of place (a field that "
			    "holds quotes must be quoted, its quotes doubled)",
			    r->arg);
			r->stop = 1;
		}
	}
	if (ferror(f)) {
		snprintf(err, ERRMAX, "cannot read the file: %s",
		    strerror(errno));
		goto out;
	}
	if (!r->stop && csv_fini(&p, register_csv_field, register_csv_record,
	    r) != 0) {
		r->st->bad++;
		r->bad(r->rec_line, "a quoted field is not closed before the "
		    "end of the file", r->arg);
	}
	if (r->err[0] != '\0') {
		snprintf(err, ERRMAX, "%s", r->err);
		goto out;
	}
	if (!r->header_done) {
		snprintf(err, ERRMAX, "the file is empty: a register starts "
		    "with a header line naming its columns");
		goto out;
	}
	rc = 0;
out:
	register_csv_clear(r);
	free(r->f);
	free(line);
	csv_free(&p);
	return rc;
}
