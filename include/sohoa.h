/*
 * sohoa.h: the one header of sohoa, sectioned by source file in the order
 * of the data flow (bottom layers first).  Every function is prefixed with
 * the name of the file that defines it.
 *
 * Conventions:
 *  - Functions that can fail on one scanned document return 0 on success
 *    and -1 on failure, and write one plain sentence into err (ERRMAX
 *    bytes) saying why.  They never exit the process.
 *  - "caller frees" marks every returned buffer the caller owns.
 */
#ifndef SOHOA_H
#define SOHOA_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdnoreturn.h>
#include <sys/types.h>

#include <jansson.h>

#define SOHOA_VERSION	"0.1.0"
#define ERRMAX		512

#ifndef SOHOA_DEFAULT_DATA
#define SOHOA_DEFAULT_DATA	"/var/lib/sohoa"
#endif

#define PRINTFLIKE(f, a)	__attribute__((format(printf, f, a)))

/* log.c: one line per event on stderr. */
void	log_init(const char *progname, int verbose);
void	log_setverbose(int);
int	log_getverbose(void);
void	log_warn(const char *, ...) PRINTFLIKE(1, 2);	/* appends strerror(errno) */
void	log_warnx(const char *, ...) PRINTFLIKE(1, 2);
void	log_info(const char *, ...) PRINTFLIKE(1, 2);
void	log_debug(const char *, ...) PRINTFLIKE(1, 2);
noreturn void fatal(const char *, ...) PRINTFLIKE(1, 2);
noreturn void fatalx(const char *, ...) PRINTFLIKE(1, 2);

/* util.c: allocation that cannot fail, capped buffers, durable files, hashes. */
void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xrealloc(void *, size_t);
char	*xstrdup(const char *);
char	*xasprintf(const char *, ...) PRINTFLIKE(1, 2);

/* A growing buffer with a hard cap: OCR text and files are untrusted input. */
struct buf {
	char	*data;		/* always NUL-terminated when non-NULL */
	size_t	 len;
	size_t	 cap;
	size_t	 max;		/* buf_append fails past this many bytes */
};
void	buf_init(struct buf *, size_t max);
int	buf_append(struct buf *, const void *, size_t);
int	buf_printf(struct buf *, const char *, ...) PRINTFLIKE(2, 3);
void	buf_free(struct buf *);

/* Reads a whole regular file of at most max bytes into out (caller frees with buf_free). */
int	util_read_file(const char *path, size_t max, struct buf *out, char *err);
/*
 * The durable write, in steps: util_durable_open makes a temporary file
 * (mkostemp, mode set, named UTIL_TEMP_PREFIX... so that the watcher skips
 * it) in path's folder; util_durable_write adds to it (or the caller
 * writes to d->fd);
 * util_durable_commit fsyncs, renames it onto path and fsyncs the folder.
 * Each returns 0, or -1 with err.  A failed open or commit leaves nothing
 * to undo, and a failed commit no file at path (when the folder could not
 * be flushed, path is removed again); after a failed write,
 * util_durable_abort removes the temporary file.  Abort after a commit,
 * failed or not, does nothing.
 */
#define UTIL_TEMP_PREFIX	".sohoa-"
struct util_durable {
	int	 fd;
	char	*tmp;		/* the temporary name */
	char	*path;		/* the name it takes on commit */
};
int	util_durable_open(struct util_durable *, const char *path, mode_t mode,
	    char *err);
int	util_durable_write(struct util_durable *, const void *data, size_t len,
	    char *err);
int	util_durable_commit(struct util_durable *, char *err);
void	util_durable_abort(struct util_durable *);
/* Writes data to path durably, all steps above, mode UTIL_PRIVATE_FILE. */
int	util_write_durable(const char *path, const void *data, size_t len, char *err);
int	util_fsync_dir_of(const char *path);
int	util_mkdirs(const char *path, mode_t mode);
/* path absolute, without ".", ".." or doubled slashes, symlinks resolved
 * where it exists.  Caller frees. */
char	*util_path_real(const char *path);
/* 1 when inner is outer or inside it (both from util_path_real). */
int	util_path_within(const char *inner, const char *outer);
/* Bytes free for us on the filesystem holding path. */
int	util_disk_free(const char *path, uint64_t *bytes);
/* 1 for the errno values of a full disk or a used-up quota. */
int	util_errno_disk_full(int);
/*
 * Personal data (scans, their text, names and ID numbers in the database)
 * is for the owner, who writes, and the staff group, who reads; never for
 * other users.  A umask stricter than these narrows them further; a looser
 * one (022) does not widen them.
 */
#define UTIL_PRIVATE_DIR	0750
#define UTIL_PRIVATE_FILE	0640
/* Takes from path whatever it grants other users, when we own it: 1 when
 * the mode changed (*was the old one), 0 when there was nothing to do or
 * path is not ours, -1 (errno) on failure.  Quiet. */
int	util_unshare(const char *path, mode_t *was);
/* util_unshare with one log line saying what changed or what failed. */
int	util_keep_private(const char *path);
/* util_mkdirs(path, UTIL_PRIVATE_DIR), then util_keep_private(path). */
int	util_mkdirs_private(const char *path);
/* SHA-256 as 64 lower-case hex digits plus NUL, of data or streamed:
 * util_sha256_new (never NULL), util_sha256_add as often as needed, then
 * util_sha256_end, which writes hex and frees; util_sha256_free drops one
 * unfinished. */
struct util_sha256;
struct util_sha256 *util_sha256_new(void);
void	util_sha256_add(struct util_sha256 *, const void *data, size_t len);
void	util_sha256_end(struct util_sha256 *, char hex[65]);
void	util_sha256_free(struct util_sha256 *);
void	util_sha256(const void *data, size_t len, char hex[65]);
int	util_sha256_file(const char *path, char hex[65], char *err);
/*
 * The ID-number rule: a personal ID number is 12 digits (the citizen
 * identity card, CCCD, and the personal identification number) or 9 (the
 * old identity card, CMND, still seen on older papers).
 */
#define UTIL_ID_DIGITS		12
#define UTIL_ID_DIGITS_OLD	9
#define UTIL_ID_RULE		"12 digits, or 9 on an old card"
/* 1 when n digits make an ID number. */
int	util_id_length_ok(size_t n);
/* s as typed (spaces between the digits dropped) into out; 0 when it is
 * an ID number, else -1. */
int	util_id_number(const char *s, char out[UTIL_ID_DIGITS + 1]);
/* Current time in ISO 8601 with the local offset, e.g. 2026-11-22T17:30:00+07:00. */
void	util_now_iso8601(char out[40]);
const char *util_basename(const char *path);
int	util_ncpus(void);
/* A POSIX write lock on the whole file, not waiting (-1, EAGAIN/EACCES when
 * held).  util_lock_held: 1 when one is held (*pid its holder, 0 when it
 * cannot be known), 0 when none, -1 on error; asking takes nothing. */
int	util_lock(int fd);
int	util_lock_held(int fd, long *pid);

/*
 * date.c: the one reader of dates.  A date is typed as dd/mm/yyyy (also
 * d/m/yyyy, dd.mm.yyyy, dd-mm-yyyy) or yyyy-mm-dd, a time of day after it
 * ignored, and must exist (no 31/02); out gets it as YYYY-MM-DD.
 */
#define DATE_YEAR_MIN	1900
#define DATE_FORMS	"dd/mm/yyyy or yyyy-mm-dd"
/* Every message about a date that cannot be read: "WHAT 'S' " DATE_NOT. */
#define DATE_NOT	"is not a date (" DATE_FORMS ")"
/* 1 when y-m-d is a day of the calendar, from DATE_YEAR_MIN on. */
int	date_exists(int y, int m, int d);
/* 0 and out set, or -1. */
int	date_read(const char *s, char out[11]);
/* An optional date given as WHAT (an option, a field): out "" when s is
 * NULL; -1 and err ("WHAT 'S' is not a date ...") when it is no date. */
int	date_arg(const char *what, const char *s, char out[11], char *err);

/* vntext.c: Vietnamese text normalisation (utf8proc). */
struct vntext_stats {
	int	 letters;
	int	 upper;
	int	 lower;
	int	 digits;
	int	 words;		/* runs of letters */
};
void	vntext_stats(const char *s, size_t len, struct vntext_stats *);
/* NFC of s; invalid UTF-8 bytes become U+FFFD.  Caller frees. */
char	*vntext_nfc(const char *s, size_t len);
/* Folded form for matching: NFC, lower case, tone and vowel marks removed,
 * đ/Đ -> d.  "Nguyễn Văn Đức" -> "nguyen van duc".  Caller frees. */
char	*vntext_fold(const char *s);
/* The same folding applied to s as it is (give it NFC text), also setting
 * *map to one offset into s per byte of the result, plus one for its end:
 * match on the folded text, then cut the original.  Caller frees both. */
char	*vntext_fold_map(const char *s, size_t **map);
/* s[0..len), any bytes, made safe to show on one line of a terminal, a
 * log or a table: valid UTF-8 stays as it is; a byte that is not UTF-8
 * becomes \xNN; control characters (newline, escape, C1), line separators
 * and bidirectional controls become \n, \t, \r, \e, \xNN or \uNNNN.
 * Caller frees. */
char	*vntext_escape(const char *s, size_t len);
/* The same into out (outlen bytes, always NUL-terminated, cut between
 * characters); returns the length the whole would take. */
size_t	vntext_escape_into(char *out, size_t outlen, const char *s, size_t len);
/* 1 when s[0..len) is valid UTF-8 with no NUL. */
int	vntext_utf8_valid(const char *s, size_t len);

/* cfgfile.c: INI files people edit by hand, errors as "file:line: reason". */
struct cfgfile_key {
	const char *section;
	const char *name;
	int	 required;
};
/* Parses path; sections lists the allowed [sections] (NULL-terminated).
 * set(arg, key index, name, value, why) stores one value or returns -1
 * with a plain reason in why (ERRMAX/2 bytes).  Unknown sections and keys,
 * keys set twice, empty or quoted values are errors.  A key named "*"
 * takes any name in its section (set() must check repeats).  key_lines,
 * when not NULL, gets the line of each key (nkeys entries; 0 = not set),
 * for the checks that need the whole file before they can complain. */
int	cfgfile_parse(const char *path, const char *const *sections,
	    const struct cfgfile_key *keys, int nkeys,
	    int (*set)(void *arg, int key, const char *name, const char *value,
	    char *why), void *arg, int *key_lines, char *err);
int	cfgfile_int(const char *v, long lo, long hi, int *out);
int	cfgfile_bool(const char *v, int *out);

