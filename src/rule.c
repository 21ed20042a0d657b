/*
 * rule.c: what a profile adds to the built-in rules of extract.c: the
 * dossier code its filename_pattern finds in a source's name, and its
 * rule_<field> keys, PCRE2 over the text whose first match gives the
 * field's value before the built-in rules do (for people and ID numbers,
 * every match adds one).
 */

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sohoa.h"
#include "extract_int.h"

/* Compiled on first use and kept for the life of the process. */
static pcre2_code *rule_fn_re;	/* the profile's filename_pattern */
static char *rule_fn_pattern;	/* ... and its source */

/*
 * The profile's filename_pattern, compiled when it is first met or has
 * changed (profiles are reloaded on SIGHUP).  NULL if it does not compile,
 * which profile_load has already refused, so only a profile built in code
 * gets here.
 */
static pcre2_code *
rule_filename_regex(const struct profile *pr)
{
	PCRE2_SIZE off;
	int err;

	if (rule_fn_pattern == NULL ||
	    strcmp(rule_fn_pattern, pr->filename_pattern) != 0) {
		pcre2_code_free(rule_fn_re);
		free(rule_fn_pattern);
		rule_fn_pattern = xstrdup(pr->filename_pattern);
		rule_fn_re = pcre2_compile(
		    (PCRE2_SPTR)pr->filename_pattern, PCRE2_ZERO_TERMINATED,
		    PCRE2_UTF | PCRE2_MATCH_INVALID_UTF, &err, &off, NULL);
		if (rule_fn_re == NULL)
			log_warnx("profile %s: filename_pattern does not "
			    "compile; dossier codes are not read from file "
			    "names", pr->name != NULL ? pr->name : "?");
	}
	return rule_fn_re;
}

/* The dossier code the profile's filename_pattern finds in source_name:
 * its first group, or the whole match when it has none.  Caller frees. */
char *
rule_dossier_filename(const char *source_name, const struct profile *pr)
{
	pcre2_match_data *md;
	pcre2_code *re;
	PCRE2_SIZE *ov;
	char *code = NULL;
	int rc, g;

	if (pr == NULL || pr->filename_pattern == NULL || source_name == NULL ||
	    (re = rule_filename_regex(pr)) == NULL)
		goto out;
	if ((md = pcre2_match_data_create_from_pattern(re, NULL)) == NULL)
		fatalx("out of memory");
	rc = pcre2_match(re, (PCRE2_SPTR)source_name, PCRE2_ZERO_TERMINATED,
	    0, 0, md, NULL);
	if (rc > 0) {
		ov = pcre2_get_ovector_pointer(md);
		g = rc > 1 && ov[2] != PCRE2_UNSET ? 1 : 0;
		/* A match never spans invalid UTF-8 (MATCH_INVALID_UTF). */
		if (ov[2 * g + 1] > ov[2 * g])
			code = vntext_nfc(source_name + ov[2 * g],
			    ov[2 * g + 1] - ov[2 * g]);
	}
	pcre2_match_data_free(md);
out:
	return code;
}

const char *const rule_fields[EXTRACT_NRULES] = { DOC_K_TYPE,
    DOC_K_NUMBER, DOC_K_ISSUED_ON, DOC_K_AGENCY_NAME, DOC_K_PEOPLE,
    DOC_K_ID_NUMBERS, DOC_K_DOSSIER_CODE };

/* The profile's rules, compiled when first met or changed, as the
 * filename pattern. */
static pcre2_code *rule_re[EXTRACT_NRULES];
static char *rule_src[EXTRACT_NRULES];

/* Compiles a rule: lines are ^...$ (MULTILINE), \w and friends know
 * Vietnamese letters (UCP).  NULL with a reason in why. */
static pcre2_code *
rule_compile(const char *pattern, char *why, size_t len)
{
	PCRE2_UCHAR msg[256];
	PCRE2_SIZE off, i;
	pcre2_code *re;
	uint32_t groups = 0;
	size_t chars = 0;
	int code;

	re = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED,
	    PCRE2_UTF | PCRE2_UCP | PCRE2_MULTILINE, &code, &off, NULL);
	if (re == NULL) {
		pcre2_get_error_message(code, msg, sizeof msg);
		/* PCRE2 counts bytes; people count characters. */
		for (i = 0; i < off && pattern[i] != '\0'; i++)
			if (((unsigned char)pattern[i] & 0xC0) != 0x80)
				chars++;
		snprintf(why, len, "is not a valid regular expression: %s (at "
		    "character %zu)", (char *)msg, chars + 1);
	} else if (pcre2_pattern_info(re, PCRE2_INFO_CAPTURECOUNT,
	    &groups) != 0 || groups < 1) {
		snprintf(why, len, "needs a group, ( ), around the value it "
		    "reads");
		pcre2_code_free(re);
		re = NULL;
	}
	return re;
}

int
rule_check(const char *pattern, char *why, size_t len)
{
	pcre2_code *re = rule_compile(pattern, why, len);

	pcre2_code_free(re);
	return re != NULL ? 0 : -1;
}

static pcre2_code *
rule_regex(int i, const char *pattern)
{
	char why[ERRMAX];

	if (rule_src[i] == NULL ||
	    strcmp(rule_src[i], pattern) != 0) {
		pcre2_code_free(rule_re[i]);
		free(rule_src[i]);
		rule_src[i] = xstrdup(pattern);
		if ((rule_re[i] = rule_compile(pattern, why,
		    sizeof why)) == NULL)
			log_warnx("rule_%s %s; the rule is not used",
			    rule_fields[i], why);
	}
	return rule_re[i];
}

/* A date as a rule reads it: "15/03/2024", "15-3-2024", "2024-03-15" or
 * "ngày 15 tháng 3 năm 2024", with OCR's slips in the digits. */
