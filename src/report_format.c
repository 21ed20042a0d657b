/*
 * report_format.c: the report in the formats auditors take it in.
 *
 * Each is drawn from the one JSON object report_build makes (report.c),
 * so that every format shows the same figures: a terminal table, CSV for
 * Excel (UTF-8 BOM, CRLF, quoted text), the JSON itself, or one printable
 * HTML page with no outside resources and an inline SVG bar per level and
 * office against its target.  Text from outside (register cells, names
 * read by OCR) is shown escaped in the table and the HTML, kept as it is
 * in CSV and JSON.  A rendering is capped at REPORT_MAX bytes.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <csv.h>

#include "sohoa.h"
#include "report_int.h"

#define REPORT_MAX	((size_t)1 << 30)	/* bytes of a rendered report */

#define REPORT_MET_COLOUR	"#2e7d32"
#define REPORT_UNMET_COLOUR	"#c62828"
#define REPORT_TARGET_COLOUR	"#1a237e"

/* A rendering in progress: the buffer and whether it overflowed. */
struct report_out {
	struct buf *b;
	int	 full;
};

int
report_format(const char *name, enum report_format *f)
{
	static const char *const names[] = { "table", "csv", "json", "html" };
	size_t i;

	for (i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strcmp(name, names[i]) == 0) {
			*f = (enum report_format)i;
			return 0;
		}
	return -1;
}

static void PRINTFLIKE(2, 3)
report_format_put(struct report_out *out, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n == -1)
		fatalx("out of memory");
	if (buf_append(out->b, s, (size_t)n) == -1)
		out->full = 1;
	free(s);
}

static void
report_format_puts(struct report_out *out, const char *s)
{
	if (buf_append(out->b, s, strlen(s)) == -1)
		out->full = 1;
}