/* conf.c: sohoa.conf, the installation-wide settings. */
#ifndef SOHOA_SYSCONFDIR
#define SOHOA_SYSCONFDIR	"/etc/sohoa"
#endif
struct conf_target {
	char	*level;			/* city, district, commune, ... */
	double	 target;		/* fraction: 0.7 */
	char	**words;		/* register words for it ([levels]), folded */
	size_t	 nwords;		/* 0: the usual words (levels.c) */
};
struct conf {
	char	*path;			/* the file read, or NULL for defaults */
	char	*data;			/* data folder; NULL = SOHOA_DATA or built-in */
	char	*profiles;		/* folder of scanner profiles */
	int	 workers;		/* 0 = one per core */
	int	 job_time_limit;	/* seconds per document */
	int	 job_memory_mb;		/* address-space limit of a worker */
	int	 max_pages;		/* pages per document */
	int	 rescan_seconds;	/* full rescan of every inbox */
	int	 optimize_after;	/* merge the full text after this many new documents, 0 = never */
	int	 optimize_idle_seconds;	/* ... once the daemon was idle this long */
	int	 min_free_mb;		/* sohoad reads no scan while the data disk has less */
	struct conf_target *targets;	/* the levels, in order, and their targets */
	size_t	 ntargets;
	char	*former_district;	/* the level district results count under,
					 * when there is no district level; or NULL */
	char	*web_listen;		/* [web] listen: ADDR:PORT */
	char	*web_tls_cert;		/* [web] tls_cert, tls_key: PEM files, or NULL */
	char	*web_tls_key;
	int	 web_idle_minutes;	/* a web session's idle timeout */
	int	 web_source_city;	/* [web] source = city: sohoa-web reads the
					 * records from the [city] database */
	char	*city_url;		/* [city] url: libpq conninfo or URI, or NULL */
	char	*city_office;		/* [city] office: this installation's name
					 * in the city database (both or neither) */
};
/* Loads path; when path is NULL the default file is read if it exists
 * (SOHOA_CONF, else SOHOA_SYSCONFDIR/sohoa.conf) and defaults are used
 * otherwise.  The levels are those [targets] names, in its order; without
 * it city 70 %, district 60 %, commune 50 %. */
int	conf_load(const char *path, struct conf *out, char *err);
/* The target for a level, or -1 when the level has none. */
double	conf_target(const struct conf *, const char *level);
void	conf_free(struct conf *);

/* levels.c: the levels results are counted under, as sohoa.conf names
 * them.  Each function takes a conf, or NULL for the built-in levels (city,
 * district, commune); a level returned is the conf's own string. */
/* The level named exactly name (what --level takes), or NULL. */
const char *levels_named(const struct conf *, const char *name);
/* The level a profile's "level =" names: a configured level, or "district"
 * when the conf says where former districts' results go.  NULL: none. */
const char *levels_profile(const struct conf *, const char *name);
/* The level a register's level cell names: as levels_profile, or a
 * level's name in any case and marks, or one of the words [levels] gives
 * it, or one of the usual words ("Xã", "cấp tỉnh", "huyện").  NULL: none. */
const char *levels_find(const struct conf *, const char *word);
/* The place among the levels of the level a record carries (as
 * levels_find reads it); the number of levels when it is none of them. */
size_t	levels_rank(const struct conf *, const char *level);
/* The levels' names appended to b, ", " between them and last before the
 * last one ("city, district or commune"). */
void	levels_list(const struct conf *, const char *last, struct buf *b);
/* s as levels and register words are compared: folded (vntext_fold), "_",
 * "-" and "/" read as spaces, ",", ":", "." and "*" dropped, spaces
 * collapsed.  "Cấp  xã." -> "cap xa".  Caller frees. */
char	*levels_word(const char *s);

/* profile.c: one scanner folder and the office it belongs to. */
/* Defaults, for a profile that does not say and a job that does not
 * carry them: Vietnamese, and the resolution of most office scanners. */
#define PROFILE_LANGUAGES	"vie"
#define PROFILE_DPI		300
/* Preprocessing before OCR (preprocess.c): each step yes (1) or no, as a
 * profile sets them and the job carries them to the worker. */
struct preprocess_opts {
	int	 enabled;		/* off: the page goes to OCR untouched */
	int	 orientation;		/* quarter turns to upright */
	int	 deskew;
	int	 normalize_background;	/* yellowed paper, shadows */
	int	 binarize;		/* adaptive (Sauvola) */
	int	 despeckle;
	int	 remove_borders;	/* dark scanner borders */
	int	 suppress_seals;	/* red and blue ink made paper */
	int	 upscale_below_dpi;	/* scans coarser than this go to 300 dpi; 0 never */
	/* Not in the job: the worker's own, to settle an unsure orientation
	 * by reading the page both ways; NULL: no second opinion. */
	struct ocr *reader;
	/* Nor this: the page's QR codes (codes_read's objects), made paper
	 * in the image recognised: a code is no text.  NULL: none. */
	const json_t *codes;
};
struct profile {
	char	*path;			/* file it came from, or "(built-in)" */
	char	*name;
	char	*inbox;
	char	*quarantine;
	int	 inbox_line;		/* where each was set in path, for errors */
	int	 quarantine_line;
	char	*agency_code;
	char	*agency_name;
	char	*level;			/* one of sohoa.conf's levels */
	char	*languages;		/* Tesseract languages, PROFILE_LANGUAGES */
	int	 dpi;			/* assumed when a scan carries none, PROFILE_DPI */
	int	 settle_seconds;
	int	 poll_seconds;		/* 0 = inotify */
	int	 recursive;
	char	*filename_pattern;	/* PCRE2 with a group that yields the dossier code */
	/* rule_<field>: PCRE2 over the text, group 1 the value, in the order
	 * of rule_fields; NULL: the built-in rules alone. */
	char	*rule[7];
	/* Preprocessing before OCR (preprocess.c): the profile's keys
	 * "preprocess" (enabled), "deskew"..., with the defaults of
	 * preprocess_defaults(). */
	struct preprocess_opts pre;
	int	 syllables;		/* words not valid syllables read again */
};
/* Parses an INI profile ([profile] section); err is "file:line: reason". */
int	profile_load(const char *path, struct profile *out, char *err);
/* The same with the levels of conf (NULL: the built-in ones): "level ="
 * must name one of them, or be district when conf says where the former
 * districts' results go, and out->level is then that level. */
int	profile_load_conf(const char *path, const struct conf *conf,
	    struct profile *out, char *err);
/* The embedded sample profile (a commune office, local folders). */
void	profile_default(struct profile *out);
void	profile_free(struct profile *);

/* image.c: decoding scans (libtiff for TIFF, Leptonica for PNG and JPEG,
 * pdf.c for PDF). */
struct Pix;
struct image;
struct image_limits {
	uint32_t max_side;		/* pixels on either side of one page */
	uint64_t max_pixels;		/* pixels in one page */
	int	 max_pages;
};
void	image_default_limits(struct image_limits *);
/* "tiff", "png", "jpeg", "pdf", or NULL when the bytes are none of these. */
const char *image_sniff(const void *data, size_t len);
/* Checks the container and every page header against the limits before
 * any pixel is decoded.  data must outlive the image. */
struct image *image_open(const void *data, size_t len, int default_dpi,
	    const struct image_limits *, char *err);
int	image_npages(const struct image *);
const char *image_format(const struct image *);
/* Decodes page i (0-based).  *dpi is the page's resolution, or default_dpi
 * when the file carries none or an implausible one.  Caller frees the Pix
 * with pixDestroy.  A page under 16 pixels either way is refused as too
 * small to hold text.  On failure errno is ENOMEM when memory ran out. */
struct Pix *image_page(struct image *, int i, int *dpi, char *err);
/* The text page i carries itself (a PDF's text layer, when it is real
 * text), in NFC, for the caller to free; NULL when the page must be
 * recognised from its image. */
char	*image_page_text(struct image *, int i);
/* The signatures a PDF carries (pdf_signatures); NULL for other formats. */
json_t	*image_signatures(struct image *);
void	image_close(struct image *);

/* pdf.c: PDF pages through poppler, as their text layer or an image. */
struct pdf;
/* Refuses an encrypted or damaged PDF, or one over lim's pages, with a
 * one-line reason.  data must outlive the pdf. */
struct pdf *pdf_open(const void *data, size_t len,
	    const struct image_limits *lim, char *err);
int	pdf_npages(const struct pdf *);
/* Whether text is real text: enough letters, mostly letters. */
int	pdf_real_text(const char *text);
/* As image_page_text. */
char	*pdf_page_text(struct pdf *, int i);
/* The page's one covering image at its own resolution and depth (1 bpp
 * for bilevel, 8 for grey), or the page rendered at 300 dpi.  Caller
 * frees; errno is ENOMEM when memory ran out. */
struct Pix *pdf_page_pix(struct pdf *, int i, int default_dpi, int *dpi,
	    char *err);
/* The signatures the PDF carries, verified offline: a new JSON array of
 * {signer, organisation, signed_at, verified, status, certificate}. */
json_t	*pdf_signatures(struct pdf *);
void	pdf_close(struct pdf *);

/* syllable.c: valid Vietnamese syllables (Debian's hunspell-vi and the
 * tone rule of stop endings), and the choice of a valid reading among the
 * recogniser's alternatives for each letter. */
struct syllable_dict;
/* NULL paths: the hunspell-vi files.  NULL when they are not installed. */
struct syllable_dict *syllable_open(const char *aff, const char *dic);
void	syllable_close(struct syllable_dict *);
#define SYLLABLE_VALID	 1
#define SYLLABLE_INVALID 0
#define SYLLABLE_OTHER	 2	/* not a Vietnamese word: a code, a number,
				 * an abbreviation, a foreign word */
/* One word of print, UTF-8 NFC, no spaces; a NULL dict knows only the
 * tone rule. */
int	syllable_check(const struct syllable_dict *, const char *word);
/* One symbol as read (text, conf 0..100) and its alternatives, the reading
 * among them or not. */
struct syllable_choice {
	const char *text;
	float	 conf;
};
struct syllable_symbol {
	const char *text;
	float	 conf;
	const struct syllable_choice *alt;
	int	 nalt;
};
/* An alternative is tried when its confidence is at least this; the chosen
 * reading may cost (reading's confidence minus the alternative's, summed
 * over the letters changed) less than SYLLABLE_MAX_COST. */
#define SYLLABLE_MIN_CONF 5.0f
#define SYLLABLE_MAX_COST 90.0f
/* The word of n symbols (leading and trailing punctuation kept) with its
 * letters replaced by the cheapest alternatives that make it a valid
 * syllable, when the reading is not one; NULL to keep the reading.
 * Caller frees. */
char	*syllable_choose(const struct syllable_dict *,
	    const struct syllable_symbol *sym, int n);

/* ocr.c: one Tesseract handle, initialised once, reused for every page. */
struct ocr;
struct ocr *ocr_open(const char *languages, char *err);
void	ocr_close(struct ocr *);
/* Starts a searchable PDF written to pdf_base + ".pdf". */
int	ocr_begin(struct ocr *, const char *pdf_base, const char *title, char *err);
/* Recognises one page; *text is UTF-8 (caller frees), *confidence 0..100. */
int	ocr_page(struct ocr *, struct Pix *, int dpi, char **text, int *confidence,
	    char *err);
