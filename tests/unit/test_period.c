/* Unit tests: period parsing and formatting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "period.h"

static void parses_quarters_and_years(void **state)
{
    (void)state;
    th_period p;
    assert_int_equal(th_period_parse("2025Q3", &p), 0);
    assert_int_equal(p.year, 2025);
    assert_int_equal(p.quarter, 3);
    assert_int_equal(th_period_parse("2023q1", &p), 0);
    assert_int_equal(p.quarter, 1);
    assert_int_equal(th_period_parse("2030", &p), 0);
    assert_int_equal(p.year, 2030);
    assert_int_equal(p.quarter, 0);
}

static void refuses_everything_else(void **state)
{
    (void)state;
    th_period p;
    const char *bad[] = {"",     "25Q3", "2025Q0",  "2025Q5", "2025-Q3",        "2025 Q3", " 2025", "2025Q",
                         "1999", "2101", "2025Q34", "abcd",   "2025-07-01/P3M", "+202",    NULL};
    for (int i = 0; bad[i]; i++)
        assert_int_equal(th_period_parse(bad[i], &p), -1);
    assert_int_equal(th_period_parse(NULL, &p), -1);
}

static void formats_round_trip(void **state)
{
    (void)state;
    char buf[32];
    th_period p;
    const char *ok[] = {"2025Q1", "2025Q2", "2025Q3", "2025Q4", "2024", NULL};
    for (int i = 0; ok[i]; i++) {
        assert_int_equal(th_period_parse(ok[i], &p), 0);
        assert_string_equal(th_period_format(&p, buf, sizeof buf), ok[i]);
    }
}

static void iso_form_for_exports(void **state)
{
    (void)state;
    char buf[32];
    th_period p = {2025, 3};
    assert_string_equal(th_period_iso(&p, buf, sizeof buf), "2025-07-01/P3M");
    p.quarter = 1;
    assert_string_equal(th_period_iso(&p, buf, sizeof buf), "2025-01-01/P3M");
    p.quarter = 0;
    assert_string_equal(th_period_iso(&p, buf, sizeof buf), "2025-01-01/P1Y");
}

static void started(void **state)
{
    (void)state;
    th_period q3 = {2025, 3};
    assert_false(th_period_started(&q3, 2025, 6));
    assert_true(th_period_started(&q3, 2025, 7));
    assert_true(th_period_started(&q3, 2026, 1));
    assert_false(th_period_started(&q3, 2024, 12));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parses_quarters_and_years),
        cmocka_unit_test(refuses_everything_else),
        cmocka_unit_test(formats_round_trip),
        cmocka_unit_test(iso_form_for_exports),
        cmocka_unit_test(started),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
