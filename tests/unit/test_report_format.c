/* Unit tests: what the report writers share (client/report_format.c): the
 * percentage, the comparator's symbol, dates and times in Vietnam time, and
 * the HTML and XML escapers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "i18n.h"
#include "report_format.h"

static int setup(void **state)
{
    (void)state;
    th_i18n_init(NULL);
    return 0;
}

static void percent_rounds_half_up_from_the_exact_fraction(void **state)
{
    (void)state;
    char buf[32];
    assert_int_equal(th_report_tenths(5, 8), 625);
    assert_int_equal(th_report_tenths(1, 3), 333);
    assert_int_equal(th_report_tenths(2, 3), 667);
    assert_int_equal(th_report_tenths(1, 2000), 1); /* 0.05% rounds up to 0.1 */
    assert_int_equal(th_report_tenths(1, 2001), 0); /* just below */
    assert_int_equal(th_report_tenths(15, 30), 500);
    assert_int_equal(th_report_tenths(3, 0), -1); /* no data, never 0% */
    assert_int_equal(th_report_tenths(INT64_MAX / 2, INT64_MAX), 500);
    assert_string_equal(th_report_percent(5, 8, 0, buf, sizeof buf), "62.5");
    assert_string_equal(th_report_percent(5, 8, 1, buf, sizeof buf), "62,5");
    assert_string_equal(th_report_percent(60, 73, 1, buf, sizeof buf), "82,2");
    assert_string_equal(th_report_percent(7, 7, 0, buf, sizeof buf), "100.0");
    assert_string_equal(th_report_percent(0, 9, 0, buf, sizeof buf), "0.0");
    assert_string_equal(th_report_percent(1, 0, 0, buf, sizeof buf), "");
    assert_string_equal(th_report_decimal("64.5", 1, buf, sizeof buf), "64,5");
    assert_string_equal(th_report_decimal("64.5", 0, buf, sizeof buf), "64.5");
    assert_string_equal(th_report_decimal("100", 1, buf, sizeof buf), "100");
}

static void one_symbol_per_comparator(void **state)
{
    (void)state;
    assert_string_equal(th_report_cmp_symbol(">="), "≥");
    assert_string_equal(th_report_cmp_symbol(">"), ">");
    assert_string_equal(th_report_cmp_symbol("="), "=");
    assert_string_equal(th_report_cmp_symbol("<="), "≤");
    assert_string_equal(th_report_cmp_symbol("~"), "~");
    assert_string_equal(th_report_cmp_symbol(NULL), "");
}

static void dates_as_the_documents_write_them(void **state)
{
    (void)state;
    char buf[32];
    assert_string_equal(th_report_vn_date("2025-12-15", buf, sizeof buf), "15/12/2025");
    assert_string_equal(th_report_vn_date("2024-02-29", buf, sizeof buf), "29/02/2024");
    assert_string_equal(th_report_vn_date("2025-02-29", buf, sizeof buf), "2025-02-29"); /* not a date */
    assert_string_equal(th_report_vn_date("15/12/2025", buf, sizeof buf), "15/12/2025");
    assert_string_equal(th_report_vn_date("", buf, sizeof buf), "");
    assert_string_equal(th_report_vn_date(NULL, buf, sizeof buf), "");
}

static void vn(const char *iso, const char *date, const char *time)
{
    char d[32], t[16];
    assert_int_equal(th_report_vn_datetime(iso, d, sizeof d, t, sizeof t), 0);
    assert_string_equal(d, date);
    assert_string_equal(t, time);
}

static void times_in_vietnam_are_utc_plus_7(void **state)
{
    (void)state;
    vn("2026-11-28T07:05:09Z", "28/11/2026", "14:05");
    vn("2026-11-28T16:59:59Z", "28/11/2026", "23:59");
    vn("2026-11-28T17:00:00Z", "29/11/2026", "00:00"); /* the next day in Vietnam */
    vn("2025-12-31T17:30:00Z", "01/01/2026", "00:30"); /* the next year */
    vn("2024-02-28T20:00:00Z", "29/02/2024", "03:00"); /* a leap day */
    vn("2025-02-28T20:00:00Z", "01/03/2025", "03:00"); /* no leap day */
    vn("2025-06-30T18:00:00Z", "01/07/2025", "01:00"); /* no daylight saving, ever */
    vn("2025-01-15T00:00:00.123456Z", "15/01/2025", "07:00");
    vn("2025-01-15T00:00", "15/01/2025", "07:00");
    vn("2025-01-15 23:10:00+00:00", "16/01/2025", "06:10");
    char d[32] = "x", t[16] = "x";
    const char *bad[] = {"",
                         "2025-01-15",
                         "2025-13-01T00:00:00Z",
                         "2025-01-15T24:00:00Z",
                         "2025-01-15T10:00+07:00",
                         "2025-01-15T10:60Z",
                         "yesterday",
                         NULL};
    for (int i = 0; bad[i]; i++) {
        assert_int_equal(th_report_vn_datetime(bad[i], d, sizeof d, t, sizeof t), -1);
        assert_string_equal(d, "");
        assert_string_equal(t, "");
    }
    assert_int_equal(th_report_vn_datetime(NULL, d, sizeof d, t, sizeof t), -1);
}

