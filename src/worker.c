/*
 * worker.c: decoding and recognition in separate worker processes.
 *
 * Scans are untrusted.  They are decoded and recognised in worker
 * processes, never in the process that holds the database, so that a
 * crafted TIFF that crashes libtiff or a page that exhausts memory costs
 * one job, not the batch.  Each worker is a fresh exec of our own binary
 * (OMP_THREAD_LIMIT=1 has to be in the environment before libgomp loads)
 * with an address-space limit, and keeps one Tesseract handle for its
 * whole life.
 *
 * The protocol is one JSON object per line: a job on the worker's stdin,
 * a result on its stdout.  The parent side is pool.c.
 *
 * A scan that needs more memory than the limit must say so, with the
 * limit's value and where it is set, not pass for a damaged scan or a
 * crash.  Our own code and Leptonica see a NULL with errno ENOMEM and
 * return; the worker then names the limit.  Tesseract does not always:
 * its C++ allocations throw std::bad_alloc, which nothing catches and
 * which ends in abort(), and some of its Leptonica calls go on with the
 * NULL they got, into a segmentation fault.  So the worker catches
 * SIGABRT, SIGSEGV and SIGBUS: when the signal follows a failed allocation
 * (errno ENOMEM, or the address space as full as the limit lets it be),
 * the handler starts the worker afresh in the same process (execve, which
 * is async-signal-safe) with the answer in its environment, and the fresh
 * worker gives that answer before it reads the next job.  The parent sees
 * the answer on the same socket from the same pid, and no later job is
 * charged with a death.  Any other such signal kills the worker as
 * before, and the parent reports the crash it is.
 */
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <leptonica/allheaders.h>

#include "sohoa.h"

#define WORKER_TEXT_MAX	(64u << 20)	/* OCR text of one document */
#define WORKER_FILE_MAX	(2048ull << 20)	/* one scan file */
/* The environment variable that carries a fresh worker's first answer. */
#define WORKER_ANSWER	"SOHOA_WORKER_ANSWER"

/* ---- the worker process ---- */

/*
 * What the signal handler needs, made ready beforehand: it may call
 * nothing that allocates.  The answers are whole environment entries,
 * rewritten before each page.
 */
static long worker_limit_kb;		/* RLIMIT_AS in kB, 0 when none */
static char worker_cmdline[4096];	/* our argv, NUL-separated */
static char *worker_argv[16];
static char **worker_env;		/* environ, with one slot for the answer */
static size_t worker_nenv;
static volatile sig_atomic_t worker_busy;	/* inside worker_job() */
static char worker_answer_limit[ERRMAX + 64];
static char worker_answer_machine[ERRMAX + 64];

/*
 * A reason is one line that reads as a sentence: a line break or other
 * control character that came from a library becomes a space.  It may
 * quote bytes from the scan or its path: what is not UTF-8 is escaped, so
 * that it is always a JSON string.
 */
json_t *
worker_fail(const char *reason)
{
	char line[ERRMAX], *shown;
	json_t *res;
	size_t i;

	snprintf(line, sizeof line, "%s", reason);
	for (i = 0; line[i] != '\0'; i++)
		if ((unsigned char)line[i] < 0x20 || line[i] == 0x7f)
			line[i] = ' ';
	shown = vntext_escape(line, strlen(line));
	res = json_pack("{s:b, s:s}", "ok", 0, "reason", shown);
	free(shown);
	return res;
}

/*
 * The number of kB after key in a /proc file such as /proc/self/status,
 * -1 when it cannot be read.  Only open, read and close: the signal
 * handler calls this.
 */
static long
worker_proc_kb(const char *path, const char *key)
{
	char buf[4096], *p;
	size_t klen = strlen(key), got = 0;
	ssize_t n;
	long kb = -1;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	while (got < sizeof buf - 1 && (n = read(fd, buf + got,
	    sizeof buf - 1 - got)) > 0)
		got += (size_t)n;
	close(fd);
	buf[got] = '\0';
	for (p = buf; p != NULL && *p != '\0'; p = strchr(p, '\n')) {
		if (*p == '\n')
			p++;
		if (strncmp(p, key, klen) != 0)
			continue;
		for (p += klen; *p == ' ' || *p == '\t'; p++)
			;
		for (kb = 0; *p >= '0' && *p <= '9'; p++)
			kb = kb * 10 + (*p - '0');
		break;
	}
	return kb;
}

