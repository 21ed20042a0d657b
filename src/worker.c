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
 * a result on its stdout.  The parent side (pool_*) hands jobs to idle
 * workers, enforces the time limit, and turns a worker's death into a
 * failed result with a plain reason, then starts a new worker.
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

#define WORKER_LINE_MAX	(1 << 20)
#define WORKER_TEXT_MAX	(64u << 20)	/* OCR text of one document */
#define WORKER_FILE_MAX	(2048ull << 20)	/* one scan file */

/* ---- the worker process ---- */

/*
 * A reason is one line that reads as a sentence: a line break or other
 * control character that came from a library becomes a space.
 */
static json_t *
worker_fail(const char *reason)
{
	char line[ERRMAX];
	size_t i;

	snprintf(line, sizeof line, "%s", reason);
	for (i = 0; line[i] != '\0'; i++)
		if ((unsigned char)line[i] < 0x20 || line[i] == 0x7f)
			line[i] = ' ';
	return json_pack("{s:b, s:s}", "ok", 0, "reason", line);
}

static json_t *
worker_job(json_t *job, struct ocr **ocr, char **ocr_langs)
{
	const char *path = json_string_value(json_object_get(job, "path"));
	const char *workdir = json_string_value(json_object_get(job, "workdir"));
	const char *langs = json_string_value(json_object_get(job, "languages"));
	int dpi = (int)json_integer_value(json_object_get(job, "dpi"));
	struct image_limits lim;
	struct preprocess_opts pre;
	struct image *im = NULL;
	struct buf file, text;
	json_t *res = NULL, *pages;
	char err[ERRMAX], *pdfbase = NULL, *txtpath = NULL, *nfc = NULL;
	double confsum = 0;
	int i, n;

	if (path == NULL || workdir == NULL)
		return worker_fail("the job is malformed");
	if (langs == NULL)
		langs = "vie";
	image_default_limits(&lim);
	if (json_is_integer(json_object_get(job, "max_pages")))
		lim.max_pages = (int)json_integer_value(json_object_get(job,
		    "max_pages"));
	buf_init(&text, WORKER_TEXT_MAX);
	if (util_read_file(path, WORKER_FILE_MAX, &file, err) == -1)
		return worker_fail(err);
	if ((im = image_open(file.data, file.len, dpi, &lim, err)) == NULL) {
		res = worker_fail(err);
		goto out_file;
	}
	if (*ocr == NULL || strcmp(*ocr_langs, langs) != 0) {
		ocr_close(*ocr);
		free(*ocr_langs);
		*ocr_langs = xstrdup(langs);
		if ((*ocr = ocr_open(langs, err)) == NULL) {
			res = worker_fail(err);
			goto out_image;
		}
	}
	pdfbase = xasprintf("%s/document", workdir);
	txtpath = xasprintf("%s/text.txt", workdir);
	if (ocr_begin(*ocr, pdfbase, "sohoa", err) == -1) {
		res = worker_fail(err);
		goto out_image;
	}
	pages = json_array();
	preprocess_opts_from_json(json_object_get(job, "preprocess"), &pre);
	n = image_npages(im);
	for (i = 0; i < n; i++) {
		struct preprocess_page pg;
		struct timespec t0, t1;
		struct Pix *pix;
		char *t, e2[ERRMAX];
		int pdpi, conf;

		if ((pix = image_page(im, i, &pdpi, err)) == NULL)
			break;
		/* Recognise the prepared page; the PDF shows the scan, upright. */
		if (preprocess_run(&pre, pix, pdpi, &pg, e2) == -1) {
			snprintf(err, ERRMAX, "page %d: %s", i + 1, e2);
			pixDestroy(&pix);
			break;
		}
		clock_gettime(CLOCK_MONOTONIC, &t0);
		if (ocr_page_shown(*ocr, pg.ocr, pg.show, pg.dpi, &t, &conf,
		    e2) == -1) {
			snprintf(err, ERRMAX, "page %d: %s", i + 1, e2);
			preprocess_page_free(&pg);
			pixDestroy(&pix);
			break;
		}
		clock_gettime(CLOCK_MONOTONIC, &t1);
		json_array_append_new(pages, json_pack("{s:i, s:i, s:i, s:i, "
		    "s:o, s:f}", "dpi", pdpi, "width", pixGetWidth(pix), "height",
		    pixGetHeight(pix), "ocr_confidence", conf, "preprocess",
		    preprocess_info(&pg), "ocr_seconds", round((t1.tv_sec -
		    t0.tv_sec + (t1.tv_nsec - t0.tv_nsec) / 1e9) * 1000) / 1000));
		preprocess_page_free(&pg);
		pixDestroy(&pix);
		confsum += conf;
		/* Pages are separated by a form feed, as tesseract does. */
		if ((i > 0 && buf_append(&text, "\f", 1) == -1) ||
		    buf_append(&text, t, strlen(t)) == -1) {
			snprintf(err, ERRMAX, "the recognised text is larger "
			    "than %u MiB", WORKER_TEXT_MAX >> 20);
			free(t);
			break;
		}
		free(t);
	}
	if (i < n) {
		ocr_end(*ocr, err + strlen(err));
		res = worker_fail(err);
		json_decref(pages);
		goto out_image;
	}
	if (ocr_end(*ocr, err) == -1) {
		res = worker_fail(err);
		json_decref(pages);
		goto out_image;
	}
	nfc = vntext_nfc(text.data ? text.data : "", text.len);
	if (util_write_durable(txtpath, nfc, strlen(nfc), err) == -1) {
		res = worker_fail(err);
		json_decref(pages);
		goto out_image;
	}
	res = json_pack("{s:b, s:s, s:i, s:f, s:o, s:s+, s:s}", "ok", 1,
	    "format", image_format(im), "pages", n, "ocr_confidence",
	    n ? confsum / n : 0.0, "page_info", pages, "pdf_file", pdfbase,
	    ".pdf", "text_file", txtpath);
out_image:
	image_close(im);
out_file:
	buf_free(&file);
	buf_free(&text);
	free(nfc);
	free(pdfbase);
	free(txtpath);
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
		setrlimit(RLIMIT_AS, &rl);
	}
