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

static void
log_vemit(const char *fmt, va_list ap, const char *suffix)
{
	char line[2048];

	vsnprintf(line, sizeof line, fmt, ap);
	if (suffix != NULL)
		fprintf(stderr, "%s: %s: %s\n", log_prog, line, suffix);
	else
		fprintf(stderr, "%s: %s\n", log_prog, line);
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