/*
 * Whether the limit, rather than the machine, refused memory: the machine
 * had more memory free than the limit still left us.  Signal-safe.
 */
static int
worker_limit_refused(void)
{
	long size = worker_proc_kb("/proc/self/status", "VmSize:");
	long avail = worker_proc_kb("/proc/meminfo", "MemAvailable:");

	if (worker_limit_kb == 0)
		return 0;
	if (size < 0 || avail < 0)
		return 1;	/* the limit is the one we know of */
	return avail >= worker_limit_kb - size;
}

/*
 * Whether a fatal signal or exit followed a failed allocation: malloc left
 * ENOMEM, or the address space is now within a sixteenth of the limit (an
 * allocation that fails asks for more than what is left; the size now,
 * not the peak, as an earlier job may have come as close and succeeded).
 * Signal-safe.
 */
static int
worker_died_of_memory(int saved_errno)
{
	long size;

	if (worker_limit_kb == 0 || worker_env == NULL)
		return 0;
	if (saved_errno == ENOMEM)
		return 1;
	size = worker_proc_kb("/proc/self/status", "VmSize:");
	return size >= 0 && size >= worker_limit_kb - worker_limit_kb / 16;
}

/* What reading this stage needed: page 3, or the scan as a whole (-1). */
static void
worker_memory_reason(char *out, size_t len, int page, int limit)
{
	char what[32];

	if (page >= 0)
		snprintf(what, sizeof what, "page %d", page + 1);
	else
		snprintf(what, sizeof what, "this scan");
	if (limit)
		snprintf(out, len, "reading %s needed more memory than "
		    "job_memory_mb = %ld MB (sohoa.conf) allows", what,
		    worker_limit_kb >> 10);
	else
		snprintf(out, len, "the machine ran out of memory while reading "
		    "%s", what);
}

/* One prepared answer: the environment entry a restarted worker sends. */
static void
worker_prepare_answer(char *out, size_t len, int page, int limit)
{
	char why[ERRMAX], *line;
	json_t *j;

	worker_memory_reason(why, sizeof why, page, limit);
	j = json_pack("{s:b, s:s}", "ok", 0, "reason", why);
	line = json_dumps(j, JSON_COMPACT);
	snprintf(out, len, "%s=%s", WORKER_ANSWER, line);
	free(line);
	json_decref(j);
}

/* The answers the signal handler gives if Tesseract dies from here on. */
static void
worker_prepare_abort(int page)
{
	if (worker_env == NULL)
		return;
	worker_prepare_answer(worker_answer_limit, sizeof worker_answer_limit,
	    page, 1);
	worker_prepare_answer(worker_answer_machine,
	    sizeof worker_answer_machine, page, 0);
}

/*
 * After a stage of page (or of the scan, -1) failed: when memory ran out
 * and the limit is what refused it, the reason names the limit; otherwise
 * the stage's own reason stands.
 */
static void
worker_blame_memory(char *err, int page, int saved_errno)
{
	if (saved_errno == ENOMEM && worker_limit_refused())
		worker_memory_reason(err, ERRMAX, page, 1);
}

/*
 * Out of memory in Tesseract (a signal) or in our x*alloc (exit): start
 * afresh with the prepared answer.  Returns when the end is not about
 * memory; does not return otherwise (execve failed: the parent reads
 * WORKER_EXIT_MEMORY).
 */
