/* Unit tests: client/json_pretty.c, the streaming indenter of
 * `tonghop report --format json`: byte for byte what json-c's pretty printer
 * makes of the same text (PostgreSQL's jsonb output), and every malformed
 * text refused before anything is written. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_pretty.h"

/* What th_json_pretty_write writes of text (malloc'd), or NULL on -1. */
static char *pretty(const char *text)
{
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    assert_non_null(f);
    int rc = th_json_pretty_write(f, text, strlen(text));
    assert_int_equal(fclose(f), 0);
    if (rc != 0) {
        assert_int_equal(n, 0); /* nothing written */
        free(buf);
        return NULL;
    }
    return buf;
}

/* What the client printed before (write_json in report_cmd.c). */
static char *json_c_pretty(const char *text)
{
    json_object *o = json_tokener_parse(text);
    assert_non_null(o);
    const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
                                                          JSON_C_TO_STRING_NOSLASHESCAPE);
    char *out = malloc(strlen(s) + 2);
    assert_non_null(out);
    sprintf(out, "%s\n", s);
    json_object_put(o);
    return out;
}

static void same_as_json_c(const char *text)
{
    char *a = pretty(text), *b = json_c_pretty(text);
    assert_non_null(a);
    assert_string_equal(a, b);
    free(a);
    free(b);
}

static void indents_as_json_c_does(void **state)
{
    (void)state;
    /* As PostgreSQL writes jsonb: ", " between members, ": " after keys. */
    same_as_json_c("{\"plan\": {\"code\": \"1751/KH-UBND\", \"deadlines\": [{\"to\": \"Sở Y tế\", \"date\": "
                   "\"2025-12-31\"}], \"revision\": 2}, \"children\": [], \"indicators\": [{\"met\": null, "
                   "\"code\": \"CTXH-01\", \"percent\": 56.41, \"no_data\": false, \"numerator\": 22, "
                   "\"denominator\": 39, \"target\": {\"value\": 50, \"comparator\": \">=\"}}], "
                   "\"completeness\": {}, \"generated_at\": \"2026-11-28T19:00:00Z\"}");
    same_as_json_c("[]");
    same_as_json_c("{}");
    same_as_json_c("[[], {}, [[1, 2], {\"a\": [true, false, null]}], -0.5, 1e5, 2.50E-3]");
    same_as_json_c("{\"a\":[1,2],\"b\":{\"c\":{}}}"); /* compact input too */
    same_as_json_c("  {\n\t\"a\" : [ ] ,\r\n \"b\" : { }\n}  ");
}

static void copies_strings_as_they_are(void **state)
{
    (void)state;
    /* Vietnamese raw, escapes as PostgreSQL writes them, brackets and
     * commas inside strings left alone. */
    same_as_json_c(
        "{\"name\": \"Xã Phú Thủy, [cũ]: {Phan Thiết}\", \"q\": \"\\\"trích\\\" \\\\ a/b\\n\\t\\u0001\"}");
    char *a = pretty("[\"x/y\"]");
    assert_string_equal(a, "[\n  \"x/y\"\n]\n");
    free(a);
}

static void refuses_what_is_not_json(void **state)
{
    (void)state;
    const char *bad[] = {
        "",         "   ",   "{",          "}",          "[1,]",        "[,1]",    "{\"a\"}",
        "{\"a\":}", "{a:1}", "{\"a\":1,}", "[1 2]",      "\"open",      "\"\\x\"", "\"\\u12G4\"",
        "\"a\nb\"", "01",    "1.",         ".5",         "-",           "1e",      "tru",
        "nul",      "[1]]",  "[1] [2]",    "{\"a\":1}x", "[\"\\u00\"]", "+1",      "[1,\n",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(th_json_pretty_check(bad[i], strlen(bad[i])), -1);
        assert_null(pretty(bad[i]));
    }
    assert_int_equal(th_json_pretty_check(NULL, 0), -1);
    /* Only len bytes count: a value cut short is refused. */
    assert_int_equal(th_json_pretty_check("[1, 2]", 5), -1);
    assert_int_equal(th_json_pretty_check("[1, 2]", 6), 0);
}

static void bounds_the_depth(void **state)
{
    (void)state;
    char deep[2 * 300 + 1];
    for (int d = 256; d <= 257; d++) {
        memset(deep, '[', (size_t)d);
        memset(deep + d, ']', (size_t)d);
        deep[2 * d] = '\0';
        assert_int_equal(th_json_pretty_check(deep, strlen(deep)), d <= 256 ? 0 : -1);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(indents_as_json_c_does),
        cmocka_unit_test(copies_strings_as_they_are),
        cmocka_unit_test(refuses_what_is_not_json),
        cmocka_unit_test(bounds_the_depth),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
