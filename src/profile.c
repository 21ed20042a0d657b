/*
 * profile.c: scanner profiles.  One INI file per scanner folder says where
 * the scans arrive, where bad ones are set aside, which office they belong
 * to (agency code, name, level) and how to read them.  Records staff edit
 * these files by hand, so every mistake is reported as "file:line: what is
 * wrong" in plain words, and nothing unknown is silently ignored: a typo in
 * a key name would otherwise leave a default in force that nobody asked for.
 *
 * inih does the INI syntax.  Debian's inih is built without line numbers
 * in the handler, so the file is fed to ini_parse_stream through a reader
 * of our own that counts lines; the handler then knows the line it is
 * looking at.  The reader also catches what inih cannot report: unknown
 * [sections] and lines too long for inih's line buffer.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <ini.h>
#include <pcre2.h>
#include <utf8proc.h>

#include "sohoa.h"

#define PROFILE_SECTION		"profile"
#define PROFILE_NAMEMAX		64
#define PROFILE_CODEMAX		35	/* Quyết định 20/2020/QĐ-TTg */
#define PROFILE_LANGMAX		64

enum profile_key {
	PK_NAME,
	PK_INBOX,
	PK_QUARANTINE,
	PK_AGENCY_CODE,
	PK_AGENCY_NAME,
	PK_LEVEL,
	PK_LANGUAGES,
	PK_DPI,
	PK_SETTLE,
	PK_POLL,
	PK_RECURSIVE,
	PK_FILENAME_PATTERN,
	PK_COUNT
};

static const struct {
	const char	*name;
	int		 required;
} profile_keys[PK_COUNT] = {
	[PK_NAME] =		{ "name", 1 },
	[PK_INBOX] =		{ "inbox", 0 },		/* the daemon checks */
	[PK_QUARANTINE] =	{ "quarantine", 0 },	/* the daemon checks */
	[PK_AGENCY_CODE] =	{ "agency_code", 1 },
	[PK_AGENCY_NAME] =	{ "agency_name", 1 },
	[PK_LEVEL] =		{ "level", 1 },
	[PK_LANGUAGES] =	{ "languages", 0 },
	[PK_DPI] =		{ "dpi", 0 },
	[PK_SETTLE] =		{ "settle_seconds", 0 },
	[PK_POLL] =		{ "poll_seconds", 0 },
	[PK_RECURSIVE] =	{ "recursive", 0 },
	[PK_FILENAME_PATTERN] =	{ "filename_pattern", 0 },
};

/* State shared by the line reader and the key handler during one load. */
struct profile_parse {
	const char	*path;
	FILE		*fp;
	char		*line;		/* the raw line inih is looking at */
	size_t		 linecap;
	int		 lineno;
	int		 section_line;	/* first [profile] heading, or 0 */
	int		 key_line[PK_COUNT];
	int		 err_line;	/* 0 while there is no error */
	char		 reason[ERRMAX / 4 * 3];	/* leaves room for file:line */
	struct profile	*out;
};

static void	profile_fail(struct profile_parse *, const char *, ...)
		    PRINTFLIKE(2, 3);

/* Records the first error only: later ones are usually its echoes. */
static void
profile_fail(struct profile_parse *pp, const char *fmt, ...)
{
	va_list ap;

	if (pp->err_line == 0) {
		pp->err_line = pp->lineno > 0 ? pp->lineno : 1;
		va_start(ap, fmt);
		vsnprintf(pp->reason, sizeof pp->reason, fmt, ap);
		va_end(ap);
	}
}

/*
 * The fgets-like reader inih calls once per line.  Stopping (NULL) after
 * the first error keeps the line count where the error is.
 */