static void the_machines_time_zone_changes_nothing(void **state)
{
    (void)state;
    const char *zones[] = {
        "UTC", "America/New_York", "Europe/London", "Asia/Ho_Chi_Minh", "Pacific/Kiritimati", NULL};
    char *saved = getenv("TZ") ? strdup(getenv("TZ")) : NULL;
    for (int i = 0; zones[i]; i++) {
        setenv("TZ", zones[i], 1);
        tzset();
        vn("2026-07-01T16:30:00Z", "01/07/2026", "23:30");
        vn("2026-03-29T01:30:00Z", "29/03/2026", "08:30"); /* a European DST change */
    }
    if (saved)
        setenv("TZ", saved, 1);
    else
        unsetenv("TZ");
    tzset();
    free(saved);
}

static void the_footer_in_both_languages(void **state)
{
    (void)state;
    char buf[160];
    th_i18n_set_lang("en");
    assert_string_equal(th_report_generated("2026-11-28T07:05:09Z", buf, sizeof buf),
                        "Generated 28/11/2026 14:05 (Vietnam time, UTC+7)");
    th_i18n_set_lang("vi");
    assert_string_equal(th_report_generated("2026-11-28T07:05:09Z", buf, sizeof buf),
                        "Lập lúc 14:05 ngày 28/11/2026 (giờ Việt Nam)");
    assert_string_equal(th_report_generated("soon", buf, sizeof buf), "soon");
    th_i18n_set_lang("en");
}

typedef void (*escaper)(FILE *out, const char *s);

static const char *escaped(escaper fn, const char *s, char *buf, size_t size)
{
    memset(buf, 0, size);
    FILE *f = fmemopen(buf, size, "w");
    assert_non_null(f);
    fn(f, s);
    fclose(f);
    return buf;
}

static void one_escaper_per_language(void **state)
{
    (void)state;
    char buf[256];
    const char *name = "KH <s\xe1\xbb\x91 1> & \"B\xc3\xacnh Thu\xe1\xba\xadn\" 'x'";
    assert_string_equal(
        escaped(th_report_html_escape, name, buf, sizeof buf),
        "KH &lt;s\xe1\xbb\x91 1&gt; &amp; &quot;B\xc3\xacnh Thu\xe1\xba\xadn&quot; &#39;x&#39;");
    assert_string_equal(
        escaped(th_report_xml_escape, name, buf, sizeof buf),
        "KH &lt;s\xe1\xbb\x91 1&gt; &amp; &quot;B\xc3\xacnh Thu\xe1\xba\xadn&quot; &apos;x&apos;");
    /* XML attributes keep tabs and line breaks as references; characters
     * XML 1.0 cannot carry become U+FFFD. */
    assert_string_equal(escaped(th_report_xml_escape,
                                "a\tb\nc\rd\x01"
                                "e",
                                buf, sizeof buf),
                        "a&#9;b&#10;c&#13;d\xef\xbf\xbd"
                        "e");
    assert_string_equal(escaped(th_report_xml_escape, "", buf, sizeof buf), "");
    assert_string_equal(escaped(th_report_html_escape, NULL, buf, sizeof buf), "");
}

static void thousands_grouped_as_vietnamese_documents_write_them(void **state)
{
    (void)state;
    char buf[40];
    assert_string_equal(th_report_thousands(0, '.', buf, sizeof buf), "0");
    assert_string_equal(th_report_thousands(999, '.', buf, sizeof buf), "999");
    assert_string_equal(th_report_thousands(1000, '.', buf, sizeof buf), "1.000");
    assert_string_equal(th_report_thousands(1000000000, '.', buf, sizeof buf), "1.000.000.000");
    assert_string_equal(th_report_thousands(123456, ',', buf, sizeof buf), "123,456");
    assert_string_equal(th_report_thousands(-1234, '.', buf, sizeof buf), "-1.234");
    assert_string_equal(th_report_thousands(INT64_MIN, '.', buf, sizeof buf), "-9.223.372.036.854.775.808");
    assert_string_equal(th_report_thousands(1234567, '.', buf, 6), "1.234"); /* cut, still terminated */
}

static void one_status_per_indicator(void **state)
{
    (void)state;
    static const struct {
        const char *json;
        th_report_status_code want;
    } cases[] = {
        {"{\"kind\": \"ratio\", \"met\": true}", TH_REPORT_MET},
        {"{\"kind\": \"ratio\", \"met\": false}", TH_REPORT_NOT_MET},
        {"{\"kind\": \"count\", \"met\": null}", TH_REPORT_NO_DATA},
        {"{\"kind\": \"count\"}", TH_REPORT_NO_DATA},
        {"{\"kind\": \"qualitative\", \"met\": true}", TH_REPORT_QUALITATIVE},
    };
    th_i18n_set_lang("vi");
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_object *ind = json_tokener_parse(cases[i].json);
        assert_non_null(ind);
        assert_int_equal(th_report_status_of(ind), cases[i].want);
        json_object_put(ind);
    }
    json_object *ind = json_tokener_parse("{\"kind\": \"ratio\", \"met\": false}");
    assert_string_equal(th_report_status(ind), "Chưa đạt");
    json_object_put(ind);
    th_i18n_set_lang("en");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(percent_rounds_half_up_from_the_exact_fraction),
        cmocka_unit_test(one_symbol_per_comparator),
        cmocka_unit_test(dates_as_the_documents_write_them),
        cmocka_unit_test(times_in_vietnam_are_utc_plus_7),
        cmocka_unit_test(the_machines_time_zone_changes_nothing),
        cmocka_unit_test(the_footer_in_both_languages),
        cmocka_unit_test(one_escaper_per_language),
        cmocka_unit_test(thousands_grouped_as_vietnamese_documents_write_them),
        cmocka_unit_test(one_status_per_indicator),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
