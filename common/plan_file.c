/* plan_file.c -- checks of the declarative plan file. */
#include "plan_file.h"

#include <errno.h>
#include <json-c/json.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "period.h"
#include "json_dupkeys.h"
#include "wire.h"

typedef struct check {
    th_verr *err;
    int failed;
} check;

static int fail(check *c, int code, const char *detail, const char *field_fmt, ...)
{
    if (c->failed) return -1;
    c->failed = 1;
    c->err->code = code;
    va_list ap;
    va_start(ap, field_fmt);
    vsnprintf(c->err->field, sizeof c->err->field, field_fmt, ap);
    va_end(ap);
    snprintf(c->err->detail, sizeof c->err->detail, "%s", detail ? detail : "");
    return -1;
}

int th_plan_valid_date(const char *s)
{
    int y, m, d;
    char tail;
    if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-') return 0;
    if (sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3) return 0;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9')) return 0;
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1900 || y > 2200 || m < 1 || m > 12 || d < 1) return 0;
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return d <= mdays[m - 1] + (m == 2 && leap);
}

/* Refuses keys outside allowed[] (NULL-terminated). */
static int only_keys(check *c, json_object *obj, const char *const *allowed, const char *path)
{
    json_object_object_foreach(obj, key, val)
    {
        (void)val;
        int ok = 0;
        for (int i = 0; allowed[i]; i++)
            if (strcmp(key, allowed[i]) == 0) ok = 1;
        if (!ok)
            return fail(c, TONGHOP__ERROR__CODE__UNKNOWN_FIELD, key, "%s%s%s", path, *path ? "." : "", key);
    }
    return 0;
}

/* A required (or optional, may be null) string of 1..maxlen bytes of UTF-8
 * without control characters. Returns the string, or NULL (absent/failed). */
static const char *get_string(check *c, json_object *obj, const char *key, const char *path, int required,
                              size_t maxlen)
{
    json_object *v;
    if (!json_object_object_get_ex(obj, key, &v) || json_object_is_type(v, json_type_null)) {
        if (required)
            fail(c, TONGHOP__ERROR__CODE__MISSING_FIELD, NULL, "%s%s%s", path, *path ? "." : "", key);
        return NULL;
    }
    if (!json_object_is_type(v, json_type_string)) {
        fail(c, TONGHOP__ERROR__CODE__INVALID_VALUE, "text expected", "%s%s%s", path, *path ? "." : "", key);
        return NULL;
    }
    const char *s = json_object_get_string(v);
    size_t n = (size_t)json_object_get_string_len(v);
    int bad = n == 0 || n > maxlen || strlen(s) != n || !th_validate_utf8(s);
    for (size_t i = 0; !bad && i < n; i++)
        if ((unsigned char)s[i] < 0x20 && s[i] != '\n') bad = 1;
    if (bad) {
        fail(c, TONGHOP__ERROR__CODE__INVALID_VALUE,
             n == 0       ? "empty"
             : n > maxlen ? "too long"
                          : "not UTF-8 text",
             "%s%s%s", path, *path ? "." : "", key);
        return NULL;
    }
    return s;
}

static int get_int(check *c, json_object *obj, const char *key, const char *path, int lo, int hi, int *out)
{
    json_object *v;
    if (!json_object_object_get_ex(obj, key, &v) || json_object_is_type(v, json_type_null))
        return fail(c, TONGHOP__ERROR__CODE__MISSING_FIELD, NULL, "%s%s%s", path, *path ? "." : "", key);
    if (!json_object_is_type(v, json_type_int))
        return fail(c, TONGHOP__ERROR__CODE__INVALID_VALUE, "whole number expected", "%s%s%s", path,
                    *path ? "." : "", key);
    int64_t n = json_object_get_int64(v);
    if (n < lo || n > hi) {
        char d[64];
        snprintf(d, sizeof d, "%lld not in %d..%d", (long long)n, lo, hi);
        return fail(c, TONGHOP__ERROR__CODE__INVALID_VALUE, d, "%s%s%s", path, *path ? "." : "", key);
    }
    *out = (int)n;
    return 0;
}