static char *
profile_reader(char *str, int num, void *stream)
{
	struct profile_parse *pp = stream;
	const char *s, *end;
	char *ret = NULL;
	ssize_t n;

	if (pp->err_line != 0)
		goto out;
	if ((n = getline(&pp->line, &pp->linecap, pp->fp)) == -1)
		goto out;
	pp->lineno++;
	if (memchr(pp->line, '\0', (size_t)n) != NULL) {
		profile_fail(pp, "the line holds a NUL byte; is this a text "
		    "file?");
		goto out;
	}
	/* inih needs room for the line, "\r\n" and the NUL. */
	if (n + 1 > num) {
		profile_fail(pp, "the line is longer than %d characters",
		    num - 3);
		goto out;
	}
	s = pp->line;
	if (pp->lineno == 1 && strncmp(s, "\xef\xbb\xbf", 3) == 0)
		s += 3;
	while (*s == ' ' || *s == '\t')
		s++;
	if (*s == '[' && (end = strchr(s + 1, ']')) != NULL) {
		size_t len = (size_t)(end - (s + 1));

		if (len != strlen(PROFILE_SECTION) ||
		    strncmp(s + 1, PROFILE_SECTION, len) != 0) {
			profile_fail(pp, "unknown section [%.*s]; a profile "
			    "has only a [profile] section", (int)len, s + 1);
			goto out;
		}
		if (pp->section_line == 0)
			pp->section_line = pp->lineno;
	}
	memcpy(str, pp->line, (size_t)n + 1);
	ret = str;
out:
	return ret;
}

static int
profile_int(const char *v, long lo, long hi, int *out)
{
	char *end;
	long n;
	int rc = -1;

	if (isdigit((unsigned char)*v)) {
		errno = 0;
		n = strtol(v, &end, 10);
		if (errno == 0 && *end == '\0' && n >= lo && n <= hi) {
			*out = (int)n;
			rc = 0;
		}
	}
	return rc;
}

static int
profile_bool(const char *v, int *out)
{
	static const char *yes[] = { "yes", "true", "on", "1" };
	static const char *no[] = { "no", "false", "off", "0" };
	size_t i;
	int rc = -1;

	for (i = 0; i < sizeof yes / sizeof yes[0] && rc == -1; i++) {
		if (strcasecmp(v, yes[i]) == 0) {
			*out = 1;
			rc = 0;
		} else if (strcasecmp(v, no[i]) == 0) {
			*out = 0;
			rc = 0;
		}
	}
	return rc;
}

static int
profile_utf8_ok(const char *s)
{
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
	utf8proc_int32_t cp;
	utf8proc_ssize_t n;

	while (*p != '\0' && (n = utf8proc_iterate(p, -1, &cp)) > 0)
		p += n;
	return *p == '\0';
}

