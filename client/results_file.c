/* results_file.c -- results CSV into protobuf values. */
#include "results_file.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "i18n.h"
#include "validate.h"

/* The names of the columns as messages show them when the header has none. */
static const char *const col_names[TH_RESULTS_NCOLS] = {"indicator", "numerator", "denominator", "value",
                                                        "text"};

/* Accepted header names, folded (see fold): English, and Vietnamese without
 * its diacritics. */
static const struct {
    const char *name;
    int col;
} known_names[] = {
    {"indicator", TH_RESULTS_COL_INDICATOR},   {"chi tieu", TH_RESULTS_COL_INDICATOR},
    {"ma chi tieu", TH_RESULTS_COL_INDICATOR}, {"numerator", TH_RESULTS_COL_NUMERATOR},
    {"tu so", TH_RESULTS_COL_NUMERATOR},       {"denominator", TH_RESULTS_COL_DENOMINATOR},
    {"mau so", TH_RESULTS_COL_DENOMINATOR},    {"value", TH_RESULTS_COL_VALUE},
    {"gia tri", TH_RESULTS_COL_VALUE},         {"text", TH_RESULTS_COL_TEXT},
    {"noi dung", TH_RESULTS_COL_TEXT},
};

/* The base letter of each code point from U+00C0 to U+01B0 and from U+1EA0
 * to U+1EF9 (every Vietnamese letter with a diacritic, in NFC), '.' for
 * the others; đ, Đ (and ð, Ð, which old fonts used for it) are 'd'. */
static const char fold_latin[] = "aaaaaa.ceeeeiiiidnooooo..uuuuy..aaaaaa.ceeeeiiiidnooooo..uuuuy.y"
                                 "aaaaaaccccccccddddeeeeeeeeeegggggggghh..iiiiiiiii...jjkk.llllll."
                                 "...nnnnnn...oooooo..rrrrrrsssssssstttt..uuuuuuuuuuuuwwyyyzzzzzz."
                                 "................................oo.............uu";
static const char fold_vi[] = "aaaaaaaaaaaaaaaaaaaaaaaaeeeeeeeeeeeeeeeeiiiioooooooooooooooooooo"
                              "oooouuuuuuuuuuuuuuyyyyyyyy";

/* Decodes one UTF-8 character at *s; returns its code point and advances,
 * or -1 (and advances one byte) when the bytes are not UTF-8. */
static long utf8_next(const unsigned char **s)
{
    const unsigned char *p = *s;
    long cp;
    int n;
    if (p[0] < 0x80) {
        *s = p + 1;
        return p[0];
    } else if ((p[0] & 0xe0) == 0xc0) {
        cp = p[0] & 0x1f;
        n = 1;
    } else if ((p[0] & 0xf0) == 0xe0) {
        cp = p[0] & 0x0f;
        n = 2;
    } else if ((p[0] & 0xf8) == 0xf0) {
        cp = p[0] & 0x07;
        n = 3;
    } else {
        *s = p + 1;
        return -1;
    }
    for (int i = 1; i <= n; i++) {
        if ((p[i] & 0xc0) != 0x80) {
            *s = p + 1;
            return -1;
        }
        cp = (cp << 6) | (p[i] & 0x3f);
    }
    *s = p + n + 1;
    return cp;
}

/* A header cell folded for comparison: lower case, diacritics removed
 * (precomposed letters and combining marks alike), runs of spaces,
 * underscores and no-break spaces as one space, none at either end. Returns
 * 0, or -1 when the name does not fit or is not UTF-8. */
static int fold(const char *name, char *out, size_t size)
{
    const unsigned char *s = (const unsigned char *)name;
    size_t n = 0;
    int space = 0;
    while (*s) {
        const unsigned char *at = s;
        long cp = utf8_next(&s);
        if (cp < 0) return -1;
        char c = 0;
        if (cp == ' ' || cp == '\t' || cp == '_' || cp == 0xA0) {
            space = n > 0;
            continue;
        } else if (cp >= 0x300 && cp <= 0x36F) {
            continue; /* a combining diacritic (decomposed text) */
        } else if (cp < 0x80) {
            c = (char)(cp >= 'A' && cp <= 'Z' ? cp - 'A' + 'a' : cp);
        } else if (cp >= 0xC0 && cp < 0xC0 + (long)sizeof fold_latin - 1 && fold_latin[cp - 0xC0] != '.') {
            c = fold_latin[cp - 0xC0];
        } else if (cp >= 0x1EA0 && cp < 0x1EA0 + (long)sizeof fold_vi - 1) {
            c = fold_vi[cp - 0x1EA0];
        }
        size_t need = c ? 1 : (size_t)(s - at);
        if (n + space + need >= size) return -1;
        if (space) out[n++] = ' ';
        space = 0;
        if (c)
            out[n++] = c;
        else
            for (const unsigned char *p = at; p < s; p++)
                out[n++] = (char)*p;
    }
    out[n] = '\0';
    return 0;
}

