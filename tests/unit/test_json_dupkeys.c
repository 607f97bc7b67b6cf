/* Unit tests: the scan for repeated keys in JSON text, and the plan and
 * catalogue files that use it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "catalogue_file.h"
#include "json_dupkeys.h"
#include "plan_file.h"
#include "wire.h"

static int scan(const char *text, th_json_dup *dup)
{
    return th_json_find_duplicate_key(text, strlen(text), dup);
}

static void expect_dup(const char *text, const char *path, const char *key)
{
    th_json_dup dup;
    int rc = scan(text, &dup);
    if (rc != TH_JSON_DUPLICATE) fail_msg("%s: got %d, wanted a duplicate", text, rc);
    if (strcmp(dup.path, path) != 0 || strcmp(dup.key, key) != 0)
        fail_msg("%s: got \"%s\" / \"%s\", wanted \"%s\" / \"%s\"", text, dup.path, dup.key, path, key);
}

static void expect_rc(const char *text, int want)
{
    th_json_dup dup;
    int rc = scan(text, &dup);
    if (rc != want) fail_msg("%s: got %d, wanted %d", text, rc, want);
}

static void distinct_keys_pass(void **state)
{
    (void)state;
    expect_rc("{}", TH_JSON_UNIQUE);
    expect_rc("[]", TH_JSON_UNIQUE);
    expect_rc("  {\"a\": 1, \"b\": [1, 2.5e3, -1, true, false, null], \"A\": {\"a\": \"x\"}}\r\n",
              TH_JSON_UNIQUE);
    /* The same key in different objects, or as a value, is no repeat. */
    expect_rc("[{\"a\": 1}, {\"a\": 2}]", TH_JSON_UNIQUE);
    expect_rc("{\"a\": {\"a\": {\"a\": \"a\"}}}", TH_JSON_UNIQUE);
    expect_rc("{\"a\": \"b\", \"b\": \"a\"}", TH_JSON_UNIQUE);
    expect_rc("{\"code\": \"x\", \"codes\": \"y\", \"cod\": \"z\", \"\": 1}", TH_JSON_UNIQUE);
    expect_rc("\"text\"", TH_JSON_UNIQUE);
    expect_rc("42", TH_JSON_UNIQUE);
}

static void repeated_keys_are_named_by_path(void **state)
{
    (void)state;
    expect_dup("{\"a\": 1, \"a\": 2}", "a", "a");
    expect_dup("{\"programmes\": [{\"code\": \"CTXH\", \"targets\": [{\"value\": 1},"
               " {\"indicator\": \"CTXH-02\", \"value\": 30, \"comparator\": \">=\", \"value\": 50}]}]}",
               "programmes[0].targets[1].value", "value");
    expect_dup("[1, [2, {\"x\": {\"k\": 1, \"j\": 2, \"k\": 3}}]]", "[1][1].x.k", "k");
    /* The first repeat in the text's order, even inside a later object. */
    expect_dup("{\"x\": {\"b\": 1, \"b\": 2}, \"a\": 1, \"a\": 2}", "x.b", "b");
    expect_dup("{\"a\": 1, \"x\": {\"b\": 1, \"b\": 2}, \"a\": 2}", "x.b", "b");
    expect_dup("{\"a\": 1, \"a\": {\"b\": 1, \"b\": 2}}", "a", "a");
    /* Vietnamese keys stay readable. */
    expect_dup("{\"chỉ tiêu\": {\"tử số\": 1, \"tử số\": 2}}", "chỉ tiêu.tử số", "tử số");
}