static void
worker_restart_for_memory(int saved_errno)
{
	sigset_t set;

	if (!worker_busy || !worker_died_of_memory(saved_errno))
		return;
	worker_env[worker_nenv] = worker_limit_refused() ?
	    worker_answer_limit : worker_answer_machine;
	/* The signal being handled would stay blocked through execve. */
	sigemptyset(&set);
	sigaddset(&set, SIGABRT);
	sigaddset(&set, SIGSEGV);
	sigaddset(&set, SIGBUS);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	execve("/proc/self/exe", worker_argv, worker_env);
	_exit(WORKER_EXIT_MEMORY);
}

/*
 * Only what the process did to itself counts: abort() raises SIGABRT with
 * tgkill (SI_TKILL), a fault comes from the kernel (si_code > 0); a
 * signal someone sent with kill(1) is theirs, and kills as it always did.
 */
static void
worker_on_signal(int sig, siginfo_t *si, void *ctx)
{
	int saved = errno;

	if ((sig == SIGABRT && si->si_code == SI_TKILL) ||
	    (sig != SIGABRT && si->si_code > 0))
		worker_restart_for_memory(saved);
	/* A fault comes again on return, where it happened (for a core). */
	signal(sig, SIG_DFL);
	if (sig == SIGABRT || si->si_code <= 0)
		raise(sig);
}

/* fatal("out of memory") from xmalloc and friends ends here. */
static void
worker_on_exit(void)
{
	worker_restart_for_memory(errno);
}

/*
 * Catches the signals a failed allocation in Tesseract ends in, on a stack
 * of their own: a fault may be the stack that could not grow.
 */
static void
worker_catch_signals(void)
{
	static char altstack[64 * 1024];
	struct sigaction sa;
	stack_t ss;

	ss.ss_sp = altstack;
	ss.ss_size = sizeof altstack;
	ss.ss_flags = 0;
	sigaltstack(&ss, NULL);
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = worker_on_signal;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGABRT, &sa, NULL);
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	atexit(worker_on_exit);
}

/*
 * Makes ready what a restart needs: our argv (from /proc/self/cmdline, as
 * worker_main() does not get it) and the environment without any answer
 * already given.  Without them a memory abort stays an abort.
 */
static void
worker_prepare_restart(void)
{
	extern char **environ;
	ssize_t n = 0, r;
	size_t i, argc = 0, nenv = 0;
	int fd;

	if ((fd = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC)) == -1)
		return;
	while ((size_t)n < sizeof worker_cmdline - 1 && (r = read(fd,
	    worker_cmdline + n, sizeof worker_cmdline - 1 - (size_t)n)) > 0)
		n += r;
	close(fd);
	if (n <= 0 || (size_t)n >= sizeof worker_cmdline - 1)
		return;
	worker_cmdline[n] = '\0';
	for (i = 0; i < (size_t)n && argc < sizeof worker_argv /
	    sizeof worker_argv[0] - 1; i += strlen(worker_cmdline + i) + 1)
		worker_argv[argc++] = worker_cmdline + i;
	worker_argv[argc] = NULL;
	while (environ[nenv] != NULL)
		nenv++;
	worker_env = xcalloc(nenv + 2, sizeof *worker_env);
	for (i = 0; i < nenv; i++)
		if (strncmp(environ[i], WORKER_ANSWER "=",
		    sizeof WORKER_ANSWER) != 0)
			worker_env[worker_nenv++] = environ[i];
}

/*
 * A failure to write the PDF or the text into the work folder: when the
 * disk is what failed (the error says so, or hardly any room is left),
 * the result says "disk_full", and the daemon keeps the scan until there
 * is room instead of setting it aside for something that is not its
 * fault.
 */
#define WORKER_ROOM_MIN	(1024 * 1024)
static json_t *
worker_fail_write(const char *workdir, const char *err, int saved_errno)
{
	uint64_t room;
	json_t *res;
	char *why;

	if (!util_errno_disk_full(saved_errno) &&
	    (util_disk_free(workdir, &room) == -1 || room >= WORKER_ROOM_MIN))
		return worker_fail(err);
	why = xasprintf("the data disk is full (%s)", err);
	res = worker_fail(why);
	json_object_set_new(res, "disk_full", json_true());
	free(why);
	return res;
}