static int64_t
report_format_i(json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

/* "66.7%" for a fraction, "-" for null. */
static const char *
report_format_pct(json_t *v, char buf[24])
{
	if (!json_is_number(v))
		return "-";
	snprintf(buf, 24, "%.1f%%", json_number_value(v) * 100);
	return buf;
}

/* "70%" or "65.5%" for a target. */
static const char *
report_format_target_pct(json_t *v, char buf[24])
{
	if (!json_is_number(v))
		return "-";
	snprintf(buf, 24, "%g%%", round(json_number_value(v) * 1000) / 10);
	return buf;
}

static const char *
report_format_met(json_t *v)
{
	return json_is_true(v) ? "yes" : json_is_false(v) ? "no" : "-";
}

static const char *
report_format_num(json_t *v, char buf[24])
{
	if (!json_is_integer(v))
		return "-";
	snprintf(buf, 24, "%lld", (long long)json_integer_value(v));
	return buf;
}

/* Characters (not bytes) in UTF-8 text, for aligning columns. */
static size_t
report_format_width(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

/*
 * Register cells and names read by OCR are text from outside: in the
 * table (and in HTML) they are shown escaped (vntext_escape), so that a
 * newline or an escape sequence in one cannot add a line or move the
 * cursor, nor a bidirectional control reorder what an auditor reads.
 */
static void
report_format_text(struct report_out *out, const char *s)
{
	char *e = vntext_escape(s, strlen(s));

	report_format_puts(out, e);
	free(e);
}

/* Characters of s once escaped. */
static size_t
report_format_shown_width(const char *s)
{
	char *e = vntext_escape(s, strlen(s));
	size_t w = report_format_width(e);

	free(e);
	return w;
}

static void
report_format_cell(struct report_out *out, const char *s, size_t width, int right)
{
	size_t w = report_format_shown_width(s);

	if (right)
		for (; w < width; w++)
			report_format_puts(out, " ");
	report_format_text(out, s);
	if (!right)
		for (; w < width; w++)
			report_format_puts(out, " ");
}

static size_t
report_format_col_width(json_t *rows, const char *key, size_t min)
{
	json_t *o;
	size_t i, w;

	json_array_foreach(rows, i, o)
		if ((w = report_format_shown_width(report_s(o, key))) > min)
			min = w;
	return min;
}

/* A city report (city_search.c): its offices rows name the installation
 * ("office") each comes from. */
static int
report_format_city(json_t *r)
{
	return json_is_true(json_object_get(r, "city"));
}

static void
report_format_table_figures(struct report_out *out, json_t *o, int have_register)
{
	char b1[24], b2[24], b3[24], b4[24], b5[24];

	if (!have_register) {
		report_format_put(out, "  %9s", report_format_num(json_object_get(o,
		    "digitized"), b1));
		return;
	}
	report_format_put(out, "  %7s  %9s  %6s  %6s  %3s  %6s",
	    report_format_num(json_object_get(o, "valid_issued"), b1),
	    report_format_num(json_object_get(o, "digitized"), b2),
	    report_format_pct(json_object_get(o, "rate"), b3),
	    report_format_target_pct(json_object_get(o, "target"), b4),
	    report_format_met(json_object_get(o, "met")),
	    report_format_num(json_object_get(o, "needed"), b5));
}

static void
report_format_table_head(struct report_out *out, int have_register)
{
	if (have_register)
		report_format_put(out, "  %7s  %9s  %6s  %6s  %3s  %6s", "valid",
		    "digitized", "rate", "target", "met", "needed");
	else
		report_format_put(out, "  %9s", "digitized");
}

static void
report_format_table(struct report_out *out, json_t *r)
{
	json_t *levels = json_object_get(r, "levels");
	json_t *offices = json_object_get(r, "offices"), *o, *e;
	int have_register = report_format_i(r, "register_entries") > 0;
	int city = report_format_city(r);
	size_t i, k, lw, cw, iw;

	report_format_put(out, "Digitization of still-valid results as of %s%s\n",
	    report_s(r, "as_of"), city ? ", every office of the city" : "");
	if (json_is_string(json_object_get(r, "from")) ||
	    json_is_string(json_object_get(r, "to")))
		report_format_put(out, "Issued from %s to %s.\n", report_s(r, "from"),
		    report_s(r, "to"));
	if (have_register)
		report_format_put(out, "Register: %lld entries.\n",
		    (long long)report_format_i(r, "register_entries"));
	else
		report_format_put(out, "%s\n", report_s(r, "note"));
	lw = report_format_col_width(levels, "level", 5);
	lw = report_format_col_width(offices, "level", lw);
	report_format_puts(out, "\n");
	report_format_cell(out, "level", lw, 0);
	report_format_table_head(out, have_register);
	report_format_puts(out, "\n");
	json_array_foreach(levels, i, o) {
		report_format_cell(out, report_s(o, "level"), lw, 0);
		report_format_table_figures(out, o, have_register);
		report_format_puts(out, "\n");
	}
	cw = report_format_col_width(offices, "agency_code", 6);
	iw = report_format_col_width(offices, "office", 12);
	report_format_puts(out, "\n");
	if (city) {
		report_format_cell(out, "installation", iw, 0);
		report_format_puts(out, "  ");
	}
	report_format_cell(out, "office", cw, 0);
	report_format_puts(out, "  ");
	report_format_cell(out, "level", lw, 0);
	report_format_table_head(out, have_register);
	report_format_puts(out, "  name\n");
	json_array_foreach(offices, i, o) {
		if (city) {
			report_format_cell(out, report_s(o, "office"), iw, 0);
			report_format_puts(out, "  ");
		}
		report_format_cell(out, report_s(o, "agency_code"), cw, 0);
		report_format_puts(out, "  ");
		report_format_cell(out, report_s(o, "level"), lw, 0);
		report_format_table_figures(out, o, have_register);
		report_format_puts(out, "  ");
		report_format_text(out, report_s(o, "agency_name"));
		report_format_puts(out, "\n");
	}
	if (json_array_size(offices) == 0)
		report_format_puts(out, "(no office)\n");
	if (!json_is_true(json_object_get(r, "missing_listed")))
		return;
	report_format_puts(out, "\nStill valid, not yet digitized, oldest first:\n");
	json_array_foreach(offices, i, o) {
		json_t *missing = json_object_get(o, "missing");

		if (json_array_size(missing) == 0)
			continue;
		report_format_puts(out, "\n");
		if (city) {
			report_format_text(out, report_s(o, "office"));
			report_format_puts(out, ": ");
		}
		report_format_text(out, report_s(o, "agency_code"));
		report_format_puts(out, "  ");
		report_format_text(out, report_s(o, "agency_name"));
		report_format_puts(out, " (");
		report_format_text(out, report_s(o, "level"));
		report_format_put(out, "): %zu\n", json_array_size(missing));
		report_format_puts(out, "  issued      number                "
		    "dossier code                 procedure                 "
		    "valid until\n");
		json_array_foreach(missing, k, e) {
			report_format_puts(out, "  ");
			report_format_text(out, report_s(e, "issued_on"));
			report_format_puts(out, "  ");
			report_format_cell(out, report_s(e, "doc_number"), 20, 0);
			report_format_puts(out, "  ");
			report_format_cell(out, report_s(e, "dossier_code"), 27, 0);
			report_format_puts(out, "  ");
			report_format_cell(out, report_s(e, "procedure_code"), 24, 0);
			report_format_puts(out, "  ");
			report_format_text(out, report_s(e, "valid_until"));
			report_format_puts(out, "\n");
		}
	}
}

/* One CSV text field, quoted by libcsv; nothing for null. */
static void
report_format_csv_text(struct report_out *out, json_t *v, int last)
{
	const char *s = json_string_value(v);
	size_t len, need;
	char *q;

	if (s != NULL) {
		len = strlen(s);
		need = csv_write(NULL, 0, s, len);
		q = xmalloc(need);
		csv_write(q, need, s, len);
		if (buf_append(out->b, q, need) == -1)
			out->full = 1;
		free(q);
	}
	report_format_puts(out, last ? "\r\n" : ",");
}

static void
report_format_csv_raw(struct report_out *out, const char *s, int last)
{
	report_format_puts(out, s);
	report_format_puts(out, last ? "\r\n" : ",");
}

/* A number as CSV holds it: decimals for a fraction, or -1 for %g. */
static const char *
report_format_csv_num(json_t *v, char buf[32], int decimals)
{
	if (json_is_integer(v))
		snprintf(buf, 32, "%lld", (long long)json_integer_value(v));
	else if (json_is_real(v) && decimals >= 0)
		snprintf(buf, 32, "%.*f", decimals, json_real_value(v));
	else if (json_is_real(v))
		snprintf(buf, 32, "%g", json_real_value(v));
	else if (json_is_boolean(v))
		snprintf(buf, 32, "%s", json_is_true(v) ? "yes" : "no");
	else
		buf[0] = '\0';
	return buf;
}

static void
report_format_csv_figures(struct report_out *out, json_t *asof, const char *kind,
    json_t *o, int city)
{
	char b[32];

	report_format_csv_text(out, asof, 0);
	report_format_csv_raw(out, kind, 0);
	if (city)
		report_format_csv_text(out, json_object_get(o, "office"), 0);
	report_format_csv_text(out, json_object_get(o, "level"), 0);
	report_format_csv_text(out, json_object_get(o, "agency_code"), 0);
	report_format_csv_text(out, json_object_get(o, "agency_name"), 0);
	report_format_csv_raw(out, report_format_csv_num(json_object_get(o, "valid_issued"),
	    b, -1), 0);
	report_format_csv_raw(out, report_format_csv_num(json_object_get(o, "digitized"), b,
	    -1), 0);
	report_format_csv_raw(out, report_format_csv_num(json_object_get(o, "rate"), b,
	    4), 0);
	report_format_csv_raw(out, report_format_csv_num(json_object_get(o, "target"), b,
	    -1), 0);
	report_format_csv_raw(out, report_format_csv_num(json_object_get(o, "met"), b,
	    -1), 0);
	report_format_csv_raw(out, report_format_csv_num(json_object_get(o, "needed"), b,
	    -1), 1);
}

/*
 * CSV as Excel opens it with Vietnamese intact: a UTF-8 BOM, CRLF, every
 * text field quoted.  One table: the figures (a row per level, then per
 * office), or with --missing the results still to scan.
 */
static void
report_format_csv_missing(struct report_out *out, json_t *asof, json_t *office,
    int city)
{
	static const char *const okeys[] = { "level", "agency_code",
	    "agency_name", NULL };
	static const char *const ekeys[] = { "issued_on", "doc_number",
	    "dossier_code", "procedure_code", "valid_until", NULL };
	json_t *e;
	size_t i, k;

	json_array_foreach(json_object_get(office, "missing"), i, e) {
		report_format_csv_text(out, asof, 0);
		if (city)
			report_format_csv_text(out, json_object_get(office,
			    "office"), 0);
		for (k = 0; okeys[k] != NULL; k++)
			report_format_csv_text(out, json_object_get(office, okeys[k]),
			    0);
		for (k = 0; ekeys[k] != NULL; k++)
			report_format_csv_text(out, json_object_get(e, ekeys[k]),
			    ekeys[k + 1] == NULL);
	}
}

static void
report_format_csv(struct report_out *out, json_t *r)
{
	json_t *asof = json_object_get(r, "as_of"), *o;
	int city = report_format_city(r);
	size_t i;

	/* A city report has the installation's column after the kind. */
	report_format_puts(out, "\xef\xbb\xbf");
	if (json_is_true(json_object_get(r, "missing_listed"))) {
		report_format_put(out, "as_of,%slevel,agency_code,agency_name,"
		    "issued_on,doc_number,dossier_code,procedure_code,"
		    "valid_until\r\n", city ? "office," : "");
		json_array_foreach(json_object_get(r, "offices"), i, o)
			report_format_csv_missing(out, asof, o, city);
		return;
	}
	report_format_put(out, "as_of,kind,%slevel,agency_code,agency_name,"
	    "valid_issued,digitized,rate,target,met,needed\r\n", city ?
	    "office," : "");
	json_array_foreach(json_object_get(r, "levels"), i, o)
		report_format_csv_figures(out, asof, "level", o, city);
	json_array_foreach(json_object_get(r, "offices"), i, o)
		report_format_csv_figures(out, asof, "office", o, city);
}

/* Text escaped for HTML, element content and attribute values alike;
 * controls escaped first, as in the table (a bidirectional control would
 * reorder the page's text as well as a terminal's). */
static void
report_format_esc(struct report_out *out, const char *text)
{
	char *shown = vntext_escape(text, strlen(text));
	const char *s = shown, *start = s;

	for (; *s != '\0'; s++) {
		const char *ent = NULL;

		switch (*s) {
		case '&': ent = "&amp;"; break;
		case '<': ent = "&lt;"; break;
		case '>': ent = "&gt;"; break;
		case '"': ent = "&quot;"; break;
		case '\'': ent = "&#39;"; break;
		}
		if (ent == NULL)
			continue;
		if (buf_append(out->b, start, (size_t)(s - start)) == -1)
			out->full = 1;
		report_format_puts(out, ent);
		start = s + 1;
	}
	report_format_puts(out, start);
	free(shown);
}

/* At most max characters of s, with "…" when cut.  Caller frees. */
static char *
report_format_shorten(const char *s, size_t max)
{
	const char *p = s;
	size_t n = 0;

	if (report_format_width(s) <= max)
		return xstrdup(s);
	for (; *p != '\0'; p++)
		if (((unsigned char)*p & 0xc0) != 0x80 && ++n == max)
			break;
	return xasprintf("%.*s…", (int)(p - s), s);
}

/* One bar per row, the target as a vertical line across it. */
static void
report_format_svg(struct report_out *out, json_t *rows, int offices)
{
	const int label = 330, width = 440, rowh = 30, barh = 18, top = 8;
	int h = top + (int)json_array_size(rows) * rowh + 22, y, x;
	char b1[24], b2[24];
	json_t *o, *rate, *target;
	size_t i;
	int t;

	report_format_put(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" "
	    "class=\"chart\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
	    "role=\"img\" font-size=\"13\">\n", label + width + 190, h,
	    label + width + 190, h);
	for (t = 0; t <= 100; t += 25) {
		x = label + width * t / 100;
		report_format_put(out, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" "
		    "stroke=\"#cfd8dc\"/><text x=\"%d\" y=\"%d\" "
		    "text-anchor=\"middle\" fill=\"#546e7a\">%d %%</text>\n", x,
		    top - 4, x, h - 18, x, h - 4, t);
	}
	json_array_foreach(rows, i, o) {
		char *name;

		y = top + (int)i * rowh;
		rate = json_object_get(o, "rate");
		target = json_object_get(o, "target");
		if (!offices)
			name = report_format_shorten(report_s(o, "level"), 44);
		else if (json_is_string(json_object_get(o, "agency_name")))
			name = report_format_shorten(report_s(o, "agency_name"), 44);
		else
			name = report_format_shorten(report_s(o, "agency_code"), 44);
		report_format_put(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">",
		    label - 8, y + barh - 4);
		report_format_esc(out, name);
		report_format_puts(out, "</text>\n");
		free(name);
		report_format_put(out, "<rect x=\"%d\" y=\"%d\" width=\"%d\" "
		    "height=\"%d\" fill=\"#eceff1\"/>\n", label, y, width,
		    barh);
		if (json_is_number(rate))
			report_format_put(out, "<rect class=\"bar\" x=\"%d\" "
			    "y=\"%d\" width=\"%ld\" height=\"%d\" "
			    "fill=\"%s\"/>\n", label, y,
			    lround(json_number_value(rate) * width), barh,
			    json_is_true(json_object_get(o, "met")) ?
			    REPORT_MET_COLOUR : REPORT_UNMET_COLOUR);
		if (json_is_number(target)) {
			x = label + (int)lround(json_number_value(target) *
			    width);
			report_format_put(out, "<line class=\"target\" x1=\"%d\" "
			    "y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" "
			    "stroke-width=\"3\"/>\n", x, y - 4, x, y + barh + 4,
			    REPORT_TARGET_COLOUR);
		}
		report_format_put(out, "<text x=\"%d\" y=\"%d\">%s",
		    label + width + 10, y + barh - 4, json_is_number(rate) ?
		    report_format_pct(rate, b1) : "no valid results");
		if (json_is_number(target))
			report_format_put(out, " (target %s)",
			    report_format_target_pct(target, b2));
		report_format_puts(out, "</text>\n");
	}
	report_format_puts(out, "</svg>\n");
}

static void
report_format_html_cell(struct report_out *out, const char *s, int num)
{
	report_format_puts(out, num ? "<td class=\"n\">" : "<td>");
	report_format_esc(out, s);
	report_format_puts(out, "</td>");
}

static void
report_format_html_figures(struct report_out *out, json_t *o, int have_register)
{
	char b[24];
	json_t *met = json_object_get(o, "met");

	if (have_register)
		report_format_html_cell(out, report_format_num(json_object_get(o,
		    "valid_issued"), b), 1);
	report_format_html_cell(out, report_format_num(json_object_get(o, "digitized"), b),
	    1);
	if (!have_register)
		return;
	report_format_html_cell(out, report_format_pct(json_object_get(o, "rate"), b), 1);
	report_format_html_cell(out, report_format_target_pct(json_object_get(o, "target"),
	    b), 1);
	report_format_put(out, "<td class=\"%s\">%s</td>", json_is_true(met) ? "met" :
	    json_is_false(met) ? "unmet" : "", report_format_met(met));
	report_format_html_cell(out, report_format_num(json_object_get(o, "needed"), b), 1);
}

static void
report_format_html_head(struct report_out *out, const char *first, int offices,
    int have_register, int city)
{
	report_format_put(out, "<tr>%s<th>%s</th>%s", city ?
	    "<th>installation</th>" : "", first, offices ?
	    "<th>agency code</th><th>level</th>" : "");
	if (have_register)
		report_format_puts(out, "<th>valid</th><th>digitized</th><th>rate</th>"
		    "<th>target</th><th>met</th><th>needed</th></tr>\n");
	else
		report_format_puts(out, "<th>digitized</th></tr>\n");
}

/* One office's results still to scan, oldest first. */
static void
report_format_html_missing(struct report_out *out, json_t *office)
{
	static const char *const keys[] = { "issued_on", "doc_number",
	    "dossier_code", "procedure_code", "valid_until", NULL };
	json_t *missing = json_object_get(office, "missing"), *e;
	size_t i, k;

	if (json_array_size(missing) == 0)
		return;
	report_format_puts(out, "<h3>");
	if (json_is_string(json_object_get(office, "office"))) {
		report_format_esc(out, report_s(office, "office"));
		report_format_puts(out, ": ");
	}
	report_format_esc(out, report_s(office, "agency_name"));
	report_format_puts(out, " (");
	report_format_esc(out, report_s(office, "agency_code"));
	report_format_puts(out, ", ");
	report_format_esc(out, report_s(office, "level"));
	report_format_put(out, "): %zu</h3>\n<table>\n<tr><th>issued</th>"
	    "<th>number</th><th>dossier code</th><th>procedure</th>"
	    "<th>valid until</th></tr>\n", json_array_size(missing));
	json_array_foreach(missing, i, e) {
		report_format_puts(out, "<tr>");
		for (k = 0; keys[k] != NULL; k++)
			report_format_html_cell(out, report_s(e, keys[k]), 0);
		report_format_puts(out, "</tr>\n");
	}
	report_format_puts(out, "</table>\n");
}

static const char report_format_css[] =
	"body{font-family:\"Liberation Sans\",\"DejaVu Sans\",Arial,sans-serif;"
	"margin:24px;color:#212121}"
	"h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px}"
	"h3{font-size:14px;margin:18px 0 6px}p{margin:4px 0}"
	"table{border-collapse:collapse;font-size:13px;margin:8px 0}"
	"th,td{border:1px solid #b0bec5;padding:3px 8px;text-align:left}"
	"th{background:#eceff1}td.n{text-align:right;"
	"font-variant-numeric:tabular-nums}"
	".met{color:" REPORT_MET_COLOUR ";font-weight:bold}"
	".unmet{color:" REPORT_UNMET_COLOUR ";font-weight:bold}"
	".note{border-left:4px solid #f9a825;padding:4px 10px;"
	"background:#fffde7}"
	".legend span{display:inline-block;width:12px;height:12px;"
	"margin:0 4px 0 12px;vertical-align:middle}"
	"svg.chart{max-width:100%;height:auto;display:block}"
	"@page{size:A4;margin:12mm}"
	"@media print{body{margin:0;font-size:11px}h2,h3{break-after:avoid}"
	"table,svg{break-inside:avoid}"
	"*{-webkit-print-color-adjust:exact;print-color-adjust:exact}}";

/* One page, no outside resources, printable; all text escaped. */
static void
report_format_html(struct report_out *out, json_t *r)
{
	json_t *levels = json_object_get(r, "levels");
	json_t *offices = json_object_get(r, "offices"), *o;
	int have_register = report_format_i(r, "register_entries") > 0;
	int city = report_format_city(r);
	size_t i;

	report_format_puts(out, "<!DOCTYPE html>\n<html lang=\"vi\">\n<head>\n"
	    "<meta charset=\"utf-8\">\n<meta name=\"generator\" "
	    "content=\"sohoa " SOHOA_VERSION "\">\n"
	    "<title>Digitization report as of ");
	report_format_esc(out, report_s(r, "as_of"));
	report_format_put(out, "</title>\n<style>%s</style>\n</head>\n<body>\n",
	    report_format_css);
	report_format_puts(out, "<h1>Digitization of still-valid results</h1>\n"
	    "<p>Tỷ lệ số hóa kết quả giải quyết thủ tục hành chính còn hiệu lực"
	    "</p>\n<p>As of <b>");
	report_format_esc(out, report_s(r, "as_of"));
	report_format_puts(out, city ? "</b>, every office of the city" :
	    "</b>");
	if (json_is_string(json_object_get(r, "from")) ||
	    json_is_string(json_object_get(r, "to"))) {
		report_format_puts(out, "; issued from ");
		report_format_esc(out, report_s(r, "from"));
		report_format_puts(out, " to ");
		report_format_esc(out, report_s(r, "to"));
	}
	if (have_register)
		report_format_put(out, "; register of %lld entries.</p>\n",
		    (long long)report_format_i(r, "register_entries"));
	else {
		report_format_puts(out, ".</p>\n<p class=\"note\">");
		report_format_esc(out, report_s(r, "note"));
		report_format_puts(out, "</p>\n");
	}

	report_format_puts(out, "<h2>By level</h2>\n");
	if (have_register) {
		report_format_puts(out, "<p class=\"legend\"><span style=\"background:"
		    REPORT_MET_COLOUR "\"></span>target met<span "
		    "style=\"background:" REPORT_UNMET_COLOUR "\"></span>below "
		    "target<span style=\"background:" REPORT_TARGET_COLOUR
		    ";width:3px\"></span>target</p>\n");
		report_format_svg(out, levels, 0);
	}
	report_format_puts(out, "<table>\n");
	report_format_html_head(out, "level", 0, have_register, 0);
	json_array_foreach(levels, i, o) {
		report_format_puts(out, "<tr>");
		report_format_html_cell(out, report_s(o, "level"), 0);
		report_format_html_figures(out, o, have_register);
		report_format_puts(out, "</tr>\n");
	}
	report_format_puts(out, "</table>\n<h2>By office</h2>\n");
	if (have_register && json_array_size(offices) > 0)
		report_format_svg(out, offices, 1);
	report_format_puts(out, "<table>\n");
	report_format_html_head(out, "office", 1, have_register, city);
	json_array_foreach(offices, i, o) {
		report_format_puts(out, "<tr>");
		if (city)
			report_format_html_cell(out, report_s(o, "office"), 0);
		report_format_html_cell(out, report_s(o, "agency_name"), 0);
		report_format_html_cell(out, report_s(o, "agency_code"), 0);
		report_format_html_cell(out, report_s(o, "level"), 0);
		report_format_html_figures(out, o, have_register);
		report_format_puts(out, "</tr>\n");
	}
	report_format_puts(out, "</table>\n");
	if (json_is_true(json_object_get(r, "missing_listed"))) {
		report_format_puts(out, "<h2>Still valid, not yet digitized</h2>\n"
		    "<p>Oldest first: what to take from the cabinet next."
		    "</p>\n");
		json_array_foreach(offices, i, o)
			report_format_html_missing(out, o);
	}
	report_format_puts(out, "</body>\n</html>\n");
}

int
report_format_write(json_t *r, enum report_format f, struct buf *b, char *err)
{
	struct report_out out = { b, 0 };
	char *s;

	b->max = REPORT_MAX;
	switch (f) {
	case REPORT_TABLE:
		report_format_table(&out, r);
		break;
	case REPORT_CSV:
		report_format_csv(&out, r);
		break;
	case REPORT_JSON:
		s = json_dumps(r, JSON_INDENT(2) | JSON_REAL_PRECISION(10));
		report_format_puts(&out, s);
		report_format_puts(&out, "\n");
		free(s);
		break;
	case REPORT_HTML:
		report_format_html(&out, r);
		break;
	}
	if (out.full) {
		snprintf(err, ERRMAX, "the report is larger than %zu bytes",
		    REPORT_MAX);
		return -1;
	}
	return 0;
}
