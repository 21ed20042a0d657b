/*
 * codes-count: reads each image given with both decoders codes.c knows
 * (zxing-cpp and zbar) and prints, per file, how many codes each found
 * and how long it took; bench/codes-measure renders the pages and sums
 * the figures the README quotes.
 */
#include <stdio.h>
#include <time.h>

#include <leptonica/allheaders.h>

#include "sohoa.h"

static double
now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	static const char *const dec[] = { "zxing", "zbar" };
	char err[ERRMAX];
	int i, d;

	log_init("codes-count", 0);
	for (i = 1; i < argc; i++) {
		PIX *pix = pixRead(argv[i]);

		if (pix == NULL) {
			fprintf(stderr, "%s: cannot read\n", argv[i]);
			continue;
		}
		printf("%s", argv[i]);
		for (d = 0; d < 2; d++) {
			double t0 = now();
			json_t *c = codes_read(pix, dec[d], err);

			printf("\t%s=%d %.3fs", dec[d], c ? (int)json_array_size(c) :
			    -1, now() - t0);
			if (c != NULL && json_array_size(c) > 0)
				printf(" [%s]", json_string_value(json_object_get(
				    json_array_get(c, 0), "text")));
			json_decref(c);
		}
		printf("\n");
		pixDestroy(&pix);
	}
	return 0;
}
