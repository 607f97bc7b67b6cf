/* catalogue_file.c -- checks of the indicator catalogue file. */
#include "catalogue_file.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_dupkeys.h"
#include "wire.h"

#define MAX_NAME 1000
#define MAX_TEXT 4000

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

#define SEP(path) (*(path) ? "." : "")

/* Refuses keys outside allowed[] (NULL-terminated). */
static int only_keys(check *c, json_object *obj, const char *const *allowed, const char *path)
{
    json_object_object_foreach(obj, key, val)
    {
        (void)val;
        int ok = 0;
        for (int i = 0; allowed[i]; i++)
            if (strcmp(key, allowed[i]) == 0) ok = 1;
        if (!ok) return fail(c, TONGHOP__ERROR__CODE__UNKNOWN_FIELD, key, "%s%s%s", path, SEP(path), key);
    }
    return 0;
}

static int present(json_object *obj, const char *key, json_object **v)
{
    json_object *x;
    if (!json_object_object_get_ex(obj, key, &x) || json_object_is_type(x, json_type_null)) return 0;
    if (v) *v = x;
    return 1;
}

/* A required (or optional: absent or null) string of 1..maxlen bytes of
 * UTF-8 without control characters (a line break is allowed when multiline).
 * Returns the string, or NULL (absent or failed: see c->failed). */
static const char *get_string(check *c, json_object *obj, const char *key, const char *path, int required,
                              size_t maxlen, int multiline)
{
    json_object *v;
    if (!present(obj, key, &v)) {
        if (required) fail(c, TONGHOP__ERROR__CODE__MISSING_FIELD, NULL, "%s%s%s", path, SEP(path), key);
        return NULL;
    }
    if (!json_object_is_type(v, json_type_string)) {
        fail(c, TONGHOP__ERROR__CODE__INVALID_VALUE, "text expected", "%s%s%s", path, SEP(path), key);
        return NULL;
    }
    const char *s = json_object_get_string(v);
    size_t n = (size_t)json_object_get_string_len(v);
    int bad = n == 0 || n > maxlen || strlen(s) != n || !th_validate_utf8(s);
    for (size_t i = 0; !bad && i < n; i++)
        if (((unsigned char)s[i] < 0x20 && !(multiline && s[i] == '\n')) || s[i] == 0x7f) bad = 1;
    if (bad) {
        fail(c, TONGHOP__ERROR__CODE__INVALID_VALUE,
             n == 0       ? "empty"
             : n > maxlen ? "too long"
                          : "not UTF-8 text",
             "%s%s%s", path, SEP(path), key);
        return NULL;
    }
    return s;
}

static int get_int(check *c, json_object *obj, const char *key, const char *path, int lo, int hi, int *out)
{
    json_object *v;
    if (!present(obj, key, &v))
        return fail(c, TONGHOP__ERROR__CODE__MISSING_FIELD, NULL, "%s%s%s", path, SEP(path), key);
    if (!json_object_is_type(v, json_type_int))
        return fail(c, TONGHOP__ERROR__CODE__INVALID_VALUE, "whole number expected", "%s%s%s", path,
                    SEP(path), key);
    int64_t n = json_object_get_int64(v);
    if (n < lo || n > hi) {
        char d[64];
        snprintf(d, sizeof d, "%lld not in %d..%d", (long long)n, lo, hi);
        return fail(c, TONGHOP__ERROR__CODE__INVALID_VALUE, d, "%s%s%s", path, SEP(path), key);
    }
    *out = (int)n;
    return 0;
}

static int one_of(const char *s, const char *const *set)
{
    for (int i = 0; set[i]; i++)
        if (strcmp(s, set[i]) == 0) return 1;
    return 0;
}

/* Adds key: s to out when s is not NULL. Returns -1 when out of memory. */
static int put_string(check *c, json_object *out, const char *key, const char *s)
{
    if (!s) return 0;
    json_object *v = json_object_new_string(s);
    if (!v || json_object_object_add(out, key, v) != 0) {
        json_object_put(v);
        return fail(c, TONGHOP__ERROR__CODE__INTERNAL, "out of memory", "");
    }
    return 0;
}

static int put(check *c, json_object *out, const char *key, json_object *v)
{
    if (!v || json_object_object_add(out, key, v) != 0) {
        json_object_put(v);
        return fail(c, TONGHOP__ERROR__CODE__INTERNAL, "out of memory", "");
    }
    return 0;
}

