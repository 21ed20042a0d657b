/*
 * document.c: a document's record as a C structure, and the JSON contract
 * it is written out as.
 *
 * The record used to travel as a JSON object whose keys were repeated as
 * string literals wherever it was read; here they are named once (the
 * DOC_K_* names of sohoa.h) and the record is typed.  JSON is met only at
 * the edges: the CLI's output, metadata.json and the worker protocol.
 * document_to_json writes every member, in the contract's order (the order
 * store.c always wrote them in), unknown values as null; document_from_json
 * takes an absent member as unknown and refuses a member of the wrong type.
 */
#include <sys/types.h>

#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sohoa.h"

enum document_kind {
	DOCUMENT_ID,		/* int64_t, always written */
	DOCUMENT_INT,		/* int, always written */
	DOCUMENT_REAL,		/* double, null unless has_ocr_confidence */
	DOCUMENT_STR,		/* char *, null when NULL */
	DOCUMENT_STRS,		/* struct document_strings */
	DOCUMENT_REF		/* int64_t, null when 0 */
};

/* The members in the contract's order: the order of the JSON out. */
static const struct document_member {
	const char		*key;
	enum document_kind	 kind;
	size_t			 off;
} document_members[] = {
	{ DOC_K_ID,		DOCUMENT_ID,	offsetof(struct document, id) },
	{ DOC_K_SOURCE_NAME,	DOCUMENT_STR,
	    offsetof(struct document, source_name) },
	{ DOC_K_SHA256,		DOCUMENT_STR,	offsetof(struct document, sha256) },
	{ DOC_K_PAGES,		DOCUMENT_INT,	offsetof(struct document, pages) },
	{ DOC_K_OCR_CONFIDENCE,	DOCUMENT_REAL,
	    offsetof(struct document, ocr_confidence) },
	{ DOC_K_PROFILE,	DOCUMENT_STR,	offsetof(struct document, profile) },
	{ DOC_K_AGENCY_CODE,	DOCUMENT_STR,
	    offsetof(struct document, agency_code) },
	{ DOC_K_AGENCY_NAME,	DOCUMENT_STR,
	    offsetof(struct document, agency_name) },
	{ DOC_K_LEVEL,		DOCUMENT_STR,	offsetof(struct document, level) },
	{ DOC_K_TYPE,		DOCUMENT_STR,	offsetof(struct document, doc_type) },
	{ DOC_K_NUMBER,		DOCUMENT_STR,
	    offsetof(struct document, doc_number) },
	{ DOC_K_ISSUED_ON,	DOCUMENT_STR,
	    offsetof(struct document, issued_on) },
	{ DOC_K_PEOPLE,		DOCUMENT_STRS,	offsetof(struct document, people) },
	{ DOC_K_ID_NUMBERS,	DOCUMENT_STRS,
	    offsetof(struct document, id_numbers) },
	{ DOC_K_DOSSIER_CODE,	DOCUMENT_STR,
	    offsetof(struct document, dossier_code) },
	{ DOC_K_ARCHIVE,	DOCUMENT_STR,	offsetof(struct document, archive) },
	{ DOC_K_INGESTED_AT,	DOCUMENT_STR,
	    offsetof(struct document, ingested_at) },
	{ DOC_K_DUPLICATE_OF,	DOCUMENT_REF,
	    offsetof(struct document, duplicate_of) },
	{ DOC_K_PROCEDURE_CODE,	DOCUMENT_STR,
	    offsetof(struct document, procedure_code) },
	{ DOC_K_VALID_UNTIL,	DOCUMENT_STR,
	    offsetof(struct document, valid_until) },
};
#define DOCUMENT_NMEMBERS \
	(sizeof(document_members) / sizeof(document_members[0]))

#define MEMBER(d, m, type)	((type *)(void *)((char *)(d) + (m)->off))
#define CMEMBER(d, m, type) \
	((const type *)(const void *)((const char *)(d) + (m)->off))

