/* Unit tests: the official report (client/report_official.c): its words
 * (place, period, date line, committee), the defaults it takes from the
 * report JSON, the sections it writes only when the JSON carries them
 * (quality_notes, approval), and that everything from the JSON is
 * escaped. */
#define _GNU_SOURCE /* open_memstream */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "report_official.h"

static int setup(void **state)
{
    (void)state;
    th_i18n_init(NULL);
    return 0;
}

static void places_without_their_type_word(void **state)
{
    (void)state;
    assert_string_equal(th_official_place("Tỉnh Bình Thuận"), "Bình Thuận");
    assert_string_equal(th_official_place("Thành phố Phan Thiết"), "Phan Thiết");
    assert_string_equal(th_official_place("Thị xã La Gi"), "La Gi");
    assert_string_equal(th_official_place("Phường Phú Hài"), "Phú Hài");
    assert_string_equal(th_official_place("Huyện Phú Quí"), "Phú Quí");
    assert_string_equal(th_official_place("Nước Cộng hòa xã hội chủ nghĩa Việt Nam"), "Hà Nội");
    assert_string_equal(th_official_place("Đặc khu Phú Quý"), "Phú Quý");
    assert_string_equal(th_official_place("Bình Thuận"), "Bình Thuận");
    assert_string_equal(th_official_place("Tỉnh "), "Tỉnh "); /* nothing after the type word */
    assert_string_equal(th_official_place(NULL), "");
}

static void periods_in_words(void **state)
{
    (void)state;
    char buf[64];
    assert_string_equal(th_official_period("2025Q1", buf, sizeof buf), "quý I năm 2025");
    assert_string_equal(th_official_period("2025Q3", buf, sizeof buf), "quý III năm 2025");
    assert_string_equal(th_official_period("2026Q4", buf, sizeof buf), "quý IV năm 2026");
    assert_string_equal(th_official_period("2025", buf, sizeof buf), "năm 2025");
    assert_string_equal(th_official_period("2025Q5", buf, sizeof buf), "2025Q5");
    assert_string_equal(th_official_period("abc", buf, sizeof buf), "abc");
}

static void the_date_line_in_vietnam_time(void **state)
{
    (void)state;
    char buf[64];
    assert_string_equal(th_official_date_words("2026-11-28T07:05:09Z", buf, sizeof buf),
                        "ngày 28 tháng 11 năm 2026");
    /* 20:00 UTC is the next morning in Vietnam; days below 10 and the
     * months 1 and 2 take a leading zero, the others do not */
    assert_string_equal(th_official_date_words("2026-02-04T20:00:00Z", buf, sizeof buf),
                        "ngày 05 tháng 02 năm 2026");
    assert_string_equal(th_official_date_words("2026-04-09T01:00:00Z", buf, sizeof buf),
                        "ngày 09 tháng 4 năm 2026");
    assert_string_equal(th_official_date_words("2025-12-31T17:00:00Z", buf, sizeof buf),
                        "ngày 01 tháng 01 năm 2026");
    assert_string_equal(th_official_date_words("yesterday", buf, sizeof buf), "");
}

static void committees_of_units(void **state)
{
    (void)state;
    char buf[128];
    assert_string_equal(th_official_committee("Thành phố Phan Thiết", buf, sizeof buf),
                        "Ủy ban nhân dân thành phố Phan Thiết");
    assert_string_equal(th_official_committee("Tỉnh Bình Thuận", buf, sizeof buf),
                        "Ủy ban nhân dân tỉnh Bình Thuận");
    assert_string_equal(th_official_committee("Đặc khu Phú Quý", buf, sizeof buf),
                        "Ủy ban nhân dân đặc khu Phú Quý");
}

/* The document for json with opts, as a string the caller frees. */
static char *render(const char *json, const th_official_opts *opts, int *rc)
{
    json_object *report = json_tokener_parse(json);
    assert_non_null(report);
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    assert_non_null(out);
    *rc = th_report_write_official(out, report, opts);
    fclose(out);
    json_object_put(report);
    return text;
}

