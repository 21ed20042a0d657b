/*
 * extract_int.h: what extract.c, header.c, xdate.c, people.c and rule.c
 * share and no other file needs: the names of the patterns (compiled in
 * extract.c), a line with its folded twin, the state of one extraction,
 * page 1's layout cut into segments, and the functions each calls in
 * another.
 */

#ifndef EXTRACT_INT_H
#define EXTRACT_INT_H

#ifndef PCRE2_CODE_UNIT_WIDTH
#define PCRE2_CODE_UNIT_WIDTH 8
#endif
#include <pcre2.h>

/* Every pattern but RE_DOSSIER runs on folded lines (lower case, no marks). */
enum extract_re {
	RE_MOTTO,
	RE_DOCLAP,
	RE_UBND,
	RE_ORGAN,
	RE_LOCALITY,
	RE_SIGNATURE,
	RE_DOCNO,
	RE_CERTNO,
	RE_DATE_PLACE,
	RE_DATE_PLACE_NUM,
	RE_DATE_WORDS,
	RE_DATE_NUM,
	RE_DATE_CUT,
	RE_PERSON,
	RE_HONORIFIC,
	RE_ID_LABEL,
	RE_ID_BARE,
	RE_DOSSIER,
	RE_SO_LABEL,
	RE_AUTHORITY,
	RE_SO_DIGITS,
	RE_STAMP,
	RE_NGAY,
	RE_DATE_COMMA,
	RE_REGISTERED,
	RE_RECITAL,
	RE_RECIPIENTS,
	RE_VALID_WORDS,
	RE_VALID_NUM,
	RE_COUNT
};

struct xline {
	char	*text;		/* NFC, trimmed, inside ctx->nfc */
	size_t	 len;
	char	*fold;		/* folded text (caller frees) */
	size_t	*map;		/* fold offset -> text offset */
	size_t	 flen;
};

struct extract_ctx {
	char			*nfc;	/* lines end in NUL after the split */
	size_t			 nfclen;
	struct xline		*lines;
	size_t			 nlines;
	char			*recital; /* per line: inside a "Căn cứ ..." */
	size_t			 end;	/* lines before "Nơi nhận:" */
	size_t			 title;	/* the title's line, or nlines */
	pcre2_match_data	*md;
	PCRE2_SIZE		*ov;	/* of the last successful match */
	json_t			*evidence; /* field -> where it was read */
};

/* Page 1's layout (header.c): each engine line cut into segments at the
 * gaps between columns, each told left, centre or right. */
struct xseg {
	struct xline	 l;	/* owns its text */
	int		 x0, y0, x1, y1;
	int		 h;	/* median height of its words */
	size_t		 line;	/* the engine's line it is part of */
	int		 conf;	/* the lowest confidence of its words but the first */
	int		 col;
	int		 stamp;
};

struct xlayout {
	int		 w, h;
	struct xseg	*seg;
	size_t		 nseg, cap;
};

/* header.c */
int	header_read(struct extract_ctx *x, const json_t *layout,
    struct xlayout *lay);
void	header_free(struct xlayout *lay);
void	header_fields(struct extract_ctx *x, const struct xlayout *lay,
    char **doc_type, char **doc_number, char **agency, char date[11],
    int *have_date);

/* people.c */
void	people_add_unique(json_t *array, const char *s);
void	people_find(struct extract_ctx *x, json_t *people);
void	people_ids(struct extract_ctx *x, json_t *ids);

/* rule.c */
char	*rule_dossier_filename(const char *source_name,
    const struct profile *pr);
void	rule_apply(struct extract_ctx *x, const struct profile *pr,
    char **value[EXTRACT_NRULES], char date[11], int *have_date,
    json_t *people, json_t *ids);

/* xdate.c */
int	xdate_number(const char *s, size_t len, int *out);
int	xdate_valid(int y, int m, int d);
int	xdate_in(struct extract_ctx *x, enum extract_re pass,
    const struct xline *l, char out[11]);
int	xdate_issued(struct extract_ctx *x, char out[11]);
int	xdate_valid_until(struct extract_ctx *x, char out[11]);

/* extract.c */
void	extract_note(struct extract_ctx *x, const char *field,
    const char *from, const char *text, const int *box);
int	extract_line_match(struct extract_ctx *x, enum extract_re which,
    const struct xline *l, size_t start);
void	extract_tidy(char *s);
char	*extract_cut(const struct xline *l, size_t fs, size_t fe);
char	*extract_docno(struct extract_ctx *x, const struct xline *l);
char	*extract_certno(struct extract_ctx *x, const struct xline *l,
    int digits_ok);
int	extract_is_title(struct extract_ctx *x, const struct xline *l);
int	extract_title_continues(const char *title);
size_t	extract_right_at(struct extract_ctx *x, const struct xline *l);
char	*extract_agency(struct extract_ctx *x, size_t end);
void	extract_xline_set(struct xline *l, const char *s);
void	extract_xline_free(struct xline *l);
int	extract_slip_digit(char c);
char	*extract_strndup(const char *s, size_t n);
void	extract_fix_eth(char *s);
void	extract_docno_slips(char *s);

#endif /* EXTRACT_INT_H */
