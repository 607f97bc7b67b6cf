/* Unit tests: the indicator catalogue file's checks that need no database. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalogue_file.h"

#define HEAD "{\"format\": \"tonghop-catalogue/1\", \"revision\": 2, \"source\": \"Kế hoạch 70/KH-UBND\","
#define CAT(indicators) HEAD " \"indicators\": [" indicators "]}"
#define RATIO(code)                                                                                          \
    "{\"code\": \"" code                                                                                     \
    "\", \"programme\": \"CTXH\", \"name\": \"Tỷ lệ cơ sở có nhân sự công tác xã hội\","     \
    " \"kind\": \"ratio\", \"numerator\": {\"label\": \"Số cơ sở\", \"aggregation\": \"stock\"},"       \
    " \"denominator\": {\"label\": \"Tổng số cơ sở\", \"aggregation\": \"stock\"},"                   \
    " \"description\": \"Mỗi quý báo cáo.\"}"
#define COUNT(code)                                                                                          \
    "{\"code\": \"" code                                                                                     \
    "\", \"programme\": \"SKTT\", \"name\": \"Số hộ được vay vốn\", \"kind\": \"count\","          \
    " \"numerator\": {\"aggregation\": \"flow\"}}"
#define QUAL(code)                                                                                            \
    "{\"code\": \"" code "\", \"programme\": \"CTXH\", \"name\": \"Duy trì đội ngũ cộng tác viên\"," \
    " \"kind\": \"qualitative\"}"

static int check(const char *text, th_verr *err)
{
    th_catalogue_info info;
    char *norm = NULL;
    int rc = th_catalogue_file_check(text, strlen(text), &info, &norm, err);
    if (rc != 0) assert_null(norm);
    free(norm);
    return rc;
}

static void expect(const char *text, int code, const char *field)
{
    th_verr err;
    assert_int_equal(check(text, &err), -1);
    if (err.code != code || strcmp(err.field, field) != 0)
        fail_msg("got %d \"%s\" (%s), wanted %d \"%s\"", err.code, err.field, err.detail, code, field);
}

static void accepts_each_kind(void **state)
{
    (void)state;
    const char *text = CAT(RATIO("CTXH-01") ", " COUNT("SKTT-05") ", " QUAL("CTXH-07"));
    th_catalogue_info info;
    char *norm = NULL;
    th_verr err;
    if (th_catalogue_file_check(text, strlen(text), &info, &norm, &err) != 0)
        fail_msg("%d %s %s", err.code, err.field, err.detail);
    assert_int_equal(info.revision, 2);
    assert_int_equal(info.n_indicators, 3);
    assert_non_null(strstr(norm, "\"revision\":2"));
    assert_non_null(strstr(norm, "\"numerator\":{\"aggregation\":\"flow\"}"));
    assert_non_null(strstr(norm, "Tổng số cơ sở"));
    assert_null(strchr(norm, '\n'));
    /* The normalized form is a catalogue too, and normalizes to itself. */
    th_catalogue_info info2;
    char *norm2 = NULL;
    if (th_catalogue_file_check(norm, strlen(norm), &info2, &norm2, &err) != 0)
        fail_msg("%d %s %s", err.code, err.field, err.detail);
    assert_string_equal(norm, norm2);
    free(norm2);
    free(norm);
}

static void nulls_are_absent(void **state)
{
    (void)state;
    const char *text =
        CAT("{\"code\": \"X-1\", \"programme\": \"P\", \"name\": \"n\", \"kind\": \"count\","
            " \"numerator\": {\"label\": null, \"aggregation\": \"stock\"}, \"denominator\": null,"
            " \"description\": null}");
    th_catalogue_info info;
    char *norm = NULL;
    th_verr err;
    if (th_catalogue_file_check(text, strlen(text), &info, &norm, &err) != 0)
        fail_msg("%d %s %s", err.code, err.field, err.detail);
    assert_null(strstr(norm, "null"));
    assert_null(strstr(norm, "denominator"));
    free(norm);
}