#else
	(void)limit;
#endif
	while ((n = getline(&line, &cap, stdin)) > 0) {
		if ((job = json_loads(line, 0, NULL)) == NULL)
			res = worker_fail("the job is malformed");
		else
			res = worker_job(job, &ocr, &langs);
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

/* ---- the parent side ---- */

struct pool_worker {
	pid_t	 pid;
	int	 fd;		/* our end of the socketpair */
	void	*tag;		/* the caller's job, NULL when idle */
	time_t	 started;
	int	 timed_out;
	struct buf in;		/* partial result line */
};

struct pool {
	struct pool_opts opts;
	int	 n;
	struct pool_worker *w;
};

static int
pool_spawn(struct pool *p, struct pool_worker *w, char *err)
{
	int sv[2];
	pid_t pid;
	char mem[32], verbose[16];

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == -1) {
		snprintf(err, ERRMAX, "cannot start a worker: %s", strerror(errno));
		return -1;
	}
	snprintf(mem, sizeof mem, "%d", p->opts.memory_mb);
	snprintf(verbose, sizeof verbose, "%d", log_getverbose());
	switch ((pid = fork())) {
	case -1:
		snprintf(err, ERRMAX, "cannot start a worker: %s", strerror(errno));
		close(sv[0]);
		close(sv[1]);
		return -1;
	case 0:
		/* A worker outliving a killed parent would only waste CPU. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (dup2(sv[1], 0) == -1 || dup2(sv[1], 1) == -1)
			_exit(127);
		setenv("OMP_THREAD_LIMIT", "1", 1);
		setenv("SOHOA_WORKER_MEMORY_MB", mem, 1);
		setenv("SOHOA_VERBOSE", verbose, 1);
		signal(SIGINT, SIG_IGN);	/* the parent decides when we stop */
		execv(p->opts.argv[0], p->opts.argv);
		fprintf(stderr, "sohoa: cannot run the worker %s: %s\n",
		    p->opts.argv[0], strerror(errno));
		_exit(127);
	}
	close(sv[1]);
	w->pid = pid;
	w->fd = sv[0];
	w->tag = NULL;
	w->timed_out = 0;
	buf_free(&w->in);
	return 0;
}

struct pool *
pool_start(const struct pool_opts *opts, char *err)
{
	struct pool *p = xcalloc(1, sizeof *p);
	int i;

	signal(SIGPIPE, SIG_IGN);
	p->opts = *opts;
	p->n = opts->workers > 0 ? opts->workers : util_ncpus();
	p->w = xcalloc((size_t)p->n, sizeof *p->w);
	for (i = 0; i < p->n; i++) {
		buf_init(&p->w[i].in, WORKER_LINE_MAX);
		p->w[i].fd = -1;
		if (pool_spawn(p, &p->w[i], err) == -1) {
			pool_stop(p);
			return NULL;
		}
	}
	return p;
}

int
pool_size(const struct pool *p)
{
	return p->n;
}

int
pool_idle(const struct pool *p)
{
	int i, n = 0;

	for (i = 0; i < p->n; i++)
		if (p->w[i].tag == NULL && p->w[i].fd != -1)
			n++;
	return n;
}

int
pool_busy(const struct pool *p)
{
	int i, n = 0;

	for (i = 0; i < p->n; i++)
		if (p->w[i].tag != NULL)
			n++;
	return n;
}