static int
rule_date(const char *value, char out[11])
{
	char *f = vntext_fold(value), *p;
	size_t n[3], at[3], k = 0, len;
	int v[3], y, m, d, ok = 0;

	for (p = f; *p != '\0' && k < 3; p += len) {
		len = strspn(p, "0123456789oil");
		/* A run of digits, not of letters that look like them. */
		if (len == 0 || strcspn(p, "0123456789") >= len) {
			len += len == 0;
			continue;
		}
		at[k] = (size_t)(p - f);
		n[k++] = len;
	}
	if (k == 3 && xdate_number(f + at[0], n[0], &v[0]) == 0 &&
	    xdate_number(f + at[1], n[1], &v[1]) == 0 &&
	    xdate_number(f + at[2], n[2], &v[2]) == 0) {
		if (n[0] == 4) {
			y = v[0];
			m = v[1];
			d = v[2];
		} else {
			d = v[0];
			m = v[1];
			y = v[2];
		}
		if ((ok = (n[0] == 4 || n[2] == 4) &&
		    xdate_valid(y, m, d)))
			snprintf(out, 11, "%04u-%02u-%02u", (unsigned)y % 10000,
			    (unsigned)m % 100, (unsigned)d % 100);
	}
	free(f);
	return ok;
}

/* An ID number as a rule reads it: digits, OCR's slips, spaces. */
static int
rule_id(const char *value, char out[13])
{
	size_t n = 0, real = 0;
	char *f = vntext_fold(value), *p;
	int ok = 1;

	for (p = f; *p != '\0' && ok; p++) {
		if (*p == ' ')
			continue;
		if (n == UTIL_ID_DIGITS || !(isdigit((unsigned char)*p) ||
		    extract_slip_digit(*p)))
			ok = 0;
		else {
			real += isdigit((unsigned char)*p) != 0;
			out[n++] = *p == 'o' ? '0' : isdigit((unsigned char)*p) ?
			    *p : '1';
		}
	}
	out[n] = '\0';
	free(f);
	return ok && util_id_length_ok(n) && real + 2 >= n;
}

/*
 * The profile's rules over the text: group 1 of the first match for one
 * value (which then wins over the built-in rules), of every match for
 * people and id_numbers (listed before those the built-in rules find).  A
 * value that is not one (a date that does not exist, an ID number of the
 * wrong length) is left out.
 */
void
rule_apply(struct extract_ctx *x, const struct profile *pr,
    char **value[EXTRACT_NRULES], char date[11], int *have_date,
    json_t *people, json_t *ids)
{
	PCRE2_SIZE *ov, start;
	pcre2_code *re;
	json_t *list[2];
	char *text, *v, *w, *r, id[13], day[11];
	size_t k;
	int i, rc;

	/* The text with its line ends back (the split made them NULs), for
	 * ^ and $. */
	text = extract_strndup(x->nfc, x->nfclen);
	for (k = 0; k < x->nfclen; k++)
		if (text[k] == '\0')
			text[k] = '\n';
	list[0] = json_array();
	list[1] = json_array();
	for (i = 0; pr != NULL && i < EXTRACT_NRULES; i++) {
		if (pr->rule[i] == NULL ||
		    (re = rule_regex(i, pr->rule[i])) == NULL)
			continue;
		for (start = 0; start <= x->nfclen; ) {
			rc = pcre2_match(re, (PCRE2_SPTR)text, x->nfclen,
			    start, PCRE2_NO_UTF_CHECK, x->md, NULL);
			if (rc < 2)
				break;
			ov = pcre2_get_ovector_pointer(x->md);
			start = ov[1] > ov[0] ? ov[1] : ov[1] + 1;
			while (start < x->nfclen &&
			    ((unsigned char)text[start] & 0xC0) == 0x80)
				start++;
			if (ov[2] == PCRE2_UNSET || ov[3] <= ov[2])
				continue;
			v = extract_strndup(text + ov[2], ov[3] - ov[2]);
			extract_tidy(v);
			if (i == 1 || i == 6) {
				/* Codes have no spaces. */
				for (r = w = v; *r != '\0'; r++)
					if (!isspace((unsigned char)*r))
						*w++ = *r;
				*w = '\0';
				if (i == 1)
					extract_docno_slips(v);
				else
					extract_fix_eth(v);
			}
			if (*v == '\0')
				;
			else if (i == 2) {
				if (rule_date(v, day)) {
					memcpy(date, day, 11);
					*have_date = 1;
					start = x->nfclen + 1;
				}
			} else if (i == 4)
				people_add_unique(list[0], v);
			else if (i == 5) {
				if (rule_id(v, id))
					people_add_unique(list[1], id);
			} else if (value[i] != NULL) {
				free(*value[i]);
				*value[i] = v;
				v = NULL;
				start = x->nfclen + 1;
			}
			if (i != 4 && i != 5 && start == x->nfclen + 1) {
				json_object_del(x->evidence, rule_fields[i]);
				extract_note(x, rule_fields[i], "profile rule",
				    pr->rule[i], NULL);
			}
			free(v);
		}
	}
	/* The rules' people and ID numbers first, then the others. */
	for (k = 0; k < json_array_size(people); k++)
		people_add_unique(list[0], json_string_value(json_array_get(
		    people, k)));
	for (k = 0; k < json_array_size(ids); k++)
		people_add_unique(list[1], json_string_value(json_array_get(ids,
		    k)));
	json_array_clear(people);
	json_array_extend(people, list[0]);
	json_array_clear(ids);
	json_array_extend(ids, list[1]);
	json_decref(list[0]);
	json_decref(list[1]);
	free(text);
}
