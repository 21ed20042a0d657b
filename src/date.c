/*
 * date.c: the one reader of dates, wherever a date comes from people or
 * their papers: search's and report's options, a register's cells, an
 * issue date corrected by hand, a QR code's payload.  Each used to read
 * dates its own way, so that `sohoa report --from 30/09/2025` was taken
 * and `sohoa search --from 30/09/2025` refused.  A date is stored and
 * compared as YYYY-MM-DD.
 */
#include <stdio.h>
#include <string.h>

#include "sohoa.h"

int
date_exists(int y, int m, int d)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return y >= DATE_YEAR_MIN && y <= 9999 && m >= 1 && m <= 12 &&
	    d >= 1 && d <= days[m - 1] + (m == 2 && leap);
}

/* Reads 1 to max digits at *s into *v; returns how many were read. */
static int
date_digits(const char **s, int max, int *v)
{
	int n = 0;

	*v = 0;
	while (n < max && **s >= '0' && **s <= '9') {
		*v = *v * 10 + (**s - '0');
		(*s)++;
		n++;
	}
	return n;
}

int
date_read(const char *s, char out[11])
{
	int y, m, d, n;
	char sep;

	while (*s == ' ')
		s++;
	n = date_digits(&s, 4, &y);
	if (n == 4 && *s == '-') {			/* 2024-03-20 */
		s++;
		if (date_digits(&s, 2, &m) == 0 || *s++ != '-' ||
		    date_digits(&s, 2, &d) == 0)
			return -1;
	} else if (n >= 1 && n <= 2 && (*s == '/' || *s == '.' ||
	    *s == '-')) {				/* 20/03/2024 */
		d = y;
		sep = *s++;
		if (date_digits(&s, 2, &m) == 0 || *s++ != sep ||
		    date_digits(&s, 4, &y) != 4)
			return -1;
	} else
		return -1;
	/* A spreadsheet may add a time of day ("2024-03-20 00:00:00"), a
	 * code an ISO 8601 one ("2024-03-20T10:00:00+07:00"). */
	if (*s == ' ' || *s == 'T') {
		s++;
		while ((*s >= '0' && *s <= '9') || *s == ':' || *s == '.' ||
		    *s == '+' || *s == '-' || *s == 'Z')
			s++;
	}
	while (*s == ' ')
		s++;
	if (*s != '\0' || !date_exists(y, m, d))
		return -1;
	snprintf(out, 11, "%04d-%02d-%02d", y, m, d);
	return 0;
}

int
date_arg(const char *what, const char *s, char out[11], char *err)
{
	out[0] = '\0';
	if (s == NULL)
		return 0;
	if (date_read(s, out) == 0)
		return 0;
	out[0] = '\0';
	snprintf(err, ERRMAX, "%s '%s' " DATE_NOT, what, s);
	return -1;
}