void
document_strings_free(struct document_strings *a)
{
	size_t i;

	for (i = 0; i < a->n; i++)
		free(a->v[i]);
	free(a->v);
	a->v = NULL;
	a->n = 0;
}

void
document_strings_add(struct document_strings *a, const char *s)
{
	a->v = xrealloc(a->v, (a->n + 1) * sizeof(*a->v));
	a->v[a->n++] = xstrdup(s);
}

void
document_free(struct document *d)
{
	const struct document_member *m;
	size_t i;

	if (d == NULL)
		return;
	for (i = 0; i < DOCUMENT_NMEMBERS; i++) {
		m = &document_members[i];
		if (m->kind == DOCUMENT_STR)
			free(*MEMBER(d, m, char *));
		else if (m->kind == DOCUMENT_STRS)
			document_strings_free(MEMBER(d, m,
			    struct document_strings));
	}
	memset(d, 0, sizeof(*d));
}

void
document_set_str(char **member, const char *s)
{
	char *copy = s != NULL ? xstrdup(s) : NULL;

	free(*member);
	*member = copy;
}

static int
document_member_from_json(struct document *d,
    const struct document_member *m, const json_t *v, char *err)
{
	struct document_strings *a;
	size_t i;

	switch (m->kind) {
	case DOCUMENT_ID:
	case DOCUMENT_REF:
		if (json_is_null(v) && m->kind == DOCUMENT_REF)
			return 0;
		/* Id 0: not stored yet. */
		if (!json_is_integer(v) || json_integer_value(v) <
		    (m->kind == DOCUMENT_ID ? 0 : 1))
			goto bad;
		*MEMBER(d, m, int64_t) = json_integer_value(v);
		return 0;
	case DOCUMENT_INT:
		if (!json_is_integer(v) || json_integer_value(v) < 0 ||
		    json_integer_value(v) > INT_MAX)
			goto bad;
		*MEMBER(d, m, int) = (int)json_integer_value(v);
		return 0;
	case DOCUMENT_REAL:
		if (json_is_null(v))
			return 0;
		if (!json_is_number(v))
			goto bad;
		d->ocr_confidence = json_number_value(v);
		d->has_ocr_confidence = 1;
		return 0;
	case DOCUMENT_STR:
		if (json_is_null(v))
			return 0;
		if (!json_is_string(v))
			goto bad;
		document_set_str(MEMBER(d, m, char *), json_string_value(v));
		return 0;
	case DOCUMENT_STRS:
		if (!json_is_array(v))
			goto bad;
		for (i = 0; i < json_array_size(v); i++)
			if (!json_is_string(json_array_get(v, i)))
				goto bad;
		a = MEMBER(d, m, struct document_strings);
		for (i = 0; i < json_array_size(v); i++)
			document_strings_add(a,
			    json_string_value(json_array_get(v, i)));
		return 0;
	}
bad:
	snprintf(err, ERRMAX, "document member \"%s\" is not %s", m->key,
	    m->kind == DOCUMENT_ID ? "an id (an integer, 0 or more)" :
	    m->kind == DOCUMENT_REF ? "a positive integer or null" :
	    m->kind == DOCUMENT_INT ? "a count" :
	    m->kind == DOCUMENT_REAL ? "a number or null" :
	    m->kind == DOCUMENT_STR ? "a string or null" :
	    "an array of strings");
	return -1;
}

int
document_from_json(const json_t *o, struct document *d, char *err)
{
	const json_t *v;
	size_t i;

	memset(d, 0, sizeof(*d));
	if (!json_is_object(o)) {
		snprintf(err, ERRMAX, "a document is not a JSON object");
		return -1;
	}
	for (i = 0; i < DOCUMENT_NMEMBERS; i++) {
		v = json_object_get(o, document_members[i].key);
		if (v == NULL)
			continue;
		if (document_member_from_json(d, &document_members[i], v,
		    err) == -1) {
			document_free(d);
			return -1;
		}
	}
	return 0;
}

