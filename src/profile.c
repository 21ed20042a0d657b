/*
 * profile.c: scanner profiles.  One INI file per scanner folder says where
 * the scans arrive, where bad ones are set aside, which office they belong
 * to (agency code, name, level) and how to read them.  Records staff edit
 * these files by hand, so every mistake is reported as "file:line: what is
 * wrong" in plain words (cfgfile.c does the INI side); here are the keys
 * and what makes each value good.
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
	PK_PREPROCESS,
	PK_ORIENTATION,
	PK_DESKEW,
	PK_NORMALIZE_BACKGROUND,
	PK_BINARIZE,
	PK_DESPECKLE,
	PK_REMOVE_BORDERS,
	PK_SUPPRESS_SEALS,
	PK_UPSCALE_BELOW_DPI,
	PK_SYLLABLES,
	PK_RULE,		/* rule_<field>: EXTRACT_NRULES keys */
	PK_COUNT = PK_RULE + EXTRACT_NRULES
};

static const struct cfgfile_key profile_keys[PK_COUNT] = {
	[PK_NAME] =		{ "profile", "name", 1 },
	[PK_INBOX] =		{ "profile", "inbox", 0 },		/* the daemon checks */
	[PK_QUARANTINE] =	{ "profile", "quarantine", 0 },	/* the daemon checks */
	[PK_AGENCY_CODE] =	{ "profile", "agency_code", 1 },
	[PK_AGENCY_NAME] =	{ "profile", "agency_name", 1 },
	[PK_LEVEL] =		{ "profile", "level", 1 },
	[PK_LANGUAGES] =	{ "profile", "languages", 0 },
	[PK_DPI] =		{ "profile", "dpi", 0 },
	[PK_SETTLE] =		{ "profile", "settle_seconds", 0 },
	[PK_POLL] =		{ "profile", "poll_seconds", 0 },
	[PK_RECURSIVE] =	{ "profile", "recursive", 0 },
	[PK_FILENAME_PATTERN] =	{ "profile", "filename_pattern", 0 },
	[PK_PREPROCESS] =	{ "profile", "preprocess", 0 },
	[PK_ORIENTATION] =	{ "profile", "orientation", 0 },
	[PK_DESKEW] =		{ "profile", "deskew", 0 },
	[PK_NORMALIZE_BACKGROUND] = { "profile", "normalize_background", 0 },
	[PK_BINARIZE] =		{ "profile", "binarize", 0 },
	[PK_DESPECKLE] =	{ "profile", "despeckle", 0 },
	[PK_REMOVE_BORDERS] =	{ "profile", "remove_borders", 0 },
	[PK_SUPPRESS_SEALS] =	{ "profile", "suppress_seals", 0 },
	[PK_UPSCALE_BELOW_DPI] = { "profile", "upscale_below_dpi", 0 },
	[PK_SYLLABLES] =	{ "profile", "syllables", 0 },
	[PK_RULE + 0] =		{ "profile", "rule_doc_type", 0 },
	[PK_RULE + 1] =		{ "profile", "rule_doc_number", 0 },
	[PK_RULE + 2] =		{ "profile", "rule_issued_on", 0 },
	[PK_RULE + 3] =		{ "profile", "rule_agency_name", 0 },
	[PK_RULE + 4] =		{ "profile", "rule_people", 0 },
	[PK_RULE + 5] =		{ "profile", "rule_id_numbers", 0 },
	[PK_RULE + 6] =		{ "profile", "rule_dossier_code", 0 },
};

/* What profile_set needs: where to store, where to say what is wrong,
 * and the levels there are (NULL: the built-in ones). */
struct profile_parse {
	struct profile	*out;
	char		*why;
	const struct conf *conf;
};

static void	profile_fail(struct profile_parse *, const char *, ...)
		    PRINTFLIKE(2, 3);