static void accepts_a_byte_order_mark(void **state)
{
    (void)state;
    th_verr err;
    const char *text = "\xef\xbb\xbf" CAT(QUAL("CTXH-07"));
    if (check(text, &err) != 0) fail_msg("%d %s %s", err.code, err.field, err.detail);
    /* Only at the start. */
    expect(" \xef\xbb\xbf" CAT(QUAL("CTXH-07")), TONGHOP__ERROR__CODE__BAD_JSON, "");
}

static void refuses_a_duplicate_code(void **state)
{
    (void)state;
    th_verr err;
    assert_int_equal(check(CAT(RATIO("CTXH-01") "," QUAL("CTXH-07") "," COUNT("CTXH-01")), &err), -1);
    assert_int_equal(err.code, TONGHOP__ERROR__CODE__DUPLICATE_INDICATOR);
    assert_string_equal(err.field, "indicators[2].code");
    assert_string_equal(err.detail, "CTXH-01");
}

static void refuses_each_fault(void **state)
{
    (void)state;
    const int BAD_JSON = TONGHOP__ERROR__CODE__BAD_JSON, INVALID = TONGHOP__ERROR__CODE__INVALID_VALUE,
              MISSING = TONGHOP__ERROR__CODE__MISSING_FIELD, UNKNOWN = TONGHOP__ERROR__CODE__UNKNOWN_FIELD,
              WRONG_KIND = TONGHOP__ERROR__CODE__WRONG_KIND;
    expect("", BAD_JSON, "");
    expect("{\"format\": ", BAD_JSON, "");
    expect("[1, 2]", BAD_JSON, "");
    expect(CAT(QUAL("A")) " trailing", BAD_JSON, "");
    expect("{\"format\": \"tonghop-plan/1\"}", INVALID, "format");
    expect("{\"revision\": 1}", MISSING, "format");
    expect("{\"format\": \"tonghop-catalogue/1\", \"indicators\": []}", MISSING, "revision");
    expect("{\"format\": \"tonghop-catalogue/1\", \"revision\": 0, \"indicators\": []}", INVALID, "revision");
    expect("{\"format\": \"tonghop-catalogue/1\", \"revision\": 1000001}", INVALID, "revision");
    expect("{\"format\": \"tonghop-catalogue/1\", \"revision\": 1.5}", INVALID, "revision");
    expect("{\"format\": \"tonghop-catalogue/1\", \"revision\": \"2\"}", INVALID, "revision");
    expect("{\"format\": \"tonghop-catalogue/1\", \"revison\": 2}", UNKNOWN, "revison");
    expect(HEAD " \"indicators\": []}", MISSING, "indicators");
    expect(HEAD " \"indicators\": {}}", INVALID, "indicators");
    expect("{\"format\": \"tonghop-catalogue/1\", \"revision\": 2, \"source\": 5, \"indicators\": []}",
           INVALID, "source");
    expect(CAT("\"CTXH-01\""), INVALID, "indicators[0]");
    expect(CAT(QUAL("A") ", {\"code\": \"B\", \"nme\": \"x\"}"), UNKNOWN, "indicators[1].nme");
    expect(CAT("{\"programme\": \"P\", \"name\": \"n\", \"kind\": \"qualitative\"}"), MISSING,
           "indicators[0].code");
    expect(CAT(QUAL("CTXH 01")), INVALID, "indicators[0].code");
    expect(CAT(QUAL("CTXH-01-AAAAAAAAAAAAAAAAAAAAAAAAAAAAA")), INVALID, "indicators[0].code");
    expect(CAT("{\"code\": \"A\", \"programme\": \"C T\", \"name\": \"n\", \"kind\": \"qualitative\"}"),
           INVALID, "indicators[0].programme");
    expect(CAT("{\"code\": \"A\", \"programme\": \"P\", \"kind\": \"qualitative\"}"), MISSING,
           "indicators[0].name");
    expect(CAT("{\"code\": \"A\", \"programme\": \"P\", \"name\": \"\", \"kind\": \"qualitative\"}"), INVALID,
           "indicators[0].name");
    expect(CAT("{\"code\": \"A\", \"programme\": \"P\", \"name\": \"a\\nb\", \"kind\": \"qualitative\"}"),
           INVALID, "indicators[0].name");
    expect(CAT("{\"code\": \"A\", \"programme\": \"P\", \"name\": \"a\\u0001b\", \"kind\": \"qualitative\"}"),
           INVALID, "indicators[0].name");
    expect(CAT("{\"code\": \"A\", \"programme\": \"P\", \"name\": \"\xc3\x28\", \"kind\": \"qualitative\"}"),
           INVALID, "indicators[0].name");
    expect(CAT("{\"code\": \"A\", \"programme\": \"P\", \"name\": \"n\", \"kind\": \"percent\"}"), INVALID,
           "indicators[0].kind");
    expect(CAT("{\"code\": \"A\", \"programme\": \"P\", \"name\": \"n\"}"), MISSING, "indicators[0].kind");
    /* Components must match the kind. */
    expect(
        CAT(QUAL("A") "," QUAL("B") "," QUAL("C") ","
                                                  "{\"code\": \"D\", \"programme\": \"P\", \"name\": \"n\", "
                                                  "\"kind\": \"ratio\","
                                                  " \"numerator\": {\"aggregation\": \"stock\"}}"),
        WRONG_KIND, "indicators[3].denominator");
    expect(CAT("{\"code\": \"A\", \"programme\": \"P\", \"name\": \"n\", \"kind\": \"count\"}"), WRONG_KIND,
           "indicators[0].numerator");
    expect(CAT("{\"code\": \"A\", \"programme\": \"P\", \"name\": \"n\", \"kind\": \"count\","
               " \"numerator\": {\"aggregation\": \"flow\"}, \"denominator\": {\"aggregation\": \"flow\"}}"),
           WRONG_KIND, "indicators[0].denominator");
    expect(CAT("{\"code\": \"A\", \"programme\": \"P\", \"name\": \"n\", \"kind\": \"qualitative\","
               " \"numerator\": {\"aggregation\": \"flow\"}}"),
           WRONG_KIND, "indicators[0].numerator");
    expect(
        CAT(QUAL("A") "," QUAL("B") "," QUAL("C") ","
                                                  "{\"code\": \"D\", \"programme\": \"P\", \"name\": \"n\", "
                                                  "\"kind\": \"ratio\","
                                                  " \"numerator\": {\"aggregation\": \"stock\"},"
                                                  " \"denominator\": {\"aggregation\": \"sum\"}}"),
        INVALID, "indicators[3].denominator.aggregation");
    expect(CAT("{\"code\": \"A\", \"programme\": \"P\", \"name\": \"n\", \"kind\": \"count\","
               " \"numerator\": {\"label\": \"x\"}}"),
           MISSING, "indicators[0].numerator.aggregation");
    expect(CAT("{\"code\": \"A\", \"programme\": \"P\", \"name\": \"n\", \"kind\": \"count\","
               " \"numerator\": {\"label\": \"x\", \"agg\": \"flow\"}}"),
           UNKNOWN, "indicators[0].numerator.agg");
    expect(CAT("{\"code\": \"A\", \"programme\": \"P\", \"name\": \"n\", \"kind\": \"count\","
               " \"numerator\": {\"label\": 1, \"aggregation\": \"flow\"}}"),
           INVALID, "indicators[0].numerator.label");
    expect(CAT("{\"code\": \"A\", \"programme\": \"P\", \"name\": \"n\", \"kind\": \"count\","
               " \"numerator\": \"flow\"}"),
           INVALID, "indicators[0].numerator");
    expect(CAT("{\"code\": \"A\", \"programme\": \"P\", \"name\": \"n\", \"kind\": \"qualitative\","
               " \"description\": []}"),
           INVALID, "indicators[0].description");
}

