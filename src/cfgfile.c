/*
 * cfgfile.c: the INI files people edit by hand (sohoa.conf, scanner
 * profiles), read with inih, every mistake reported as "file:line: what is
 * wrong" in plain words.  Nothing unknown is silently ignored: a typo in a
 * key name would otherwise leave a default in force that nobody asked for.
 *
 * Debian's inih is built without line numbers in the handler, so the file
 * is fed to ini_parse_stream through a reader of our own that counts
 * lines; the handler then knows the line it is looking at.  The reader
 * also catches what inih cannot report: unknown [sections], NUL bytes and
 * lines too long for inih's line buffer.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <ini.h>

#include "sohoa.h"

#define CFGFILE_MAXKEYS	64

struct cfgfile_parse {
	const char *path;
	const char *const *sections;
	const struct cfgfile_key *keys;
	int	 nkeys;
	int	(*set)(void *, int, const char *, const char *, char *);
	void	*arg;
	FILE	*fp;
	char	*line;		/* the raw line inih is looking at */
	size_t	 linecap;
	int	 lineno;
	int	 section_line[16];	/* first heading of each section, or 0 */
	int	 key_line[CFGFILE_MAXKEYS];
	int	 err_line;	/* 0 while there is no error */
	char	 reason[ERRMAX / 4 * 3];	/* leaves room for file:line */
};

static void	cfgfile_fail(struct cfgfile_parse *, const char *, ...)
		    PRINTFLIKE(2, 3);

/* Records the first error only: later ones are usually its echoes. */
static void
cfgfile_fail(struct cfgfile_parse *cp, const char *fmt, ...)
{
	va_list ap;

	if (cp->err_line == 0) {
		cp->err_line = cp->lineno > 0 ? cp->lineno : 1;
		va_start(ap, fmt);
		vsnprintf(cp->reason, sizeof cp->reason, fmt, ap);
		va_end(ap);
	}
}

static int
cfgfile_section(struct cfgfile_parse *cp, const char *name, size_t len)
{
	int i;

	for (i = 0; cp->sections[i] != NULL; i++)
		if (strlen(cp->sections[i]) == len &&
		    strncmp(cp->sections[i], name, len) == 0)
			return i;
	return -1;
}

static void
cfgfile_section_list(struct cfgfile_parse *cp, struct buf *b)
{
	int i;

	for (i = 0; cp->sections[i] != NULL; i++)
		buf_printf(b, "%s[%s]", i ? ", " : "", cp->sections[i]);
}

/*
 * The fgets-like reader inih calls once per line.  Stopping (NULL) after
 * the first error keeps the line count where the error is.
 */
static char *
cfgfile_reader(char *str, int num, void *stream)
{
	struct cfgfile_parse *cp = stream;
	const char *s, *end;
	struct buf known;
	char *ret = NULL;
	ssize_t n;
	int sec;

	if (cp->err_line != 0)
		goto out;
	if ((n = getline(&cp->line, &cp->linecap, cp->fp)) == -1)
		goto out;
	cp->lineno++;
	if (memchr(cp->line, '\0', (size_t)n) != NULL) {
		cfgfile_fail(cp, "the line holds a NUL byte; is this a text "
		    "file?");
		goto out;
	}
	/* inih needs room for the line, "\r\n" and the NUL. */
	if (n + 1 > num) {
		cfgfile_fail(cp, "the line is longer than %d characters",
		    num - 3);
		goto out;
	}
	s = cp->line;
	if (cp->lineno == 1 && strncmp(s, "\xef\xbb\xbf", 3) == 0)
		s += 3;
	while (*s == ' ' || *s == '\t')
		s++;
	if (*s == '[' && (end = strchr(s + 1, ']')) != NULL) {
		size_t len = (size_t)(end - (s + 1));

		if ((sec = cfgfile_section(cp, s + 1, len)) == -1) {
			buf_init(&known, 1024);
			cfgfile_section_list(cp, &known);
			cfgfile_fail(cp, "unknown section [%.*s]; the sections "
			    "are %s", (int)len, s + 1, known.data);
			buf_free(&known);
			goto out;
		}
		if (cp->section_line[sec] == 0)
			cp->section_line[sec] = cp->lineno;
	}
	memcpy(str, cp->line, (size_t)n + 1);
	ret = str;
out:
	return ret;
}