static void
profile_fail(struct profile_parse *pp, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(pp->why, ERRMAX / 2, fmt, ap);
	va_end(ap);
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

/* Where the yes/no preprocessing key k is stored. */
static int *
profile_switch(struct profile *p, enum profile_key k)
{
	switch (k) {
	case PK_ORIENTATION:
		return &p->pre.orientation;
	case PK_DESKEW:
		return &p->pre.deskew;
	case PK_NORMALIZE_BACKGROUND:
		return &p->pre.normalize_background;
	case PK_BINARIZE:
		return &p->pre.binarize;
	case PK_DESPECKLE:
		return &p->pre.despeckle;
	case PK_REMOVE_BORDERS:
		return &p->pre.remove_borders;
	case PK_SUPPRESS_SEALS:
		return &p->pre.suppress_seals;
	case PK_SYLLABLES:
		return &p->syllables;
	default:
		return &p->pre.enabled;
	}
}

/* Checks one value and stores it.  Returns 0, or -1 after profile_fail. */
static int
profile_set(struct profile_parse *pp, enum profile_key k, const char *v)
{
	struct profile *p = pp->out;
	const char *s;
	char why[ERRMAX / 4];
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
		if (!vntext_utf8_valid(v, strlen(v))) {
			profile_fail(pp, "agency_name is not valid UTF-8; save "
			    "the file as UTF-8");
			break;
		}
		free(p->agency_name);
		p->agency_name = vntext_nfc(v, strlen(v));
		rc = 0;
		break;
	case PK_LEVEL:
		/* A former district's office counts where sohoa.conf says. */
		if ((s = levels_profile(pp->conf, v)) == NULL) {
			struct buf levels;

			buf_init(&levels, ERRMAX / 4);
			levels_list(pp->conf, " or ", &levels);
			if (pp->conf != NULL && pp->conf->path != NULL)
				buf_printf(&levels, " (the levels of %s)",
				    pp->conf->path);
			profile_fail(pp, "level must be %s, not '%s'",
			    levels.data ? levels.data : "a level of sohoa.conf",
			    v);
			buf_free(&levels);
			break;
		}
		profile_set_string(&p->level, s);
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
		if ((rc = cfgfile_int(v, 50, 2400, &p->dpi)) == -1)
			profile_fail(pp, "dpi must be a whole number from 50 "
			    "to 2400, not '%s'", v);
		break;
	case PK_SETTLE:
		if ((rc = cfgfile_int(v, 0, 3600, &p->settle_seconds)) == -1)
			profile_fail(pp, "settle_seconds must be a whole "
			    "number of seconds from 0 to 3600, not '%s'", v);
		break;
	case PK_POLL:
		if ((rc = cfgfile_int(v, 0, 86400, &p->poll_seconds)) == -1)
			profile_fail(pp, "poll_seconds must be a whole number "
			    "of seconds from 0 (watch with inotify) to 86400, "
			    "not '%s'", v);
		break;
	case PK_RECURSIVE:
		if ((rc = cfgfile_bool(v, &p->recursive)) == -1)
			profile_fail(pp, "recursive must be yes or no, not "
			    "'%s'", v);
		break;
	case PK_FILENAME_PATTERN:
		if (profile_pattern_ok(pp, v)) {
			profile_set_string(&p->filename_pattern, v);
			rc = 0;
		}
		break;
	case PK_PREPROCESS:
	case PK_ORIENTATION:
	case PK_DESKEW:
	case PK_NORMALIZE_BACKGROUND:
	case PK_BINARIZE:
	case PK_DESPECKLE:
	case PK_REMOVE_BORDERS:
	case PK_SUPPRESS_SEALS:
	case PK_SYLLABLES:
		if ((rc = cfgfile_bool(v, profile_switch(p, k))) == -1)
			profile_fail(pp, "%s must be yes or no, not '%s'",
			    profile_keys[k].name, v);
		break;
	case PK_UPSCALE_BELOW_DPI:
		if ((rc = cfgfile_int(v, 0, 1200,
		    &p->pre.upscale_below_dpi)) == -1)
			profile_fail(pp, "upscale_below_dpi must be a whole "
			    "number from 0 (never scale up) to 1200, not '%s'", v);
		break;
	case PK_COUNT:
		fatalx("%s: no such key", __func__);
	default:	/* rule_<field>: extract.c checks and uses them */
		if (rule_check(v, why, sizeof why) == 0) {
			profile_set_string(&p->rule[k - PK_RULE], v);
			rc = 0;
		} else
			profile_fail(pp, "%s %s", profile_keys[k].name, why);
		break;
	}
	return rc;
}

static int
profile_setkey(void *arg, int k, const char *name, const char *value,
    char *why)
{
	const struct profile_parse *load = arg;
	struct profile_parse pp = { load->out, why, load->conf };

	return profile_set(&pp, (enum profile_key)k, value);
}

static void
profile_defaults(struct profile *p)
{
	p->languages = xstrdup(PROFILE_LANGUAGES);
	p->dpi = PROFILE_DPI;
	p->settle_seconds = 5;
	p->poll_seconds = 0;
	p->recursive = 0;
	/* The worker falls back on the same for a key a job lacks. */
	preprocess_defaults(&p->pre);
	p->syllables = 1;
}

int
profile_load(const char *path, struct profile *out, char *err)
{
	return profile_load_conf(path, NULL, out, err);
}

int
profile_load_conf(const char *path, const struct conf *conf,
    struct profile *out, char *err)
{
	static const char *const sections[] = { "profile", NULL };
	struct profile_parse load = { out, NULL, conf };
	int lines[PK_COUNT];

	memset(out, 0, sizeof *out);
	out->path = xstrdup(path);
	profile_defaults(out);
	if (cfgfile_parse(path, sections, profile_keys, PK_COUNT,
	    profile_setkey, &load, lines, err) == -1) {
		profile_free(out);
		return -1;
	}
	out->inbox_line = lines[PK_INBOX];
	out->quarantine_line = lines[PK_QUARANTINE];
	return 0;
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
	int i;

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
		for (i = 0; i < EXTRACT_NRULES; i++)
			free(p->rule[i]);
		memset(p, 0, sizeof *p);
	}
}
