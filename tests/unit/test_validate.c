/* Unit tests: structural validation of submissions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "validate.h"

typedef struct fixture {
    Tonghop__ResultValue v[3];
    Tonghop__ResultValue *vp[3];
    Tonghop__Submission s;
} fixture;

static void make(fixture *f)
{
    for (int i = 0; i < 3; i++) {
        tonghop__result_value__init(&f->v[i]);
        f->vp[i] = &f->v[i];
    }
    f->v[0].indicator_code = "CTXH-01";
    f->v[0].has_numerator = f->v[0].has_denominator = 1;
    f->v[0].numerator = 3;
    f->v[0].denominator = 5;
    f->v[1].indicator_code = "CTXH-05";
    f->v[1].has_value = 1;
    f->v[1].value = 12;
    f->v[2].indicator_code = "CTXH-07";
    f->v[2].text = "Duy trì mạng lưới cộng tác viên ở 12 thôn";
    tonghop__submission__init(&f->s);
    f->s.submission_id = "6f1c2f0e-8a47-4c1e-9d51-3f1f6b7a0c11";
    f->s.unit_code = "22921";
    f->s.period = "2025Q3";
    f->s.values = f->vp;
    f->s.n_values = 3;
}

static void expect(fixture *f, int code, const char *field)
{
    th_verr e;
    th_period p;
    assert_int_equal(th_validate_submission(&f->s, 2026, 11, &p, &e), -1);
    assert_int_equal(e.code, code);
    assert_string_equal(e.field, field);
}

static void accepts_good(void **state)
{
    (void)state;
    fixture f;
    make(&f);
    th_verr e;
    th_period p;
    assert_int_equal(th_validate_submission(&f.s, 2026, 11, &p, &e), 0);
    assert_int_equal(p.year, 2025);
    assert_int_equal(p.quarter, 3);
}

static void boundary_numerator_equals_denominator(void **state)
{
    (void)state;
    fixture f;
    make(&f);
    f.v[0].numerator = 5;
    th_verr e;
    th_period p;
    assert_int_equal(th_validate_submission(&f.s, 2026, 11, &p, &e), 0);
    f.v[0].numerator = f.v[0].denominator = 0; /* 0/0: no data, but not an error */
    assert_int_equal(th_validate_submission(&f.s, 2026, 11, &p, &e), 0);
}

static void refuses_each_fault(void **state)
{
    (void)state;
    fixture f;
    make(&f);
    f.s.submission_id = NULL;
    expect(&f, TONGHOP__ERROR__CODE__MISSING_FIELD, "submission_id");
    make(&f);
    f.s.submission_id = "not-a-uuid";
    expect(&f, TONGHOP__ERROR__CODE__INVALID_VALUE, "submission_id");
    make(&f);
    f.s.unit_code = "";
    expect(&f, TONGHOP__ERROR__CODE__MISSING_FIELD, "unit_code");
    make(&f);
    f.s.unit_code = "22 921";
    expect(&f, TONGHOP__ERROR__CODE__INVALID_VALUE, "unit_code");
    make(&f);
    f.s.period = "2025";
    expect(&f, TONGHOP__ERROR__CODE__BAD_PERIOD, "period");
    make(&f);
    f.s.period = "2027Q1";
    expect(&f, TONGHOP__ERROR__CODE__BAD_PERIOD, "period");
    make(&f);
    f.s.has_created_at = 1;
    f.s.created_at = INT64_MAX;
    expect(&f, TONGHOP__ERROR__CODE__INVALID_VALUE, "created_at");
    make(&f);
    f.s.n_values = 0;
    expect(&f, TONGHOP__ERROR__CODE__MISSING_FIELD, "values");
    make(&f);
    f.v[1].indicator_code = "CTXH-01";
    expect(&f, TONGHOP__ERROR__CODE__DUPLICATE_INDICATOR, "values[1].indicator_code");
    make(&f);
    f.v[0].numerator = 6;
    expect(&f, TONGHOP__ERROR__CODE__NUMERATOR_EXCEEDS_DENOMINATOR, "values[0].numerator");
    make(&f);
    f.v[0].numerator = -1;
    expect(&f, TONGHOP__ERROR__CODE__NEGATIVE_VALUE, "values[0].numerator");
    make(&f);
    f.v[1].value = -3;
    expect(&f, TONGHOP__ERROR__CODE__NEGATIVE_VALUE, "values[1].value");
    make(&f);
    f.v[0].has_denominator = 0;
    expect(&f, TONGHOP__ERROR__CODE__MISSING_FIELD, "values[0].denominator");
    make(&f);
    f.v[1].has_value = 0;
    expect(&f, TONGHOP__ERROR__CODE__MISSING_FIELD, "values[1]");
    make(&f);
    f.v[1].text = "x";
    expect(&f, TONGHOP__ERROR__CODE__INVALID_VALUE, "values[1]");
    make(&f);
    f.v[2].text = "\xc3\x28";
    expect(&f, TONGHOP__ERROR__CODE__INVALID_VALUE, "values[2].text");
    make(&f);
    f.v[2].text = "";
    expect(&f, TONGHOP__ERROR__CODE__MISSING_FIELD, "values[2].text");
}

/* No commune counts a billion of anything: TH_MAX_NUMBER is allowed, one
 * more is refused, and so is INT64_MAX (whose sums would overflow). */