json_t *
document_strings_to_json(const struct document_strings *a)
{
	json_t *j = json_array();
	size_t i;

	for (i = 0; i < a->n; i++)
		json_array_append_new(j, json_string(a->v[i]));
	return j;
}

static json_t *
document_member_json(const struct document *d,
    const struct document_member *m)
{
	const char *s;
	int64_t ref;

	switch (m->kind) {
	case DOCUMENT_ID:
		return json_integer(*CMEMBER(d, m, int64_t));
	case DOCUMENT_INT:
		return json_integer(*CMEMBER(d, m, int));
	case DOCUMENT_REAL:
		return d->has_ocr_confidence ? json_real(d->ocr_confidence) :
		    json_null();
	case DOCUMENT_STR:
		s = *CMEMBER(d, m, char *);
		return s != NULL ? json_string(s) : json_null();
	case DOCUMENT_STRS:
		return document_strings_to_json(CMEMBER(d, m,
		    struct document_strings));
	case DOCUMENT_REF:
		ref = *CMEMBER(d, m, int64_t);
		return ref > 0 ? json_integer(ref) : json_null();
	}
	return json_null();
}

json_t *
document_to_json(const struct document *d)
{
	json_t *o = json_object();
	size_t i;

	for (i = 0; i < DOCUMENT_NMEMBERS; i++)
		json_object_set_new(o, document_members[i].key,
		    document_member_json(d, &document_members[i]));
	return o;
}

static const struct document_member *
document_member(const char *key)
{
	size_t i;

	for (i = 0; i < DOCUMENT_NMEMBERS; i++)
		if (strcmp(document_members[i].key, key) == 0)
			return &document_members[i];
	return NULL;
}

/* One member as the contract writes it, for what keeps values as JSON
 * (the corrections table).  Caller json_decref()s. */
json_t *
document_get(const struct document *d, const char *key)
{
	const struct document_member *m = document_member(key);

	return m != NULL ? document_member_json(d, m) : NULL;
}

/*
 * One member set from a JSON value of the contract: read into an empty
 * record first, so that a value of the wrong type leaves d as it was,
 * then moved into d, what d held freed.
 */
int
document_set(struct document *d, const char *key, const json_t *v,
    char *err)
{
	const struct document_member *m = document_member(key);
	struct document t;

	if (m == NULL) {
		snprintf(err, ERRMAX, "a document has no member \"%s\"", key);
		return -1;
	}
	memset(&t, 0, sizeof t);
	if (v == NULL || document_member_from_json(&t, m, v, err) == -1) {
		if (v == NULL)
			snprintf(err, ERRMAX, "document member \"%s\" has no "
			    "value", key);
		document_free(&t);
		return -1;
	}
	switch (m->kind) {
	case DOCUMENT_ID:
	case DOCUMENT_REF:
		*MEMBER(d, m, int64_t) = *MEMBER(&t, m, int64_t);
		break;
	case DOCUMENT_INT:
		*MEMBER(d, m, int) = *MEMBER(&t, m, int);
		break;
	case DOCUMENT_REAL:
		d->has_ocr_confidence = t.has_ocr_confidence;
		d->ocr_confidence = t.ocr_confidence;
		break;
	case DOCUMENT_STR:
		free(*MEMBER(d, m, char *));
		*MEMBER(d, m, char *) = *MEMBER(&t, m, char *);
		*MEMBER(&t, m, char *) = NULL;
		break;
	case DOCUMENT_STRS:
		document_strings_free(MEMBER(d, m, struct document_strings));
		*MEMBER(d, m, struct document_strings) =
		    *MEMBER(&t, m, struct document_strings);
		memset(MEMBER(&t, m, struct document_strings), 0,
		    sizeof(struct document_strings));
		break;
	}
	document_free(&t);
	return 0;
}
