/*
 * log.c: one line per event on stderr, prefixed with the program name.
 * journald adds time and host, so we do not.  fatal/fatalx are for start-up
 * only (configuration, database, memory); anything about one scanned
 * document is logged with log_warnx and handled by the caller.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sohoa.h"

static const char *log_prog = "sohoa";
static int log_verbose;

void
log_init(const char *progname, int verbose)
{
	log_prog = progname;
	log_verbose = verbose;
}

void
log_setverbose(int v)
{
	log_verbose = v;
}

int
log_getverbose(void)
{
	return log_verbose;
}

/*
 * Messages carry names and text from outside (file names, OCR text,
 * libtiff's own words): a newline or an escape sequence in them must not
 * start a line of its own, so every message is escaped (vntext_escape)
 * and is one line whatever it holds.  No allocation: fatal("out of
 * memory") comes through here.
 */
static void
log_vemit(const char *fmt, va_list ap, const char *suffix)
{
	char line[2048], shown[4096];

	vsnprintf(line, sizeof line, fmt, ap);
	vntext_escape_into(shown, sizeof shown, line, strlen(line));
	if (suffix != NULL)
		fprintf(stderr, "%s: %s: %s\n", log_prog, shown, suffix);
	else
		fprintf(stderr, "%s: %s\n", log_prog, shown);
}

void
log_warn(const char *fmt, ...)
{
	va_list ap;
	int saved = errno;

	va_start(ap, fmt);
	log_vemit(fmt, ap, strerror(saved));
	va_end(ap);
	errno = saved;
}

void
log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vemit(fmt, ap, NULL);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	if (log_verbose < 0)
		return;
	va_start(ap, fmt);
	log_vemit(fmt, ap, NULL);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list ap;

	if (log_verbose < 1)
		return;
	va_start(ap, fmt);
	log_vemit(fmt, ap, NULL);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list ap;
	int saved = errno;

	va_start(ap, fmt);
	log_vemit(fmt, ap, strerror(saved));
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vemit(fmt, ap, NULL);
	va_end(ap);
	exit(1);
}