/* Texts longer than their bounds; more indicators than allowed. */
static void refuses_what_is_too_long(void **state)
{
    (void)state;
    th_verr err;
    char *buf = malloc(TH_CATALOGUE_MAX_BYTES + 64);
    assert_non_null(buf);
    /* A name of 1000 bytes passes, 1001 do not. */
    for (int extra = 0; extra < 2; extra++) {
        int n = snprintf(buf, 512, "%s",
                         HEAD " \"indicators\": [{\"code\": \"A\", \"programme\": \"P\", \"name\": \"");
        memset(buf + n, 'x', (size_t)(1000 + extra));
        snprintf(buf + n + 1000 + extra, 64, "\", \"kind\": \"qualitative\"}]}");
        if (extra)
            expect(buf, TONGHOP__ERROR__CODE__INVALID_VALUE, "indicators[0].name");
        else
            assert_int_equal(check(buf, &err), 0);
    }
    /* A description of 4001 bytes. */
    int n = snprintf(buf, 512, "%s",
                     HEAD " \"indicators\": [{\"code\": \"A\", \"programme\": \"P\", \"name\": \"n\","
                          " \"kind\": \"qualitative\", \"description\": \"");
    memset(buf + n, 'x', 4001);
    snprintf(buf + n + 4001, 64, "\"}]}");
    expect(buf, TONGHOP__ERROR__CODE__INVALID_VALUE, "indicators[0].description");
    /* 1001 indicators. */
    size_t len = (size_t)snprintf(buf, 512, "%s", HEAD " \"indicators\": [");
    for (int i = 0; i < 1001; i++)
        len += (size_t)snprintf(buf + len, 256,
                                "%s{\"code\": \"I%d\", \"programme\": \"P\", \"name\": \"n\", "
                                "\"kind\": \"qualitative\"}",
                                i ? "," : "", i);
    snprintf(buf + len, 8, "]}");
    expect(buf, TONGHOP__ERROR__CODE__TOO_LARGE, "indicators");
    /* More bytes than the bound, whatever they are. */
    memset(buf, ' ', TH_CATALOGUE_MAX_BYTES + 1);
    th_catalogue_info info;
    char *norm = NULL;
    assert_int_equal(th_catalogue_file_check(buf, TH_CATALOGUE_MAX_BYTES + 1, &info, &norm, &err), -1);
    assert_int_equal(err.code, TONGHOP__ERROR__CODE__TOO_LARGE);
    free(buf);
}