static void number_bound(void **state)
{
    (void)state;
    fixture f;
    th_verr e;
    th_period p;
    make(&f);
    f.v[0].numerator = f.v[0].denominator = TH_MAX_NUMBER;
    f.v[1].value = TH_MAX_NUMBER;
    assert_int_equal(th_validate_submission(&f.s, 2026, 11, &p, &e), 0);
    make(&f);
    f.v[0].denominator = TH_MAX_NUMBER + 1;
    expect(&f, TONGHOP__ERROR__CODE__INVALID_VALUE, "values[0].denominator");
    make(&f);
    f.v[0].numerator = TH_MAX_NUMBER + 1;
    f.v[0].denominator = TH_MAX_NUMBER + 1;
    expect(&f, TONGHOP__ERROR__CODE__INVALID_VALUE, "values[0].numerator");
    make(&f);
    f.v[0].numerator = INT64_MAX;
    f.v[0].denominator = INT64_MAX;
    expect(&f, TONGHOP__ERROR__CODE__INVALID_VALUE, "values[0].numerator");
    assert_int_equal(th_validate_submission(&f.s, 2026, 11, &p, &e), -1);
    assert_string_equal(e.detail, TH_DETAIL_ABOVE_MAX);
    make(&f);
    f.v[1].value = TH_MAX_NUMBER + 1;
    expect(&f, TONGHOP__ERROR__CODE__INVALID_VALUE, "values[1].value");
    make(&f);
    f.v[1].value = INT64_MAX;
    expect(&f, TONGHOP__ERROR__CODE__INVALID_VALUE, "values[1].value");
    /* The sums the reports make cannot overflow within the bound. */
    assert_true(TH_MAX_NUMBER <= INT64_MAX / (10599LL * 4));
}

/* A reopening's reason that says nothing is refused on both sides. */
static void blank(void **state)
{
    (void)state;
    assert_true(th_validate_blank(NULL));
    assert_true(th_validate_blank(""));
    assert_true(th_validate_blank("  \t \r\n"));
    assert_false(th_validate_blank("  Phú Thủy sửa số liệu "));
}

static void utf8(void **state)
{
    (void)state;
    assert_true(th_validate_utf8("Phường Phú Hài"));
    assert_true(th_validate_utf8(""));
    assert_false(th_validate_utf8("\xc0\xaf"));         /* overlong */
    assert_false(th_validate_utf8("\xed\xa0\x80"));     /* surrogate */
    assert_false(th_validate_utf8("\xf4\x90\x80\x80")); /* past U+10FFFF */
    assert_false(th_validate_utf8("abc\xe1\xbb"));      /* cut short */
    /* With a length: the bytes past it are not read, a cut sequence is bad. */
    assert_true(th_validate_utf8_n("Phường", strlen("Phường")));
    assert_false(th_validate_utf8_n("\xe1\xbb\x9d", 2));
    assert_true(th_validate_utf8_n("ab\xff", 2));
    assert_true(th_validate_utf8_n("", 0));
}

static void codes(void **state)
{
    (void)state;
    assert_true(th_validate_code("22921"));
    assert_true(th_validate_code("CTXH-01"));
    assert_false(th_validate_code(""));
    assert_false(th_validate_code("a'b"));
    assert_false(th_validate_code("012345678901234567890123456789012"));
    assert_true(th_validate_uuid("6f1c2f0e-8a47-4c1e-9d51-3f1f6b7a0c11"));
    assert_false(th_validate_uuid("6f1c2f0e8a474c1e9d513f1f6b7a0c11"));
}

/* A text cut to fit a buffer stays UTF-8: an incomplete last character
 * goes, a complete one stays. */
static void utf8_trim_cuts_only_a_broken_end(void **state)
{
    (void)state;
    char buf[64];
    strcpy(buf, "Ph\xc6\xb0\xe1\xbb\x9dng"); /* "Phường", whole */
    assert_string_equal(th_utf8_trim(buf), "Ph\xc6\xb0\xe1\xbb\x9dng");
    strcpy(buf, "Ph\xc6\xb0\xe1\xbb"); /* cut inside "ờ" (3 bytes) */
    assert_string_equal(th_utf8_trim(buf), "Ph\xc6\xb0");
    assert_true(th_validate_utf8(buf));
    strcpy(buf, "Ph\xc6"); /* cut inside "ư" (2 bytes) */
    assert_string_equal(th_utf8_trim(buf), "Ph");
    strcpy(buf, "x\xf0\x9f\x98"); /* cut inside a 4-byte character */
    assert_string_equal(th_utf8_trim(buf), "x");
    strcpy(buf, "");
    assert_string_equal(th_utf8_trim(buf), "");
    strcpy(buf, "22921");
    assert_string_equal(th_utf8_trim(buf), "22921");
    /* A copy cut to a fixed buffer, as the server makes them. */
    char small[8];
    const char *lam_dong = "L\xc3\xa2m \xc4\x90\xe1\xbb\x93ng"; /* "Lâm Đồng" */
    memcpy(small, lam_dong, 6); /* ends inside "Đ" */
    small[6] = '\0';
    assert_false(th_validate_utf8(small));
    assert_true(th_validate_utf8(th_utf8_trim(small)));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(accepts_good),
        cmocka_unit_test(utf8_trim_cuts_only_a_broken_end),
        cmocka_unit_test(boundary_numerator_equals_denominator),
        cmocka_unit_test(refuses_each_fault),
        cmocka_unit_test(number_bound),
        cmocka_unit_test(blank),
        cmocka_unit_test(utf8),
        cmocka_unit_test(codes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
