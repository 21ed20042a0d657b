/*
 * web.c: sohoa-web, the console at the counter.
 *
 * A program of its own, so that the process facing the office LAN never
 * decodes a scan: it reads the index, the packages and the journal, moves
 * a quarantined scan back into its inbox, and writes corrections and the
 * access log.  libmicrohttpd speaks HTTP (and TLS, when sohoa.conf names
 * a certificate); its threads each get their own handle on the index,
 * opened on the first request they serve.  With [web] source = city it is
 * the city's console instead: the records come from the city's PostgreSQL
 * (web_city.c), the users and sessions still from the data folder.
 * SIGTERM and SIGINT stop it.
 *
 *	sohoa-web [--data DIR] [-c FILE] [--listen ADDR:PORT] [-v]
 */
#include <sys/socket.h>
#include <sys/stat.h>

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>

#include "web.h"

#define WEB_THREADS	8	/* libmicrohttpd's pool: requests at once */
#define WEB_CONNECTIONS	512
/*
 * Each connection's memory for its request line and headers (pages are
 * touched only as used).  At libmicrohttpd's 32 kB a URL of 10 to 30 kB
 * beside a session cookie left no room to build an answer, and the client
 * saw the connection closed with none; at 256 kB such a URL reaches the
 * handler, which refuses it with 400 and a sentence, and anything longer
 * still gets libmicrohttpd's 414.
 */
#define WEB_CONN_MEMORY	(256 * 1024)

struct web_conf web_conf;

static pthread_key_t web_ix_key;
static char *web_dbpath;

static void
web_ix_close(void *ix)
{
	index_close(ix);
}

/* This thread's handle on the index; NULL (logged) when it cannot be
 * opened, and the request then gets a 503. */
struct index *
web_index(void)
{
	struct index *ix = pthread_getspecific(web_ix_key);
	char err[ERRMAX];

	if (ix != NULL)
		return ix;
	if ((ix = index_open(web_dbpath, err)) == NULL) {
		log_warnx("%s", err);
		return NULL;
	}
	/*
	 * Memory the server can name: no map of the database (sohoa's 1 GB
	 * map counts each page a search touches in the process's RSS, 118 MB
	 * after a minute of clerks on a million records, and growing), and 8
	 * MB of page cache a thread instead of 32.  bench/web-load measured
	 * no slower searches this way, and a peak RSS of 53-56 MB.
	 */
	db_exec(index_db(ix), "PRAGMA mmap_size = 0; PRAGMA cache_size = "
	    "-8192", NULL);
	pthread_setspecific(web_ix_key, ix);
	return ix;
}

static void
web_usage(int status)
{
	fprintf(status ? stderr : stdout,
	    "usage: sohoa-web [--data DIR] [-c FILE] [--listen ADDR:PORT] [-v]\n"
	    "\n"
	    "The web console of sohoa on the office LAN: search for clerks,\n"
	    "the scanners' queues for records staff, the report for auditors,\n"
	    "users and the access log for admins.  With [web] source = city\n"
	    "in sohoa.conf, it reads the city database's records instead.\n"
	    "\n"
	    "  --data DIR          the data folder (default: $SOHOA_DATA, else\n"
	    "                      [sohoa] data in sohoa.conf, else "
	    SOHOA_DEFAULT_DATA ")\n"
	    "  -c, --config FILE   sohoa.conf (default: $SOHOA_CONF, else "
	    SOHOA_SYSCONFDIR "/sohoa.conf)\n"
	    "  --listen ADDR:PORT  where to listen (default: [web] listen, else\n"
	    "                      127.0.0.1:8080); an IPv6 address in [ ]\n"
	    "  -v                  log every request\n"
	    "  -h, --help          this text\n"
	    "\n"
	    "Users are made with `sohoa user add`.  Run `man sohoa-web` for the\n"
	    "pages and the API.\n");
	exit(status);
}

/* "ADDR:PORT", "[ADDR6]:PORT" or ":PORT" into *ss. */
static int
web_parse_listen(const char *s, struct sockaddr_storage *ss, socklen_t *len)
{
	struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
	const char *colon = strrchr(s, ':');
	char host[128], *end;
	long port;
	size_t n;

	if (colon == NULL)
		return -1;
	errno = 0;
	port = strtol(colon + 1, &end, 10);
	if (errno != 0 || end == colon + 1 || *end != '\0' || port < 0 ||
	    port > 65535)
		return -1;
	n = (size_t)(colon - s);
	if (n >= sizeof host)
		return -1;
	memcpy(host, s, n);
	host[n] = '\0';
	memset(ss, 0, sizeof *ss);
	if (n >= 2 && host[0] == '[' && host[n - 1] == ']') {
		host[n - 1] = '\0';
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)port);
		if (inet_pton(AF_INET6, host + 1, &in6->sin6_addr) != 1)
			return -1;
		*len = sizeof *in6;
		return 0;
	}
	in4->sin_family = AF_INET;
	in4->sin_port = htons((uint16_t)port);
	if (n == 0)
		in4->sin_addr.s_addr = htonl(INADDR_ANY);
	else if (inet_pton(AF_INET, host, &in4->sin_addr) != 1)
		return -1;
	*len = sizeof *in4;
	return 0;
}

static void
web_mhd_log(void *arg, const char *fmt, va_list ap)
{
	char line[1024];
	size_t n;

	vsnprintf(line, sizeof line, fmt, ap);
	n = strlen(line);
	while (n > 0 && line[n - 1] == '\n')
		line[--n] = '\0';
	log_warnx("http: %s", line);
}