/* The same, recognising pix but putting show (same size and resolution) in
 * the PDF; show NULL is pix.  On failure errno is ENOMEM when memory ran
 * out. */
int	ocr_page_shown(struct ocr *, struct Pix *pix, struct Pix *show, int dpi,
	    char **text, int *confidence, char *err);
/* The layout of the page just recognised (its lines, blocks, words and
 * their boxes, as JSON: see ocr.c); pix is the image recognised.  Caller
 * json_decref()s. */
json_t	*ocr_layout(struct ocr *, struct Pix *pix);
int	ocr_end(struct ocr *, char *err);
/* How confident a reading of pix is (mean word confidence, 0..100), for
 * choosing between two versions of a page: no text, no PDF.  -1 on error. */
int	ocr_confidence(struct ocr *, struct Pix *pix, int dpi, char *err);
/* Whether a word that is not a valid syllable is read again from
 * Tesseract's alternatives (syllable.c); -1 when hunspell-vi is missing. */
int	ocr_set_syllables(struct ocr *, int on);
/* Reads again, as one line, each "label: CAPITALS" line of the page just
 * recognised (pix, as layout has it) and takes the marks it gives back on
 * words in capitals into *text and layout; and each "Số:" line whose
 * number was read unsure, which is sure when both readings agree.  The
 * count of words changed. */
int	ocr_reread_lines(struct ocr *, struct Pix *pix, int dpi, json_t *layout,
	    char **text);
/* The last page's text as Tesseract read it, when a syllable was fixed;
 * NULL when the text is the reading. */
const char *ocr_raw_text(const struct ocr *);

/* reading.c: the page header's two columns in reading order. */
/* The page's text with the header's left column first, then its right,
 * from the page's layout (ocr_layout); NULL when it stays as it is.
 * Caller frees. */
char	*reading_order(const char *text, const json_t *layout);

/* extract.c: fields read off a result's OCR text (Vietnamese rules). */
/* Returns a new object with doc_type, doc_number, issued_on, agency_name,
 * people (array), id_numbers (array), dossier_code: JSON null (or an empty
 * array) for whatever is not found.  source_name may yield the dossier code
 * through the profile's filename pattern.  layout is the pages' layouts
 * (an array of ocr_layout's, null for a page with a text layer) or NULL:
 * with page 1's, doc_type, doc_number, issued_on and agency_name come
 * only from their place in its header, and are null where that place is
 * missing or unreadable.  Caller json_decref()s. */
json_t	*extract_fields(const char *text, const json_t *layout,
	    const char *source_name, const struct profile *);
json_t	*extract_fields_noted(const char *text, const json_t *layout,
	    const char *source_name, const struct profile *, json_t **evidence);

/* rule.c: a profile's own rules for the fields, and its filename_pattern. */
/* A profile's rule_<field> keys, in the order of its rule[]: the first
 * match's group 1 gives the value, before the built-in rules (for people
 * and id_numbers, every match's). */
#define EXTRACT_NRULES	7
extern const char *const rule_fields[EXTRACT_NRULES];
/* 0 when pattern compiles and has a group; else -1 and why (len bytes). */
int	rule_check(const char *pattern, char *why, size_t len);

/* known.c: the type names and codes results carry (Nghị định 30/2020). */
/* The known type name (capitals, static) a title read by OCR is: the one
 * its folded form equals, or the only one a few slips away; NULL when
 * none or several are. */
const char *known_doc_type(const char *title);
/* The same for the last words of a line, in capitals, with a stamp or
 * OCR debris before them ("Giờ: 7h45 QUYẾT ĐỊNH"); NULL for a line that
 * ends in a colon (the "QUYẾT ĐỊNH:" before the articles). */
const char *known_doc_type_tail(const char *line);
/* A document number "sequence[/year]/TYPE-AGENCY[-UNIT]" with each code
 * part one OCR slip from exactly one known code made that code (QĐĐ -> QĐ,
 * QÐ -> QĐ, TILKS -> TLKS), a word of the date line joined at its end
 * dropped; everything else as read.  Caller frees; NULL for NULL. */
char	*known_doc_number(const char *number);
/* 1 for a registration number with no slash: ten capitals and digits,
 * two digits first, at least seven digits (0195163130, 01D8012345). */
int	known_regno(const char *s);
/* 1 for the known types numbered so (household business certificates). */
int	known_regno_type(const char *doc_type);
/* An office's abbreviation from its name (Sở Xây dựng -> SXD).  Caller frees. */
char	*known_agency_abbr(const char *name);
/* Agency abbreviations the number fixing also knows (kept for the process). */
void	known_learn_agency(const char *abbr);
void	known_learn_profile(const struct profile *);
/* The code parts of a number as a register holds it (typed, not read). */
void	known_learn_number(const char *number);
/* Whether word is a Vietnamese family name once folded (NGUYEN is). */
int	known_is_family_name(const char *word);
/* The family name word stands for, written in its case, when it folds to
 * exactly one and is not written so already ("KHÔNG" -> "KHỔNG"); else
 * NULL.  Caller frees. */
char	*known_family_name(const char *word);

/* codes.c: QR codes and barcodes on a page, and what their payloads hold. */
/* Every code on the page: a new array of {"format", "text", "left", "top",
 * "width", "height"} in page pixels; "text" is the payload when it is
 * valid UTF-8, else shown escaped (vntext_escape) with its bytes in "hex".
 * decoder "zbar" reads with zbar, anything else (NULL) with zxing-cpp, the
 * one chosen by measure (README).  NULL on failure.  Caller json_decref()s. */
json_t	*codes_read(struct Pix *, const char *decoder, char *err);
/* The fields a payload really holds, each only under a key naming it and
 * with its shape: dossier_code, procedure_code, id_numbers (array),
 * valid_until and issued_on (YYYY-MM-DD), document_name, issuing_system.
 * URLs give their query parameters only.  A new object, maybe empty;
 * caller json_decref()s. */
json_t	*codes_fields(const char *text);
/* The fields of codes (codes_read's objects, with "page") merged into
 * fields (extract_fields'): dossier_code and id_numbers from a code win.
 * Returns a new object for metadata.json: "codes" (each with the
 * "fields" it held), "procedure_code", "valid_until", and "evidence"
 * ({"qr", "text"} per field where the two disagreed).  Caller
 * json_decref()s. */
json_t	*codes_merge(json_t *fields, json_t *codes);
/* codes_zxing.cpp (C++, declared again there): found is called for each
 * code with its format, bytes and box; returns how many, -1 on failure. */
typedef void (*codes_found_fn)(void *arg, const char *format,
    const char *bytes, size_t len, int left, int top, int width, int height);
int	codes_zxing_read(const unsigned char *grey, int width, int height,
	    int stride, int qr_only, codes_found_fn found, void *arg, char *err);

/* package.c: one BagIt package per document, a plain tar file. */
struct package_item {
	const char *name;		/* path inside the bag's data/ folder */
	const char *path;		/* file to copy in, or NULL ... */
	const void *data;		/* ... bytes to copy in */
	size_t	 len;
};
/* Writes the package durably to dest (temp name, fsync, rename, fsync of
 * the folder).  bag is the top folder inside the tar.  On success
 * pkg_sha256 holds the hash of the whole package file. */
int	package_write(const char *dest, const char *bag,
	    const struct package_item *items, size_t nitems,
	    char pkg_sha256[65], char *err);

/* package_read.c: one member out of a package. */
/* Reads data/<name> out of a package and checks it against the package
 * manifest; fails on a mismatch.  out is filled (caller buf_free()s). */
int	package_read(const char *pkg, const char *name, size_t max,
	    struct buf *out, char *err);
/* The part what ("original", "pdf" or "text") of a package, as package_read
 * reads it; *member is the file's name in the package. */
int	package_take(const char *pkg, const char *what, size_t max,
	    struct buf *out, const char **member, char *err);
/* package_take, the bytes written to fd as they are read (memory stays
 * flat however large the member): fd holds a good copy only when this
 * returns 0; on -1 what it holds is to be thrown away. */
int	package_take_fd(const char *pkg, const char *what, size_t max,
	    int fd, const char **member, char *err);

/* package_verify.c: every member checked against the manifests. */
/* Re-hashes every member against the manifests.  Calls report once per
 * problem (member name or NULL, plain sentence) and returns the count of
 * problems, or -1 when the package cannot be read at all (also reported). */
int	package_verify(const char *pkg,
	    void (*report)(const char *member, const char *why, void *arg),
	    void *arg);

/* db.c: the one owner of the database: its connection, its pragmas, the
 * schema versions of the modules keeping tables in it, their statements. */
struct db;				/* one connection */
struct db_stmt;				/* a prepared statement */
struct fts5_api;
/* What a module keeps in the database. */
struct db_module {
	const char *name;		/* "index", "jobs", "reserve", ... */
	int	 version;		/* its schema version now */
	/* Brings its tables from version from (0: none of its tables yet,
	 * or made by a sohoa that kept no version for it) to version, inside
	 * db_open's setup transaction: CREATE ... IF NOT EXISTS, ALTER TABLE
	 * for old columns (db_has_column), data moves.  0, or -1 with err
	 * set.  Its own statements and those of the modules before it in the
	 * list may be used (db_stmt prepares them then). */
	int	(*upgrade)(struct db *, int from, char *err);
	/* Its statements, prepared once when the database opens, indexed by
	 * the module's own enum; may be NULL/0. */
	const char *const *sql;
	size_t	 nsql;
	/* Run on every connection after the setup transaction, before the
	 * statements are prepared (TEMP tables, triggers).  May be NULL. */
	int	(*connect)(struct db *, char *err);
};
/* Opens path (made 0640 if new), WAL, synchronous=FULL, foreign keys,
 * busy timeout 10 s, the FTS5 extensions; in one write transaction brings
 * every module's tables from the version recorded to its own, in the
 * order of the list, and records the versions; then prepares every
 * module's statements.  The list is copied; the modules it points to
 * must outlive the db (static ones).  NULL with err set. */
struct db *db_open(const char *path, const struct db_module *const *modules,
	    size_t nmodules, char *err);
void	db_close(struct db *);
/* A module's version as schema_versions records it, 0 when it has no row;
 * -1 on error. */
int	db_version(struct db *, const char *module);
/* Statement i of module m, reset and its bindings cleared. */
struct db_stmt *db_stmt(struct db *, const struct db_module *m, size_t i);
/* A statement of its own, for SQL built at run time or a loop whose body
 * uses the cached ones: NULL (db_errmsg says why).  Caller db_finalize()s
 * (NULL is fine; only db_prepare's). */
struct db_stmt *db_prepare(struct db *, const char *sql);
void	db_finalize(struct db_stmt *);
void	db_reset(struct db_stmt *);
/* Bindings are copied; db_bind_text of NULL binds NULL. */
void	db_bind_text(struct db_stmt *, int col, const char *s);
void	db_bind_int64(struct db_stmt *, int col, int64_t v);
void	db_bind_double(struct db_stmt *, int col, double v);
void	db_bind_null(struct db_stmt *, int col);
int	db_bind_count(struct db_stmt *);
/* db_step: DB_ROW, DB_DONE, or DB_ERROR (db_errmsg says why, db_busy
 * whether it was busy or locked after the busy timeout). */
