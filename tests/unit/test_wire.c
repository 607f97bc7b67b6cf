/* Unit tests: envelope encode/decode, limits, error names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "validate.h"
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

/* Replaces the first occurrence of marker (which must be there) in buf with
 * the bytes of with, of the same length. */
static void patch(uint8_t *buf, size_t len, const char *marker, const char *with)
{
    size_t n = strlen(marker);
    for (size_t i = 0; i + n <= len; i++)
        if (memcmp(buf + i, marker, n) == 0) {
            memcpy(buf + i, with, n);
            return;
        }
    fail_msg("marker %s not found", marker);
}

/* A submission whose unit_code and third value's text are given; the values
 * are a ratio, a count and a text. */
static uint8_t *submission_with(const char *unit_code, const char *text, size_t *len)
{
    Tonghop__ResultValue v[3] = {TONGHOP__RESULT_VALUE__INIT, TONGHOP__RESULT_VALUE__INIT,
                                 TONGHOP__RESULT_VALUE__INIT};
    v[0].indicator_code = "CTXH-01";
    v[0].has_numerator = v[0].has_denominator = 1;
    v[0].numerator = 3;
    v[0].denominator = 5;
    v[1].indicator_code = "CTXH-05";
    v[1].has_value = 1;
    v[1].value = 12;
    v[2].indicator_code = "CTXH-07";
    v[2].text = (char *)text;
    Tonghop__ResultValue *vals[] = {&v[0], &v[1], &v[2]};
    Tonghop__Submission s = TONGHOP__SUBMISSION__INIT;
    s.submission_id = "6f1c2f0e-8a47-4c1e-9d51-3f1f6b7a0c11";
    s.unit_code = (char *)unit_code;
    s.period = "2025Q3";
    s.values = vals;
    s.n_values = 3;
    th_envelope env = TONGHOP__ENVELOPE__INIT;
    env.has_protocol_version = 1;
    env.protocol_version = TH_PROTOCOL_VERSION;
    env.request_id = "00000000-0000-4000-8000-000000000001";
    env.body_case = TONGHOP__ENVELOPE__BODY_SUBMISSION;
    env.submission = &s;
    return th_wire_pack(&env, len);
}

static void expect_refused(const uint8_t *buf, size_t len, const char *field, const char *detail)
{
    th_verr e;
    memset(&e, 0x55, sizeof e);
    th_wire_msg *m = th_wire_unpack_checked(buf, len, &e);
    assert_null(m);
    assert_int_equal(e.code, TONGHOP__ERROR__CODE__INVALID_VALUE);
    assert_string_equal(e.field, field);
    assert_string_equal(e.detail, detail);
    /* The plain unpack still decodes it (and cuts the string). */
    m = th_wire_unpack(buf, len);
    assert_non_null(m);
    th_wire_msg_destroy(&m);
}

static void checked_accepts_good(void **state)
{
    (void)state;
    size_t len;
    uint8_t *buf = submission_with("22921", "Duy trì mạng lưới cộng tác viên ở 12 thôn", &len);
    th_verr e;
    th_wire_msg *m = th_wire_unpack_checked(buf, len, &e);
    assert_non_null(m);
    assert_int_equal(e.code, 0);
    assert_string_equal(th_wire_msg_envelope(m)->submission->values[2]->text,
                        "Duy trì mạng lưới cộng tác viên ở 12 thôn");
    th_wire_msg_destroy(&m);
    free(buf);
    buf = sample(&len);
    m = th_wire_unpack_checked(buf, len, NULL);
    assert_non_null(m);
    th_wire_msg_destroy(&m);
    free(buf);
}

/* "22921\0xyz" would be stored as 22921 if protobuf-c's copy were trusted. */
static void nul_in_unit_code_refused(void **state)
{
    (void)state;
    size_t len;
    uint8_t *buf = submission_with("22921@xyz", "ok", &len);
    patch(buf, len, "@xyz", "\0xyz");
    expect_refused(buf, len, "submission.unit_code", TH_WIRE_DETAIL_NUL);
    th_wire_msg *m = th_wire_unpack(buf, len);
    assert_string_equal(th_wire_msg_envelope(m)->submission->unit_code, "22921");
    th_wire_msg_destroy(&m);
    free(buf);
}

