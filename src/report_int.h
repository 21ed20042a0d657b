/*
 * report_int.h: what report.c and report_format.c share and no other
 * file needs.
 */

#ifndef REPORT_INT_H
#define REPORT_INT_H

/* report.c */
/* The string at key in o, or "-" when it is null or missing. */
const char *report_s(json_t *o, const char *key);

#endif /* REPORT_INT_H */