int
pool_submit(struct pool *p, json_t *job, void *tag)
{
	struct pool_worker *w = NULL;
	char *line;
	size_t len, off = 0;
	int i;

	for (i = 0; i < p->n && w == NULL; i++)
		if (p->w[i].tag == NULL && p->w[i].fd != -1)
			w = &p->w[i];
	if (w == NULL)
		return -1;
	line = json_dumps(job, JSON_COMPACT);
	len = strlen(line);
	line[len++] = '\n';	/* json_dumps left room: replace the NUL */
	while (off < len) {
		ssize_t n = write(w->fd, line + off, len - off);

		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			break;	/* a dead worker shows up in pool_wait */
		off += (size_t)n;
	}
	free(line);
	w->tag = tag;
	w->started = time(NULL);
	return 0;
}

static char *
pool_death_reason(int status, int timed_out, int limit)
{
	if (timed_out)
		return xasprintf("reading this scan took longer than %d seconds, "
		    "the time limit for one document", limit);
	if (WIFSIGNALED(status) && (WTERMSIG(status) == SIGABRT ||
	    WTERMSIG(status) == SIGKILL))
		return xasprintf("the worker ran out of memory or was stopped "
		    "(%s) while reading this scan",
		    strsignal(WTERMSIG(status)));
	if (WIFSIGNALED(status))
		return xasprintf("the worker crashed (%s) while reading this scan",
		    strsignal(WTERMSIG(status)));
	return xasprintf("the worker stopped unexpectedly (exit status %d) "
	    "while reading this scan", WIFEXITED(status) ?
	    WEXITSTATUS(status) : -1);
}

/* Reaps a dead or killed worker and starts another in its place. */
static json_t *
pool_restart(struct pool *p, struct pool_worker *w)
{
	int status = 0;
	char err[ERRMAX], *why;
	json_t *res;

	close(w->fd);
	w->fd = -1;
	while (waitpid(w->pid, &status, 0) == -1 && errno == EINTR)
		;
	why = pool_death_reason(status, w->timed_out, p->opts.time_limit);
	res = json_pack("{s:b, s:s, s:b, s:b}", "ok", 0, "reason", why,
	    "crashed", 1, "timed_out", w->timed_out);
	free(why);
	if (pool_spawn(p, w, err) == -1)
		log_warnx("%s", err);
	return res;
}

int
pool_wait(struct pool *p, int timeout_ms, json_t **result, void **tag)
{
	struct pollfd *pfd = xcalloc((size_t)p->n, sizeof *pfd);
	time_t now;
	int i, rc = 0, wait_ms;

	*result = NULL;
	*tag = NULL;
	now = time(NULL);
	wait_ms = timeout_ms;
	for (i = 0; i < p->n; i++) {
		struct pool_worker *w = &p->w[i];

		pfd[i].fd = w->tag != NULL ? w->fd : -1;
		pfd[i].events = POLLIN;
		if (w->tag != NULL && p->opts.time_limit > 0) {
			long left = (long)(w->started + p->opts.time_limit - now);

			if (left <= 0 && !w->timed_out) {
				w->timed_out = 1;
				kill(w->pid, SIGKILL);
			}
			if (left > 0 && (wait_ms < 0 || left * 1000 < wait_ms))
				wait_ms = (int)(left * 1000);
		}
	}
	if (poll(pfd, (nfds_t)p->n, wait_ms) == -1) {
		rc = errno == EINTR ? 0 : -1;
		goto out;
	}
	for (i = 0; i < p->n; i++) {
		struct pool_worker *w = &p->w[i];
		char chunk[65536], *nl;
		ssize_t n;

		if (pfd[i].fd == -1 || pfd[i].revents == 0)
			continue;
		n = read(w->fd, chunk, sizeof chunk);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0 || buf_append(&w->in, chunk, (size_t)n) == -1) {
			if (n > 0)
				kill(w->pid, SIGKILL);
			*tag = w->tag;
			*result = pool_restart(p, w);
			rc = 1;
			goto out;
		}
		if ((nl = memchr(w->in.data, '\n', w->in.len)) == NULL)
			continue;
		*nl = '\0';
		*result = json_loads(w->in.data, 0, NULL);
		if (*result == NULL)
			*result = worker_fail("the worker answered nonsense");
		*tag = w->tag;
		w->tag = NULL;
		buf_free(&w->in);
		rc = 1;
		goto out;
	}
out:
	free(pfd);
	return rc;
}

void
pool_stop(struct pool *p)
{
	int i, status;

	if (p == NULL)
		return;
	for (i = 0; i < p->n; i++) {
		if (p->w[i].fd == -1)
			continue;
		close(p->w[i].fd);	/* EOF on stdin: the worker exits */
		if (p->w[i].tag != NULL)
			kill(p->w[i].pid, SIGKILL);
	}
	for (i = 0; i < p->n; i++) {
		if (p->w[i].fd == -1)
			continue;
		while (waitpid(p->w[i].pid, &status, 0) == -1 && errno == EINTR)
			;
		buf_free(&p->w[i].in);
	}
	free(p->w);
	free(p);
}