static int get_years(check *c, json_object *obj, const char *path, int *from, int *to)
{
    json_object *y;
    if (!json_object_object_get_ex(obj, "years", &y) || !json_object_is_type(y, json_type_object))
        return fail(c, TONGHOP__ERROR__CODE__MISSING_FIELD, "{\"from\": 2025, \"to\": 2025}", "%s%syears",
                    path, *path ? "." : "");
    char p[160];
    snprintf(p, sizeof p, "%s%syears", path, *path ? "." : "");
    static const char *const keys[] = {"from", "to", NULL};
    if (only_keys(c, y, keys, p) || get_int(c, y, "from", p, TH_PERIOD_YEAR_MIN, TH_PERIOD_YEAR_MAX, from) ||
        get_int(c, y, "to", p, TH_PERIOD_YEAR_MIN, TH_PERIOD_YEAR_MAX, to))
        return -1;
    if (*from > *to) return fail(c, TONGHOP__ERROR__CODE__INVALID_VALUE, "from > to", "%s.to", p);
    return 0;
}

static int one_of(const char *s, const char *const *set)
{
    for (int i = 0; set[i]; i++)
        if (strcmp(s, set[i]) == 0) return 1;
    return 0;
}

typedef struct seen_target {
    const char *indicator;
    int from, to;
} seen_target;

static int check_target(check *c, json_object *t, const char *path, int plan_from, int plan_to,
                        seen_target *seen, size_t nseen)
{
    static const char *const keys[] = {"indicator", "years", "comparator", "value", "text", "source", NULL};
    static const char *const comparators[] = {">=", ">", "=", "<=", NULL};
    if (!json_object_is_type(t, json_type_object))
        return fail(c, TONGHOP__ERROR__CODE__INVALID_VALUE, "object expected", "%s", path);
    if (only_keys(c, t, keys, path)) return -1;
    const char *ind = get_string(c, t, "indicator", path, 1, TH_MAX_CODE);
    if (!ind) return -1;
    if (!th_validate_code(ind))
        return fail(c, TONGHOP__ERROR__CODE__INVALID_VALUE, ind, "%s.indicator", path);
    int from, to;
    if (get_years(c, t, path, &from, &to)) return -1;
    if (from < plan_from || to > plan_to) {
        char d[32];
        snprintf(d, sizeof d, "%d-%d", from, to);
        return fail(c, TONGHOP__ERROR__CODE__OUTSIDE_PLAN_YEARS, d, "%s.years", path);
    }
    json_object *v;
    int has_value = json_object_object_get_ex(t, "value", &v);
    int has_text = json_object_object_get_ex(t, "text", NULL);
    int has_cmp = json_object_object_get_ex(t, "comparator", NULL);
    if (has_text && (has_value || has_cmp))
        return fail(c, TONGHOP__ERROR__CODE__INVALID_VALUE, "text, or comparator and value", "%s", path);
    if (has_text) {
        if (!get_string(c, t, "text", path, 1, 4000)) return -1;
    } else {
        const char *cmp = get_string(c, t, "comparator", path, 1, 2);
        if (!cmp) return -1;
        if (!one_of(cmp, comparators))
            return fail(c, TONGHOP__ERROR__CODE__INVALID_VALUE, ">=, >, =, <=", "%s.comparator", path);
        if (!has_value) return fail(c, TONGHOP__ERROR__CODE__MISSING_FIELD, NULL, "%s.value", path);
        if (!json_object_is_type(v, json_type_int) && !json_object_is_type(v, json_type_double))
            return fail(c, TONGHOP__ERROR__CODE__INVALID_VALUE, "number expected", "%s.value", path);
        double d = json_object_get_double(v);
        if (!isfinite(d) || d < 0 || d > 1e12)
            return fail(c, TONGHOP__ERROR__CODE__INVALID_VALUE, json_object_to_json_string(v), "%s.value",
                        path);
    }
    if (json_object_object_get_ex(t, "source", NULL) && !get_string(c, t, "source", path, 0, 8000)) return -1;
    for (size_t i = 0; i < nseen; i++) {
        if (strcmp(seen[i].indicator, ind) == 0 && from <= seen[i].to && seen[i].from <= to) {
            char d[96];
            snprintf(d, sizeof d, "%s %d-%d / %d-%d", ind, seen[i].from, seen[i].to, from, to);
            return fail(c, TONGHOP__ERROR__CODE__OVERLAPPING_YEARS, d, "%s.years", path);
        }
    }
    seen[nseen].indicator = ind;
    seen[nseen].from = from;
    seen[nseen].to = to;
    return 0;
}

