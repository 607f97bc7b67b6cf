/* validate.c -- structural checks of a submission. */
#include "validate.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int fail(th_verr *err, int code, const char *detail, const char *field_fmt, ...)
{
    err->code = code;
    va_list ap;
    va_start(ap, field_fmt);
    vsnprintf(err->field, sizeof err->field, field_fmt, ap);
    va_end(ap);
    snprintf(err->detail, sizeof err->detail, "%s", detail ? detail : "");
    return -1;
}

int th_validate_code(const char *code)
{
    if (!code) return 0;
    size_t n = strlen(code);
    if (n == 0 || n > TH_MAX_CODE) return 0;
    for (size_t i = 0; i < n; i++) {
        char c = code[i];
        int ok = (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '.' ||
                 c == '_' || c == '-';
        if (!ok) return 0;
    }
    return 1;
}

int th_validate_uuid(const char *text)
{
    if (!text || strlen(text) != 36) return 0;
    for (int i = 0; i < 36; i++) {
        char c = text[i];
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (c != '-') return 0;
        } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
            return 0;
        }
    }
    return 1;
}

int th_validate_utf8_n(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + len;
    while (p < end) {
        unsigned c = *p;
        int n = c < 0x80 ? 0 : (c >> 5) == 0x6 ? 1 : (c >> 4) == 0xe ? 2 : (c >> 3) == 0x1e ? 3 : -1;
        if (n < 0 || end - p <= n) return 0;
        unsigned cp = n == 0 ? c : n == 1 ? (c & 0x1f) : n == 2 ? (c & 0x0f) : (c & 0x07);
        for (int i = 1; i <= n; i++) {
            if ((p[i] & 0xc0) != 0x80) return 0;
            cp = (cp << 6) | (p[i] & 0x3f);
        }
        /* No overlong forms, surrogates or code points past U+10FFFF. */
        if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
            (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
            return 0;
        p += n + 1;
    }
    return 1;
}

int th_validate_blank(const char *s) { return !s || s[strspn(s, " \t\r\n\v\f")] == '\0'; }

int th_validate_utf8(const char *s) { return s ? th_validate_utf8_n(s, strlen(s)) : 0; }

/* A short, printable rendering of a client-supplied string for an error
 * detail: never echo unbounded or binary input back. */
static const char *shown(const char *s, char *buf, size_t size)
{
    size_t j = 0;
    for (size_t i = 0; s && s[i] && j + 1 < size; i++)
        buf[j++] = ((unsigned char)s[i] < 0x20) ? '?' : s[i];
    buf[j] = '\0';
    return buf;
}

int th_validate_submission(const Tonghop__Submission *s, int today_year, int today_month, th_period *period,
                           th_verr *err)
{
    char buf[40];
    memset(err, 0, sizeof *err);
    if (!s->submission_id || !*s->submission_id)
        return fail(err, TONGHOP__ERROR__CODE__MISSING_FIELD, NULL, "submission_id");
    if (!th_validate_uuid(s->submission_id))
        return fail(err, TONGHOP__ERROR__CODE__INVALID_VALUE, shown(s->submission_id, buf, sizeof buf),
                    "submission_id");
    if (!s->unit_code || !*s->unit_code)
        return fail(err, TONGHOP__ERROR__CODE__MISSING_FIELD, NULL, "unit_code");
    if (!th_validate_code(s->unit_code))
        return fail(err, TONGHOP__ERROR__CODE__INVALID_VALUE, shown(s->unit_code, buf, sizeof buf),
                    "unit_code");
    if (!s->period || !*s->period) return fail(err, TONGHOP__ERROR__CODE__MISSING_FIELD, NULL, "period");
    if (th_period_parse(s->period, period) != 0 || !th_period_is_quarter(period))
        return fail(err, TONGHOP__ERROR__CODE__BAD_PERIOD, shown(s->period, buf, sizeof buf), "period");
    if (today_year && !th_period_started(period, today_year, today_month))
        return fail(err, TONGHOP__ERROR__CODE__BAD_PERIOD, s->period, "period");
    /* The client's clock, kept for the history: 2000..2100 or refused
     * (PostgreSQL would reject it anyway, and late, for the whole batch). */
    if (s->has_created_at && (s->created_at < 946684800LL || s->created_at >= 4102444800LL))
        return fail(err, TONGHOP__ERROR__CODE__INVALID_VALUE, NULL, "created_at");
    if (s->plan_code && strlen(s->plan_code) > 64)
        return fail(err, TONGHOP__ERROR__CODE__TOO_LARGE, NULL, "plan_code");
    if (s->plan_code && !th_validate_utf8(s->plan_code))
        return fail(err, TONGHOP__ERROR__CODE__INVALID_VALUE, NULL, "plan_code");
    if (s->n_values == 0) return fail(err, TONGHOP__ERROR__CODE__MISSING_FIELD, NULL, "values");
    if (s->n_values > TH_MAX_VALUES) return fail(err, TONGHOP__ERROR__CODE__TOO_LARGE, NULL, "values");

    for (size_t i = 0; i < s->n_values; i++) {
        const Tonghop__ResultValue *v = s->values[i];
        if (!v->indicator_code || !*v->indicator_code)
            return fail(err, TONGHOP__ERROR__CODE__MISSING_FIELD, NULL, "values[%zu].indicator_code", i);
        if (!th_validate_code(v->indicator_code))
            return fail(err, TONGHOP__ERROR__CODE__INVALID_VALUE, shown(v->indicator_code, buf, sizeof buf),
                        "values[%zu].indicator_code", i);
        for (size_t j = 0; j < i; j++)
            if (strcmp(s->values[j]->indicator_code, v->indicator_code) == 0)
                return fail(err, TONGHOP__ERROR__CODE__DUPLICATE_INDICATOR, v->indicator_code,
                            "values[%zu].indicator_code", i);
        int forms = (v->has_numerator || v->has_denominator) + v->has_value + (v->text != NULL);
        if (forms == 0)
            return fail(err, TONGHOP__ERROR__CODE__MISSING_FIELD, v->indicator_code, "values[%zu]", i);
        if (forms > 1)
            return fail(err, TONGHOP__ERROR__CODE__INVALID_VALUE, v->indicator_code, "values[%zu]", i);
        if (v->has_numerator != v->has_denominator)
            return fail(err, TONGHOP__ERROR__CODE__MISSING_FIELD, v->indicator_code,
                        v->has_numerator ? "values[%zu].denominator" : "values[%zu].numerator", i);
        if (v->has_numerator && v->numerator < 0)
            return fail(err, TONGHOP__ERROR__CODE__NEGATIVE_VALUE, v->indicator_code, "values[%zu].numerator",
                        i);
        if (v->has_denominator && v->denominator < 0)
            return fail(err, TONGHOP__ERROR__CODE__NEGATIVE_VALUE, v->indicator_code,
                        "values[%zu].denominator", i);
        if (v->has_value && v->value < 0)
            return fail(err, TONGHOP__ERROR__CODE__NEGATIVE_VALUE, v->indicator_code, "values[%zu].value", i);
        if (v->has_numerator && v->numerator > TH_MAX_NUMBER)
            return fail(err, TONGHOP__ERROR__CODE__INVALID_VALUE, TH_DETAIL_ABOVE_MAX,
                        "values[%zu].numerator", i);
        if (v->has_denominator && v->denominator > TH_MAX_NUMBER)
            return fail(err, TONGHOP__ERROR__CODE__INVALID_VALUE, TH_DETAIL_ABOVE_MAX,
                        "values[%zu].denominator", i);
        if (v->has_value && v->value > TH_MAX_NUMBER)
            return fail(err, TONGHOP__ERROR__CODE__INVALID_VALUE, TH_DETAIL_ABOVE_MAX, "values[%zu].value",
                        i);
        if (v->has_numerator && v->numerator > v->denominator)
            return fail(err, TONGHOP__ERROR__CODE__NUMERATOR_EXCEEDS_DENOMINATOR, v->indicator_code,
                        "values[%zu].numerator", i);
        if (v->text && (strlen(v->text) == 0 || strlen(v->text) > TH_MAX_TEXT))
            return fail(
                err, strlen(v->text) ? TONGHOP__ERROR__CODE__TOO_LARGE : TONGHOP__ERROR__CODE__MISSING_FIELD,
                v->indicator_code, "values[%zu].text", i);
        if (v->text && !th_validate_utf8(v->text))
            return fail(err, TONGHOP__ERROR__CODE__INVALID_VALUE, v->indicator_code, "values[%zu].text", i);
    }
    return 0;
}

char *th_utf8_trim(char *s)
{
    size_t n = strlen(s), i = n, cont = 0;
    /* Back over at most three continuation bytes to the lead byte. */
    while (i > 0 && cont < 3 && ((unsigned char)s[i - 1] & 0xC0) == 0x80) {
        i--;
        cont++;
    }
    if (i == 0) return s;
    unsigned char lead = (unsigned char)s[i - 1];
    size_t want = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
    if (want > 1 && cont + 1 < want) s[i - 1] = '\0'; /* incomplete: cut at its lead byte */
    return s;
}