static void nul_in_value_text_refused(void **state)
{
    (void)state;
    size_t len;
    uint8_t *buf = submission_with("22921", "12 thôn@@", &len);
    patch(buf, len, "@@", "\0\0");
    expect_refused(buf, len, "submission.values[2].text", TH_WIRE_DETAIL_NUL);
    free(buf);
    buf = submission_with("22921", "@12 thôn", &len); /* at the start: read as "" */
    patch(buf, len, "@", "\0");
    expect_refused(buf, len, "submission.values[2].text", TH_WIRE_DETAIL_NUL);
    free(buf);
}

static void bad_utf8_refused(void **state)
{
    (void)state;
    size_t len;
    uint8_t *buf = submission_with("22921", "th\xc3\x28n", &len);
    expect_refused(buf, len, "submission.values[2].text", TH_WIRE_DETAIL_NOT_UTF8);
    free(buf);

    /* A report query's plan code, cut in the middle of a sequence. */
    Tonghop__RollupQuery q = TONGHOP__ROLLUP_QUERY__INIT;
    q.plan_code = "1751/KH-UBND-Ph\xc6";
    q.period = "2025";
    q.unit_code = "22921";
    th_envelope env = TONGHOP__ENVELOPE__INIT;
    env.has_protocol_version = 1;
    env.protocol_version = TH_PROTOCOL_VERSION;
    env.request_id = "00000000-0000-4000-8000-000000000002";
    env.body_case = TONGHOP__ENVELOPE__BODY_ROLLUP_QUERY;
    env.rollup_query = &q;
    buf = th_wire_pack(&env, &len);
    expect_refused(buf, len, "rollup_query.plan_code", TH_WIRE_DETAIL_NOT_UTF8);
    free(buf);

    /* The envelope's own strings too, and an overlong form. */
    env.rollup_query->plan_code = "1751/KH-UBND";
    env.lang = "v\xc0\xa9";
    buf = th_wire_pack(&env, &len);
    expect_refused(buf, len, "lang", TH_WIRE_DETAIL_NOT_UTF8);
    free(buf);
}

/* Broken or odd bytes stay MALFORMED, never crash; unknown fields pass. */
static void checked_malformed_and_unknown(void **state)
{
    (void)state;
    size_t len;
    uint8_t *buf = sample(&len);
    th_verr e;
    for (size_t n = 0; n < len; n++) {
        th_wire_msg *m = th_wire_unpack_checked(buf, n, &e);
        if (!m) assert_int_equal(e.code, TONGHOP__ERROR__CODE__MALFORMED);
        th_wire_msg_destroy(&m);
    }
    free(buf);
    srand(7);
    uint8_t rnd[256];
    for (int round = 0; round < 2000; round++) {
        size_t n = (size_t)(rand() % (int)sizeof rnd);
        for (size_t i = 0; i < n; i++)
            rnd[i] = (uint8_t)rand();
        th_wire_msg *m = th_wire_unpack_checked(rnd, n, &e);
        if (!m)
            assert_true(e.code == TONGHOP__ERROR__CODE__MALFORMED ||
                        e.code == TONGHOP__ERROR__CODE__INVALID_VALUE);
        th_wire_msg_destroy(&m);
    }
    assert_null(th_wire_unpack_checked(NULL, 0, &e));
    assert_int_equal(e.code, TONGHOP__ERROR__CODE__MALFORMED);
    /* An unknown field 99 (bytes with a NUL in them) is not a string of ours. */
    buf = sample(&len);
    uint8_t *more = malloc(len + 5);
    memcpy(more, buf, len);
    memcpy(more + len, "\x9a\x06\x02\x00\x01", 5); /* tag 99, wire type 2, 2 bytes */
    th_wire_msg *m = th_wire_unpack_checked(more, len + 5, &e);
    assert_non_null(m);
    th_wire_msg_destroy(&m);
    free(more);
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
        cmocka_unit_test(checked_accepts_good),
        cmocka_unit_test(nul_in_unit_code_refused),
        cmocka_unit_test(nul_in_value_text_refused),
        cmocka_unit_test(bad_utf8_refused),
        cmocka_unit_test(checked_malformed_and_unknown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