/* The numerator or denominator of indicator ind (at path), which kind wants
 * (want) or not. Adds its normalized form to out. */
static int check_component(check *c, json_object *ind, const char *key, const char *path, int want,
                           const char *kind, json_object *out)
{
    static const char *const keys[] = {"label", "aggregation", NULL};
    static const char *const aggregations[] = {"flow", "stock", NULL};
    json_object *v;
    int has = present(ind, key, &v);
    if (has != want) return fail(c, TONGHOP__ERROR__CODE__WRONG_KIND, kind, "%s.%s", path, key);
    if (!has) return 0;
    char p[96];
    snprintf(p, sizeof p, "%s.%s", path, key);
    if (!json_object_is_type(v, json_type_object))
        return fail(c, TONGHOP__ERROR__CODE__INVALID_VALUE, "object expected", "%s", p);
    if (only_keys(c, v, keys, p)) return -1;
    const char *label = get_string(c, v, "label", p, 0, MAX_TEXT, 1);
    if (c->failed) return -1;
    const char *agg = get_string(c, v, "aggregation", p, 1, 16, 0);
    if (!agg) return -1;
    if (!one_of(agg, aggregations))
        return fail(c, TONGHOP__ERROR__CODE__INVALID_VALUE, "flow, stock", "%s.aggregation", p);
    json_object *o = json_object_new_object();
    if (!o) return fail(c, TONGHOP__ERROR__CODE__INTERNAL, "out of memory", "");
    if (put_string(c, o, "label", label) || put_string(c, o, "aggregation", agg)) {
        json_object_put(o);
        return -1;
    }
    return put(c, out, key, o);
}

static int check_indicator(check *c, json_object *ind, const char *path, const char **codes, size_t ncodes,
                           json_object *out)
{
    static const char *const keys[] = {"code",      "programme",   "name",        "kind",
                                       "numerator", "denominator", "description", NULL};
    static const char *const kinds[] = {"ratio", "count", "qualitative", NULL};
    if (!json_object_is_type(ind, json_type_object))
        return fail(c, TONGHOP__ERROR__CODE__INVALID_VALUE, "object expected", "%s", path);
    if (only_keys(c, ind, keys, path)) return -1;
    const char *code = get_string(c, ind, "code", path, 1, TH_MAX_CODE, 0);
    if (!code) return -1;
    if (!th_validate_code(code)) return fail(c, TONGHOP__ERROR__CODE__INVALID_VALUE, code, "%s.code", path);
    for (size_t i = 0; i < ncodes; i++)
        if (strcmp(codes[i], code) == 0)
            return fail(c, TONGHOP__ERROR__CODE__DUPLICATE_INDICATOR, code, "%s.code", path);
    codes[ncodes] = code;
    const char *prog = get_string(c, ind, "programme", path, 1, TH_MAX_CODE, 0);
    if (!prog) return -1;
    if (!th_validate_code(prog))
        return fail(c, TONGHOP__ERROR__CODE__INVALID_VALUE, prog, "%s.programme", path);
    const char *name = get_string(c, ind, "name", path, 1, MAX_NAME, 0);
    if (!name) return -1;
    const char *kind = get_string(c, ind, "kind", path, 1, 16, 0);
    if (!kind) return -1;
    if (!one_of(kind, kinds))
        return fail(c, TONGHOP__ERROR__CODE__INVALID_VALUE, "ratio, count, qualitative", "%s.kind", path);
    if (put_string(c, out, "code", code) || put_string(c, out, "programme", prog) ||
        put_string(c, out, "name", name) || put_string(c, out, "kind", kind))
        return -1;
    int is_ratio = strcmp(kind, "ratio") == 0, is_count = strcmp(kind, "count") == 0;
    if (check_component(c, ind, "numerator", path, is_ratio || is_count, kind, out) ||
        check_component(c, ind, "denominator", path, is_ratio, kind, out))
        return -1;
    const char *desc = get_string(c, ind, "description", path, 0, MAX_TEXT, 1);
    if (c->failed) return -1;
    return put_string(c, out, "description", desc);
}

