/* Unit tests: table columns measured in display width (client/table.c), and
 * the report table keeping its columns aligned under Vietnamese names
 * written precomposed (NFC) or with combining marks (NFD). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <json-c/json.h>
#include <langinfo.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "report_format.h"
#include "table.h"

/* "Phường Phú Hài" with every letter precomposed, and the same name with
 * base letters and combining marks (U+031B horn, U+0300 grave, U+0301
 * acute). */
#define PHU_HAI_NFC "Ph\xc6\xb0\xe1\xbb\x9dng Ph\xc3\xba H\xc3\xa0i"
#define PHU_HAI_NFD "Phu\xcc\x9bo\xcc\x9b\xcc\x80ng Phu\xcc\x81 Ha\xcc\x80i"
/* "Huyện Đức Linh": ệ is e + U+0323 dot below + U+0302 circumflex in NFD. */
#define DUC_LINH_NFC "Huy\xe1\xbb\x87n \xc4\x90\xe1\xbb\xa9\x63 Linh"
#define DUC_LINH_NFD "Huye\xcc\xa3\xcc\x82n \xc4\x90u\xcc\x9b\xcc\x81\x63 Linh"

static int setup(void **state)
{
    (void)state;
    th_i18n_init(NULL); /* as the client starts */
    th_i18n_set_lang("en");
    return 0;
}

static void the_client_locale_is_utf8(void **state)
{
    (void)state;
    /* th_i18n_init picks the environment's locale only when it is UTF-8,
     * else C.UTF-8: wcwidth knows Vietnamese letters either way. */
    assert_string_equal(nl_langinfo(CODESET), "UTF-8");
}

static void vietnamese_names_are_as_wide_as_their_letters(void **state)
{
    (void)state;
    assert_int_equal(th_table_width(""), 0);
    assert_int_equal(th_table_width(NULL), 0);
    assert_int_equal(th_table_width("CTXH-01"), 7);
    assert_int_equal(th_table_width(PHU_HAI_NFC), 14);
    assert_int_equal(th_table_width(PHU_HAI_NFD), 14);
    assert_int_equal(th_table_width(DUC_LINH_NFC), 14);
    assert_int_equal(th_table_width(DUC_LINH_NFD), 14);
    assert_int_equal(th_table_width("Th\xc3\xa0nh ph\xe1\xbb\x91 Phan Thi\xe1\xbb\x87t"),
                     20); /* Thành phố Phan Thiết */
    assert_int_equal(th_table_width("X\xc3\xa3 Ti\xe1\xba\xbfn Th\xc3\xa0nh"), 13); /* Xã Tiến Thành */
    assert_int_equal(th_table_width("50,0% \xe2\x9c\x93"), 7);                      /* 50,0% ✓ */
    assert_int_equal(th_table_width("\xe6\x9d\xb1\xe4\xba\xac"), 4); /* two wide CJK characters */
    assert_int_equal(th_table_width("a\xff"
                                    "b"),
                     3); /* a stray byte counts one */
}

static void widths_hold_without_a_utf8_locale(void **state)
{
    (void)state;
    char *saved = strdup(setlocale(LC_CTYPE, NULL));
    setlocale(LC_CTYPE, "C");
    assert_int_equal(th_table_width(PHU_HAI_NFC), 14);
    assert_int_equal(th_table_width(DUC_LINH_NFD), 14);
    setlocale(LC_CTYPE, saved);
    free(saved);
}

/* What th_table_cell prints, into buf. */
static const char *cell(const char *s, int w, char *buf, size_t size)
{
    memset(buf, 0, size);
    FILE *f = fmemopen(buf, size, "w");
    assert_non_null(f);
    th_table_cell(f, s, w);
    fclose(f);
    return buf;
}

static void cells_pad_to_the_display_width(void **state)
{
    (void)state;
    char buf[128];
    assert_string_equal(cell(PHU_HAI_NFC, 16, buf, sizeof buf), PHU_HAI_NFC "  ");
    assert_string_equal(cell(PHU_HAI_NFD, 16, buf, sizeof buf), PHU_HAI_NFD "  ");
    assert_int_equal(th_table_width(cell(DUC_LINH_NFD, 20, buf, sizeof buf)), 20);
}

static void long_text_is_cut_between_letters(void **state)
{
    (void)state;
    char buf[128];
    /* 8 columns: 6 letters, the marks of the last one kept, "…", and the
     * blank column that keeps it apart from the next. */
    assert_string_equal(cell(PHU_HAI_NFC, 8, buf, sizeof buf), "Ph\xc6\xb0\xe1\xbb\x9dng\xe2\x80\xa6 ");
    assert_string_equal(cell(PHU_HAI_NFD, 8, buf, sizeof buf), "Phu\xcc\x9bo\xcc\x9b\xcc\x80ng\xe2\x80\xa6 ");
    assert_string_equal(cell(DUC_LINH_NFD, 6, buf, sizeof buf), "Huye\xcc\xa3\xcc\x82\xe2\x80\xa6 ");
    assert_int_equal(th_table_width(cell(DUC_LINH_NFD, 6, buf, sizeof buf)), 6);
    /* A text exactly as wide as the cell is cut too: Phường Phú Hài is 14. */
    assert_string_equal(cell(PHU_HAI_NFC, 14, buf, sizeof buf),
                        "Ph\xc6\xb0\xe1\xbb\x9dng Ph\xc3\xba H\xe2\x80\xa6 ");
    /* A wide character that does not fit leaves a space, never a wider cell. */
    assert_string_equal(cell("\xe6\x9d\xb1\xe4\xba\xac\xe6\x9d\xb1", 4, buf, sizeof buf),
                        "\xe6\x9d\xb1\xe2\x80\xa6 ");
}