static const char DISTRICT[] =
    "{\"format\": \"tonghop-report/1\","
    " \"plan\": {\"code\": \"99/KH-KIEMTHU\", \"title\": \"Triển khai <b>thực hiện</b> năm 2025\","
    "  \"issuer_unit\": \"60\", \"issuing_body\": \"Ủy ban nhân dân tỉnh Bình Thuận\","
    "  \"issued_on\": \"2025-01-15\","
    "  \"deadlines\": [{\"level\": \"commune\", \"to\": \"UBND huyện\", \"date\": \"2025-11-25\"},"
    "                {\"level\": \"district\", \"to\": \"Sở Y tế & Xã hội\", \"date\": \"2025-12-15\"}]},"
    " \"period\": {\"code\": \"2025\", \"start\": \"2025-01-01\", \"end\": \"2025-12-31\"},"
    " \"unit\": {\"code\": \"593\", \"name\": \"Thành phố Phan Thiết\", \"role\": \"district\","
    "  \"parent\": {\"code\": \"60\", \"name\": \"Tỉnh Bình Thuận\"}},"
    " \"deadline\": {\"level\": \"commune\", \"date\": \"2025-11-25\"},"
    " \"indicators\": [{\"code\": \"CTXH-01\", \"name\": \"Tỷ lệ <cơ sở>\", \"kind\": \"ratio\","
    "   \"numerator\": 1234, \"denominator\": 2000, \"percent\": \"61.70\", \"no_data\": false,"
    "   \"target\": {\"comparator\": \">=\", \"value\": 50}, \"met\": true},"
    "  {\"code\": \"CTXH-05\", \"name\": \"Số người\", \"kind\": \"count\", \"value\": 1500, \"no_data\": "
    "false,"
    "   \"target\": {\"comparator\": \">=\", \"value\": 2000}, \"progress\": \"75.0\", \"met\": false}],"
    " \"completeness\": {\"level\": \"commune\", \"expected\": 18, \"reported\": 12, \"on_time\": 10},"
    " \"quality_notes\": [{\"unit\": \"Phường <Phú Hài>\", \"indicator\": \"CTXH-01\","
    "   \"text\": \"Mẫu số giảm một nửa so với quý trước\"}],"
    " \"approval\": {\"state\": \"approved\", \"by\": \"593\", \"by_role\": \"district\", \"at\": "
    "\"2026-11-28T07:05:00Z\"},"
    " \"generated_at\": \"2026-11-28T07:05:09Z\"}";

static void a_districts_document(void **state)
{
    (void)state;
    int rc;
    char *html = render(DISTRICT, NULL, &rc);
    assert_int_equal(rc, 0);
    /* the body: the district's committee, not the plan's issuer */
    assert_non_null(strstr(html, "Ủy ban nhân dân<br>thành phố Phan Thiết"));
    /* Kính gửi: the plan's recipient for districts, escaped */
    assert_non_null(strstr(html, "Kính gửi: Sở Y tế &amp; Xã hội"));
    assert_non_null(strstr(html, "Phan Thiết, ngày 28 tháng 11 năm 2026"));
    /* the year is said once: the title already ends with it */
    assert_non_null(strstr(html, "Kết quả triển khai &lt;b&gt;thực hiện&lt;/b&gt; năm 2025</div>"));
    assert_non_null(
        strstr(html, "Kế hoạch số 99/KH-KIEMTHU ngày 15/01/2025 của Ủy ban nhân dân tỉnh Bình Thuận"));
    /* numbers as Vietnamese documents write them */
    assert_non_null(
        strstr(html, "1.234&nbsp;/&nbsp;2.000</td><td class=\"n\">61,7%</td><td class=\"c\">Đạt</td>"));
    assert_non_null(strstr(html, "≥ 2.000</td>"));
    assert_non_null(strstr(html, "1.500<br>(75,0% kế hoạch)</td><td class=\"c notmet\">Chưa đạt</td>"));
    assert_non_null(strstr(html, "Tỷ lệ &lt;cơ sở&gt;"));
    assert_null(strstr(html, "<cơ sở>"));
    assert_non_null(strstr(html,
                           "Số đơn vị cấp xã phải báo cáo: <b>18</b>; đã báo cáo: <b>12</b> (66,7%); "
                           "báo cáo đúng hạn (đến ngày 25/11/2025): <b>10</b>; chưa báo cáo: <b>6</b>."));
    /* the sections present only with their fields, escaped */
    assert_non_null(strstr(html, "III. NHỮNG VẤN ĐỀ VỀ CHẤT LƯỢNG SỐ LIỆU CHƯA XỬ LÝ XONG"));
    assert_non_null(strstr(html, "Phường &lt;Phú Hài&gt;"));
    assert_non_null(strstr(html, "IV. TÌNH TRẠNG PHÊ DUYỆT"));
    assert_non_null(strstr(html, "Tình trạng: <b>Đã phê duyệt</b>; đơn vị thực hiện: 593; lúc 14:05 "
                                 "ngày 28/11/2026 (giờ Việt Nam)."));
    assert_non_null(strstr(html, "TM. Ủy ban nhân dân<br>Chủ tịch"));
    free(html);
}