enum { DB_ERROR = -1, DB_DONE = 0, DB_ROW = 1 };
int	db_step(struct db_stmt *);
/* Steps a statement whose rows do not matter and resets it: 0, or -1. */
int	db_run(struct db_stmt *);
const char *db_col_text(struct db_stmt *, int col);	/* NULL for NULL */
int64_t	db_col_int64(struct db_stmt *, int col);
double	db_col_double(struct db_stmt *, int col);
int	db_col_null(struct db_stmt *, int col);	/* 1 when SQL NULL */
/* Column col as a JSON string, or null.  Caller json_decref()s. */
json_t	*db_col_str(struct db_stmt *, int col);
/* Column col holding JSON text (a correction's value), or null.  Caller
 * json_decref()s. */
json_t	*db_col_json(struct db_stmt *, int col);
/* Runs sql (several statements allowed): 0, or -1 with SQLite's message
 * in err (which may be NULL: db_errmsg has it too). */
int	db_exec(struct db *, const char *sql, char *err);
/* The first column of the first row of sql, or dflt when there is none,
 * it is NULL or sql fails. */
int64_t	db_int(struct db *, const char *sql, int64_t dflt);
int	db_begin(struct db *);		/* BEGIN IMMEDIATE: 0 or -1 */
int	db_commit(struct db *);
void	db_rollback(struct db *);	/* when a transaction is open */
int	db_in_transaction(struct db *);
int64_t	db_last_id(struct db *);
int	db_changes(struct db *);
const char *db_errmsg(struct db *);
int	db_busy(struct db *);		/* the last error: busy or locked */
int	db_has_column(struct db *, const char *table, const char *column);
int	db_has_table(struct db *, const char *table);
/* Creates the SQL function name(x) on this connection (deterministic):
 * fn(x) as text (fn returns a string the caller frees, or NULL), NULL for
 * a NULL x or a NULL answer.  0, or -1 with SQLite's message in err
 * (which may be NULL). */
int	db_function(struct db *, const char *name, char *(*fn)(const char *),
	    char *err);
/* FTS5's API on this connection (db_open's, and tests'), or NULL. */
struct fts5_api *db_fts5(struct db *);

/* tokenizer.c: the "sohoa" FTS5 tokenizer (unicode61 without diacritics,
 * đ folded to d, each word's exact twin beside it) and the folded words.
 * An SQLite extension: db.c registers it. */
struct sqlite3_context;
struct sqlite3_value;
#define TOKENIZER_TWIN	'\x01'	/* first byte of an exact twin */
#define TOKENIZER_PAIR	'\x02'	/* first byte of a pair of words */
/* Registers the tokenizer "sohoa" with FTS5: 0, or -1. */
int	tokenizer_register(struct fts5_api *);
/* The SQL function sohoa_words(x), tokenizer_words of x (the --type
 * filter), which db.c creates. */
void	tokenizer_sql_words(struct sqlite3_context *, int,
	    struct sqlite3_value **);
/* The words of s, folded, one space between them: "GIẤY PHÉP (XÂY
 * DỰNG)" -> "giay phep xay dung".  Caller frees. */
char	*tokenizer_words(const char *s);
/* The words of s as tokenizer_words splits them, not folded, into word
 * (at most max), each NUL-terminated in the copy *copy (caller frees).
 * Returns the number of words. */
size_t	tokenizer_split_words(const char *s, char **copy, char **word,
	    size_t max);
/* The exact twin of one word (NFC), or NULL when it has none (digits only,
 * too long).  Caller frees. */
char	*tokenizer_twin_str(const char *w);
/*
 * The tokens the "sohoa" tokenizer gives text[0..len) (NFC), by the very
 * code the full text uses, for what keeps a full text of its own (the
 * city's, citytext.c): as a document (each folded token, then its twin and
 * its pair with colocated set), or as a query string (folded tokens; twins
 * when text begins with TOKENIZER_TWIN; with prefix, the last twin without
 * its tone, as for "Hườ*").  tok(arg, colocated, token, len, start, end)
 * for each, start and end its bytes in text; a tok returning non-zero
 * stops.  0, or -1 with err.
 */
enum tokenizer_use { TOKENIZER_DOCUMENT, TOKENIZER_QUERY,
    TOKENIZER_QUERY_PREFIX };
int	tokenizer_each(const char *text, size_t len, enum tokenizer_use,
	    int (*tok)(void *arg, int colocated, const char *token, int len,
	    int start, int end), void *arg, char *err);

/* index.c: the installation's database (db.c) with the modules keeping
 * tables in it, and the index module: the records, their FTS5 full text,
 * names, corrections and access log. */
struct index;
extern const struct db_module index_module;
struct index *index_open(const char *dbpath, char *err);
struct db *index_db(struct index *);
void	index_close(struct index *);
int	index_begin(struct index *);
int	index_commit(struct index *);
void	index_rollback(struct index *);
/* The statements of index.c's table, prepared once when the database
 * opens, for the modules that keep their records in it. */
enum index_stmt {
	STMT_FIND_SHA,
	STMT_INSERT,
	STMT_INSERT_FTS,
	STMT_UPDATE_FTS,
	STMT_SET_ARCHIVE,
	STMT_SET_FIELDS,
	STMT_GET,
	STMT_LIST,
	STMT_MAX_ID,
	STMT_SAMPLE_ALL,
	STMT_SAMPLE,
	STMT_RANK,
	STMT_RANK_FILTERED,
	STMT_RANK_FORWARD,
	STMT_OLDER,
	STMT_FETCH,
	STMT_NAME_ADD,
	STMT_NAME_DEL,
	STMT_FILTER,
	STMT_FILTER_FTS,
	STMT_PACKAGES,
	STMT_ARCHIVE_SHA,
	STMT_ADD_CORRECTION,
	STMT_CORRECTIONS,
	STMT_RECORDS,
	STMT_COPIES,
	STMT_NAME_KNOWN,
	STMT_LOG,
	STMT_ACCESS_LOG,
	STMT_MAX
};
/* The columns of a record in the statements that return one. */
#define INDEX_DOC_NCOLUMNS	20
/* Statement s, reset and its bindings cleared, ready to bind and step. */
struct db_stmt *index_stmt(struct index *, enum index_stmt s);
/* A copy of statement s of its own, for a loop whose body uses the cached
 * ones: NULL when it cannot be prepared.  Caller db_finalize()s. */
struct db_stmt *index_prepare(struct index *, enum index_stmt s);
/* For tests: how many of the newest documents a name the names table
 * knows is also looked for word by word (0: search.c's own, 100000). */
void	index_set_named_span(struct index *, int64_t documents);
/* The access log's actor on this handle (accesslog_set_actor checks it
 * first): copied, NULL clears it; freed by index_close. */
struct accesslog_actor;
void	index_set_actor(struct index *, const struct accesslog_actor *);
const struct accesslog_actor *index_actor(struct index *);
int64_t	index_named_span(struct index *);
/* For a reindex, inside its transaction: the full text set aside and a
 * new, empty one made; *old reads the text of document ?1 in the one set
 * aside (caller db_finalize()s it before index_fts_drop_old). */
int	index_fts_renew(struct index *, struct db_stmt **old, char *err);
/* Drops the full text set aside, once the new one is whole. */
int	index_fts_drop_old(struct index *, char *err);
/* Merges the full text into one segment: searching a large index that
 * grew a document at a time is faster after (bench/search-1m says how
 * much).  About 15 s for a million documents. */
int	index_optimize(struct index *, char *err);

/* document.c: a document's record, typed, and its JSON contract.  The
 * keys of the contract, named once: */
#define DOC_K_ID		"id"
#define DOC_K_SOURCE_NAME	"source_name"
#define DOC_K_SHA256		"sha256"
#define DOC_K_PAGES		"pages"
#define DOC_K_OCR_CONFIDENCE	"ocr_confidence"
#define DOC_K_PROFILE		"profile"
#define DOC_K_AGENCY_CODE	"agency_code"
#define DOC_K_AGENCY_NAME	"agency_name"
#define DOC_K_LEVEL		"level"
#define DOC_K_TYPE		"doc_type"
#define DOC_K_NUMBER		"doc_number"
#define DOC_K_ISSUED_ON		"issued_on"
#define DOC_K_PEOPLE		"people"
#define DOC_K_ID_NUMBERS	"id_numbers"
#define DOC_K_DOSSIER_CODE	"dossier_code"
#define DOC_K_ARCHIVE		"archive"
#define DOC_K_INGESTED_AT	"ingested_at"
#define DOC_K_DUPLICATE_OF	"duplicate_of"
#define DOC_K_PROCEDURE_CODE	"procedure_code"
#define DOC_K_VALID_UNTIL	"valid_until"

/* A list of strings the structure owns (people, ID numbers). */
struct document_strings {
	char	**v;
	size_t	  n;
};

/* A record.  Every string is owned (NULL: unknown, null in JSON); a
 * zeroed structure is an empty record, document_free()d when done. */
struct document {
	int64_t			 id;		/* 0: not stored yet */
	char			*source_name;
	char			*sha256;
	int			 pages;
	int			 has_ocr_confidence;
	double			 ocr_confidence;	/* 0-100 */
	char			*profile;
	char			*agency_code;
	char			*agency_name;
	char			*level;
	char			*doc_type;
	char			*doc_number;
	char			*issued_on;	/* YYYY-MM-DD */
	struct document_strings	 people;
	struct document_strings	 id_numbers;
	char			*dossier_code;
	char			*archive;	/* relative to the data folder */
	char			*ingested_at;	/* ISO 8601 */
	int64_t			 duplicate_of;	/* 0: null, the first copy */
	char			*procedure_code;
	char			*valid_until;	/* YYYY-MM-DD */
};

/* Frees what d holds and zeroes it (d itself is the caller's). */
void	document_free(struct document *d);
/* Sets a string member to a copy of s (NULL: unknown), freeing the old. */
void	document_set_str(char **member, const char *s);
/* Appends a copy of s; document_strings_free frees all and empties. */
void	document_strings_add(struct document_strings *, const char *s);
void	document_strings_free(struct document_strings *);
/* The list as a JSON array of strings.  Caller json_decref()s. */
json_t	*document_strings_to_json(const struct document_strings *);
/* Fills *d (zeroed first) from a document object of the JSON contract: an
 * absent or null member is unknown, other members of the object are
 * ignored.  -1 with one sentence in err when o is not an object or a
 * member has the wrong type (*d is then empty).  Caller document_free()s. */
int	document_from_json(const json_t *o, struct document *d, char *err);
/* d as the contract's object: every member, in the contract's order,
 * unknown ones null.  Caller json_decref()s. */
json_t	*document_to_json(const struct document *d);
/* The member named key (a DOC_K_* name) as document_to_json writes it, or
 * NULL when there is no such member.  Caller json_decref()s. */