/* The display column at which field k (0-based; fields are separated by two
 * or more spaces) starts in a line, or -1. */
static int field_column(const char *line, int k)
{
    int col = 0, field = 0;
    const char *p = line;
    while (*p && field < k) {
        if (p[0] == ' ' && p[1] == ' ') {
            while (*p == ' ') {
                p++;
                col++;
            }
            field++;
            continue;
        }
        const char *start = p;
        p++;
        while (((unsigned char)*p & 0xc0) == 0x80)
            p++;
        char one[8] = {0};
        memcpy(one, start, (size_t)(p - start));
        col += th_table_width(one);
    }
    return field == k ? col : -1;
}

static json_object *indicator(const char *code, long long num, long long den)
{
    json_object *i = json_object_new_object();
    json_object_object_add(i, "code", json_object_new_string(code));
    json_object_object_add(i, "name", json_object_new_string("T\xe1\xbb\xb7 l\xe1\xbb\x87")); /* Tỷ lệ */
    json_object_object_add(i, "kind", json_object_new_string("ratio"));
    json_object_object_add(i, "numerator", json_object_new_int64(num));
    json_object_object_add(i, "denominator", json_object_new_int64(den));
    json_object_object_add(i, "no_data", json_object_new_boolean(den == 0));
    json_object_object_add(i, "units_reporting", json_object_new_int64(1));
    json_object *t = json_object_new_object();
    json_object_object_add(t, "comparator", json_object_new_string(">="));
    json_object_object_add(t, "value", json_object_new_int64(50));
    json_object_object_add(i, "target", t);
    json_object_object_add(i, "met", den ? json_object_new_boolean(num * 2 >= den) : NULL);
    return i;
}

static json_object *child(const char *code, const char *name, long long num, long long den)
{
    json_object *c = json_object_new_object(), *u = json_object_new_object(), *inds = json_object_new_array();
    json_object_object_add(u, "code", json_object_new_string(code));
    json_object_object_add(u, "name", json_object_new_string(name));
    json_object_object_add(c, "unit", u);
    json_object_array_add(inds, indicator("CTXH-01", num, den));
    json_object_array_add(inds, indicator("CTXH-02", den - num, den));
    json_object_object_add(c, "indicators", inds);
    json_object *cc = json_object_new_object();
    json_object_object_add(cc, "expected", json_object_new_int64(3));
    json_object_object_add(cc, "reported", json_object_new_int64(1));
    json_object_object_add(c, "completeness", cc);
    return c;
}

static void report_table_columns_line_up(void **state)
{
    (void)state;
    json_object *r = json_tokener_parse(
        "{\"format\": \"tonghop-report/1\", \"plan\": {\"code\": \"1751/KH-UBND\", \"revision\": 1, "
        "\"title\": \"K\"},"
        " \"period\": {\"code\": \"2025Q3\", \"start\": \"2025-07-01\", \"end\": \"2025-09-30\"},"
        " \"unit\": {\"code\": \"60\", \"name\": \"T\xe1\xbb\x89nh B\xc3\xacnh Thu\xe1\xba\xadn\"},"
        " \"deadline\": null, \"completeness\": {\"expected\": 6, \"reported\": 3, \"on_time\": null},"
        " \"generated_at\": \"2026-11-28T07:05:09Z\"}");
    assert_non_null(r);
    json_object *inds = json_object_new_array();
    json_object_array_add(inds, indicator("CTXH-01", 3, 6));
    json_object_array_add(inds, indicator("CTXH-02", 3, 6));
    json_object_object_add(r, "indicators", inds);
    json_object *children = json_object_new_array();
    json_object_array_add(children, child("22921", PHU_HAI_NFC, 1, 3));
    json_object_array_add(children, child("22922", PHU_HAI_NFD, 2, 3));
    json_object_array_add(children, child("593", DUC_LINH_NFD, 5, 8));
    json_object_array_add(children, child("594", DUC_LINH_NFC, 1, 8));
    json_object_array_add(children, child("595", "X\xc3\xa3 Ti\xe1\xba\xbfn Th\xc3\xa0nh", 0, 0));
    json_object_object_add(r, "children", children);

    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    assert_int_equal(th_report_write_table(f, r), 0);
    fclose(f);

    /* The indicator table has its own heading for numerator/denominator. */
    assert_non_null(strstr(text, "Numerator/denominator"));
    /* The footer, in Vietnam time. */
    assert_non_null(strstr(text, "Generated 28/11/2026 14:05 (Vietnam time, UTC+7)"));

    /* Every row of the per-unit table (after "By unit:") has its columns at
     * the heading's display columns. */
    char *by = strstr(text, "By unit:\n");
    assert_non_null(by);
    char *line = by + strlen("By unit:\n");
    char *nl = strchr(line, '\n');
    assert_non_null(nl);
    *nl = '\0';
    assert_non_null(strstr(line, "Units reported / expected"));
    int cols[3];
    for (int k = 0; k < 3; k++)
        cols[k] = field_column(line, k + 1);
    int rows = 0;
    for (line = nl + 1; (nl = strchr(line, '\n')) && nl != line; line = nl + 1, rows++) {
        *nl = '\0';
        for (int k = 0; k < 3; k++)
            if (field_column(line, k + 1) != cols[k])
                fail_msg("column %d of \"%s\" is misaligned", k + 1, line);
    }
    assert_int_equal(rows, 5);
    free(text);
    json_object_put(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_client_locale_is_utf8),
        cmocka_unit_test(vietnamese_names_are_as_wide_as_their_letters),
        cmocka_unit_test(widths_hold_without_a_utf8_locale),
        cmocka_unit_test(cells_pad_to_the_display_width),
        cmocka_unit_test(long_text_is_cut_between_letters),
        cmocka_unit_test(report_table_columns_line_up),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