static char *
web_read_pem(const char *path)
{
	struct buf b;
	char err[ERRMAX];

	buf_init(&b, 1 << 20);
	if (util_read_file(path, 1 << 20, &b, err) == -1)
		fatalx("%s", err);
	return b.data;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "data", required_argument, NULL, 'd' },
		{ "config", required_argument, NULL, 'c' },
		{ "listen", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *data = NULL, *config = NULL, *listen = NULL, *env;
	struct sockaddr_storage ss;
	struct MHD_Daemon *d;
	socklen_t sslen;
	unsigned int flags;
	char err[ERRMAX], *cert = NULL, *key = NULL;
	struct index *ix;
	sigset_t set;
	int ch, sig, verbose = 0;

	log_init("sohoa-web", 0);
	while ((ch = getopt_long(argc, argv, "c:hv", longopts, NULL)) != -1) {
		switch (ch) {
		case 'd':
			data = optarg;
			break;
		case 'c':
			config = optarg;
			break;
		case 'l':
			listen = optarg;
			break;
		case 'v':
			verbose++;
			break;
		case 'h':
			web_usage(0);
			break;
		default:
			web_usage(2);
		}
	}
	if (optind != argc) {
		fprintf(stderr, "sohoa-web: usage: it takes no arguments, only "
		    "options (see --help)\n");
		exit(2);
	}
	log_setverbose(verbose);
	if (conf_load(config, &web_conf.conf, err) == -1)
		fatalx("%s", err);
	if (data == NULL && (env = getenv("SOHOA_DATA")) != NULL && *env)
		data = env;
	if (data == NULL)
		data = web_conf.conf.data;
	if (data == NULL)
		data = SOHOA_DEFAULT_DATA;
	web_conf.datadir = data;
	if (listen == NULL)
		listen = web_conf.conf.web_listen;
	if (web_parse_listen(listen, &ss, &sslen) == -1) {
		fprintf(stderr, "sohoa-web: usage: --listen takes ADDR:PORT "
		    "such as 127.0.0.1:8080 or [::1]:8080, not '%s'\n", listen);
		exit(2);
	}
	web_conf.idle_seconds = web_conf.conf.web_idle_minutes * 60;

	if (util_mkdirs_private(data) == -1)
		fatal("cannot create the data folder %s", data);
	web_dbpath = xasprintf("%s/sohoa.db", data);
	/* Opened once here, so that a database that cannot be opened or
	 * upgraded stops the start with its reason. */
	if ((ix = index_open(web_dbpath, err)) == NULL)
		fatalx("%s", err);
	index_close(ix);
	if (pthread_key_create(&web_ix_key, web_ix_close) != 0)
		fatalx("cannot make the threads' index key");
	web_auth_init();
	if (web_conf.conf.web_source_city) {
		PGconn *pg;

		web_city_init();
		/* Only said: the city may be down while the console starts,
		 * and each request tries again. */
		if ((pg = city_open(&web_conf.conf, err)) == NULL)
			log_warnx("the city database cannot be reached yet: %s",
			    err);
		city_close(pg);
	}

	/* The signals are waited for below; the server's threads never get
	 * them.  A client gone mid-answer must not kill the process. */
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);

	flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	if (web_conf.conf.web_tls_cert != NULL) {
		if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES)
			fatalx("[web] tls_cert is set, but this libmicrohttpd "
			    "has no TLS");
		cert = web_read_pem(web_conf.conf.web_tls_cert);
		key = web_read_pem(web_conf.conf.web_tls_key);
		flags |= MHD_USE_TLS;
		web_conf.tls = 1;
	}
	d = MHD_start_daemon(flags, 0, NULL, NULL, web_handle, NULL,
	    MHD_OPTION_EXTERNAL_LOGGER, web_mhd_log, NULL,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
	    MHD_OPTION_THREAD_POOL_SIZE, (unsigned int)WEB_THREADS,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned int)WEB_CONNECTIONS,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)30,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)WEB_CONN_MEMORY,
	    MHD_OPTION_NOTIFY_COMPLETED, web_completed, NULL,
	    web_conf.tls ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, cert,
	    MHD_OPTION_HTTPS_MEM_KEY, key,
	    MHD_OPTION_END);
	if (d == NULL)
		fatalx("cannot listen on %s: %s", listen, errno ?
		    strerror(errno) : "the address is taken or not ours");
	/* The port bound, for --listen ADDR:0 (the tests take any free one). */
	{
		const union MHD_DaemonInfo *di = MHD_get_daemon_info(d,
		    MHD_DAEMON_INFO_BIND_PORT);
		char shown[160];

		snprintf(shown, sizeof shown, "%.*s:%u",
		    (int)(strrchr(listen, ':') - listen), listen,
		    di ? (unsigned)di->port : 0u);
		log_info("listening on %s://%s, data in %s%s", web_conf.tls ?
		    "https" : "http", shown, data, web_conf.conf.web_source_city ?
		    ", records from the city database" : "");
	}
	sd_notify(0, "READY=1");
	for (;;) {
		if (sigwait(&set, &sig) != 0)
			continue;
		if (sig == SIGHUP)
			continue;
		break;
	}
	sd_notify(0, "STOPPING=1");
	log_info("stopping");
	MHD_stop_daemon(d);
	free(cert);
	free(key);
	free(web_dbpath);
	conf_free(&web_conf.conf);
	return 0;
}