/*
 * The job's paths: "path" when they are UTF-8 (JSON can only carry
 * that), "path_hex" with the bytes in hex when they are not, for a data
 * folder or a file given to `sohoa ingest` whose name is in a legacy
 * encoding.  Caller frees.
 */
json_t *
worker_path_json(const char *path)
{
	static const char digits[] = "0123456789abcdef";
	size_t len = strlen(path), i;
	char *hex;
	json_t *j;

	if (vntext_utf8_valid(path, len))
		return json_string(path);
	hex = xmalloc(len * 2 + 1);
	for (i = 0; i < len; i++) {
		hex[2 * i] = digits[(unsigned char)path[i] >> 4];
		hex[2 * i + 1] = digits[(unsigned char)path[i] & 15];
	}
	hex[2 * len] = '\0';
	j = json_pack("{s:s}", "hex", hex);
	free(hex);
	return j;
}

/* The other way: a path from the job, or NULL.  Caller frees. */
static char *
worker_path_of(json_t *v)
{
	const char *hex;
	size_t len, i;
	char *p;

	if (json_is_string(v))
		return xstrdup(json_string_value(v));
	if ((hex = json_string_value(json_object_get(v, "hex"))) == NULL ||
	    (len = strlen(hex)) % 2 != 0 || strspn(hex, "0123456789abcdef") !=
	    len)
		return NULL;
	p = xmalloc(len / 2 + 1);
	for (i = 0; i < len / 2; i++) {
		unsigned hi = (unsigned)(hex[2 * i] <= '9' ? hex[2 * i] - '0' :
		    hex[2 * i] - 'a' + 10);
		unsigned lo = (unsigned)(hex[2 * i + 1] <= '9' ?
		    hex[2 * i + 1] - '0' : hex[2 * i + 1] - 'a' + 10);

		p[i] = (char)(hi << 4 | lo);
	}
	p[len / 2] = '\0';
	if (strlen(p) != len / 2) {
		free(p);
		return NULL;
	}
	return p;
}

/*
 * The QR codes and barcodes of page i (0-based) appended to codes, read
 * off the page as decoded: binarisation and despeckling would break the
 * modules of a small code.  A code that cannot be read costs the page
 * nothing but the code; it is said at debug level only.
 */
static void
worker_page_codes(json_t *codes, struct Pix *pix, int i)
{
	char err[ERRMAX];
	json_t *found, *c;
	size_t k;

	if ((found = codes_read(pix, NULL, err)) == NULL) {
		log_debug("page %d: %s", i + 1, err);
		return;
	}
	json_array_foreach(found, k, c) {
		json_object_set_new(c, "page", json_integer(i + 1));
		json_array_append(codes, c);
	}
	json_decref(found);
}

