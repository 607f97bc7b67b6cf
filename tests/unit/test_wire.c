/* Unit tests: envelope encode/decode, limits, error names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "wire.h"

static uint8_t *sample(size_t *len)
{
    Tonghop__ResultValue v1 = TONGHOP__RESULT_VALUE__INIT, v2 = TONGHOP__RESULT_VALUE__INIT;
    v1.indicator_code = "CTXH-01";
    v1.has_numerator = v1.has_denominator = 1;
    v1.numerator = 0; /* zero must survive as "set", not vanish */
    v1.denominator = 12;
    v2.indicator_code = "CTXH-05";
    v2.has_value = 1;
    v2.value = 1000;
    Tonghop__ResultValue *vals[] = {&v1, &v2};
    Tonghop__Submission s = TONGHOP__SUBMISSION__INIT;
    s.submission_id = "6f1c2f0e-8a47-4c1e-9d51-3f1f6b7a0c11";
    s.unit_code = "22921";
    s.period = "2025Q3";
    s.plan_code = "1751/KH-UBND";
    s.values = vals;
    s.n_values = 2;
    th_envelope env = TONGHOP__ENVELOPE__INIT;
    env.has_protocol_version = 1;
    env.protocol_version = TH_PROTOCOL_VERSION;
    env.request_id = "00000000-0000-4000-8000-000000000001";
    env.body_case = TONGHOP__ENVELOPE__BODY_SUBMISSION;
    env.submission = &s;
    return th_wire_pack(&env, len);
}

static void round_trip(void **state)
{
    (void)state;
    size_t len;
    uint8_t *buf = sample(&len);
    th_wire_msg *m = th_wire_unpack(buf, len);
    assert_non_null(m);
    th_envelope *e = th_wire_msg_envelope(m);
    assert_int_equal(e->protocol_version, 1);
    assert_int_equal(e->body_case, TONGHOP__ENVELOPE__BODY_SUBMISSION);
    assert_string_equal(e->submission->unit_code, "22921");
    assert_string_equal(e->submission->plan_code, "1751/KH-UBND");
    assert_int_equal(e->submission->n_values, 2);
    assert_true(e->submission->values[0]->has_numerator);
    assert_int_equal(e->submission->values[0]->numerator, 0);
    assert_false(e->submission->values[0]->has_value);
    assert_int_equal(e->submission->values[1]->value, 1000);
    th_wire_msg_destroy(&m);
    assert_null(m);
    free(buf);
}

static void truncations_never_crash(void **state)
{
    (void)state;
    size_t len;
    uint8_t *buf = sample(&len);
    int refused = 0;
    for (size_t n = 0; n < len; n++) {
        th_wire_msg *m = th_wire_unpack(buf, n);
        if (!m) refused++;
        th_wire_msg_destroy(&m);
    }
    /* Most prefixes cut a field in half and must be refused. */
    assert_true(refused > (int)len / 2);
    free(buf);
}

static void random_bytes_never_crash(void **state)
{
    (void)state;
    srand(42);
    uint8_t buf[512];
    for (int round = 0; round < 2000; round++) {
        size_t n = (size_t)(rand() % (int)sizeof buf);
        for (size_t i = 0; i < n; i++)
            buf[i] = (uint8_t)rand();
        th_wire_msg *m = th_wire_unpack(buf, n);
        th_wire_msg_destroy(&m);
    }
}

static void too_large_refused(void **state)
{
    (void)state;
    size_t n = TH_WIRE_MAX_REPLY_BYTES + 1;
    uint8_t *buf = calloc(1, n);
    assert_null(th_wire_unpack(buf, n));
    free(buf);
    assert_null(th_wire_unpack(NULL, 0));
}

static void error_names(void **state)
{
    (void)state;
    assert_string_equal(th_wire_error_name(TONGHOP__ERROR__CODE__UNKNOWN_UNIT), "UNKNOWN_UNIT");
    assert_int_equal(th_wire_error_code("ID_REUSED"), TONGHOP__ERROR__CODE__ID_REUSED);
    assert_int_equal(th_wire_error_code("NO_SUCH"), 0);
    assert_int_equal(th_wire_error_code(NULL), 0);
    assert_true(th_wire_error_retryable(TONGHOP__ERROR__CODE__UNAVAILABLE));
    assert_false(th_wire_error_retryable(TONGHOP__ERROR__CODE__UNKNOWN_UNIT));
}

static void error_reply(void **state)
{
    (void)state;
    th_envelope env;
    Tonghop__Error err;
    th_wire_init_reply(&env, "rid");
    th_wire_set_error(&env, &err, TONGHOP__ERROR__CODE__NEGATIVE_VALUE, "values[0].value", "CTXH-05", NULL);
    size_t len;
    uint8_t *buf = th_wire_pack(&env, &len);
    th_wire_msg *m = th_wire_unpack(buf, len);
    th_envelope *e = th_wire_msg_envelope(m);
    assert_int_equal(e->body_case, TONGHOP__ENVELOPE__BODY_ERROR);
    assert_int_equal(e->error->code, TONGHOP__ERROR__CODE__NEGATIVE_VALUE);
    assert_string_equal(e->error->field, "values[0].value");
    assert_false(e->error->retryable);
    th_wire_msg_destroy(&m);
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(round_trip),
        cmocka_unit_test(truncations_never_crash),
        cmocka_unit_test(random_bytes_never_crash),
        cmocka_unit_test(too_large_refused),
        cmocka_unit_test(error_names),
        cmocka_unit_test(error_reply),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