json_t	*document_get(const struct document *d, const char *key);
/* Sets the member named key from v, as document_from_json reads it (null:
 * unknown), freeing what it held.  -1 with one sentence in err when there
 * is no such member or v has the wrong type: d is then unchanged. */
int	document_set(struct document *d, const char *key, const json_t *v,
	    char *err);

/* store.c: the records of the documents, their full text and names. */
/* Id of the first document with this SHA-256, or 0. */
int64_t	store_find_sha256(struct index *, const char *sha256);
/* Inserts a document (every member of doc but id, which is assigned and
 * set in doc) with its full text (NULL for a duplicate, which is not put
 * in the FTS). */
int	store_insert(struct index *, struct document *doc, const char *text,
	    char *err);
int	store_set_archive(struct index *, int64_t id, const char *archive,
	    const char *archive_sha256, char *err);
/* Writes the correctable fields of doc into record id and its names and,
 * with fts set and when the document has full text, into its FTS "fields"
 * column. */
int	store_set_fields(struct index *, int64_t id,
	    const struct document *doc, int fts, char *err);
/* What the full text's "fields" column holds for doc: the values clerks
 * type in, one a line, NFC (the city's full text takes them too).  Caller
 * frees. */
char	*store_fields_text(const struct document *doc);
/* Puts a document's text (and fields) into the full text. */
int	store_fts_insert(struct index *, int64_t id,
	    const struct document *doc, const char *text, char *err);
/* Keeps the names table for document id: each person of doc, folded, whole
 * and by its last two words or more.  A duplicate has none. */
int	store_names_put(struct index *, int64_t id,
	    const struct document *doc, char *err);
/* Record id into *d (zeroed first): 0, or -1 when there is none (*d is
 * then empty).  Caller document_free()s. */
int	store_get_document(struct index *, int64_t id, struct document *d);
/* Record id as the JSON contract's object, for the edges, or NULL.  Caller
 * json_decref()s. */
json_t	*store_get(struct index *, int64_t id);
/* One row of a statement returning a record's columns (index.c's
 * DOC_COLUMNS, INDEX_DOC_NCOLUMNS of them) as a document object of the JSON
 * contract.  Caller json_decref()s. */
json_t	*store_row_json(struct db_stmt *);
/* The same row as a typed record (zeroed first).  Caller
 * document_free()s. */
void	store_row_document(struct db_stmt *, struct document *);
/* archive_sha256 of a document, for verify.  Caller frees. */
char	*store_archive_sha256(struct index *, int64_t id);
json_t	*store_list(struct index *, int limit);
/* The ids of every record of the same scan as id, first copy first. */
json_t	*store_copies(struct index *, int64_t id);
/* Calls cb for every document that owns a package (not duplicates), by id. */
int	store_foreach_package(struct index *,
	    int (*cb)(int64_t id, const char *archive, const char *sha256, void *),
	    void *arg);

/* rank.c: sohoa_rank, the score of a row of the full text (an SQLite
 * extension db.c registers).  BM25 as FTS5's bm25(), the fields weighing
 * RANK_FIELDS_WEIGHT times the text. */
#define RANK_K1		1.2
#define RANK_B		0.75
#define RANK_FIELDS_WEIGHT 4.0
/* Registers sohoa_rank with FTS5: 0, or -1. */
int	rank_register(struct fts5_api *);

/* search.c: queries and filters checked, the documents they find ranked. */
/* What a search is narrowed to; a NULL member does not narrow it. */
struct search_filter {
	const char *level;		/* one of the levels of levels */
	const struct conf *levels;	/* whose levels; NULL: the built-in ones */
	const char *agency_code;
	const char *doc_type;		/* words of the type, in any case and marks */
	const char *from;		/* issued on or after, YYYY-MM-DD */
	const char *to;			/* issued on or before, YYYY-MM-DD */
	const char *person_id;		/* a 12- or 9-digit ID number */
	const char *dossier_code;
};
/* One word or "phrase" of a query as the user typed it. */
struct search_term {
	char	*text;		/* NFC, without quotes and '*' */
	int	 prefix;	/* ended in '*' */
	int	 digits;	/* a bare word of ASCII digits */
	int	 marks;		/* typed with diacritics */
	int	 letters;	/* holds a letter: may match an exact twin */
};
/* Filters checked and put the way the searches compare them. */
struct search_filter_norm {
	const char *level;
	char	*agency_code;	/* upper case */
	char	*doc_type;	/* " folded words " (tokenizer_words) */
	const char *from;	/* YYYY-MM-DD in from_ymd, or NULL */
	const char *to;
	char	 from_ymd[11];
	char	 to_ymd[11];
	char	*person_id;	/* the digits alone */
	char	*dossier_code;	/* upper case */
	int	 any;		/* any filter at all */
};
/* A query and its filters as every search reads them (the local one here,
 * the city's in city_search.c and citytext.c). */
struct search_parsed {
	struct search_term *terms;	/* none for a blank query */
	size_t	 nterms;
	struct search_filter_norm nf;
};
/* Checks query (may be NULL or blank when f narrows) and f as search_find
 * does: 0, or -1 with a plain sentence in err (*p is then empty).  Caller
 * frees with search_parsed_free. */
int	search_parse(const char *query, const struct search_filter *f,
	    struct search_parsed *p, char *err);
void	search_parsed_free(struct search_parsed *);
/* The parts of search_parse: the words and "phrases" of a query, and the
 * filters. */
int	search_parse_query(const char *query, struct search_term **terms,
	    size_t *n, char *err);
void	search_terms_free(struct search_term *, size_t);
int	search_filter_check(const struct search_filter *,
	    struct search_filter_norm *, char *err);
void	search_filter_norm_free(struct search_filter_norm *);
/* Bare words of digits from terms[i] on that add up to an ID number
 * ("001323 012345"), which may also match it whole: how many (2 or
 * more), or 0. */
size_t	search_id_run(const struct search_term *, size_t n, size_t i);
/* Documents matching every word of query (words, "phrases", prefix*),
 * best first: most query words matched with the diacritics as typed, then
 * bm25.  Each has "score" and "snippet".  query may be NULL or blank when
 * f narrows the search: then the matching documents, newest first, with
 * score and snippet null.  A malformed query or filter: NULL and err. */
json_t	*search_find(struct index *, const char *query,
	    const struct search_filter *f, int limit, char *err);

/* citytext.c: the city's full text as PostgreSQL takes it (issue 13), made
 * from the local tokenizer's tokens so that city and office searches
 * agree. */
/* The tsvector literal of a record's text and fields (as the local full
 * text's columns, NFC or not): each folded token and its exact twin at
 * the same position, positions from 1 through the body, then the fields
 * after a gap of one, capped at 16383; the body weight D, the fields A;
 * every lexeme quoted, so that it casts whatever the text holds.  NULL
 * only when this SQLite has no FTS5.  Caller frees. */
char	*citytext_tsvector(const char *body, const char *fields);
/* A search as the city's database asks it. */
struct citytext_query {
	char	*match;		/* the tsquery every result matches (folded
				 * words, phrases, ID number and dossier code
				 * in the fields); NULL: filters only */
	json_t	*twins;		/* the tsquery of each word's exact twins,
				 * when one was typed with diacritics: the
				 * number matched ranks first */
	int	 ranked;	/* words were typed: score and snippet */
	int	 phrase;	/* match holds a phrase (of words in a row) */
	char	*name;		/* the words typed, folded, when they may be a
				 * person's name (documents.name_keys), or NULL */
	char	**words;	/* the folded words, for the snippet */
	int	*prefix;	/* per word: a prefix */
	size_t	 nwords;
};
/* Builds q from a parsed search (search_parse): 0, or -1 with err.  Caller
 * frees with citytext_query_free. */
int	citytext_tsquery(const struct search_parsed *, struct citytext_query *q,
	    char *err);
void	citytext_query_free(struct citytext_query *);
/* The words of q found in a record, as the local snippet shows them: the
 * 12 tokens of the text or the fields with most of them, each found in
 * [brackets], "…" where it is cut.  Caller frees. */
char	*citytext_snippet(const char *body, const char *fields,
	    const struct citytext_query *q);
/* What PostgreSQL's translate() takes to fold as tokenizer_words does (the
 * --type filter): the letters, and what each folds to.  Caller frees
 * both. */
void	citytext_fold_map(char **from, char **to);

/* accesslog.c: the access log of personal data (Nghị định 13/2023): who
 * (the OS user, or the actor set on the index), from where, through which
 * program and why, when, and what was searched for or taken out.  A log
 * entry that cannot be written fails, so that nothing is shown unlogged. */
#define ACCESSLOG_USERMAX	128
#define ACCESSLOG_PURPOSEMAX	500	/* bytes of a purpose */
/* Who acts on an index handle, for every entry written through it.  A
 * NULL member takes the default: user the OS user (accesslog_user), via
 * "cli", no address, no purpose. */
struct accesslog_actor {
	const char *user;		/* a sohoa user name (users.c) */
	const char *address;		/* the client's IP address */
	const char *via;		/* "cli" or "web" */
	const char *purpose;		/* why, in the user's words */
};
/* Sets the actor of ix's entries from now on (copied); NULL restores the
 * command line's default.  -1 with err when via is neither "cli" nor
 * "web" or the purpose is longer than ACCESSLOG_PURPOSEMAX; the actor is
 * then unchanged. */
int	accesslog_set_actor(struct index *, const struct accesslog_actor *,
	    char *err);
/* The actor set on ix, or NULL (the default). */
const struct accesslog_actor *accesslog_actor(struct index *);
/* An event that is neither a search nor a document taken out: "login",
 * "login-failed", "logout", "reveal", "correct", "requeue", "user-add",
 * "user-passwd", "user-disable", with what (free text, may be NULL)
 * saying what it was about.  -1 with err for another action or when the
 * entry cannot be written. */
int	accesslog_event(struct index *, const char *action, const char *what,
	    char *err);
/* Who acts on ix as the logs name them (the actor's user, else
 * accesslog_user), into out: the corrections' who. */
void	accesslog_who(struct index *, char out[ACCESSLOG_USERMAX]);
int	accesslog_search(struct index *, const char *query,
	    const struct search_filter *, int results, char *err);
int	accesslog_get(struct index *, int64_t id, const char *taken, char *err);
/* show and list put personal data on the screen too: logged alike. */
int	accesslog_show(struct index *, int64_t id, char *err);
int	accesslog_list(struct index *, int results, char *err);
/* A search's filters as the log keeps them ({"level": ..., "person_id":
 * ...}, those given only); the city's log too.  Caller json_decref()s. */
json_t	*accesslog_filter_json(const struct search_filter *);
/* The newest limit entries, newest first.  Caller json_decref()s. */
json_t	*accesslog_newest(struct index *, int limit);
/* Which entries: each member NULL or "" for any; dates YYYY-MM-DD. */
struct accesslog_filter {
	const char *who;
	const char *action;
	const char *from;		/* on or after this day */
	const char *to;			/* on or before this day */
};
/* The newest limit entries that pass f (NULL: all), newest first. */
json_t	*accesslog_find(struct index *, const struct accesslog_filter *f,
	    int limit);