int th_results_column(const char *name)
{
    char f[64];
    if (fold(name, f, sizeof f) != 0) return -1;
    for (size_t i = 0; i < sizeof known_names / sizeof known_names[0]; i++)
        if (strcmp(f, known_names[i].name) == 0) return known_names[i].col;
    return -1;
}

void th_results_fini(th_results *r)
{
    for (size_t i = 0; i < r->n; i++) {
        free(r->values[i]->indicator_code);
        free(r->values[i]->text);
        free(r->values[i]);
    }
    free(r->values);
    free(r->lines);
    memset(r, 0, sizeof *r);
}

/* Parses a whole non-negative number written with digits only; returns 0 or
 * -1. */
static int parse_count(const char *s, int64_t *out)
{
    if (!*s) return -1;
    int64_t v = 0;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9') return -1;
        if (v > (INT64_MAX - (*p - '0')) / 10) return -1;
        v = v * 10 + (*p - '0');
    }
    *out = v;
    return 0;
}

/* Why s is not a count, worded for the person who typed it. */
static void bad_number(char *err, size_t errlen, const char *path, int line, const char *col, const char *s)
{
    size_t n = strlen(s);
    int digits = 0;
    for (const char *p = s; *p; p++)
        digits += *p >= '0' && *p <= '9';
    if (s[0] == '-' && digits)
        snprintf(err, errlen, _("%s, line %d, column %s: \"%s\": the number must not be negative"), path,
                 line, col, s);
    else if (n > 1 && s[n - 1] == '%')
        snprintf(err, errlen,
                 _("%s, line %d, column %s: \"%s\": write the count itself (how many), not a percentage"),
                 path, line, col, s);
    else if (digits && (strpbrk(s, ".,' ") || strstr(s, "\xc2\xa0")))
        snprintf(
            err, errlen,
            _("%s, line %d, column %s: \"%s\": write whole numbers with digits only, without a thousands "
              "separator or decimals (1000, not 1.000)"),
            path, line, col, s);
    else
        snprintf(err, errlen, _("%s, line %d, column %s: \"%s\" is not a whole non-negative number"), path,
                 line, col, s);
}

static void csv_error(char *err, size_t errlen, const char *path, const th_csv *c)
{
    switch (c->error) {
    case TH_CSV_ERR_QUOTE:
        snprintf(err, errlen, _("%s, line %d: a cell that starts with \" is not closed by another \""), path,
                 c->line);
        break;
    case TH_CSV_ERR_LONG: snprintf(err, errlen, _("%s, line %d: the line is too long"), path, c->line); break;
    case TH_CSV_ERR_FIELDS:
        snprintf(err, errlen, _("%s, line %d: too many cells (at most %d)"), path, c->line,
                 TH_CSV_MAX_FIELDS);
        break;
    default: snprintf(err, errlen, _("%s, line %d: malformed CSV record"), path, c->line); break;
    }
}

/* The whole file into memory (*buf, *len); 0, or -1 with err set. */
static int slurp(const char *path, char **buf, size_t *len, char *err, size_t errlen)
{
    *buf = NULL;
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    size_t cap = 0;
    int rc = 0;
    for (;;) {
        if (*len == cap) {
            if (cap > TH_RESULTS_MAX_BYTES) {
                snprintf(err, errlen, _("%s: the file is too large (more than %d MB)"), path,
                         TH_RESULTS_MAX_BYTES / (1024 * 1024));
                rc = -1;
                break;
            }
            cap = cap ? cap * 2 : 16384;
            char *nb = realloc(*buf, cap + 1);
            if (!nb) {
                snprintf(err, errlen, "out of memory");
                rc = -1;
                break;
            }
            *buf = nb;
        }
        size_t got = fread(*buf + *len, 1, cap - *len, f);
        *len += got;
        if (got == 0) {
            if (ferror(f)) {
                snprintf(err, errlen, "%s: %s", path, strerror(errno));
                rc = -1;
            }
            break;
        }
    }
    fclose(f);
    if (rc != 0) {
        free(*buf);
        *buf = NULL;
    }
    return rc;
}

/* True when a record as written holds nothing but separators and spaces
 * (a blank row of a spreadsheet). */
static int raw_blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!strchr(" \t\r\n,;", s[i])) return 0;
    return 1;
}

/* How many cells of the header text split at delim name a known column;
 * -1 when it cannot be read. */
static int known_cells(const char *text, size_t len, char delim)
{
    FILE *f = fmemopen((void *)text, len, "r");
    if (!f) return -1;
    th_csv c;
    th_csv_init_ex(&c, f, delim, 0);
    int known = -1;
    if (th_csv_next(&c) == 1) {
        known = 0;
        for (int i = 0; i < c.nfields; i++)
            known += th_results_column(c.fields[i]) >= 0;
    }
    fclose(f);
    return known;
}