/* inih calls this for every key = value; nonzero means the line is good. */
static int
cfgfile_handler(void *user, const char *section, const char *name,
    const char *value)
{
	struct cfgfile_parse *cp = user;
	struct buf known;
	char why[ERRMAX / 2];
	int k, ok = 0;

	if (cp->err_line != 0)
		goto out;
	if (*section == '\0') {
		if (cp->sections[1] == NULL)
			cfgfile_fail(cp, "'%s' comes before the [%s] heading",
			    name, cp->sections[0]);
		else {
			buf_init(&known, 1024);
			cfgfile_section_list(cp, &known);
			cfgfile_fail(cp, "'%s' comes before a section heading "
			    "(%s)", name, known.data);
			buf_free(&known);
		}
		goto out;
	}
	for (k = 0; k < cp->nkeys; k++)
		if (strcmp(section, cp->keys[k].section) == 0 &&
		    (strcmp(name, cp->keys[k].name) == 0 ||
		    strcmp(cp->keys[k].name, "*") == 0))
			break;
	if (k == cp->nkeys) {
		int first = 1, j;

		buf_init(&known, 2048);
		for (j = 0; j < cp->nkeys; j++) {
			if (strcmp(section, cp->keys[j].section) != 0)
				continue;
			buf_printf(&known, "%s%s", first ? "" : ", ",
			    cp->keys[j].name);
			first = 0;
		}
		cfgfile_fail(cp, "unknown key '%s' in [%s] (the keys are %s)",
		    name, section, known.data ? known.data : "none");
		buf_free(&known);
		goto out;
	}
	/* "*" takes any name; the caller checks for repeats itself. */
	if (cp->key_line[k] != 0 && strcmp(cp->keys[k].name, "*") != 0) {
		/* inih hands an indented line over as more of the key above. */
		if (cp->line != NULL && (*cp->line == ' ' || *cp->line == '\t'))
			cfgfile_fail(cp, "this line is indented, so it would "
			    "continue the value of '%s' above it; remove the "
			    "indentation or make it a comment", name);
		else
			cfgfile_fail(cp, "'%s' is set twice (first on line %d)",
			    name, cp->key_line[k]);
		goto out;
	}
	cp->key_line[k] = cp->lineno;
	why[0] = '\0';
	if (*value == '\0')
		cfgfile_fail(cp, "'%s' has no value", name);
	else if (*value == '"' || *value == '\'')
		cfgfile_fail(cp, "write the value of '%s' without quotes", name);
	else if (cp->set(cp->arg, k, name, value, why) == -1)
		cfgfile_fail(cp, "%s", why[0] ? why : "bad value");
	else
		ok = 1;
out:
	return ok;
}

int
cfgfile_parse(const char *path, const char *const *sections,
    const struct cfgfile_key *keys, int nkeys,
    int (*set)(void *, int, const char *, const char *, char *), void *arg,
    int *key_lines, char *err)
{
	struct cfgfile_parse cp;
	int irc, k, sec, rc = -1;

	if (nkeys > CFGFILE_MAXKEYS)
		fatalx("%s: too many keys", __func__);
	memset(&cp, 0, sizeof cp);
	cp.path = path;
	cp.sections = sections;
	cp.keys = keys;
	cp.nkeys = nkeys;
	cp.set = set;
	cp.arg = arg;
	if ((cp.fp = fopen(path, "re")) == NULL) {
		snprintf(err, ERRMAX, "%s: cannot open the file: %s", path,
		    strerror(errno));
		return -1;
	}
	irc = ini_parse_stream(cfgfile_reader, &cp, cfgfile_handler, &cp);
	if (irc == -2)
		fatalx("out of memory");
	if (irc > 0 && (cp.err_line == 0 || irc < cp.err_line)) {
		/* inih's own complaint: a line it could not make sense of. */
		cp.err_line = irc;
		snprintf(cp.reason, sizeof cp.reason, "expected a [section] "
		    "heading, a 'key = value' line or a comment");
	}
	if (cp.err_line == 0 && ferror(cp.fp)) {
		snprintf(err, ERRMAX, "%s: cannot read the file: %s", path,
		    strerror(errno));
		goto out;
	}
	if (cp.err_line != 0) {
		snprintf(err, ERRMAX, "%s:%d: %s", path, cp.err_line, cp.reason);
		goto out;
	}
	for (k = 0; k < nkeys; k++) {
		if (!keys[k].required || cp.key_line[k] != 0)
			continue;
		sec = cfgfile_section(&cp, keys[k].section,
		    strlen(keys[k].section));
		if (cp.section_line[sec] == 0)
			snprintf(err, ERRMAX, "%s: there is no [%s] section",
			    path, keys[k].section);
		else
			snprintf(err, ERRMAX, "%s:%d: the [%s] section has no "
			    "'%s', which is required", path,
			    cp.section_line[sec], keys[k].section, keys[k].name);
		goto out;
	}
	if (key_lines != NULL)
		memcpy(key_lines, cp.key_line, (size_t)nkeys * sizeof *key_lines);
	rc = 0;
out:
	fclose(cp.fp);
	free(cp.line);
	return rc;
}

int
cfgfile_int(const char *v, long lo, long hi, int *out)
{
	char *end;
	long n;

	if (!isdigit((unsigned char)*v))
		return -1;
	errno = 0;
	n = strtol(v, &end, 10);
	if (errno != 0 || *end != '\0' || n < lo || n > hi)
		return -1;
	*out = (int)n;
	return 0;
}

int
cfgfile_bool(const char *v, int *out)
{
	static const char *yes[] = { "yes", "true", "on", "1" };
	static const char *no[] = { "no", "false", "off", "0" };
	size_t i;

	for (i = 0; i < sizeof yes / sizeof yes[0]; i++) {
		if (strcasecmp(v, yes[i]) == 0) {
			*out = 1;
			return 0;
		}
		if (strcasecmp(v, no[i]) == 0) {
			*out = 0;
			return 0;
		}
	}
	return -1;
}