static json_t *
worker_job(json_t *job, struct ocr **ocr, char **ocr_langs)
{
	char *path = worker_path_of(json_object_get(job, "path"));
	char *workdir = worker_path_of(json_object_get(job, "workdir"));
	const char *langs = json_string_value(json_object_get(job, "languages"));
	int dpi = (int)json_integer_value(json_object_get(job, "dpi"));
	struct image_limits lim;
	struct preprocess_opts pre;
	struct image *im = NULL;
	struct buf file, text, raw;
	json_t *res = NULL, *pages, *codes;
	char err[ERRMAX], *pdfbase = NULL, *txtpath = NULL, *nfc = NULL;
	char **layers = NULL, *xpath = NULL, *laypath = NULL, *laytext = NULL;
	json_t *sigs, *layouts = NULL;
	double confsum = 0;
	int i, n, nlayers = 0, fixed = 0, rc;

	if (path == NULL || workdir == NULL) {
		free(path);
		free(workdir);
		return worker_fail("the job is malformed");
	}
	if (langs == NULL)
		langs = PROFILE_LANGUAGES;
	image_default_limits(&lim);
	if (json_is_integer(json_object_get(job, "max_pages")))
		lim.max_pages = (int)json_integer_value(json_object_get(job,
		    "max_pages"));
	buf_init(&text, WORKER_TEXT_MAX);
	buf_init(&raw, WORKER_TEXT_MAX);
	worker_prepare_abort(-1);
	errno = 0;
	if (util_read_file(path, WORKER_FILE_MAX, &file, err) == -1) {
		worker_blame_memory(err, -1, errno);
		res = worker_fail(err);
		goto out_paths;
	}
	errno = 0;
	if ((im = image_open(file.data, file.len, dpi, &lim, err)) == NULL) {
		worker_blame_memory(err, -1, errno);
		res = worker_fail(err);
		goto out_file;
	}
	if (*ocr == NULL || strcmp(*ocr_langs, langs) != 0) {
		ocr_close(*ocr);
		free(*ocr_langs);
		*ocr_langs = xstrdup(langs);
		if ((*ocr = ocr_open(langs, err)) == NULL) {
			worker_blame_memory(err, -1, errno);
			res = worker_fail(err);
			goto out_image;
		}
	}
	pdfbase = xasprintf("%s/%.*s", workdir, (int)strlen(WORKER_PDF) - 4,
	    WORKER_PDF);
	txtpath = xasprintf("%s/%s", workdir, WORKER_TEXT);
	laypath = xasprintf("%s/%s", workdir, WORKER_LAYOUT);
	/*
	 * Pages that carry their own text (a PDF's text layer) are not
	 * recognised.  When every page does, the original PDF is already the
	 * searchable PDF and is kept as it is; otherwise Tesseract's PDF
	 * holds every page, and a text page is recognised for that PDF only,
	 * its text still coming from its layer.
	 */
	n = image_npages(im);
	layers = xcalloc((size_t)n + 1, sizeof *layers);
	for (i = 0; i < n; i++)
		if ((layers[i] = image_page_text(im, i)) != NULL)
			nlayers++;
	xpath = xasprintf("%s/%s", workdir, WORKER_PDF);
	if (nlayers == n) {
		if (util_write_durable(xpath, file.data, file.len, err) == -1) {
			res = worker_fail_write(workdir, err, errno);
			goto out_image;
		}
	} else if (ocr_begin(*ocr, pdfbase, "sohoa", err) == -1) {
		res = worker_fail_write(workdir, err, errno);
		goto out_image;
	}
	pages = json_array();
	codes = json_array();
	/* Where each recognised page's lines and words are, for the header
	 * fields (extract.c); null for a page whose text is its layer. */
	layouts = json_array();
	if (nlayers < n)
		ocr_set_syllables(*ocr, json_is_true(json_object_get(job,
		    "syllables")));
	preprocess_opts_from_json(json_object_get(job, "preprocess"), &pre);
	pre.reader = *ocr;	/* for a second opinion on which way up */
	for (i = 0; i < n; i++) {
		struct preprocess_page pg;
		struct timespec t0, t1;
		struct Pix *pix;
		char *t, e2[ERRMAX];
		int pdpi, conf, saved, prc, fromlayer = layers[i] != NULL;
		json_t *page_codes;
		size_t before, k;

		worker_prepare_abort(i);
		if (nlayers == n) {
			json_array_append_new(pages, json_pack("{s:s, s:i}",
			    "text", "text layer", "ocr_confidence", 100));
			confsum += 100;
			t = layers[i];
			layers[i] = NULL;
			json_array_append_new(layouts, json_null());
			goto append;
		}
		if ((pix = image_page(im, i, &pdpi, err)) == NULL) {
			worker_blame_memory(err, i, errno);
			break;
		}
		before = json_array_size(codes);
		worker_page_codes(codes, pix, i);
		page_codes = json_array();
		for (k = before; k < json_array_size(codes); k++)
			json_array_append(page_codes, json_array_get(codes, k));
		pre.codes = page_codes;
		/* Recognise the prepared page; the PDF shows the scan, upright. */
		prc = preprocess_run(&pre, pix, pdpi, &pg, e2);
		pre.codes = NULL;
		json_decref(page_codes);
		if (prc == -1) {
			saved = errno;
			snprintf(err, ERRMAX, "page %d: %s", i + 1, e2);
			worker_blame_memory(err, i, saved);
			pixDestroy(&pix);
			break;
		}
		clock_gettime(CLOCK_MONOTONIC, &t0);
		if (ocr_page_shown(*ocr, pg.ocr, pg.show, pg.dpi, &t, &conf,
		    e2) == -1) {
			saved = errno;
			snprintf(err, ERRMAX, "page %d: %s", i + 1, e2);
			worker_blame_memory(err, i, saved);
			preprocess_page_free(&pg);
			pixDestroy(&pix);
			break;
		}
		clock_gettime(CLOCK_MONOTONIC, &t1);
		json_array_append_new(layouts, fromlayer ? json_null() :
		    ocr_layout(*ocr, pg.ocr));
		if (!fromlayer && ocr_raw_text(*ocr) != NULL)
			fixed = i + 1;
		/* Names in capitals, read again for the marks on them. */
		if (!fromlayer)
			ocr_reread_lines(*ocr, pg.ocr, pg.dpi, json_array_get(
			    layouts, json_array_size(layouts) - 1), &t);
		/* The header's two columns read as the blocks they are. */
		if (!fromlayer) {
			char *o = reading_order(t, json_array_get(layouts,
			    json_array_size(layouts) - 1));

			if (o != NULL) {
				free(t);
				t = o;
			}
		}
		if (fromlayer) {	/* recognised for the PDF only */
			free(t);
			t = layers[i];
			layers[i] = NULL;
			conf = 100;
		}
		json_array_append_new(pages, json_pack("{s:s, s:i, s:i, s:i, "
		    "s:i, s:o, s:f}", "text", fromlayer ? "text layer" : "ocr",
		    "dpi", pdpi, "width",
		    pixGetWidth(pix), "height", pixGetHeight(pix),
		    "ocr_confidence", conf, "preprocess",
		    preprocess_info(&pg), "ocr_seconds", round((t1.tv_sec -
		    t0.tv_sec + (t1.tv_nsec - t0.tv_nsec) / 1e9) * 1000) / 1000));
		preprocess_page_free(&pg);
		pixDestroy(&pix);
		confsum += conf;
append:
		/* Pages are separated by a form feed, as tesseract does. */
		if ((i > 0 && buf_append(&text, "\f", 1) == -1) ||
		    buf_append(&text, t, strlen(t)) == -1 ||
		    (i > 0 && buf_append(&raw, "\f", 1) == -1) ||
		    (fixed == i + 1 ? buf_append(&raw, ocr_raw_text(*ocr),
		    strlen(ocr_raw_text(*ocr))) : buf_append(&raw, t,
		    strlen(t))) == -1) {
			snprintf(err, ERRMAX, "the recognised text is larger "
			    "than %u MiB", WORKER_TEXT_MAX >> 20);
			free(t);
			break;
		}
		free(t);
	}
	if (i < n) {
		char e3[ERRMAX];

		/* The page that failed is the reason; the PDF's end is not. */
		if (nlayers < n)
			ocr_end(*ocr, e3);
		res = worker_fail(err);
		goto out_pages;
	}
	if (nlayers < n && ocr_end(*ocr, err) == -1) {
		res = worker_fail_write(workdir, err, errno);
		goto out_pages;
	}
	nfc = vntext_nfc(text.data ? text.data : "", text.len);
	if (util_write_durable(txtpath, nfc, strlen(nfc), err) == -1) {
		res = worker_fail_write(workdir, err, errno);
		goto out_pages;
	}
	if ((laytext = json_dumps(layouts, JSON_COMPACT)) == NULL)
		fatalx("out of memory");
	if (util_write_durable(laypath, laytext, strlen(laytext), err) == -1) {
		res = worker_fail_write(workdir, err, errno);
		goto out_pages;
	}
	/* The PDF, the text and the layouts are WORKER_PDF, WORKER_TEXT and
	 * WORKER_LAYOUT in workdir. */
	if (fixed) {
		char *rawpath = xasprintf("%s/%s", workdir, WORKER_RAW_TEXT);

		free(nfc);
		nfc = vntext_nfc(raw.data ? raw.data : "", raw.len);
		rc = util_write_durable(rawpath, nfc, strlen(nfc), err);
		free(rawpath);
		if (rc == -1) {
			res = worker_fail_write(workdir, err, errno);
			goto out_pages;
		}
	}
	/* The PDF and the text are WORKER_PDF and WORKER_TEXT in workdir;
	 * WORKER_RAW_TEXT, Tesseract's reading, when syllables were fixed. */
	res = json_pack("{s:b, s:s, s:i, s:f, s:O, s:O}", "ok", 1, "format",
	    image_format(im), "pages", n, "ocr_confidence", n ? confsum / n :
	    0.0, "page_info", pages, "codes", codes);
	if ((sigs = image_signatures(im)) != NULL)
		json_object_set_new(res, "signatures", sigs);
out_pages:
	json_decref(pages);
	json_decref(layouts);
	free(laytext);
	json_decref(codes);
out_image:
	for (i = 0; layers != NULL && i < n; i++)
		free(layers[i]);
	free(layers);
	free(xpath);
	image_close(im);
out_file:
	buf_free(&file);
	buf_free(&text);
	buf_free(&raw);
	free(nfc);
	free(pdfbase);
	free(txtpath);
	free(laypath);
out_paths:
	free(path);
	free(workdir);
	return res;
}