static void the_shipped_catalogue_passes(void **state)
{
    (void)state;
    const char *src = getenv("TH_SRC_DIR");
    if (!src) skip();
    char path[1024];
    snprintf(path, sizeof path, "%s/deploy/data/indicator-catalogue.json", src);
    th_catalogue_info info;
    char *norm = NULL;
    th_verr err;
    if (th_catalogue_file_check_path(path, &info, &norm, &err) != 0)
        fail_msg("%s: %d %s %s", path, err.code, err.field, err.detail);
    assert_int_equal(info.n_indicators, 19);
    assert_int_equal(info.revision, 1);
    assert_non_null(strstr(norm, "\"code\":\"CTXH-01\""));
    assert_non_null(strstr(norm, "\"code\":\"SKTT-11\""));
    free(norm);
}

static void a_missing_file_is_named(void **state)
{
    (void)state;
    th_catalogue_info info;
    char *norm = NULL;
    th_verr err;
    assert_int_equal(th_catalogue_file_check_path("/nonexistent/catalogue.json", &info, &norm, &err), -1);
    assert_int_equal(err.code, TONGHOP__ERROR__CODE__BAD_JSON);
    assert_null(norm);
    assert_true(err.detail[0] != '\0');
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(accepts_each_kind),
                                       cmocka_unit_test(nulls_are_absent),
                                       cmocka_unit_test(accepts_a_byte_order_mark),
                                       cmocka_unit_test(refuses_a_duplicate_code),
                                       cmocka_unit_test(refuses_each_fault),
                                       cmocka_unit_test(refuses_what_is_too_long),
                                       cmocka_unit_test(the_shipped_catalogue_passes),
                                       cmocka_unit_test(a_missing_file_is_named)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