/* Whether obj has key with a value other than null. */
static int has_value(json_object *obj, const char *key)
{
    json_object *v;
    return json_object_object_get_ex(obj, key, &v) && !json_object_is_type(v, json_type_null);
}

/* When a deadline falls: exactly one of "date" (a day) and
 * "days_after_quarter" (N days after each quarter's last day), and the
 * optional "for", the period it is for: a year or a quarter of the plan. */
static int check_deadline_when(check *c, json_object *d, const char *p, int plan_from, int plan_to)
{
    int has_date = has_value(d, "date"), has_days = has_value(d, "days_after_quarter");
    if (has_date && has_days)
        return fail(c, TONGHOP__ERROR__CODE__INVALID_VALUE,
                    "give either date or days_after_quarter, not both", "%s.days_after_quarter", p);
    if (!has_date && !has_days)
        return fail(c, TONGHOP__ERROR__CODE__MISSING_FIELD, "date or days_after_quarter", "%s.date", p);
    if (has_date) {
        const char *date = get_string(c, d, "date", p, 1, 10);
        if (!date) return -1;
        if (!th_plan_valid_date(date))
            return fail(c, TONGHOP__ERROR__CODE__INVALID_VALUE, date, "%s.date", p);
    } else {
        int days;
        if (get_int(c, d, "days_after_quarter", p, 0, 366, &days)) return -1;
    }
    if (has_value(d, "for")) {
        const char *f = get_string(c, d, "for", p, 1, 6);
        th_period per;
        if (!f) return -1;
        if (th_period_parse(f, &per) != 0 || (f[4] == 'q'))
            return fail(c, TONGHOP__ERROR__CODE__INVALID_VALUE, "a year (2025) or a quarter (2025Q3)",
                        "%s.for", p);
        if (per.year < plan_from || per.year > plan_to)
            return fail(c, TONGHOP__ERROR__CODE__INVALID_VALUE, "outside the plan's years", "%s.for", p);
    }
    return 0;
}