int
worker_main(void)
{
	struct ocr *ocr = NULL;
	char *line = NULL, *langs = NULL;
	size_t cap = 0;
	ssize_t n;
	json_t *job, *res;
	const char *limit;

	signal(SIGPIPE, SIG_DFL);
	/* A fresh start after running out of memory owes that answer first. */
	if ((limit = getenv(WORKER_ANSWER)) != NULL) {
		if (fputs(limit, stdout) == EOF || fputc('\n', stdout) == EOF ||
		    fflush(stdout) == EOF)
			return 0;
		unsetenv(WORKER_ANSWER);
	}
	/*
	 * Decoders print their own complaints (libpng, libjpeg, Leptonica);
	 * the reason that matters travels back in the result, so at normal
	 * verbosity their noise goes nowhere.
	 */
	if ((limit = getenv("SOHOA_VERBOSE")) != NULL && atoi(limit) > 0)
		log_setverbose(atoi(limit));
	else {
		int fd = open("/dev/null", O_WRONLY);

		setMsgSeverity(L_SEVERITY_NONE);
		if (fd != -1) {
			dup2(fd, STDERR_FILENO);
			close(fd);
		}
	}
#if !defined(__SANITIZE_ADDRESS__)
	if ((limit = getenv("SOHOA_WORKER_MEMORY_MB")) != NULL && atol(limit) > 0) {
		struct rlimit rl;

		rl.rlim_cur = rl.rlim_max = (rlim_t)atol(limit) << 20;
		if (setrlimit(RLIMIT_AS, &rl) == 0)
			worker_limit_kb = atol(limit) << 10;
	}
#else
	(void)limit;
#endif
	if (worker_limit_kb > 0) {
		worker_prepare_restart();
		worker_catch_signals();
	}
	while ((n = getline(&line, &cap, stdin)) > 0) {
		if ((job = json_loads(line, 0, NULL)) == NULL)
			res = worker_fail("the job is malformed");
		else {
			worker_busy = 1;
			res = worker_job(job, &ocr, &langs);
			worker_busy = 0;
		}
		json_decref(job);
		if (json_dumpf(res, stdout, JSON_COMPACT) == -1 ||
		    fputc('\n', stdout) == EOF || fflush(stdout) == EOF) {
			json_decref(res);
			break;
		}
		json_decref(res);
	}
	free(line);
	free(langs);
	ocr_close(ocr);
	return 0;
}