/* Who is at the keyboard, as the logs name them, into out. */
void	accesslog_user(char out[ACCESSLOG_USERMAX]);

/* users.c: the people who sign in to sohoa-web, their roles and their
 * passwords (Argon2id, libargon2's encoded form). */
extern const struct db_module users_module;
#define USERS_NAMEMAX	64		/* bytes: letters, digits, . _ - */
#define USERS_ROLEMAX	16		/* a role's name and its NUL */
#define USERS_PASSWORD_MIN	8	/* characters */
#define USERS_PASSWORD_MAX	1024	/* bytes */
/* The roles, NULL-terminated: clerk, staff, auditor, admin. */
extern const char *const users_roles[];
/* 0 when name, role or password may be given to a user; else -1 with
 * err saying why in one line. */
int	users_name_ok(const char *name, char *err);
int	users_role_ok(const char *role, char *err);
int	users_password_ok(const char *password, char *err);
/* Adds a user (enabled), logged as "user-add": 0, or -1 with err (a bad
 * name, role or password, a name taken, whatever its case). */
int	users_add(struct index *, const char *name, const char *role,
	    const char *password, char *err);
/* A new password for name (disabled or not), logged as "user-passwd". */
int	users_passwd(struct index *, const char *name, const char *password,
	    char *err);
/* Disables name (no more sign-ins; sohoa-web's users_get says so on the
 * next request), logged as "user-disable"; 0 when it was already. */
int	users_disable(struct index *, const char *name, char *err);
/* Every user, by name: [{name, role, disabled, created_at, changed_at}],
 * never a hash.  NULL with err.  Caller json_decref()s. */
json_t	*users_list(struct index *, char *err);
/* Checks a sign-in.  0: the password is name's and name is enabled, its
 * role in role_out.  -1 with err "wrong user name or password" when it is
 * not, name is unknown (which takes as long) or disabled; -2 with err when
 * the check could not be made (the database). */
int	users_check(struct index *, const char *name, const char *password,
	    char role_out[USERS_ROLEMAX], char *err);
/* name's role and whether it is disabled, for each request of a session:
 * 0, or -1 when there is no such user (or the database fails).  stamp,
 * when not NULL, gets a fingerprint of the password (SHA-256 of its hash,
 * hex) that changes whenever the password does: sohoa-web ends the
 * sessions opened with the old one. */
int	users_get(struct index *, const char *name,
	    char role_out[USERS_ROLEMAX], int *disabled, char stamp[65]);

/* correct.c: corrections by staff (sohoa edit), kept through sohoa reindex. */
/* The fields staff may correct, NULL-terminated. */
extern const char *const correct_fields[];
/* Sets field[i] to value[i] (JSON, already checked) for i < n in one
 * transaction, keeping who, when, the old and the new value in the
 * corrections table, and updates the full text; the other records of the
 * same scan (first copy, duplicates) are corrected alike.  *changed
 * (caller json_decref()s) lists the corrections made to id; a field that
 * already holds its value is left out. */
int	correct_apply(struct index *, int64_t id, size_t n,
	    const char *const *field, json_t *const *value, json_t **changed,
	    char *err);
/* The corrections of a document, oldest first.  Caller json_decref()s. */
json_t	*correct_history(struct index *, int64_t id);
struct correct_reindex_stats {
	int	 documents;		/* records */
	int	 reread;		/* whose text and fields were read again */
	int	 kept;			/* whose text came from the old full text */
	int	 failed;		/* with no text to index at all */
	int	 corrections;		/* corrections re-applied */
};
/* Rebuilds the full text in one transaction.  For each document (a copy
 * of its record), reread returns 0 with its text (caller of reread frees)
 * and the fields read off it (keys present replace the record's), or -1
 * after logging why: the record then keeps its fields, and its text comes
 * from the full text being replaced.  Every correction is then re-applied,
 * in the order it was made, and the full text merged (index_optimize). */
int	correct_rebuild(struct index *,
	    int (*reread)(const struct document *doc, char **text,
	    json_t **fields, void *arg),
	    void *arg, struct correct_reindex_stats *, char *err);
/* Corrects document id: each of assign[0..n) is "field=value" (people and
 * id_numbers: comma-separated); values are checked first.  *changed as
 * correct_apply.  A bad field or value: -1 and err, nothing changed. */
int	correct_edit(struct index *, int64_t id, char **assign, int n,
	    json_t **changed, char *err);
/* Re-reads every document's text from its package under datadir and its
 * fields with its profile (by name: profiles[], then the *.conf and *.ini
 * in conf's profiles folder, with its levels; conf may be NULL), then
 * correct_rebuild.  *builtin counts the documents whose profile was not
 * found and that were read with the built-in one. */
int	correct_reindex(struct index *, const char *datadir,
	    const struct profile *profiles, size_t nprofiles,
	    const struct conf *conf, struct correct_reindex_stats *,
	    int *builtin, char *err);

/* loop.c: one poll() loop: descriptors, deadline timers, signals. */
struct loop;
typedef void loop_fd_cb(int fd, void *arg);
typedef void loop_timer_cb(void *arg);
typedef void loop_signal_cb(int sig, void *arg);
/* Milliseconds on the monotonic clock. */
uint64_t loop_now(void);
struct loop *loop_new(void);
void	loop_free(struct loop *);
/* cb runs when fd is readable (or at its end, or on an error); adding an
 * fd again replaces its callback. */
void	loop_add_fd(struct loop *, int fd, loop_fd_cb *cb, void *arg);
void	loop_remove_fd(struct loop *, int fd);
/* A one-shot timer after_ms from now; returns its id (never 0).  A
 * timer of 0 ms runs on the next turn, after the descriptors ready. */
int	loop_add_timer(struct loop *, uint64_t after_ms, loop_timer_cb *cb,
	    void *arg);
/* Forgets a timer that has not run; 0 or an id that ran is ignored. */
void	loop_remove_timer(struct loop *, int id);
int	loop_timer_pending(const struct loop *, int id);
/* cb runs in the loop after sig arrived (one loop per process). */
int	loop_signal(struct loop *, int sig, loop_signal_cb *cb, void *arg);
/* One turn: poll until a descriptor is ready or the nearest deadline,
 * then the timers due, then the descriptors.  -1 when poll() failed. */
int	loop_once(struct loop *);
/* Turns until loop_quit (called from a callback). */
void	loop_run(struct loop *);
void	loop_quit(struct loop *);

/* worker.c: decoding and OCR in worker processes (see the file's comment). */
/* The worker side: jobs on stdin, results on stdout, one JSON line each. */
int	worker_main(void);
/* A worker's answer line is at most this long. */
#define WORKER_LINE_MAX	(1 << 20)
/* The exit status of a worker that hit its memory limit and could not
 * start afresh to say so; the parent (pool.c) tells it from a crash by
 * this. */
#define WORKER_EXIT_MEMORY 86
/* A failed result: {"ok": false, "reason": ...}, the reason on one line. */
json_t	*worker_fail(const char *reason);
/* What a worker leaves in the job's work folder. */
#define WORKER_PDF	"document.pdf"
#define WORKER_TEXT	"text.txt"
#define WORKER_LAYOUT	"layout.json"	/* one entry per page: ocr_layout */
/* The text as Tesseract read it, when syllables were fixed in WORKER_TEXT. */
#define WORKER_RAW_TEXT	"text.raw.txt"
/* A path for the job JSON, whatever its bytes.  Caller json_decref()s. */
json_t	*worker_path_json(const char *path);
struct pool_opts {
	int	 workers;		/* 0 = one per core */
	char	**argv;			/* what to exec: our binary in worker mode */
	int	 time_limit;		/* seconds per document, 0 = none */
	int	 memory_mb;		/* address-space limit of a worker */
};
struct pool;
struct pool *pool_start(const struct pool_opts *, char *err);
int	pool_size(const struct pool *);
int	pool_idle(const struct pool *);
int	pool_busy(const struct pool *);
/* Hands job to an idle worker; tag comes back with its result.  -1 if none
 * is idle (or the job cannot be written). */
int	pool_submit(struct pool *, json_t *job, void *tag);
/* Waits up to timeout_ms (-1 forever) for one result.  Returns 1 with
 * *result (caller json_decref()s: {"ok":true,...} or {"ok":false,"reason":...})
 * and *tag set, 0 on timeout or signal, -1 on error.  A worker that dies or
 * overruns the time limit yields a failed result and is replaced. */
int	pool_wait(struct pool *, int timeout_ms, json_t **result, void **tag);
/* Hands the pool to a loop: from now on each result (as pool_wait gives
 * it; the pool json_decref()s it after cb) is a call of cb, time limits
 * are the loop's timers, and pool_wait is not used. */
typedef void pool_result_cb(void *tag, json_t *result, void *arg);
void	pool_attach(struct pool *, struct loop *, pool_result_cb *cb,
	    void *arg);
void	pool_stop(struct pool *);

/* watch.c: noticing scans in the inboxes and deciding when each is whole. */
struct watch;
/* profiles must outlive the watch; folders must exist.  Never fails:
 * without inotify, the inboxes are looked at every few seconds. */
struct watch *watch_open(const struct profile *profiles, size_t nprof,
	    int rescan_seconds);
void	watch_close(struct watch *);
/* Reads events, rescans what is due, and calls ready() for each file
 * that is whole (prof is the index in profiles): once when it returns 0,
 * again on the next poll when it returns -1 ("not now"). */
void	watch_poll(struct watch *, int (*ready)(int prof, const char *path,
	    const char *rel, void *), void *arg);
/* The inotify descriptor for the caller's poll(), or -1 without inotify;
 * when it is readable, watch_events reads what it says. */
int	watch_fd(const struct watch *);
void	watch_events(struct watch *);
/* Milliseconds until watch_poll has something to do: a rescan due, or a
 * file that may be whole by then (0: now). */
int	watch_next_ms(const struct watch *);
/* Every inbox is looked at in full on the next poll. */
void	watch_rescan(struct watch *);
/* Files seen in a profile's inbox but not yet whole. */
size_t	watch_pending(const struct watch *, int prof);
int	watch_ignored(const char *name);
/* The profiles the daemon watches.  Loads every profile of a folder (or
 * the one file named) and checks what the daemon needs of each (an inbox
 * and a quarantine, no system folder, none holding the data folder or
 * another's folders), each error through log_warnx.  Returns the number
 * of errors; on 0 *ps holds the set, otherwise it is empty. */
struct watch_profiles {
	struct profile *v;
	size_t	 n;
};
/* conf: the levels a profile may name (profile_load_conf). */
int	watch_profiles_load(const char *path, const char *datadir,
	    const struct conf *conf, struct watch_profiles *ps);
void	watch_profiles_free(struct watch_profiles *);
/* Creates the inboxes and quarantines that are missing; -1 if one fails. */
int	watch_make_folders(const struct watch_profiles *);

