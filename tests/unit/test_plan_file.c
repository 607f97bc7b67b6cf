/* Unit tests: the plan file's checks that need no database. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan_file.h"

#define HEAD                                                                                                 \
    "{\"format\": \"tonghop-plan/1\", \"code\": \"70/KH-UBND\", \"title\": \"Kế hoạch năm 2023\","      \
    " \"issuer_unit\": \"874\", \"issuing_body\": \"Ủy ban nhân dân huyện Thanh Bình\","              \
    " \"issued_on\": \"2023-03-08\", \"years\": {\"from\": 2023, \"to\": 2023}, \"implements\": null,"       \
    " \"reporting_level\": \"commune\","                                                                     \
    " \"deadlines\": [{\"level\": \"commune\", \"to\": \"UBND huyện\", \"date\": \"2023-11-10\"}],"
#define TARGET(ind, cmp, val)                                                                                \
    "{\"indicator\": \"" ind "\", \"years\": {\"from\": 2023, \"to\": 2023}, \"comparator\": \"" cmp         \
    "\", \"value\": " val "}"
#define PLAN(targets)                                                                                        \
    HEAD " \"programmes\": [{\"code\": \"CTXH\", \"name\": \"Công tác xã hội\", \"targets\": [" targets "]}" \
         "]}"

static int check(const char *text, th_verr *err)
{
    th_plan_info info;
    char *norm = NULL;
    int rc = th_plan_file_check(text, strlen(text), &info, &norm, err);
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

static void accepts_a_good_plan(void **state)
{
    (void)state;
    const char *text = PLAN(TARGET("CTXH-01", ">=", "50") "," TARGET(
        "CTXH-05", ">", "1000") ","
                                "{\"indicator\": \"CTXH-07\", \"years\": {\"from\": 2023, \"to\": 2023},"
                                " \"text\": \"Duy trì mạng lưới cộng tác viên\"}");
    th_plan_info info;
    char *norm = NULL;
    th_verr err;
    int rc = th_plan_file_check(text, strlen(text), &info, &norm, &err);
    if (rc != 0) fail_msg("%d %s %s", err.code, err.field, err.detail);
    assert_string_equal(info.code, "70/KH-UBND");
    assert_int_equal(info.revision, 1);
    assert_non_null(strstr(norm, "\"revision\":1"));
    free(norm);
}

static void refuses_each_fault(void **state)
{
    (void)state;
    expect("{\"format\": ", TONGHOP__ERROR__CODE__BAD_JSON, "");
    expect("[1, 2]", TONGHOP__ERROR__CODE__BAD_JSON, "");
    expect(PLAN(TARGET("CTXH-01", ">=", "50")) " trailing", TONGHOP__ERROR__CODE__BAD_JSON, "");
    expect(PLAN(TARGET("CTXH-01", "=>", "50")), TONGHOP__ERROR__CODE__INVALID_VALUE,
           "programmes[0].targets[0].comparator");
    expect(PLAN(TARGET("CTXH-01", ">=", "-5")), TONGHOP__ERROR__CODE__INVALID_VALUE,
           "programmes[0].targets[0].value");
    expect(PLAN(TARGET("CTXH-01", ">=", "\"50\"")), TONGHOP__ERROR__CODE__INVALID_VALUE,
           "programmes[0].targets[0].value");
    expect(PLAN(TARGET("CTXH-01", ">=", "50") "," TARGET("CTXH-01", ">", "60")),
           TONGHOP__ERROR__CODE__OVERLAPPING_YEARS, "programmes[0].targets[1].years");
    expect(
        PLAN(
            "{\"indicator\": \"CTXH-01\", \"years\": {\"from\": 2022, \"to\": 2023}, \"comparator\": \">=\", "
            "\"value\": 50}"),
        TONGHOP__ERROR__CODE__OUTSIDE_PLAN_YEARS, "programmes[0].targets[0].years");
    expect(PLAN("{\"indicator\": \"CTXH-01\", \"years\": {\"from\": 2023, \"to\": 2023}, \"comparator\": "
                "\">=\"}"),
           TONGHOP__ERROR__CODE__MISSING_FIELD, "programmes[0].targets[0].value");
    expect(PLAN("{\"indicator\": \"CTXH-07\", \"years\": {\"from\": 2023, \"to\": 2023}, \"text\": \"x\", "
                "\"value\": 1}"),
           TONGHOP__ERROR__CODE__INVALID_VALUE, "programmes[0].targets[0]");
    expect(PLAN("{\"indicatr\": \"CTXH-01\"}"), TONGHOP__ERROR__CODE__UNKNOWN_FIELD,
           "programmes[0].targets[0].indicatr");
    expect(HEAD " \"programmes\": []}", TONGHOP__ERROR__CODE__MISSING_FIELD, "programmes");
    expect("{\"format\": \"tonghop-plan/2\"}", TONGHOP__ERROR__CODE__INVALID_VALUE, "format");
}

static void dates(void **state)
{
    (void)state;
    assert_true(th_plan_valid_date("2024-02-29"));
    assert_false(th_plan_valid_date("2023-02-29"));
    assert_false(th_plan_valid_date("2025-13-01"));
    assert_false(th_plan_valid_date("2025-1-01"));
    assert_false(th_plan_valid_date("25/11/2025"));
    assert_true(th_plan_valid_date("2025-12-15"));
}

/* A plan of 2023 with the given deadlines array. */
#define WITH_DEADLINES(dl)                                                                                   \
    "{\"format\": \"tonghop-plan/1\", \"code\": \"70/KH-UBND\", \"title\": \"Kế hoạch năm 2023\","      \
    " \"issuer_unit\": \"874\", \"issuing_body\": \"Ủy ban nhân dân huyện Thanh Bình\","              \
    " \"years\": {\"from\": 2023, \"to\": 2023}, \"reporting_level\": \"commune\", \"deadlines\": [" dl      \
    "], \"programmes\": [{\"code\": \"CTXH\", \"name\": \"Công tác xã hội\", \"targets\": [" TARGET(         \
        "CTXH-01", ">=", "50") "]}]}"