static void keys_compare_as_json_c_stores_them(void **state)
{
    (void)state;
    expect_dup("{\"a\": 1, \"\\u0061\": 2}", "a", "a");
    expect_dup("{\"é\": 1, \"\\u00e9\": 2}", "é", "é");
    expect_dup("{\"\\ud83d\\ude00\": 1, \"😀\": 2}", "😀", "😀");
    expect_dup("{\"a/b\": 1, \"a\\/b\": 2}", "a/b", "a/b");
    /* json-c cuts a key at \u0000 and stores any lone surrogate as U+FFFD. */
    expect_dup("{\"a\\u0000b\": 1, \"a\": 2}", "a", "a");
    expect_dup("{\"\\ud800\": 1, \"\\udc01\": 2}", "\xEF\xBF\xBD", "\xEF\xBF\xBD");
    expect_rc("{\"a\": 1, \"A\": 2, \"a \": 3, \"\\u00e8\": 4, \"\\u00e9\": 5}", TH_JSON_UNIQUE);
    /* Control characters in a key are shown as '?'. */
    expect_dup("{\"a\\nb\": 1, \"a\\nb\": 2}", "a?b", "a?b");
    expect_dup("{\"a\\u0001\": 1, \"a\\u0001\": 2}", "a?", "a?");
}

static void where_the_repeat_is(void **state)
{
    (void)state;
    const char *text =
        "{\n  \"tiêu đề\": \"x\",\n  \"years\": {\"from\": 1, \"to\": 2,\n    \"from\": 3}\n}\n";
    th_json_dup dup;
    assert_int_equal(scan(text, &dup), TH_JSON_DUPLICATE);
    assert_string_equal(dup.path, "years.from");
    assert_int_equal(dup.line, 4);
    assert_int_equal(dup.column, 5);
    assert_int_equal(dup.offset, (size_t)(strstr(text, "\"from\": 3") - text));
}