/* room.c: whether the data disk has room for what sohoad writes. */
#define ROOM_MB			(1024 * 1024)
#define ROOM_CHECK_SECONDS	2	/* between looks at a full disk */
struct room {
	const char *datadir;
	uint64_t floor;			/* min_free_mb, in bytes */
	int	 min_free_mb;
	int	 pidfd;			/* the pid file, or -1 */
	const size_t *waiting;		/* claimed scans waiting, for the log */
	int	 full;			/* nothing is to be read or claimed */
	uint64_t free;			/* bytes free when it was found full */
	time_t	 since, tried, checked;
};
void	room_init(struct room *, const char *datadir, int min_free_mb,
	    int pidfd, const size_t *waiting);
/* The disk was found full with bytes free: logged once, told in the pid
 * file. */
void	room_full(struct room *, uint64_t bytes);
/* After a failure: 1 (and full) when the disk holds less than min_free_mb
 * plus needs bytes, so that it was the disk. */
int	room_short(struct room *, uint64_t needs);
/* Now and then: finds a disk full, or full no more (returns 1 then). */
int	room_check(struct room *, time_t now);
/* The pid file's second line for `sohoa status`: "full FREE SINCE" or
 * nothing. */
void	room_tell(const struct room *);
/* Bytes a job's package will take: the scan, the worker's PDF and text. */
uint64_t room_job_needs(const char *spool_path, const char *workdir);

/* job.c: the daemon's journal of scans claimed from the inboxes. */
enum job_state { JOB_QUEUED, JOB_PROCESSING, JOB_DONE, JOB_QUARANTINING,
    JOB_QUARANTINED, JOB_CLAIMING, JOB_REQUEUED };
extern const char *job_state_names[];
struct job {
	int64_t	 id;
	char	*profile;
	char	*source_name;		/* name in the inbox, relative: bytes */
	char	*inbox_path;		/* where it was claimed from, or NULL */
	char	*spool_path;
	char	*quarantine_path;
	char	*reason;		/* why it failed last, or NULL */
	int	 attempts;		/* worker crashes so far */
	enum job_state state;
	/* the daemon's, not stored */
	char	 sha256[65];
	char	*workdir;
	int	 set_aside;		/* to be quarantined once it can be */
};
/* The journal's table in the installation's database (index.c). */
extern const struct db_module job_module;
/* Moves path (rel inside the inbox) into spooldir and records a queued
 * job; on failure the scan is still in the inbox. */
int	job_claim(struct index *, const char *spooldir, const char *profile,
	    const char *path, const char *rel, int64_t *id, char *err);
/* Finishes or undoes a claim cut short (state JOB_CLAIMING): returns the
 * job's state now, or -1 when the job was dropped (the scan is still in
 * its inbox, or gone). */
int	job_settle_claim(struct index *, struct job *);
/* Unfinished jobs (state < 0) or jobs in one state, oldest first. */
size_t	job_list(struct index *, int state, struct job ***out);
void	job_free_list(struct job **, size_t);
void	job_free(struct job *);
int	job_set_state(struct index *, int64_t id, enum job_state);
/* struct ingest_hook's before_commit, with arg the struct job. */
int	job_done_tx(struct index *, int64_t doc_id, void *job, char *err);
void	job_finish(struct job *);
/* Sets the scan aside in qdir with NAME.reason.txt holding reason. */
int	job_quarantine(struct index *, struct job *, const char *qdir,
	    const char *reason, char *err);
/* Tries again the moves of a quarantine that could not finish (a full
 * disk): the job is in JOB_QUARANTINING with its path and reason. */
int	job_quarantine_retry(struct index *, struct job *, char *err);
/* Counts a worker crash and queues the job again; returns the attempts. */
int	job_crashed(struct index *, struct job *, const char *reason);
/* After a restart: adopt orphan spool files, requeue, finish half-done moves. */
int	job_recover(struct index *, const char *spoolroot);
json_t	*job_status(struct index *);
/* The scans set aside, newest first: [{id, profile, name, reason, since}]. */
json_t	*job_quarantined(struct index *, int limit);
/* Moves quarantined scan id back into the inbox it came from (*where, the
 * caller frees), so that sohoad reads it again; the job is then
 * JOB_REQUEUED. */
int	job_requeue(struct index *, int64_t id, char **where, char *err);

/* status.c: what the daemon is doing, as `sohoa status --json` says it:
 * {running, pid, disk{free_bytes, full, full_since}, profiles[...],
 * city}: city null, or outbox_status's object once it ships to the city. */
json_t	*status_build(struct index *, const char *datadir);

/* reserve.c: who writes the archive package of a SHA-256 (ingest.c). */
/* Its table in the installation's database (index.c). */
extern const struct db_module reserve_module;
enum reserve_result { RESERVE_FAILED = -1, RESERVE_OURS, RESERVE_KNOWN };
/* Reserves the package of sha256.  RESERVE_OURS: committed, *id the id
 * the record is to have.  RESERVE_KNOWN: recorded already as *first, and
 * the transaction that found it is still open for a duplicate's record.
 * While another program holds it, waits for that one to finish. */
enum reserve_result reserve_take(struct index *, const char *sha256,
	    int64_t *id, int64_t *first, char *err);
/* Inside the recording transaction: still this program's, for id. */
int	reserve_held(struct index *, const char *sha256, int64_t id);
/* Inside the recording transaction: the reservation ends with it. */
int	reserve_done(struct index *, const char *sha256);
/* After a failure, what was written of the package removed first. */
void	reserve_drop(struct index *, const char *sha256, int64_t id);
/* Reservations whose program died: gone(sha256) removes what they left,
 * under the write lock, then they are deleted.  Returns how many. */
int	reserve_recover(struct index *, void (*gone)(const char *sha256,
	    void *), void *arg);

/* ingest.c: one scan from file to archived, indexed record. */
struct ingest_opts {
	const char *datadir;
	const struct profile *profile;
	int	 jobs;			/* workers, 0 = one per core */
	int	 json;			/* one JSON object per document on stdout */
	int	 progress;		/* redraw a progress line on stderr */
	char	**worker_argv;
	int	 time_limit;
	int	 memory_mb;
	int	 max_pages;
};
/* The job a worker gets for one scan (caller json_decref()s). */
json_t	*ingest_job(const struct profile *, const char *path,
	    const char *workdir, int max_pages);
/* Relative path of the package of a scan with this SHA-256.  Caller frees. */
char	*ingest_archive_path(const char *sha256);
/* Work that must commit in the same transaction as the record (the
 * daemon's job journal): called with the new record's id before COMMIT. */
struct ingest_hook {
	int	(*before_commit)(struct index *, int64_t id, void *arg, char *err);
	void	*arg;
};
/* Records a worker's successful result (its PDF and text in workdir):
 * fields, the package reserved (reserve.c) and written, then the record
 * inserted and committed.  *doc is zeroed first; on success it is the
 * stored record (caller document_free()s); its duplicate_of is set when
 * another program recorded the same bytes first.  A result of the wrong
 * shape is refused with err.  source_name is bytes, shown escaped. */
int	ingest_record(struct index *, const char *datadir,
	    const struct profile *, const char *path, const char *workdir,
	    const char *source_name, const char *sha256, json_t *result,
	    const struct ingest_hook *, struct document *doc, char *err);
/* At the daemon's start: packages whose program died after reserving
 * them and before their record are removed with their reservations
 * (reserve.c).  Returns how many. */
int	ingest_recover(struct index *, const char *datadir);
/* A record for a second copy of the bytes of record first, as
 * ingest_record's *doc. */
int	ingest_record_duplicate(struct index *, const struct profile *,
	    const char *source_name, int64_t first, const struct ingest_hook *,
	    struct document *doc, char *err);
void	ingest_cleanup_workdir(const char *dir);
/* The batch of `sohoa ingest`; returns how many files failed. */
int	ingest_files(struct index *, const struct ingest_opts *, char **files,
	    int nfiles);

/* preprocess.c: making a hard scan readable before recognition (its
 * options, struct preprocess_opts, are with the profile's above). */
enum preprocess_step {
	PREPROCESS_SUPPRESS_SEALS,
	PREPROCESS_UPSCALE,
	PREPROCESS_NORMALIZE_BACKGROUND,
	PREPROCESS_REMOVE_BORDERS,
	PREPROCESS_ORIENTATION,
	PREPROCESS_DESKEW,
	PREPROCESS_BINARIZE,
	PREPROCESS_DESPECKLE,
	PREPROCESS_DENOISE		/* dense impulse noise cleared */
};
struct preprocess_page {
	struct Pix *ocr;		/* the image to recognise */
	struct Pix *show;		/* the scan, turned and scaled alike: for the PDF */
	int	 dpi;			/* resolution of both */
	int	 rotation;		/* degrees clockwise turned: 0, 90, 180, 270 */
	double	 skew;			/* degrees turned to level the text, clockwise */
	double	 scale;
	unsigned steps;			/* 1 << enum preprocess_step, for what was done */
	int	 impulses;		/* lone-pixel noise, per 10^4 pixels */
	int	 asked;			/* quarter turns read as a second opinion, 0 none */
	int	 conf_upright, conf_turned;	/* what the two readings scored */
	double	 seconds;
};
void	preprocess_defaults(struct preprocess_opts *);
/* The options as the job JSON carries them, and back (missing keys: defaults). */
json_t	*preprocess_opts_json(const struct preprocess_opts *);
void	preprocess_opts_from_json(const json_t *, struct preprocess_opts *);
/* Prepares one page of dpi resolution.  pix is not changed; on success pg
 * holds two new images of the same size (free with preprocess_page_free).
 * On failure err names the step, and errno is ENOMEM when memory ran out. */
/* Whether an 8-bit grey image is peppered with impulse noise as densely as
 * preprocess_run clears it. */
int	preprocess_impulse_dense(struct Pix *gray);
int	preprocess_run(const struct preprocess_opts *, struct Pix *pix, int dpi,
	    struct preprocess_page *pg, char *err);
/* What was done, for page_info: rotation, skew, scale, steps.  Caller json_decref()s. */
json_t	*preprocess_info(const struct preprocess_page *);
void	preprocess_page_free(struct preprocess_page *);

/* register.c: the office's register of results issued, and its import. */
struct register_stats {
	long	 rows;			/* rows read from the file */
	long	 added;
	long	 updated;
	long	 unchanged;
	long	 bad;			/* rows with errors (then nothing is imported) */
	long	 entries;		/* entries in the register after the import */
	long	 digitized;		/* of which an archived document matches */
};
/* Its tables, their triggers on index.c's documents, and its statements
 * (index.c lists it after index_module). */
extern const struct db_module register_module;
/* The form dossier codes and document numbers are compared in: lower
 * case, no marks, đ -> d, no spaces, dashes as "-", no "Số:" prefix;
 * NULL when s is NULL or blank.  Caller frees. */