/* The separator of a header line: the one of ',' and ';' that occurs
 * outside quotes; when both do, the one that splits the line into more
 * known column names. Returns 0, or -1 when that does not decide. */
static int choose_delim(const char *text, size_t len, char *delim)
{
    int commas = 0, semis = 0, quoted = 0;
    for (size_t i = 0; i < len; i++) {
        if (text[i] == '"')
            quoted = !quoted;
        else if (!quoted && text[i] == ',')
            commas++;
        else if (!quoted && text[i] == ';')
            semis++;
    }
    *delim = ',';
    if (!commas && !semis) return 0;
    if (!commas || !semis) {
        *delim = commas ? ',' : ';';
        return 0;
    }
    int kc = known_cells(text, len, ','), ks = known_cells(text, len, ';');
    if (kc == ks) return -1;
    *delim = kc > ks ? ',' : ';';
    return 0;
}

static int add_value(th_results *out, size_t *cap, int line, Tonghop__ResultValue **vp)
{
    if (out->n == *cap) {
        *cap = *cap ? *cap * 2 : 16;
        Tonghop__ResultValue **nv = realloc(out->values, *cap * sizeof *nv);
        if (nv) out->values = nv;
        int *nl = realloc(out->lines, *cap * sizeof *nl);
        if (nl) out->lines = nl;
        if (!nv || !nl) return -1;
    }
    Tonghop__ResultValue *v = calloc(1, sizeof *v);
    if (!v) return -1;
    tonghop__result_value__init(v);
    out->values[out->n] = v;
    out->lines[out->n] = line;
    out->n++;
    *vp = v;
    return 0;
}

