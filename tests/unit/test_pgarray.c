/* Unit tests: PostgreSQL array literals cannot be broken by their content. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "pgarray.h"

static void quoting(void **state)
{
    (void)state;
    th_pgarray a;
    th_pgarray_init(&a);
    th_pgarray_add_text(&a, "CTXH-01");
    th_pgarray_add_text(&a, NULL);
    th_pgarray_add_text(&a, "a\"b\\c,}{");
    th_pgarray_add_text(&a, "Phú Hài");
    assert_string_equal(th_pgarray_finish(&a), "{\"CTXH-01\",NULL,\"a\\\"b\\\\c,}{\",\"Phú Hài\"}");
    th_pgarray_fini(&a);
}

static void integers_and_empty(void **state)
{
    (void)state;
    th_pgarray a;
    th_pgarray_init(&a);
    assert_string_equal(th_pgarray_finish(&a), "{}");
    th_pgarray_fini(&a);
    th_pgarray_init(&a);
    th_pgarray_add_int(&a, 1, 0);
    th_pgarray_add_int(&a, 0, 7);
    th_pgarray_add_int(&a, 1, INT64_MAX);
    assert_string_equal(th_pgarray_finish(&a), "{0,NULL,9223372036854775807}");
    th_pgarray_fini(&a);
}

static void grows(void **state)
{
    (void)state;
    th_pgarray a;
    th_pgarray_init(&a);
    for (int i = 0; i < 5000; i++)
        th_pgarray_add_int(&a, 1, i);
    const char *s = th_pgarray_finish(&a);
    assert_non_null(s);
    assert_true(strstr(s, ",4999}") != NULL);
    th_pgarray_fini(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(quoting), cmocka_unit_test(integers_and_empty),
                                       cmocka_unit_test(grows)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