static int check_plan(check *c, json_object *root, th_plan_info *info)
{
    static const char *const keys[] = {
        "format", "code",       "revision",        "title",     "issuer_unit", "issuing_body", "issued_on",
        "years",  "implements", "reporting_level", "deadlines", "programmes",  "note",         NULL};
    static const char *const report_levels[] = {"commune", "district", "facility", NULL};
    static const char *const deadline_levels[] = {"commune", "district", "department", "province", NULL};
    if (!json_object_is_type(root, json_type_object))
        return fail(c, TONGHOP__ERROR__CODE__BAD_JSON, "object expected", "");
    if (only_keys(c, root, keys, "")) return -1;
    const char *fmt = get_string(c, root, "format", "", 1, 64);
    if (!fmt) return -1;
    if (strcmp(fmt, TH_PLAN_FORMAT) != 0)
        return fail(c, TONGHOP__ERROR__CODE__INVALID_VALUE, TH_PLAN_FORMAT, "format");
    const char *code = get_string(c, root, "code", "", 1, 64);
    if (!code) return -1;
    if (strchr(code, '\n')) return fail(c, TONGHOP__ERROR__CODE__INVALID_VALUE, "one line", "code");
    snprintf(info->code, sizeof info->code, "%s", code);
    info->revision = 1;
    if (json_object_object_get_ex(root, "revision", NULL) &&
        get_int(c, root, "revision", "", 1, 1000000, &info->revision))
        return -1;
    if (!get_string(c, root, "title", "", 1, 1000)) return -1;
    const char *issuer = get_string(c, root, "issuer_unit", "", 1, TH_MAX_CODE);
    if (!issuer) return -1;
    if (!th_validate_code(issuer)) return fail(c, TONGHOP__ERROR__CODE__INVALID_VALUE, issuer, "issuer_unit");
    snprintf(info->issuer_unit, sizeof info->issuer_unit, "%s", issuer);
    if (!get_string(c, root, "issuing_body", "", 1, 300)) return -1;
    const char *issued = get_string(c, root, "issued_on", "", 0, 10);
    if (c->failed) return -1;
    if (issued && !th_plan_valid_date(issued))
        return fail(c, TONGHOP__ERROR__CODE__INVALID_VALUE, issued, "issued_on");
    int from, to;
    if (get_years(c, root, "", &from, &to)) return -1;
    get_string(c, root, "implements", "", 0, 64);
    get_string(c, root, "note", "", 0, 20000);
    if (c->failed) return -1;
    const char *level = get_string(c, root, "reporting_level", "", 1, 16);
    if (!level) return -1;
    if (!one_of(level, report_levels))
        return fail(c, TONGHOP__ERROR__CODE__INVALID_VALUE, "commune, district, facility", "reporting_level");

    json_object *arr;
    if (json_object_object_get_ex(root, "deadlines", &arr) && !json_object_is_type(arr, json_type_null)) {
        if (!json_object_is_type(arr, json_type_array))
            return fail(c, TONGHOP__ERROR__CODE__INVALID_VALUE, "list expected", "deadlines");
        for (size_t i = 0; i < json_object_array_length(arr); i++) {
            json_object *d = json_object_array_get_idx(arr, i);
            char p[48];
            snprintf(p, sizeof p, "deadlines[%zu]", i);
            static const char *const dkeys[] = {"level", "to", "date", "days_after_quarter", "for", NULL};
            if (!json_object_is_type(d, json_type_object))
                return fail(c, TONGHOP__ERROR__CODE__INVALID_VALUE, "object expected", "%s", p);
            if (only_keys(c, d, dkeys, p)) return -1;
            const char *l = get_string(c, d, "level", p, 1, 16);
            if (!l) return -1;
            if (!one_of(l, deadline_levels))
                return fail(c, TONGHOP__ERROR__CODE__INVALID_VALUE, "commune, district, department, province",
                            "%s.level", p);
            if (!get_string(c, d, "to", p, 1, 300)) return -1;
            if (check_deadline_when(c, d, p, from, to)) return -1;
        }
    }

    if (!json_object_object_get_ex(root, "programmes", &arr) || !json_object_is_type(arr, json_type_array) ||
        json_object_array_length(arr) == 0)
        return fail(c, TONGHOP__ERROR__CODE__MISSING_FIELD, NULL, "programmes");
    size_t total = 0;
    for (size_t i = 0; i < json_object_array_length(arr); i++) {
        json_object *t;
        json_object *g = json_object_array_get_idx(arr, i);
        if (json_object_is_type(g, json_type_object) && json_object_object_get_ex(g, "targets", &t) &&
            json_object_is_type(t, json_type_array))
            total += json_object_array_length(t);
    }
    seen_target *seen = calloc(total + 1, sizeof *seen);
    if (!seen) return fail(c, TONGHOP__ERROR__CODE__INTERNAL, "out of memory", "");
    size_t nseen = 0;
    int rc = 0;
    for (size_t i = 0; i < json_object_array_length(arr) && rc == 0; i++) {
        json_object *g = json_object_array_get_idx(arr, i);
        char p[48];
        snprintf(p, sizeof p, "programmes[%zu]", i);
        static const char *const gkeys[] = {"code", "name", "targets", NULL};
        if (!json_object_is_type(g, json_type_object)) {
            rc = fail(c, TONGHOP__ERROR__CODE__INVALID_VALUE, "object expected", "%s", p);
            break;
        }
        const char *gcode;
        if (only_keys(c, g, gkeys, p) || !(gcode = get_string(c, g, "code", p, 1, TH_MAX_CODE)) ||
            !get_string(c, g, "name", p, 1, 500)) {
            rc = -1;
            break;
        }
        for (size_t j = 0; j < i; j++) {
            json_object *o, *oc;
            o = json_object_array_get_idx(arr, j);
            if (json_object_object_get_ex(o, "code", &oc) && strcmp(json_object_get_string(oc), gcode) == 0) {
                rc = fail(c, TONGHOP__ERROR__CODE__INVALID_VALUE, gcode, "%s.code", p);
                break;
            }
        }
        json_object *targets;
        if (rc == 0 &&
            (!json_object_object_get_ex(g, "targets", &targets) ||
             !json_object_is_type(targets, json_type_array) || json_object_array_length(targets) == 0))
            rc = fail(c, TONGHOP__ERROR__CODE__MISSING_FIELD, NULL, "%s.targets", p);
        for (size_t j = 0; rc == 0 && j < json_object_array_length(targets); j++) {
            char tp[128];
            snprintf(tp, sizeof tp, "%s.targets[%zu]", p, j);
            rc = check_target(c, json_object_array_get_idx(targets, j), tp, from, to, seen, nseen);
            nseen++;
        }
    }
    free(seen);
    return rc;
}