static void malformed_text_is_left_to_the_parser(void **state)
{
    (void)state;
    const char *bad[] = {
        "",          "{",           "{\"a\" 1}",  "{\"a\": 1,}", "[1,]",           "{\"a\":1",     "[\"x",
        "[\"\\x\"]", "[\"\\u12\"]", "{a: 1}",     "[1] [2]",     "[1 2",           "{\"a\": }",    "{,}",
        "[,]",       "}",           "{\"a\": 1]", "[\"a\\",      "\xEF\xBB\xBF{}", "[1, \"a\": 2]"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        expect_rc(bad[i], TH_JSON_MALFORMED);
}

/* n arrays opened (and closed when close is set). */
static char *nested(size_t n, int close)
{
    char *s = malloc(2 * n + 1);
    assert_non_null(s);
    memset(s, '[', n);
    if (close) memset(s + n, ']', n);
    s[close ? 2 * n : n] = '\0';
    return s;
}

static void depth_is_bounded(void **state)
{
    (void)state;
    char *s = nested(TH_JSON_MAX_DEPTH, 1);
    expect_rc(s, TH_JSON_UNIQUE);
    free(s);
    s = nested(TH_JSON_MAX_DEPTH + 1, 1);
    expect_rc(s, TH_JSON_TOO_DEEP);
    free(s);
    /* Far deeper than any stack would take, unclosed: refused at once. */
    s = nested(1000000, 0);
    expect_rc(s, TH_JSON_TOO_DEEP);
    free(s);
    /* Objects count as levels too. */
    char obj[TH_JSON_MAX_DEPTH * 8 + 16] = "";
    for (int i = 0; i <= TH_JSON_MAX_DEPTH; i++)
        strcat(obj, "{\"a\":");
    expect_rc(obj, TH_JSON_TOO_DEEP);
}

static void many_keys_are_quick(void **state)
{
    (void)state;
    size_t n = 100000, cap = n * 24 + 64, len = 0;
    char *s = malloc(cap);
    assert_non_null(s);
    s[len++] = '{';
    for (size_t i = 0; i < n; i++)
        len += (size_t)snprintf(s + len, cap - len, "%s\"k%zu\": %zu", i ? ", " : "", i, i);
    strcpy(s + len, "}");
    clock_t t0 = clock();
    expect_rc(s, TH_JSON_UNIQUE);
    strcpy(s + len, ", \"k99999\": 0}");
    expect_dup(s, "k99999", "k99999");
    assert_true((double)(clock() - t0) / CLOCKS_PER_SEC < 2.0);
    free(s);
}

static void the_check_words_the_error(void **state)
{
    (void)state;
    th_verr err;
    int unreadable;
    const char *text = "{\"a\": 1,\n \"a\": 2}";
    assert_int_equal(th_json_check_keys(text, strlen(text), &err, &unreadable), -1);
    assert_int_equal(err.code, TONGHOP__ERROR__CODE__BAD_JSON);
    assert_string_equal(err.field, "a");
    assert_string_equal(err.detail, "2:2 duplicate key \"a\"");
    text = "{\"a\": 1,";
    assert_int_equal(th_json_check_keys(text, strlen(text), &err, &unreadable), 0);
    assert_true(unreadable);
    text = "{\"a\": 1}";
    assert_int_equal(th_json_check_keys(text, strlen(text), &err, &unreadable), 0);
    assert_false(unreadable);
    /* A path longer than the field is cut on a character boundary. */
    char long_path[512] = "{";
    for (int i = 0; i < 10; i++)
        strcat(long_path, "\"đơn vị hành\": {");
    strcat(long_path, "\"x\": 1, \"x\": 2");
    for (int i = 0; i < 11; i++)
        strcat(long_path, "}");
    assert_int_equal(th_json_check_keys(long_path, strlen(long_path), &err, &unreadable), -1);
    assert_true(strlen(err.field) < sizeof err.field);
    assert_int_equal(strncmp(err.field, "đơn vị hành.đơn vị hành.", 20), 0);
    /* Every byte of the field is part of a whole UTF-8 character. */
    size_t n = strlen(err.field);
    size_t k = n;
    while (k > 0 && ((unsigned char)err.field[k - 1] & 0xc0) == 0x80)
        k--;
    if (k > 0) {
        unsigned char lead = (unsigned char)err.field[k - 1];
        size_t need = lead < 0x80 ? 1 : lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : 2;
        assert_int_equal(n - (k - 1), need);
    }
    char *deep = nested(200, 1);
    assert_int_equal(th_json_check_keys(deep, strlen(deep), &err, &unreadable), -1);
    assert_int_equal(err.code, TONGHOP__ERROR__CODE__BAD_JSON);
    free(deep);
}

#define PLAN_HEAD                                                                                            \
    "{\"format\": \"tonghop-plan/1\", \"code\": \"70/KH-UBND\", \"title\": \"Kế hoạch năm 2023\","      \
    " \"issuer_unit\": \"874\", \"issuing_body\": \"Ủy ban nhân dân huyện Thanh Bình\","              \
    " \"years\": {\"from\": 2023, \"to\": 2023}, \"reporting_level\": \"commune\","
#define PLAN_TARGETS(second)                                                                                 \
    PLAN_HEAD                                                                                                \
    " \"programmes\": [{\"code\": \"CTXH\", \"name\": \"Công tác xã hội\", \"targets\": ["              \
    "{\"indicator\": \"CTXH-01\", \"years\": {\"from\": 2023, \"to\": 2023}, \"comparator\": \">=\","        \
    " \"value\": 50}, " second "]}]}"

static void plan_files_refuse_repeats_and_take_a_bom(void **state)
{
    (void)state;
    th_plan_info info;
    char *norm = NULL;
    th_verr err;
    const char *good = PLAN_TARGETS("{\"indicator\": \"CTXH-02\", \"years\": {\"from\": 2023, \"to\": 2023},"
                                    " \"comparator\": \">=\", \"value\": 30}");
    const char *dup = PLAN_TARGETS("{\"indicator\": \"CTXH-02\", \"years\": {\"from\": 2023, \"to\": 2023},"
                                   " \"comparator\": \">=\", \"value\": 30, \"value\": 90}");
    if (th_plan_file_check(good, strlen(good), &info, &norm, &err) != 0)
        fail_msg("%d %s %s", err.code, err.field, err.detail);
    free(norm);
    char *bom = malloc(strlen(good) + 4);
    assert_non_null(bom);
    strcpy(bom, "\xEF\xBB\xBF");
    strcat(bom, good);
    if (th_plan_file_check(bom, strlen(bom), &info, &norm, &err) != 0)
        fail_msg("with a BOM: %d %s %s", err.code, err.field, err.detail);
    assert_string_equal(info.code, "70/KH-UBND");
    assert_int_equal(strncmp(norm, "{", 1), 0);
    free(norm);
    free(bom);
    assert_int_equal(th_plan_file_check(dup, strlen(dup), &info, &norm, &err), -1);
    assert_null(norm);
    assert_int_equal(err.code, TONGHOP__ERROR__CODE__BAD_JSON);
    assert_string_equal(err.field, "programmes[0].targets[1].value");
    assert_non_null(strstr(err.detail, "duplicate key \"value\""));
    /* A repeat at the top, and a syntax error before any repeat. */
    const char *top = "{\"code\": \"a\", \"code\": \"b\"}";
    assert_int_equal(th_plan_file_check(top, strlen(top), &info, &norm, &err), -1);
    assert_string_equal(err.field, "code");
    const char *syntax = "{\"code\": \"a\" \"code\": \"b\"}";
    assert_int_equal(th_plan_file_check(syntax, strlen(syntax), &info, &norm, &err), -1);
    assert_int_equal(err.code, TONGHOP__ERROR__CODE__BAD_JSON);
    assert_string_equal(err.field, "");
    assert_null(strstr(err.detail, "duplicate"));
}

static void catalogue_files_refuse_repeats(void **state)
{
    (void)state;
    th_catalogue_info info;
    char *norm = NULL;
    th_verr err;
    const char *text =
        "{\"format\": \"tonghop-catalogue/1\", \"revision\": 2, \"indicators\": ["
        "{\"code\": \"CTXH-07\", \"programme\": \"CTXH\", \"name\": \"Duy trì\","
        " \"kind\": \"qualitative\"},"
        "{\"code\": \"CTXH-08\", \"programme\": \"CTXH\", \"name\": \"Duy trì\","
        " \"kind\": \"count\", \"numerator\": {\"aggregation\": \"flow\", \"aggregation\": \"stock\"}}"
        "]}";
    assert_int_equal(th_catalogue_file_check(text, strlen(text), &info, &norm, &err), -1);
    assert_int_equal(err.code, TONGHOP__ERROR__CODE__BAD_JSON);
    assert_string_equal(err.field, "indicators[1].numerator.aggregation");
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    char *buf = malloc(1 << 20);
    *len = buf ? fread(buf, 1, 1 << 20, f) : 0;
    fclose(f);
    return buf;
}

static void shipped_files_have_no_repeats(void **state)
{
    (void)state;
    const char *src = getenv("TH_SRC_DIR");
    if (!src) skip();
    const char *files[] = {"deploy/data/indicator-catalogue.json",
                           "deploy/samples/plans/an-giang-2025-KH-SYT.json",
                           "deploy/samples/plans/binh-thuan-2025-1751-KH-UBND.json",
                           "deploy/samples/plans/cao-lanh-2021-2030-KH-UBND.json",
                           "deploy/samples/plans/thanh-binh-2023-70-KH-UBND.json",
                           "deploy/samples/plans/thua-thien-hue-2023-KH-UBND.json"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", src, files[i]);
        size_t len;
        char *text = slurp(path, &len);
        if (!text) fail_msg("%s: cannot read", path);
        th_json_dup dup;
        int rc = th_json_find_duplicate_key(text, len, &dup);
        if (rc != TH_JSON_UNIQUE) fail_msg("%s: %d %s", path, rc, rc == TH_JSON_DUPLICATE ? dup.path : "");
        free(text);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(distinct_keys_pass),
        cmocka_unit_test(repeated_keys_are_named_by_path),
        cmocka_unit_test(keys_compare_as_json_c_stores_them),
        cmocka_unit_test(where_the_repeat_is),
        cmocka_unit_test(malformed_text_is_left_to_the_parser),
        cmocka_unit_test(depth_is_bounded),
        cmocka_unit_test(many_keys_are_quick),
        cmocka_unit_test(the_check_words_the_error),
        cmocka_unit_test(plan_files_refuse_repeats_and_take_a_bom),
        cmocka_unit_test(catalogue_files_refuse_repeats),
        cmocka_unit_test(shipped_files_have_no_repeats),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