static int check_catalogue(check *c, json_object *root, th_catalogue_info *info, json_object *out)
{
    static const char *const keys[] = {"format", "revision", "source", "indicators", NULL};
    if (!json_object_is_type(root, json_type_object))
        return fail(c, TONGHOP__ERROR__CODE__BAD_JSON, "object expected", "");
    if (only_keys(c, root, keys, "")) return -1;
    const char *fmt = get_string(c, root, "format", "", 1, 64, 0);
    if (!fmt) return -1;
    if (strcmp(fmt, TH_CATALOGUE_FORMAT) != 0)
        return fail(c, TONGHOP__ERROR__CODE__INVALID_VALUE, TH_CATALOGUE_FORMAT, "format");
    if (get_int(c, root, "revision", "", 1, TH_CATALOGUE_MAX_REVISION, &info->revision)) return -1;
    const char *source = get_string(c, root, "source", "", 0, MAX_TEXT, 1);
    if (c->failed) return -1;
    if (put_string(c, out, "format", fmt) || put(c, out, "revision", json_object_new_int(info->revision)) ||
        put_string(c, out, "source", source))
        return -1;

    json_object *arr;
    if (!present(root, "indicators", &arr))
        return fail(c, TONGHOP__ERROR__CODE__MISSING_FIELD, NULL, "indicators");
    if (!json_object_is_type(arr, json_type_array))
        return fail(c, TONGHOP__ERROR__CODE__INVALID_VALUE, "list expected", "indicators");
    size_t n = json_object_array_length(arr);
    if (n == 0) return fail(c, TONGHOP__ERROR__CODE__MISSING_FIELD, NULL, "indicators");
    if (n > TH_CATALOGUE_MAX_INDICATORS) {
        char d[64];
        snprintf(d, sizeof d, "%zu > %d", n, TH_CATALOGUE_MAX_INDICATORS);
        return fail(c, TONGHOP__ERROR__CODE__TOO_LARGE, d, "indicators");
    }
    json_object *list = json_object_new_array();
    if (put(c, out, "indicators", list)) return -1;
    const char **codes = calloc(n, sizeof *codes);
    if (!codes) return fail(c, TONGHOP__ERROR__CODE__INTERNAL, "out of memory", "");
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        char p[48];
        snprintf(p, sizeof p, "indicators[%zu]", i);
        json_object *o = json_object_new_object();
        if (!o || json_object_array_add(list, o) != 0) {
            json_object_put(o);
            rc = fail(c, TONGHOP__ERROR__CODE__INTERNAL, "out of memory", "");
            break;
        }
        rc = check_indicator(c, json_object_array_get_idx(arr, i), p, codes, i, o);
    }
    free(codes);
    if (rc == 0) info->n_indicators = (int)n;
    return rc;
}

int th_catalogue_file_check(const char *text, size_t len, th_catalogue_info *info, char **normalized,
                            th_verr *err)
{
    memset(err, 0, sizeof *err);
    memset(info, 0, sizeof *info);
    *normalized = NULL;
    check c = {err, 0};
    if (len > TH_CATALOGUE_MAX_BYTES) return fail(&c, TONGHOP__ERROR__CODE__TOO_LARGE, NULL, "");
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
                 : jerr == json_tokener_success ? "text after the end of the catalogue"
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
    json_object *out = json_object_new_object();
    int rc = out ? check_catalogue(&c, root, info, out)
                 : fail(&c, TONGHOP__ERROR__CODE__INTERNAL, "out of memory", "");
    if (rc == 0) {
        const char *s =
            json_object_to_json_string_ext(out, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
        *normalized = s ? strdup(s) : NULL;
        if (!*normalized) rc = fail(&c, TONGHOP__ERROR__CODE__INTERNAL, "out of memory", "");
    }
    if (rc != 0) memset(info, 0, sizeof *info);
    json_object_put(out);
    json_object_put(root);
    return rc;
}

int th_catalogue_file_check_path(const char *path, th_catalogue_info *info, char **normalized, th_verr *err)
{
    check c = {err, 0};
    memset(err, 0, sizeof *err);
    memset(info, 0, sizeof *info);
    *normalized = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) return fail(&c, TONGHOP__ERROR__CODE__BAD_JSON, strerror(errno), "");
    char *buf = malloc(TH_CATALOGUE_MAX_BYTES + 1);
    size_t n = buf ? fread(buf, 1, TH_CATALOGUE_MAX_BYTES + 1, f) : 0;
    int rd_err = ferror(f) ? errno : 0;
    fclose(f);
    if (!buf) return fail(&c, TONGHOP__ERROR__CODE__INTERNAL, "out of memory", "");
    if (rd_err) {
        free(buf);
        return fail(&c, TONGHOP__ERROR__CODE__BAD_JSON, strerror(rd_err), "");
    }
    int rc = th_catalogue_file_check(buf, n, info, normalized, err);
    free(buf);
    return rc;
}