#define DL(rest) "{\"level\": \"commune\", \"to\": \"UBND huyện\", " rest "}"

static void accepts(const char *text)
{
    th_verr err;
    if (check(text, &err) != 0) fail_msg("refused: %d \"%s\" (%s)", err.code, err.field, err.detail);
}

/* A deadline is a date or a number of days after each quarter, exactly one
 * of the two, and may say the period it is for. */
static void deadline_kinds(void **state)
{
    (void)state;
    accepts(WITH_DEADLINES(DL("\"date\": \"2023-11-10\"")));
    accepts(WITH_DEADLINES(DL("\"days_after_quarter\": 15")));
    accepts(WITH_DEADLINES(DL("\"days_after_quarter\": 0")));
    accepts(WITH_DEADLINES(DL("\"days_after_quarter\": 20, \"for\": \"2023Q3\"")));
    accepts(WITH_DEADLINES(DL("\"date\": \"2024-01-15\", \"for\": \"2023\"")));
    accepts(WITH_DEADLINES(DL("\"date\": \"2024-01-15\""))); /* January: for 2023 (the database's rule) */
    accepts(WITH_DEADLINES(DL("\"date\": \"2023-10-10\", \"for\": \"2023Q3\"")));
    expect(WITH_DEADLINES(DL("\"date\": \"2023-11-10\", \"days_after_quarter\": 15")),
           TONGHOP__ERROR__CODE__INVALID_VALUE, "deadlines[0].days_after_quarter");
    expect(WITH_DEADLINES(DL("\"for\": \"2023\"")), TONGHOP__ERROR__CODE__MISSING_FIELD, "deadlines[0].date");
    expect(WITH_DEADLINES(DL("\"date\": null, \"days_after_quarter\": null")),
           TONGHOP__ERROR__CODE__MISSING_FIELD, "deadlines[0].date");
    expect(WITH_DEADLINES(DL("\"days_after_quarter\": -1")), TONGHOP__ERROR__CODE__INVALID_VALUE,
           "deadlines[0].days_after_quarter");
    expect(WITH_DEADLINES(DL("\"days_after_quarter\": 367")), TONGHOP__ERROR__CODE__INVALID_VALUE,
           "deadlines[0].days_after_quarter");
    expect(WITH_DEADLINES(DL("\"days_after_quarter\": 1.5")), TONGHOP__ERROR__CODE__INVALID_VALUE,
           "deadlines[0].days_after_quarter");
    expect(WITH_DEADLINES(DL("\"days_after_quarter\": \"15\"")), TONGHOP__ERROR__CODE__INVALID_VALUE,
           "deadlines[0].days_after_quarter");
    expect(WITH_DEADLINES(DL("\"days_after_quarter\": 15, \"for\": \"2024\"")),
           TONGHOP__ERROR__CODE__INVALID_VALUE, "deadlines[0].for");
    expect(WITH_DEADLINES(DL("\"days_after_quarter\": 15, \"for\": \"2023Q5\"")),
           TONGHOP__ERROR__CODE__INVALID_VALUE, "deadlines[0].for");
    expect(WITH_DEADLINES(DL("\"days_after_quarter\": 15, \"for\": \"2023-Q3\"")),
           TONGHOP__ERROR__CODE__INVALID_VALUE, "deadlines[0].for");
    expect(WITH_DEADLINES(DL("\"days_after_quarter\": 15, \"for\": \"2023q3\"")),
           TONGHOP__ERROR__CODE__INVALID_VALUE, "deadlines[0].for");
    expect(WITH_DEADLINES(DL("\"days_after_quarter\": 15, \"for\": 2023")),
           TONGHOP__ERROR__CODE__INVALID_VALUE, "deadlines[0].for");
    expect(WITH_DEADLINES(DL("\"date\": \"2023-11-10\"") "," DL("\"days_after_quarter\": 15, \"when\": 1")),
           TONGHOP__ERROR__CODE__UNKNOWN_FIELD, "deadlines[1].when");
}

static void seed_plans_pass(void **state)
{
    (void)state;
    const char *src = getenv("TH_SRC_DIR");
    const char *files[] = {"an-giang-2025-KH-SYT.json", "binh-thuan-2025-1751-KH-UBND.json",
                           "cao-lanh-2021-2030-KH-UBND.json", "thanh-binh-2023-70-KH-UBND.json",
                           "thua-thien-hue-2023-KH-UBND.json"};
    for (size_t i = 0; src && i < sizeof files / sizeof files[0]; i++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/deploy/samples/plans/%s", src, files[i]);
        th_plan_info info;
        char *norm = NULL;
        th_verr err;
        if (th_plan_file_check_path(path, &info, &norm, &err) != 0)
            fail_msg("%s: %d %s %s", files[i], err.code, err.field, err.detail);
        free(norm);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(accepts_a_good_plan),
                                       cmocka_unit_test(refuses_each_fault), cmocka_unit_test(dates),
                                       cmocka_unit_test(deadline_kinds), cmocka_unit_test(seed_plans_pass)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