static void without_the_optional_fields(void **state)
{
    (void)state;
    /* a commune of a plan without a commune deadline: Kính gửi the
     * committee above; no quality notes, no approval, no deadline */
    static const char COMMUNE[] =
        "{\"plan\": {\"code\": \"1/KH\", \"title\": \"Kế hoạch\", \"issuer_unit\": \"60\"},"
        " \"period\": {\"code\": \"2025Q3\"},"
        " \"unit\": {\"code\": \"22921\", \"name\": \"Phường Phú Hài\", \"role\": \"commune\","
        "  \"parent\": {\"code\": \"593\", \"name\": \"Thành phố Phan Thiết\"}},"
        " \"indicators\": [{\"code\": \"CTXH-07\", \"name\": \"Mạng lưới\", \"kind\": \"qualitative\","
        "   \"units_reporting\": 0, \"no_data\": true, \"target\": {\"text\": \"Duy trì\"}}],"
        " \"completeness\": {\"level\": \"commune\", \"expected\": 1, \"reported\": 0, \"on_time\": null},"
        " \"generated_at\": \"2026-11-28T07:05:09Z\"}";
    int rc;
    char *html = render(COMMUNE, NULL, &rc);
    assert_int_equal(rc, 0);
    assert_non_null(strstr(html, "Kính gửi: Ủy ban nhân dân thành phố Phan Thiết"));
    assert_non_null(strstr(html, "Phú Hài, ngày 28 tháng 11 năm 2026"));
    assert_non_null(strstr(html, "quý III năm 2025"));
    assert_non_null(strstr(html, "Định tính"));
    assert_non_null(strstr(html, "Kế hoạch không quy định hạn báo cáo trong năm."));
    assert_null(strstr(html, "CHẤT LƯỢNG SỐ LIỆU"));
    assert_null(strstr(html, "PHÊ DUYỆT"));
    assert_null(strstr(html, " ngày 15/")); /* no issued_on: no date cited */
    free(html);

    /* the options win, and are escaped */
    th_official_opts o = {.issuer_body = "UBND tỉnh|Sở <Y tế>",
                          .number = "15/BC-SYT",
                          .to = "Bộ Y tế",
                          .place = "Bình Thuận",
                          .signer_title = "KT. Giám đốc|Phó Giám đốc",
                          .signer_name = "Trần \"B\""};
    html = render(COMMUNE, &o, &rc);
    assert_int_equal(rc, 0);
    assert_non_null(
        strstr(html, "<div class=\"parent\">UBND tỉnh</div><div class=\"own\">Sở &lt;Y tế&gt;</div>"));
    assert_non_null(strstr(html, "Số: 15/BC-SYT"));
    assert_non_null(strstr(html, "Kính gửi: Bộ Y tế"));
    assert_non_null(strstr(html, "Bình Thuận, ngày 28"));
    assert_non_null(strstr(html, "KT. Giám đốc<br>Phó Giám đốc"));
    assert_non_null(strstr(html, "Trần &quot;B&quot;"));
    free(html);

    /* a code kept across the reform: new An Giang (91) reporting on Kiên
     * Giang's plan (issued by the old 91) speaks as itself */
    static const char KEPT_CODE[] =
        "{\"plan\": {\"code\": \"38/KH-UBND\", \"title\": \"Kế hoạch\", \"issuer_unit\": \"91\","
        "  \"issuing_body\": \"Ủy ban nhân dân tỉnh Kiên Giang\"},"
        " \"period\": {\"code\": \"2025\"},"
        " \"unit\": {\"code\": \"91\", \"name\": \"Tỉnh An Giang\", \"role\": \"province\","
        "  \"plan_territory\": {\"code\": \"91\", \"name\": \"Tỉnh Kiên Giang\", \"ceased\": "
        "\"2025-07-01\"}},"
        " \"indicators\": [], \"completeness\": {\"level\": \"commune\", \"expected\": 0, \"reported\": 0},"
        " \"generated_at\": \"2026-11-28T07:05:09Z\"}";
    html = render(KEPT_CODE, NULL, &rc);
    assert_int_equal(rc, 0);
    assert_non_null(strstr(html, "Ủy ban nhân dân tỉnh An Giang báo cáo"));
    assert_null(strstr(html, "Kiên Giang báo cáo"));
    free(html);

    /* nothing to write without the plan */
    html = render("{\"unit\": {}, \"period\": {}, \"indicators\": []}", NULL, &rc);
    assert_int_equal(rc, -1);
    free(html);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(places_without_their_type_word), cmocka_unit_test(periods_in_words),
        cmocka_unit_test(the_date_line_in_vietnam_time),  cmocka_unit_test(committees_of_units),
        cmocka_unit_test(a_districts_document),           cmocka_unit_test(without_the_optional_fields),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