char	*register_key(const char *s);
/* Imports a register CSV; levels must be among conf's targets.  Calls
 * bad(line, why, arg) once per bad row.  Returns -1 with err saying why
 * when anything is wrong, and then nothing is imported. */
int	register_import(struct index *, const struct conf *, const char *path,
	    void (*bad)(long line, const char *why, void *arg), void *arg,
	    struct register_stats *, char *err);
/* Teaches known.c the codes of the register's document numbers (its
 * offices' units, types of their own), again only after a new import;
 * quiet when no register was imported. */
void	register_learn_codes(struct index *);
/* Entries in the register; 0 when none was imported. */
long	register_count(struct index *);

/* register_match.c: which register entries the archive holds. */
/* Matches the documents recorded since the last call (a write transaction
 * only when there are any). */
int	register_match_refresh(struct index *, char *err);
/* The register entries no archived document matches (by level, office,
 * oldest first), or with documents set the archived documents (not
 * duplicates) that match no entry, each with a reason.  Caller json_decref()s. */
json_t	*register_match_unmatched(struct index *, int documents, char *err);

/* report.c: digitization rates per level and office against the targets. */
/* No tables: only its statements (index.c lists it after register_module). */
extern const struct db_module report_module;
struct report_opts {
	const char *as_of;		/* YYYY-MM-DD or dd/mm/yyyy; NULL = today */
	const char *from;		/* issue dates from, to (inclusive); NULL = open */
	const char *to;
	const char *level;		/* only this level, or NULL */
	const char *agency;		/* only this agency code, or NULL */
	int	 missing;		/* list the valid results not yet digitized */
};
/* Documents still to scan to reach target: ceil(target x valid) - digitized,
 * at least 0, in exact arithmetic (0.7 x 10 is 7). */
int64_t	report_needed(double target, int64_t valid, int64_t digitized);
/* The report as the JSON of `report --format json` (caller json_decref()s),
 * or NULL with err. */
json_t	*report_build(struct index *, const struct conf *,
	    const struct report_opts *, char *err);
/* The dates a report covers, checked (and its level, against conf): as_of
 * (today when not given), from and to ("" when not given), and the issue
 * dates counted, lo to hi (never after as_of). */
struct report_span {
	char	 as_of[11], from[11], to[11];
	const char *lo, *hi;		/* into the above, or constants */
};
int	report_span(const struct conf *, const struct report_opts *,
	    struct report_span *, char *err);
/* One row of a report: an agency at a level, in an installation of the
 * city (office; NULL in an office's own report), with its counts (valid
 * -1: there is no register).  The strings are the caller's. */
struct report_row {
	char	*office;
	char	*level;
	char	*code;
	char	*name;
	int64_t	 valid;
	int64_t	 digitized;
};
/* The report's JSON from rows counted elsewhere (the city's, city_search.c),
 * as report_build makes it from the register's; rows with an office carry
 * it ("office").  nreg: the register entries counted, 0 for none.  Caller
 * json_decref()s. */
json_t	*report_from_rows(const struct conf *, const struct report_opts *,
	    const struct report_span *, const struct report_row *rows,
	    size_t n, long nreg);

/* report_format.c: the report as a table, CSV, JSON or HTML. */
enum report_format {
	REPORT_TABLE,
	REPORT_CSV,
	REPORT_JSON,
	REPORT_HTML
};
/* The format a name ("table", "csv", "json", "html") says: 0, or -1. */
int	report_format(const char *name, enum report_format *);
/* Appends a report made by report_build to out in one of the formats. */
int	report_format_write(json_t *report, enum report_format, struct buf *out,
	    char *err);

/*
 * city.c: the link to the city's PostgreSQL (libpq), for the shipper
 * (outbox.c), the city commands and `sohoa city`.  Every err is one plain
 * line (libpq's message made one line, a password in it starred out).
 * The declarations below need no libpq header; a file that calls libpq
 * itself includes <libpq-fe.h>, whose typedefs are the same.
 */
typedef struct pg_conn PGconn;
typedef struct pg_result PGresult;
#define CITY_OFFICEMAX	63		/* bytes of an office's name */
/* 0 when name may be an office's name ([a-z0-9][a-z0-9._-]{0,62}); else
 * -1 with why (ERRMAX/2 bytes) saying so. */
int	city_office_ok(const char *name, char *why);
/* 0 when url is a libpq connection string or URI; else -1 with why
 * (ERRMAX/2 bytes), which echoes no part of a url that may hold a
 * password. */
int	city_url_ok(const char *url, char *why);
/* Connects to url (a libpq connection string or URI; the password from
 * .pgpass or the service file), in UTF-8, time zone UTC, a 10 s connect
 * timeout unless url sets one.  NULL with err. Caller city_close()s. */
PGconn	*city_connect(const char *url, char *err);
/* The same with the [city] url of c: NULL with err when it has none. */
PGconn	*city_open(const struct conf *c, char *err);
void	city_close(PGconn *);		/* PQfinish; NULL is fine */
/* One statement with parameters $1..$n as text (NULL: SQL NULL): its
 * result (rows or none), or NULL with err.  Caller PQclear()s. */
PGresult *city_query(PGconn *, const char *sql, int nparams,
	    const char *const *params, char *err);
/* The same when the rows do not matter: 0, or -1 with err. */
int	city_exec_params(PGconn *, const char *sql, int nparams,
	    const char *const *params, char *err);
/* sql without parameters, several statements allowed: 0, or -1 with err. */
int	city_exec(PGconn *, const char *sql, char *err);
/* The failure of res (may be NULL) on conn as one line into err. */
void	city_error(PGconn *, const PGresult *res, char *err);
/* ROLLBACK when a transaction is open; quiet. */
void	city_rollback(PGconn *);
/* The version of the city schema (city_schema.c): 0 when there is none
 * yet, -1 with err. */
int	city_schema_version(PGconn *, char *err);

/* city_schema.c: the city database's tables, roles and policies, made and
 * upgraded by `sohoa city init`. */
#define CITY_PARTITIONS	16		/* hash partitions by office */
/* The schema version this sohoa makes and ships into. */
int	city_schema_latest(void);
/* Brings the database of conn to city_schema_latest(), each migration in
 * a transaction of its own under an advisory lock; *from gets the version
 * found.  0, or -1 with err (also when a newer sohoa made it). */
int	city_schema_upgrade(PGconn *, int *from, char *err);
/* Adds office, written by role (made LOGIN if missing, a member of
 * sohoa_office).  *added is 0 when it was there already with that role.
 * 0, or -1 with err (a bad name, another role already, no schema). */
int	city_schema_office_add(PGconn *, const char *office, const char *role,
	    int *added, char *err);

/* outbox.c: the local outbox of the changes the city's PostgreSQL is
 * owed, filled by triggers in the transaction of each change, and the
 * sending of it (see the file's comment). */
extern const struct db_module city_module;
/* Makes this installation ship as office: the first time, city_state is
 * made and every record and register entry queued, in one transaction
 * (*queued says how many).  -1 with err when it ships under another name
 * already, or the database fails. */
int	outbox_start(struct index *, const char *office, int64_t *queued,
	    char *err);
/* The changes queued with seq <= max_seq (0: all). */
int64_t	outbox_pending(struct index *, int64_t max_seq);
/* The last seq given: a sync sends up to it. */
int64_t	outbox_last_seq(struct index *);
/* {office, since, last_sent_at, pending, oldest_unsent, oldest_age_seconds}
 * for `sohoa status`, or NULL when this installation never shipped.
 * Caller json_decref()s. */
json_t	*outbox_status(struct index *);
/* 0 when pg holds the schema this sohoa ships into and names office with
 * the role pg connects as; else -1 with err saying what the city's DBA
 * must do. */
int	outbox_check_city(PGconn *pg, const char *office, char *err);
struct outbox_result {
	int64_t	 sent;			/* records and entries upserted */
	int64_t	 deleted;		/* gone here, deleted there */
	int64_t	 refused;		/* the city refused: queued again at the end */
};
/* One batch: up to limit changes with seq <= max_seq (0: any), oldest
 * first, sent in one PostgreSQL transaction and then deleted here; res
 * adds up what was done.  A change the city refused waits 10 minutes
 * before it is in a batch again, unless refused_too.  Returns the number
 * of changes handled (0: none left), or -1 with err when the link failed
 * (the batch stays queued). */
int	outbox_send(struct index *, PGconn *pg, const char *office, int limit,
	    int64_t max_seq, int refused_too, struct outbox_result *res,
	    char *err);

/* ship.c: sohoad's shipping to the city, in a child process that holds
 * the PostgreSQL connection (see the file's comment). */
struct ship;
/* Starts argv (`sohoad --ship DATADIR [CONF]`) attached to loop, and
 * starts it again with a back-off whenever it ends.  Caller ship_stop()s. */
struct ship *ship_start(struct loop *, char *const argv[]);
/* A record was committed: the child looks at the outbox now.  NULL is
 * fine (no [city]). */
void	ship_wake(struct ship *);
/* Stops the child (a batch cut short is sent again later) and frees. */
void	ship_stop(struct ship *);
/* With c's [city] (else NULL, nothing done): the outbox of ix started
 * (the first time every record is owed to the city; an office name other
 * than the one it ships under is fatal) and the shipper child started as
 * `self --ship DATADIR CONF`. */
struct ship *ship_begin(struct loop *, struct index *ix, const struct conf *c,
	    const char *self, const char *datadir);
/* The child: sends the outbox of the database in datadir to the [city] of
 * the sohoa.conf at confpath until the parent's end closes (0) or the link
 * fails (1). */
int	ship_main(const char *datadir, const char *confpath);


/* city_search.c: search, show and report over every office of the city
 * (issue 13), from the city's PostgreSQL, as the office's own commands
 * give them, each record with its "office". */
struct pg_conn;				/* libpq's PGconn */
struct report_opts;
/* Who asks, as the city's access log names them: this installation's
 * office ([city] office) and the actor (NULL: the command line's user, as
 * accesslog_user names them). */
struct city_asker {
	const char *office;
	const struct accesslog_actor *actor;
};
/* OFFICE:ID (or OFFICE:#ID) read, the office's name as city_office_ok
 * takes it: 0, or -1 when s is none. */
int	city_ref(const char *s, char office[CITY_OFFICEMAX + 1], int64_t *id);
/* search_find over the city, each record with its office: NULL with err
 * for a malformed query or filter, or when the database fails. */
json_t	*city_search(struct pg_conn *, const struct city_asker *,
	    const char *query, const struct search_filter *, int limit,
	    char *err);
/* One record as `show --json` gives it (with its corrections, if any) and
 * its office, or NULL with err: no such office, no such record, or the
 * database failed. */
json_t	*city_show(struct pg_conn *, const struct city_asker *,
	    const char *office, int64_t id, char *err);
/* report_build over the registers of every office: the same object,
 * with "city": true and each office row's "office". */
json_t	*city_report(struct pg_conn *, const struct city_asker *,
	    const struct conf *, const struct report_opts *, char *err);

#endif /* SOHOA_H */