static int
profile_name_ok(const char *v)
{
	size_t len = strlen(v);

	return len <= PROFILE_NAMEMAX && isalnum((unsigned char)v[0]) &&
	    strspn(v, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") == len;
}

static int
profile_agency_code_ok(const char *v)
{
	size_t len = strlen(v);

	return len <= PROFILE_CODEMAX &&
	    strspn(v, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ.") == len;
}

/* Tesseract language names joined by '+': "vie", "vie+eng". */
static int
profile_languages_ok(const char *v)
{
	size_t len = strlen(v);

	return len > 0 && len <= PROFILE_LANGMAX && v[0] != '+' &&
	    v[len - 1] != '+' &&
	    strstr(v, "++") == NULL &&
	    strspn(v, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-/+") == len;
}

static int
profile_pattern_ok(struct profile_parse *pp, const char *v)
{
	PCRE2_UCHAR msg[256];
	PCRE2_SIZE off, i;
	pcre2_code *re;
	size_t chars = 0;
	int code, ok;

	re = pcre2_compile((PCRE2_SPTR)v, PCRE2_ZERO_TERMINATED,
	    PCRE2_UTF | PCRE2_MATCH_INVALID_UTF, &code, &off, NULL);
	if ((ok = re != NULL) == 0) {
		pcre2_get_error_message(code, msg, sizeof msg);
		/* PCRE2 counts bytes; people count characters. */
		for (i = 0; i < off && v[i] != '\0'; i++)
			if (((unsigned char)v[i] & 0xC0) != 0x80)
				chars++;
		profile_fail(pp, "filename_pattern is not a valid regular "
		    "expression: %s (at character %zu)", (char *)msg,
		    chars + 1);
	}
	pcre2_code_free(re);
	return ok;
}

static void
profile_set_string(char **field, const char *v)
{
	free(*field);
	*field = xstrdup(v);
}

/* Checks one value and stores it.  Returns 0, or -1 after profile_fail. */
static int
profile_set(struct profile_parse *pp, enum profile_key k, const char *v)
{
	struct profile *p = pp->out;
	int rc = -1;

	switch (k) {
	case PK_NAME:
		if (!profile_name_ok(v)) {
			profile_fail(pp, "name '%s' may hold only letters A-Z "
			    "and a-z, digits, '-', '_' and '.', must begin with "
			    "a letter or digit and be at most %d characters (it "
			    "names folders)", v, PROFILE_NAMEMAX);
			break;
		}
		profile_set_string(&p->name, v);
		rc = 0;
		break;
	case PK_INBOX:
		profile_set_string(&p->inbox, v);
		rc = 0;
		break;
	case PK_QUARANTINE:
		profile_set_string(&p->quarantine, v);
		rc = 0;
		break;
	case PK_AGENCY_CODE:
		if (!profile_agency_code_ok(v)) {
			profile_fail(pp, "agency_code '%s' must be at most %d "
			    "capital letters, digits and dots, such as "
			    "000.00.11.H26 or H26.79", v, PROFILE_CODEMAX);
			break;
		}
		profile_set_string(&p->agency_code, v);
		rc = 0;
		break;
	case PK_AGENCY_NAME:
		if (!profile_utf8_ok(v)) {
			profile_fail(pp, "agency_name is not valid UTF-8; save "
			    "the file as UTF-8");
			break;
		}
		free(p->agency_name);
		p->agency_name = vntext_nfc(v, strlen(v));
		rc = 0;
		break;
	case PK_LEVEL:
		if (strcmp(v, "city") != 0 && strcmp(v, "district") != 0 &&
		    strcmp(v, "commune") != 0) {
			profile_fail(pp, "level must be city, district or "
			    "commune, not '%s'", v);
			break;
		}
		profile_set_string(&p->level, v);
		rc = 0;
		break;
	case PK_LANGUAGES:
		if (!profile_languages_ok(v)) {
			profile_fail(pp, "languages '%s' must be Tesseract "
			    "language names joined by '+', such as vie or "
			    "vie+eng", v);
			break;
		}
		profile_set_string(&p->languages, v);
		rc = 0;
		break;
	case PK_DPI:
		if ((rc = profile_int(v, 50, 2400, &p->dpi)) == -1)
			profile_fail(pp, "dpi must be a whole number from 50 "
			    "to 2400, not '%s'", v);
		break;
	case PK_SETTLE:
		if ((rc = profile_int(v, 0, 3600, &p->settle_seconds)) == -1)
			profile_fail(pp, "settle_seconds must be a whole "
			    "number of seconds from 0 to 3600, not '%s'", v);
		break;
	case PK_POLL:
		if ((rc = profile_int(v, 0, 86400, &p->poll_seconds)) == -1)
			profile_fail(pp, "poll_seconds must be a whole number "
			    "of seconds from 0 (watch with inotify) to 86400, "
			    "not '%s'", v);
		break;
	case PK_RECURSIVE:
		if ((rc = profile_bool(v, &p->recursive)) == -1)
			profile_fail(pp, "recursive must be yes or no, not "
			    "'%s'", v);
		break;
	case PK_FILENAME_PATTERN:
		if (profile_pattern_ok(pp, v)) {
			profile_set_string(&p->filename_pattern, v);
			rc = 0;
		}
		break;
	case PK_COUNT:
		fatalx("%s: no such key", __func__);
	}
	return rc;
}

/* inih calls this for every key = value; nonzero means the line is good. */
static int
profile_handler(void *user, const char *section, const char *name,
    const char *value)
{
	struct profile_parse *pp = user;
	struct buf known;
	int k, ok = 0;

	if (pp->err_line != 0)
		goto out;
	if (strcmp(section, PROFILE_SECTION) != 0) {
		if (*section == '\0')
			profile_fail(pp, "'%s' comes before the [profile] "
			    "heading", name);
		else
			profile_fail(pp, "unknown section [%s]", section);
		goto out;
	}
	for (k = 0; k < PK_COUNT; k++)
		if (strcmp(name, profile_keys[k].name) == 0)
			break;
	if (k == PK_COUNT) {
		buf_init(&known, 1024);
		for (k = 0; k < PK_COUNT; k++)
			buf_printf(&known, "%s%s", k ? ", " : "",
			    profile_keys[k].name);
		profile_fail(pp, "unknown key '%s' (the keys are %s)", name,
		    known.data);
		buf_free(&known);
		goto out;
	}
	if (pp->key_line[k] != 0) {
		/* inih hands an indented line over as more of the key above. */
		if (pp->line != NULL && (*pp->line == ' ' || *pp->line == '\t'))
			profile_fail(pp, "this line is indented, so it would "
			    "continue the value of '%s' above it; remove the "
			    "indentation or make it a comment", name);
		else
			profile_fail(pp, "'%s' is set twice (first on line %d)",
			    name, pp->key_line[k]);
		goto out;
	}
	pp->key_line[k] = pp->lineno;
	if (*value == '\0')
		profile_fail(pp, "'%s' has no value", name);
	else if (*value == '"' || *value == '\'')
		profile_fail(pp, "write the value of '%s' without quotes", name);
	else
		ok = profile_set(pp, (enum profile_key)k, value) == 0;
out:
	return ok;
}

static void
profile_defaults(struct profile *p)
{
	p->languages = xstrdup("vie");
	p->dpi = 300;
	p->settle_seconds = 5;
	p->poll_seconds = 0;
	p->recursive = 0;
}

int
profile_load(const char *path, struct profile *out, char *err)
{
	struct profile_parse pp;
	int irc, k, rc = -1;

	memset(out, 0, sizeof *out);
	memset(&pp, 0, sizeof pp);
	pp.path = path;
	pp.out = out;
	if ((pp.fp = fopen(path, "re")) == NULL) {
		snprintf(err, ERRMAX, "%s: cannot open the file: %s", path,
		    strerror(errno));
		goto out;
	}
	out->path = xstrdup(path);
	profile_defaults(out);
	irc = ini_parse_stream(profile_reader, &pp, profile_handler, &pp);
	if (irc == -2)
		fatalx("out of memory");
	if (irc > 0 && (pp.err_line == 0 || irc < pp.err_line)) {
		/* inih's own complaint: a line it could not make sense of. */
		pp.err_line = irc;
		snprintf(pp.reason, sizeof pp.reason, "expected a [profile] "
		    "heading, a 'key = value' line or a comment");
	}
	if (pp.err_line == 0 && ferror(pp.fp)) {
		snprintf(err, ERRMAX, "%s: cannot read the file: %s", path,
		    strerror(errno));
		goto out_free_profile;
	}
	if (pp.err_line != 0) {
		snprintf(err, ERRMAX, "%s:%d: %s", path, pp.err_line,
		    pp.reason);
		goto out_free_profile;
	}
	if (pp.section_line == 0) {
		snprintf(err, ERRMAX, "%s: there is no [profile] section",
		    path);
		goto out_free_profile;
	}
	for (k = 0; k < PK_COUNT; k++) {
		if (profile_keys[k].required && pp.key_line[k] == 0) {
			snprintf(err, ERRMAX, "%s:%d: the [profile] section "
			    "has no '%s', which is required", path,
			    pp.section_line, profile_keys[k].name);
			goto out_free_profile;
		}
	}
	rc = 0;
	goto out_close;
out_free_profile:
	profile_free(out);
out_close:
	fclose(pp.fp);
	free(pp.line);
out:
	return rc;
}

void
profile_default(struct profile *out)
{
	memset(out, 0, sizeof *out);
	profile_defaults(out);
	out->path = xstrdup("(built-in)");
	out->name = xstrdup("sample");
	out->inbox = xstrdup("var/inbox/sample");
	out->quarantine = xstrdup("var/quarantine/sample");
	out->agency_code = xstrdup("000.11.30.H26");
	out->agency_name = xstrdup("UBND phường Dịch Vọng Hậu");
	out->level = xstrdup("commune");
	out->settle_seconds = 2;
}

void
profile_free(struct profile *p)
{
	if (p != NULL) {
		free(p->path);
		free(p->name);
		free(p->inbox);
		free(p->quarantine);
		free(p->agency_code);
		free(p->agency_name);
		free(p->level);
		free(p->languages);
		free(p->filename_pattern);
		memset(p, 0, sizeof *p);
	}
}