int th_results_read(const char *path, th_results *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    char *buf;
    size_t len;
    if (slurp(path, &buf, &len, err, errlen) != 0) return -1;
    int rc = -1, r;
    FILE *f = NULL;
    th_csv csv;

    /* The header: the first line that is neither a comment nor blank. Its
     * text as written decides the separator. */
    if (len > 0) f = fmemopen(buf, len, "r");
    if (len > 0 && !f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        goto out;
    }
    if (f) {
        th_csv_init_ex(&csv, f, ',', TH_CSV_COMMENTS);
        while ((r = th_csv_next(&csv)) == 1 &&
               (csv.fields[0][0] == '#' || raw_blank(buf + csv.start, csv.end - csv.start))) {
        }
        fclose(f);
        f = NULL;
    } else {
        r = 0;
    }
    if (r < 0) {
        csv_error(err, errlen, path, &csv);
        goto out;
    }
    if (r == 0) {
        snprintf(err, errlen, _("%s: the file is empty or has no header line"), path);
        goto out;
    }
    size_t hstart = csv.start;
    int hline = csv.line;
    char delim;
    if (choose_delim(buf + hstart, csv.end - hstart, &delim) != 0) {
        snprintf(err, errlen,
                 _("%s, line %d: the header has both \",\" and \";\" between names: cannot tell which one "
                   "separates the columns"),
                 path, hline);
        goto out;
    }

    /* From the header on, with its separator. */
    f = fmemopen(buf + hstart, len - hstart, "r");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        goto out;
    }
    th_csv_init_ex(&csv, f, delim, TH_CSV_COMMENTS);
    csv.next_line = hline;
    if ((r = th_csv_next(&csv)) != 1) {
        if (r < 0)
            csv_error(err, errlen, path, &csv);
        else
            snprintf(err, errlen, _("%s: the file is empty or has no header line"), path);
        goto out;
    }
    int col_of[TH_RESULTS_NCOLS];
    char name_of[TH_RESULTS_NCOLS][64]; /* each column's name as the header writes it */
    for (int k = 0; k < TH_RESULTS_NCOLS; k++) {
        col_of[k] = -1;
        snprintf(name_of[k], sizeof name_of[k], "%s", col_names[k]);
    }
    /* Excel pads rows with empty cells to the sheet's width: empty cells at
     * the end of the header name no column. */
    int width = csv.nfields, named = csv.nfields;
    while (named > 0 && !csv.fields[named - 1][0])
        named--;
    for (int i = 0; i < named; i++) {
        const char *h = csv.fields[i];
        if (!th_validate_utf8(h)) {
            snprintf(
                err, errlen,
                _("%s, line %d: the header is not UTF-8 text (in Excel, save the file as \"CSV UTF-8\")"),
                path, csv.line);
            goto out;
        }
        if (!h[0]) {
            snprintf(err, errlen, _("%s, line %d: column %d of the header has no name"), path, csv.line,
                     i + 1);
            goto out;
        }
        int k = th_results_column(h);
        if (k < 0) {
            snprintf(
                err, errlen,
                _("%s, line %d: unknown column \"%s\" (allowed: indicator, numerator, denominator, value, "
                  "text; or in Vietnamese: chỉ tiêu, tử số, mẫu số, giá trị, nội dung)"),
                path, csv.line, h);
            goto out;
        }
        if (col_of[k] >= 0) {
            snprintf(err, errlen, _("%s, line %d: column \"%s\" appears twice"), path, csv.line, h);
            goto out;
        }
        col_of[k] = i;
        snprintf(name_of[k], sizeof name_of[k], "%s", h);
    }
    if (col_of[TH_RESULTS_COL_INDICATOR] < 0) {
        snprintf(err, errlen, _("%s, line %d: the header has no \"indicator\" column"), path, csv.line);
        goto out;
    }

    size_t cap = 0;
    while ((r = th_csv_next(&csv)) == 1) {
        if (csv.fields[0][0] == '#') continue; /* a comment Excel has put in quotes */
        int empty = 1;
        for (int i = 0; i < csv.nfields; i++)
            if (csv.fields[i][0]) empty = 0;
        if (empty) continue; /* a blank row: nothing but separators */
        if (csv.nfields > width) {
            snprintf(err, errlen,
                     _("%s, line %d: %d cells, but the header has only %d columns (a \"%c\" too many?)"),
                     path, csv.line, csv.nfields, width, delim);
            goto out;
        }
        for (int i = named; i < csv.nfields; i++) {
            if (csv.fields[i][0]) {
                snprintf(err, errlen, _("%s, line %d, column %d: a value under a column with no name"), path,
                         csv.line, i + 1);
                goto out;
            }
        }
        const char *cell[TH_RESULTS_NCOLS];
        for (int k = 0; k < TH_RESULTS_NCOLS; k++)
            cell[k] = (col_of[k] >= 0 && col_of[k] < csv.nfields) ? csv.fields[col_of[k]] : "";
        if (!th_validate_code(cell[TH_RESULTS_COL_INDICATOR])) {
            snprintf(err, errlen, _("%s, line %d, column %s: not a valid indicator code: \"%s\""), path,
                     csv.line, name_of[TH_RESULTS_COL_INDICATOR], cell[TH_RESULTS_COL_INDICATOR]);
            goto out;
        }
        /* An indicator whose value cells are all empty is not reported: the
         * blank form (tonghop form) lists every indicator of the plan, and
         * the ones left unfilled are simply skipped. */
        if (!cell[TH_RESULTS_COL_NUMERATOR][0] && !cell[TH_RESULTS_COL_DENOMINATOR][0] &&
            !cell[TH_RESULTS_COL_VALUE][0] && !cell[TH_RESULTS_COL_TEXT][0])
            continue;
        if (out->n == TH_MAX_VALUES) {
            snprintf(err, errlen, _("%s, line %d: more than %d values"), path, csv.line, TH_MAX_VALUES);
            goto out;
        }
        Tonghop__ResultValue *v;
        if (add_value(out, &cap, csv.line, &v) != 0) {
            snprintf(err, errlen, "out of memory");
            goto out;
        }
        v->indicator_code = strdup(cell[TH_RESULTS_COL_INDICATOR]);
        int64_t *dst[] = {NULL, &v->numerator, &v->denominator, &v->value};
        protobuf_c_boolean *has[] = {NULL, &v->has_numerator, &v->has_denominator, &v->has_value};
        for (int k = TH_RESULTS_COL_NUMERATOR; k <= TH_RESULTS_COL_VALUE; k++) {
            if (!cell[k][0]) continue;
            if (parse_count(cell[k], dst[k]) != 0) {
                bad_number(err, errlen, path, csv.line, name_of[k], cell[k]);
                goto out;
            }
            *has[k] = 1;
        }
        if (cell[TH_RESULTS_COL_TEXT][0]) {
            if (!th_validate_utf8(cell[TH_RESULTS_COL_TEXT])) {
                snprintf(err, errlen, _("%s, line %d, column %s: the text is not UTF-8"), path, csv.line,
                         name_of[TH_RESULTS_COL_TEXT]);
                goto out;
            }
            v->text = strdup(cell[TH_RESULTS_COL_TEXT]);
        }
        if (!v->indicator_code || (cell[TH_RESULTS_COL_TEXT][0] && !v->text)) {
            snprintf(err, errlen, "out of memory");
            goto out;
        }
    }
    if (r < 0) {
        csv_error(err, errlen, path, &csv);
        goto out;
    }
    if (out->n == 0) {
        snprintf(err, errlen, _("%s: no results in the file"), path);
        goto out;
    }
    rc = 0;
out:
    if (f) fclose(f);
    free(buf);
    if (rc != 0) th_results_fini(out);
    return rc;
}
