/*
 * levels.c: the levels of government results are counted under, as
 * sohoa.conf names them, and the words that mean each of them.
 *
 * The levels are the names of sohoa.conf's [targets], in its order (city,
 * district, commune without a file).  Since 1 July 2025 local government
 * has two tiers, province and commune, yet the results former districts
 * issued stay valid and still count: an installation that names no
 * district level says under which level they go (`former_district =` in
 * [levels]), and then the register's "huyện" rows and a profile's `level
 * = district` land there.  A register names a level in its own words
 * ("Xã", "Cấp tỉnh"): [levels] may list them per level; without that the
 * usual Vietnamese words below serve the levels they are known for.
 *
 * Every function takes the configuration, or NULL for the built-in
 * levels, so that a command that read no sohoa.conf checks what it
 * always did.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sohoa.h"

/* conf_defaults sets the same three with their targets. */
static const char *const levels_builtin[] = { "city", "district", "commune" };
#define LEVELS_NBUILTIN	(sizeof levels_builtin / sizeof levels_builtin[0])

/*
 * The usual words (folded, as levels_word makes them) of each tier.  A
 * word goes to the first of these levels that is configured and lists no
 * words of its own in [levels]; the district's go to former_district when
 * there is no district level.  City and province are the same tier under
 * two names: the installation names the one it uses.
 */
static const struct {
	const char *level;
	const char *words[9];
} levels_words[] = {
	{ "city", { "tinh", "thanh pho", "cap tinh", "cap thanh pho",
	    "tinh thanh pho", "thanh pho truc thuoc trung uong", NULL } },
	{ "province", { "tinh", "thanh pho", "cap tinh", "cap thanh pho",
	    "tinh thanh pho", "thanh pho truc thuoc trung uong", "city",
	    NULL } },
	{ "district", { "huyen", "quan", "thi xa", "cap huyen", "quan huyen",
	    "district", NULL } },
	{ "commune", { "xa", "phuong", "thi tran", "cap xa", "xa phuong",
	    NULL } },
};

static size_t
levels_count(const struct conf *c)
{
	return c != NULL ? c->ntargets : LEVELS_NBUILTIN;
}

static const char *
levels_name(const struct conf *c, size_t i)
{
	return c != NULL ? c->targets[i].level : levels_builtin[i];
}

const char *
levels_named(const struct conf *c, const char *name)
{
	size_t i;

	for (i = 0; name != NULL && i < levels_count(c); i++)
		if (strcmp(levels_name(c, i), name) == 0)
			return levels_name(c, i);
	return NULL;
}

char *
levels_word(const char *s)
{
	char *fold = vntext_fold(s), *out = xmalloc(strlen(fold) + 1);
	const char *p;
	size_t n = 0;

	/* As register.c compares its header names: "Cấp  xã." is "cap xa". */
	for (p = fold; *p != '\0'; p++) {
		char ch = *p;

		if (ch == '_' || ch == '-' || ch == '/' ||
		    isspace((unsigned char)ch))
			ch = ' ';
		else if (ch == ',' || ch == ':' || ch == '.' || ch == '*')
			continue;
		if (ch == ' ' && (n == 0 || out[n - 1] == ' '))
			continue;
		out[n++] = ch;
	}
	while (n > 0 && out[n - 1] == ' ')
		n--;
	out[n] = '\0';
	free(fold);
	return out;
}

/* The configured level whose own words ([levels]) hold w, or NULL. */
static const char *
levels_by_own_words(const struct conf *c, const char *w)
{
	size_t i, j;

	for (i = 0; c != NULL && i < c->ntargets; i++)
		for (j = 0; j < c->targets[i].nwords; j++)
			if (strcmp(c->targets[i].words[j], w) == 0)
				return c->targets[i].level;
	return NULL;
}

/* 1 when the configured level lists words of its own in [levels]. */
static int
levels_has_own_words(const struct conf *c, const char *level)
{
	size_t i;

	for (i = 0; c != NULL && i < c->ntargets; i++)
		if (c->targets[i].level == level)
			return c->targets[i].nwords > 0;
	return 0;
}

/* The configured level the usual word w goes to, or NULL. */
static const char *
levels_by_usual_words(const struct conf *c, const char *w)
{
	const char *level;
	size_t i, j;

	for (i = 0; i < sizeof levels_words / sizeof levels_words[0]; i++) {
		for (j = 0; levels_words[i].words[j] != NULL; j++)
			if (strcmp(levels_words[i].words[j], w) == 0)
				break;
		if (levels_words[i].words[j] == NULL)
			continue;
		if ((level = levels_named(c, levels_words[i].level)) != NULL) {
			if (!levels_has_own_words(c, level))
				return level;
		} else if (strcmp(levels_words[i].level, "district") == 0 &&
		    c != NULL && c->former_district != NULL)
			return levels_named(c, c->former_district);
	}
	return NULL;
}

const char *
levels_find(const struct conf *c, const char *v)
{
	const char *level;
	char *w, *own;
	size_t i;

	if (v == NULL)
		return NULL;
	if ((level = levels_profile(c, v)) != NULL)
		return level;
	w = levels_word(v);
	for (i = 0; i < levels_count(c) && level == NULL; i++) {
		own = levels_word(levels_name(c, i));
		if (strcmp(own, w) == 0)
			level = levels_name(c, i);
		free(own);
	}
	if (level == NULL)
		level = levels_by_own_words(c, w);
	if (level == NULL)
		level = levels_by_usual_words(c, w);
	free(w);
	return level;
}

const char *
levels_profile(const struct conf *c, const char *v)
{
	const char *level;

	if ((level = levels_named(c, v)) != NULL)
		return level;
	if (c != NULL && c->former_district != NULL && v != NULL &&
	    strcmp(v, "district") == 0)
		return levels_named(c, c->former_district);
	return NULL;
}

size_t
levels_rank(const struct conf *c, const char *level)
{
	const char *l = levels_find(c, level);
	size_t i;

	for (i = 0; l != NULL && i < levels_count(c); i++)
		if (levels_name(c, i) == l)
			return i;
	return levels_count(c);
}

void
levels_list(const struct conf *c, const char *last, struct buf *b)
{
	size_t i, n = levels_count(c);

	for (i = 0; i < n; i++)
		buf_printf(b, "%s%s", i == 0 ? "" : i + 1 == n ? last : ", ",
		    levels_name(c, i));
}