int th_plan_file_check(const char *text, size_t len, th_plan_info *info, char **normalized, th_verr *err)
{
    memset(err, 0, sizeof *err);
    memset(info, 0, sizeof *info);
    *normalized = NULL;
    check c = {err, 0};
    if (len > TH_PLAN_MAX_BYTES) return fail(&c, TONGHOP__ERROR__CODE__TOO_LARGE, NULL, "");
    /* A byte-order mark is skipped; a key written twice is refused (json-c
     * would keep the last one without a word). */
    int unreadable;
    if (th_json_strict_prepare(&text, &len, err, &unreadable) != 0) {
        c.failed = 1;
        return -1;
    }
    json_tokener *tok = json_tokener_new_ex(32);
    if (!tok) return fail(&c, TONGHOP__ERROR__CODE__INTERNAL, "out of memory", "");
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
    json_object *root = json_tokener_parse_ex(tok, text, (int)len);
    enum json_tokener_error jerr = json_tokener_get_error(tok);
    size_t end = json_tokener_get_parse_end(tok);
    /* Only white space may follow the document. */
    size_t k = end;
    while (root && k < len && (text[k] == ' ' || text[k] == '\n' || text[k] == '\r' || text[k] == '\t'))
        k++;
    if (!root || jerr != json_tokener_success || k < len) {
        size_t at = root ? k : end, line = 1, col = 1;
        for (size_t i = 0; i < at && i < len; i++) {
            if (text[i] == '\n') {
                line++;
                col = 1;
            } else if (((unsigned char)text[i] & 0xc0) != 0x80) {
                col++;
            }
        }
        char d[160];
        snprintf(d, sizeof d, "%zu:%zu %s", line, col,
                 jerr == json_tokener_continue  ? "unexpected end of file"
                 : jerr == json_tokener_success ? "text after the end of the plan"
                                                : json_tokener_error_desc(jerr));
        json_object_put(root);
        json_tokener_free(tok);
        return fail(&c, TONGHOP__ERROR__CODE__BAD_JSON, d, "");
    }
    json_tokener_free(tok);
    if (unreadable) {
        /* The scan and json-c disagree on the text: do not guess. */
        json_object_put(root);
        return fail(&c, TONGHOP__ERROR__CODE__BAD_JSON, "cannot be checked for duplicate keys", "");
    }
    int rc = check_plan(&c, root, info);
    if (rc == 0) {
        if (!json_object_object_get_ex(root, "revision", NULL))
            json_object_object_add(root, "revision", json_object_new_int(info->revision));
        const char *s =
            json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
        *normalized = s ? strdup(s) : NULL;
        if (!*normalized) rc = fail(&c, TONGHOP__ERROR__CODE__INTERNAL, "out of memory", "");
    }
    json_object_put(root);
    return rc;
}

int th_plan_file_check_path(const char *path, th_plan_info *info, char **normalized, th_verr *err)
{
    check c = {err, 0};
    memset(err, 0, sizeof *err);
    *normalized = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) return fail(&c, TONGHOP__ERROR__CODE__BAD_JSON, strerror(errno), "");
    char *buf = malloc(TH_PLAN_MAX_BYTES + 1);
    size_t n = buf ? fread(buf, 1, TH_PLAN_MAX_BYTES + 1, f) : 0;
    fclose(f);
    if (!buf) return fail(&c, TONGHOP__ERROR__CODE__INTERNAL, "out of memory", "");
    int rc = th_plan_file_check(buf, n, info, normalized, err);
    free(buf);
    return rc;
}
