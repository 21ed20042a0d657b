/*
 * citytext-tsv.c: for tests/system/86-city-read.sh, before `sohoa sync`
 * ships records: the tsvector literal sohoa makes of a record (its JSON
 * as `sohoa show --json` gives it, and its text), printed on stdout, so
 * that the test can load the city's database with SQL.
 *
 *	citytext-tsv DOC.json TEXT.txt
 */
#include <stdio.h>
#include <stdlib.h>

#include "sohoa.h"

int
main(int argc, char **argv)
{
	struct document d;
	struct buf text;
	json_t *j;
	char err[ERRMAX], *fields, *v;

	if (argc != 3) {
		fprintf(stderr, "usage: citytext-tsv DOC.json TEXT.txt\n");
		return 2;
	}
	if ((j = json_load_file(argv[1], 0, NULL)) == NULL ||
	    document_from_json(j, &d, err) == -1 ||
	    util_read_file(argv[2], (size_t)1 << 30, &text, err) == -1) {
		fprintf(stderr, "citytext-tsv: cannot read %s or %s\n", argv[1],
		    argv[2]);
		return 1;
	}
	fields = store_fields_text(&d);
	if ((v = citytext_tsvector(text.data ? text.data : "", fields)) == NULL)
		return 1;
	fputs(v, stdout);
	free(v);
	free(fields);
	buf_free(&text);
	document_free(&d);
	json_decref(j);
	return 0;
}
