/* Unit tests: results files as offices write them (Excel on a Vietnamese
 * Windows: semicolons, a byte-order mark, CRLF, Vietnamese column names),
 * and the blank form (tonghop form) read back as results. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "form_cmd.h"
#include "i18n.h"
#include "request.h"
#include "results_file.h"

static char path[64];

static const char *write_tmp(const char *text)
{
    strcpy(path, "/tmp/th_results_XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fputs(text, f);
    fclose(f);
    return path;
}

/* Reads text as a results file; returns th_results_read's result, with
 * the message in err. */
static int read_text(const char *text, th_results *r, char *err, size_t errlen)
{
    int rc = th_results_read(write_tmp(text), r, err, errlen);
    unlink(path);
    return rc;
}

static void expect_error(const char *text, const char *needle)
{
    th_results r;
    char err[512];
    if (read_text(text, &r, err, sizeof err) != -1) fail_msg("accepted: %s", text);
    if (!strstr(err, needle)) fail_msg("\"%s\" lacks \"%s\"", err, needle);
}

static void column_names_in_both_languages(void **state)
{
    (void)state;
    struct {
        const char *name;
        int col;
    } cases[] = {
        {"indicator", TH_RESULTS_COL_INDICATOR},
        {"Indicator", TH_RESULTS_COL_INDICATOR},
        {"Chỉ tiêu", TH_RESULTS_COL_INDICATOR},
        {"CHỈ TIÊU", TH_RESULTS_COL_INDICATOR},
        {"chi tieu", TH_RESULTS_COL_INDICATOR},
        {"Mã chỉ tiêu", TH_RESULTS_COL_INDICATOR},
        {"ma_chi_tieu", TH_RESULTS_COL_INDICATOR},
        {"Chi\xcc\x89 tie\xcc\x82\xcc\x80u", TH_RESULTS_COL_INDICATOR}, /* decomposed (NFD) */
        {"Tử số", TH_RESULTS_COL_NUMERATOR},
        {"  TỬ   SỐ ", TH_RESULTS_COL_NUMERATOR},
        {"tu so", TH_RESULTS_COL_NUMERATOR},
        {"Tu\xc2\xa0so", TH_RESULTS_COL_NUMERATOR}, /* a no-break space */
        {"NUMERATOR", TH_RESULTS_COL_NUMERATOR},
        {"Mẫu số", TH_RESULTS_COL_DENOMINATOR},
        {"mau so", TH_RESULTS_COL_DENOMINATOR},
        {"Denominator", TH_RESULTS_COL_DENOMINATOR},
        {"Giá trị", TH_RESULTS_COL_VALUE},
        {"gia tri", TH_RESULTS_COL_VALUE},
        {"Value", TH_RESULTS_COL_VALUE},
        {"Nội dung", TH_RESULTS_COL_TEXT},
        {"noi dung", TH_RESULTS_COL_TEXT},
        {"TEXT", TH_RESULTS_COL_TEXT},
        {"Đơn vị", -1},
        {"tử", -1},
        {"tu so so", -1},
        {"numerater", -1},
        {"", -1},
        {"\xff\xfe", -1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        if (th_results_column(cases[i].name) != cases[i].col)
            fail_msg("\"%s\": %d, wanted %d", cases[i].name, th_results_column(cases[i].name), cases[i].col);
}

static void excel_file_with_semicolons_bom_crlf(void **state)
{
    (void)state;
    th_results r;
    char err[512];
    const char *text = "\xEF\xBB\xBF"
                       "# Phường Phú Hài — quý 3/2025;;;;\r\n"
                       "Chỉ tiêu;Tử số;Mẫu số;Giá trị;Nội dung\r\n"
                       "CTXH-01;3;6;;\r\n"
                       ";;;;\r\n"
                       "CTXH-02;2;9;;\r\n"
                       "CTXH-05;;;1200;\r\n"
                       "CTXH-07;;;;\"Duy trì 12 cộng tác viên; đủ các thôn, ấp\"\r\n";
    if (read_text(text, &r, err, sizeof err) != 0) fail_msg("%s", err);
    assert_int_equal(r.n, 4);
    assert_string_equal(r.values[0]->indicator_code, "CTXH-01");
    assert_int_equal(r.values[0]->numerator, 3);
    assert_int_equal(r.values[0]->denominator, 6);
    assert_int_equal(r.lines[1], 5);
    assert_int_equal(r.values[2]->value, 1200);
    assert_false(r.values[2]->has_numerator);
    assert_string_equal(r.values[3]->text, "Duy trì 12 cộng tác viên; đủ các thôn, ấp");
    th_results_fini(&r);

    /* Without diacritics, in capitals, comma-separated, LF. */
    if (read_text("CHI TIEU,Tu So,MAU SO\nCTXH-01,1,2\n", &r, err, sizeof err) != 0) fail_msg("%s", err);
    assert_int_equal(r.n, 1);
    assert_int_equal(r.values[0]->denominator, 2);
    th_results_fini(&r);

    /* A header with only one column decides nothing; ',' is assumed. */
    expect_error("indicator\nCTXH-01\n", "no results");
}

static void separator_comes_from_the_header(void **state)
{
    (void)state;
    th_results r;
    char err[512];
    /* Both in the header: the separator that gives known names wins, and
     * the other one is then named as part of an unknown column. */
    expect_error("Chỉ tiêu;Tử số;Ghi chú, nếu có\nCTXH-01;1;x\n", "unknown column \"Ghi chú, nếu có\"");
    /* Commas inside quotes do not count. */
    if (read_text("indicator;\"text\"\nCTXH-07;\"a, b\"\n", &r, err, sizeof err) != 0) fail_msg("%s", err);
    assert_string_equal(r.values[0]->text, "a, b");
    th_results_fini(&r);
    /* Neither reading gives more known names: refused, naming line 1. */
    expect_error("indicator,numerator;denominator\nCTXH-01,1;2\n", "line 1: the header has both");
    expect_error("indicator;numerator,denominator\n", "line 1:");
    /* The header's line, after comments. */
    expect_error("# x\n\nindicator;numerator,denominator\n", "line 3:");
}

static void extra_cells_are_refused(void **state)
{
    (void)state;
    expect_error("indicator,value\nCTXH-05,1,500\n", "line 2: 3 cells, but the header has only 2 columns");
    expect_error("indicator;value\r\nCTXH-05;1;\r\n", "line 2: 3 cells");
    /* "1,5" in a comma file is two cells. */
    expect_error("indicator,value\nCTXH-05,1,5\n", "line 2:");
    /* Excel pads rows to the sheet's width: empty trailing cells in the
     * header name no column, and empty cells under them are fine... */
    th_results r;
    char err[512];
    if (read_text("indicator;numerator;denominator;;\r\nCTXH-01;3;6;;\r\nCTXH-02;1;2\r\n", &r, err,
                  sizeof err) != 0)
        fail_msg("%s", err);
    assert_int_equal(r.n, 2);
    th_results_fini(&r);
    /* ...but a value there is not silently dropped. */
    expect_error("indicator;numerator;denominator;;\r\nCTXH-01;3;6;;x\r\n", "line 2, column 5:");
    expect_error("indicator;;value\nCTXH-05;;1\n", "line 1: column 2 of the header has no name");
}

static void empty_rows_are_not_reported(void **state)
{
    (void)state;
    th_results r;
    char err[512];
    const char *text = "indicator,numerator,denominator,value,text\n"
                       "CTXH-01,,,,\n"
                       "CTXH-02,2,9,,\n"
                       "CTXH-03,,,,\n"
                       "CTXH-05,,,0,\n";
    if (read_text(text, &r, err, sizeof err) != 0) fail_msg("%s", err);
    assert_int_equal(r.n, 2);
    assert_string_equal(r.values[0]->indicator_code, "CTXH-02");
    assert_int_equal(r.lines[0], 3);
    assert_string_equal(r.values[1]->indicator_code, "CTXH-05");
    assert_true(r.values[1]->has_value);
    assert_int_equal(r.values[1]->value, 0);
    th_results_fini(&r);
    /* A blank form: nothing to send. */
    expect_error("indicator,numerator,denominator\nCTXH-01,,\nCTXH-02,,\n", "no results");
    /* A row that is empty but for a bad code is still refused. */
    expect_error("indicator,numerator\nTổng cộng,\n", "line 2, column indicator");
}

static void numbers_are_digits_only(void **state)
{
    (void)state;
    expect_error("Chỉ tiêu;Tử số;Mẫu số\nCTXH-01;1.000;2000\n",
                 "line 2, column Tử số: \"1.000\": write whole numbers with digits only");
    expect_error("Chỉ tiêu;Tử số;Mẫu số\nCTXH-01;1;1,5\n",
                 "line 2, column Mẫu số: \"1,5\": write whole numbers");
    expect_error("indicator;value\nCTXH-05;1 000\n", "line 2, column value: \"1 000\"");
    expect_error("indicator;numerator;denominator\nCTXH-01;-3;5\n",
                 "line 2, column numerator: \"-3\": the number must not be negative");
    expect_error("indicator;numerator;denominator\nCTXH-01;30%;5\n",
                 "line 2, column numerator: \"30%\": write the count itself");
    expect_error("indicator;value\nCTXH-05;mười\n",
                 "line 2, column value: \"mười\" is not a whole non-negative");
    expect_error("indicator;value\nCTXH-05;99999999999999999999\n", "line 2, column value");
}

static void other_errors_name_the_line(void **state)
{
    (void)state;
    expect_error("Chỉ tiêu;Tử số;Mẫu\n", "line 1: unknown column \"Mẫu\"");
    expect_error("Chỉ tiêu;Tử số;numerator\n", "line 1: column \"numerator\" appears twice");
    expect_error("Tử số;Mẫu số\n1;2\n", "no \"indicator\" column");
    /* Windows-1258 bytes, as Excel's plain "CSV" writes them. */
    expect_error("Ch\xd2 ti\xeau;T\xf5 s\xf4\nCTXH-01;1\n", "line 1: the header is not UTF-8");
    expect_error("indicator;text\nCTXH-07;\"unclosed\n", "line 2: a cell that starts with \" is not closed");
    expect_error("\xEF\xBB\xBF\n\n", "empty");
    expect_error("# only a comment\n;;;\n", "empty");
    /* A comment is not parsed: quotes and many separators are fine. */
    th_results r;
    char err[512];
    char text[1024] = "# \"unclosed";
    for (int i = 0; i < 100; i++)
        strcat(text, ",;");
    strcat(text, "\nindicator,value\nCTXH-05,1\n");
    if (read_text(text, &r, err, sizeof err) != 0) fail_msg("%s", err);
    assert_int_equal(r.lines[0], 3);
    th_results_fini(&r);
}

/* A plan document as the server sends it for a unit (th_plan_document). */
static const char plan_doc[] =
    "{\"code\": \"1751/KH-UBND\", \"revision\": 1,"
    " \"title\": \"Triển khai thực hiện Chương trình phát triển công tác xã hội năm 2025\","
    " \"programmes\": [{\"code\": \"CTXH\", \"name\": \"Công tác xã hội\", \"targets\": ["
    "  {\"indicator\": \"CTXH-01\", \"years\": {\"from\": 2025, \"to\": 2025}, \"comparator\": \">=\", "
    "\"value\": "
    "50},"
    "  {\"indicator\": \"CTXH-05\", \"years\": {\"from\": 2025, \"to\": 2025}, \"comparator\": \">\", "
    "\"value\": "
    "1000},"
    "  {\"indicator\": \"CTXH-09\", \"years\": {\"from\": 2026, \"to\": 2026}, \"comparator\": \">\", "
    "\"value\": 1},"
    "  {\"indicator\": \"CTXH-07\", \"years\": {\"from\": 2025, \"to\": 2025}, \"text\": \"Duy trì\\nmạng "
    "lưới\"}]}],"
    " \"indicators\": {"
    "  \"CTXH-01\": {\"name\": \"Tỷ lệ cơ quan, tổ chức \\\"có\\\" nhân sự\", \"kind\": \"ratio\","
    "   \"numerator_label\": \"Số cơ sở có\\r\\nnhân sự\", \"denominator_label\": \"Tổng số cơ sở\"},"
    "  \"CTXH-05\": {\"name\": \"Số người được trợ giúp\", \"kind\": \"count\", \"numerator_label\": \"Số "
    "người\"},"
    "  \"CTXH-07\": {\"name\": \"Mạng lưới cộng tác viên\", \"kind\": \"qualitative\"},"
    "  \"CTXH-09\": {\"name\": \"Khác\", \"kind\": \"count\"}},"
    " \"for_unit\": {\"code\": \"22921\", \"name\": \"Phường Phú Hài\", \"role\": \"commune\", \"covered\": "
    "true,"
    "  \"quarters\": [\"2025Q1\", \"2025Q2\", \"2025Q3\", \"2025Q4\"], \"deadlines\": []}}";

/* s with the first from replaced by to (malloc'd). */
static char *replace(const char *s, const char *from, const char *to)
{
    const char *at = strstr(s, from);
    assert_non_null(at);
    size_t n = strlen(s) - strlen(from) + strlen(to) + 1;
    char *out = malloc(n);
    assert_non_null(out);
    snprintf(out, n, "%.*s%s%s", (int)(at - s), s, to, at + strlen(from));
    return out;
}

static char *form_text(json_object *doc, const char *period, int *rc)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    *rc = th_form_write(f, doc, period);
    fclose(f);
    return buf;
}

static void the_form_reads_back_as_results(void **state)
{
    (void)state;
    json_object *doc = json_tokener_parse(plan_doc);
    assert_non_null(doc);
    int rc;
    char *form = form_text(doc, "2025Q3", &rc);
    assert_int_equal(rc, TH_EXIT_OK);
    assert_int_equal(strncmp(form, "# Plan 1751/KH-UBND — Phường Phú Hài (22921) — quarter 3/2025\n", 66), 0);
    /* Labels with line breaks stay on their comment line. */
    for (const char *line = form; *line; line = strchr(line, '\n') + 1) {
        if (strncmp(line, "CTXH-", 5) != 0 && strncmp(line, "indicator,", 10) != 0)
            if (line[0] != '#') fail_msg("not a comment: %.60s", line);
        assert_null(memchr(line, '\r', (size_t)(strchr(line, '\n') - line)));
    }
    assert_non_null(strstr(form, "Số cơ sở có  nhân sự"));
    assert_non_null(strstr(form, "\nindicator,numerator,denominator,value,text\n"
                                 "CTXH-01,,,,\nCTXH-05,,,,\nCTXH-07,,,,\n"));
    assert_null(strstr(form, "CTXH-09,"));

    /* Blank, it is refused as having no results; filled, it is read. */
    th_results r;
    char err[512];
    assert_int_equal(read_text(form, &r, err, sizeof err), -1);
    assert_non_null(strstr(err, "no results"));
    char *half = replace(form, "CTXH-01,,,,", "CTXH-01,3,6,,");
    char *filled = replace(half, "CTXH-07,,,,", "CTXH-07,,,,\"Đã làm, đủ\"");
    free(half);
    if (read_text(filled, &r, err, sizeof err) != 0) fail_msg("%s\n%s", err, filled);
    assert_int_equal(r.n, 2);
    assert_string_equal(r.values[0]->indicator_code, "CTXH-01");
    assert_int_equal(r.values[0]->denominator, 6);
    assert_string_equal(r.values[1]->indicator_code, "CTXH-07");
    th_results_fini(&r);
    free(filled);
    free(form);

    /* The period must be one of the plan's quarters, the unit covered. */
    free(form_text(doc, "2026Q1", &rc));
    assert_int_equal(rc, TH_EXIT_USAGE);
    free(form_text(doc, "2025", &rc));
    assert_int_equal(rc, TH_EXIT_USAGE);
    free(form_text(doc, "Q3", &rc));
    assert_int_equal(rc, TH_EXIT_USAGE);
    json_object_object_add(json_object_object_get(doc, "for_unit"), "covered", json_object_new_boolean(0));
    free(form_text(doc, "2025Q3", &rc));
    assert_int_equal(rc, TH_EXIT_REJECTED);
    json_object_put(doc);
}

int main(void)
{
    setenv("TONGHOP_LANG", "en", 1);
    th_i18n_init(NULL);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(column_names_in_both_languages),
        cmocka_unit_test(excel_file_with_semicolons_bom_crlf),
        cmocka_unit_test(separator_comes_from_the_header),
        cmocka_unit_test(extra_cells_are_refused),
        cmocka_unit_test(empty_rows_are_not_reported),
        cmocka_unit_test(numbers_are_digits_only),
        cmocka_unit_test(other_errors_name_the_line),
        cmocka_unit_test(the_form_reads_back_as_results),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
