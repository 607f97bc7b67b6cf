/* results_file.c -- results CSV into protobuf values. */
#include "results_file.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "i18n.h"
#include "validate.h"

enum { COL_INDICATOR, COL_NUMERATOR, COL_DENOMINATOR, COL_VALUE, COL_TEXT, NCOLS };
static const char *const col_names[NCOLS] = {"indicator", "numerator", "denominator", "value", "text"};

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

/* Parses a whole non-negative number; returns 0 or -1. */
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

int th_results_read(const char *path, th_results *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    th_csv csv;
    th_csv_init(&csv, f);
    int col_of[NCOLS];
    for (int i = 0; i < NCOLS; i++)
        col_of[i] = -1;
    int rc = -1, r;

    /* Header (after any comment lines). */
    while ((r = th_csv_next(&csv)) == 1 && csv.fields[0][0] == '#') {
    }
    if (r != 1) {
        snprintf(err, errlen, _("%s: the file is empty or has no header line"), path);
        goto out;
    }
    for (int i = 0; i < csv.nfields; i++) {
        int k;
        for (k = 0; k < NCOLS; k++)
            if (strcmp(csv.fields[i], col_names[k]) == 0) break;
        if (k == NCOLS) {
            snprintf(
                err, errlen,
                _("%s, line %d: unknown column \"%s\" (allowed: indicator, numerator, denominator, value, "
                  "text)"),
                path, csv.line, csv.fields[i]);
            goto out;
        }
        if (col_of[k] >= 0) {
            snprintf(err, errlen, _("%s, line %d: column \"%s\" appears twice"), path, csv.line,
                     col_names[k]);
            goto out;
        }
        col_of[k] = i;
    }
    if (col_of[COL_INDICATOR] < 0) {
        snprintf(err, errlen, _("%s, line %d: the header has no \"indicator\" column"), path, csv.line);
        goto out;
    }

    size_t cap = 0;
    while ((r = th_csv_next(&csv)) == 1) {
        if (csv.fields[0][0] == '#') continue;
        const char *cell[NCOLS];
        for (int k = 0; k < NCOLS; k++)
            cell[k] = (col_of[k] >= 0 && col_of[k] < csv.nfields) ? csv.fields[col_of[k]] : "";
        if (!th_validate_code(cell[COL_INDICATOR])) {
            snprintf(err, errlen, _("%s, line %d, column %s: not a valid indicator code: \"%s\""), path,
                     csv.line, "indicator", cell[COL_INDICATOR]);
            goto out;
        }
        if (out->n == TH_MAX_VALUES) {
            snprintf(err, errlen, _("%s, line %d: more than %d values"), path, csv.line, TH_MAX_VALUES);
            goto out;
        }
        if (out->n == cap) {
            cap = cap ? cap * 2 : 16;
            Tonghop__ResultValue **nv = realloc(out->values, cap * sizeof *nv);
            if (nv) out->values = nv;
            int *nl = realloc(out->lines, cap * sizeof *nl);
            if (nl) out->lines = nl;
            if (!nv || !nl) {
                snprintf(err, errlen, "out of memory");
                goto out;
            }
        }
        Tonghop__ResultValue *v = calloc(1, sizeof *v);
        if (!v) {
            snprintf(err, errlen, "out of memory");
            goto out;
        }
        tonghop__result_value__init(v);
        out->values[out->n] = v;
        out->lines[out->n] = csv.line;
        out->n++;
        v->indicator_code = strdup(cell[COL_INDICATOR]);
        int64_t *dst[] = {NULL, &v->numerator, &v->denominator, &v->value};
        protobuf_c_boolean *has[] = {NULL, &v->has_numerator, &v->has_denominator, &v->has_value};
        for (int k = COL_NUMERATOR; k <= COL_VALUE; k++) {
            if (!cell[k][0]) continue;
            if (parse_count(cell[k], dst[k]) != 0) {
                snprintf(err, errlen, _("%s, line %d, column %s: \"%s\" is not a whole non-negative number"),
                         path, csv.line, col_names[k], cell[k]);
                goto out;
            }
            *has[k] = 1;
        }
        if (cell[COL_TEXT][0]) {
            if (!th_validate_utf8(cell[COL_TEXT])) {
                snprintf(err, errlen, _("%s, line %d, column %s: the text is not UTF-8"), path, csv.line,
                         "text");
                goto out;
            }
            v->text = strdup(cell[COL_TEXT]);
        }
        if (!v->indicator_code || (cell[COL_TEXT][0] && !v->text)) {
            snprintf(err, errlen, "out of memory");
            goto out;
        }
    }
    if (r < 0) {
        snprintf(err, errlen, _("%s, line %d: malformed CSV record"), path, csv.line);
        goto out;
    }
    if (out->n == 0) {
        snprintf(err, errlen, _("%s: no results in the file"), path);
        goto out;
    }
    rc = 0;
out:
    fclose(f);
    if (rc != 0) th_results_fini(out);
    return rc;
}
