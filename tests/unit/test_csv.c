/* Unit tests: CSV records and the results file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "csv.h"
#include "i18n.h"
#include "results_file.h"

static FILE *mem(const char *text)
{
    FILE *f = fmemopen((void *)text, strlen(text), "r");
    assert_non_null(f);
    return f;
}

static void quotes_crlf_bom(void **state)
{
    (void)state;
    FILE *f =
        mem("\xEF\xBB\xBF"
            "code,name\r\n\"01\",\"Hà Nội, thủ đô\"\r\n\n 02 , \"say \"\"hi\"\"\"\n03,\"two\nlines\"\n");
    th_csv c;
    th_csv_init(&c, f);
    assert_int_equal(th_csv_next(&c), 1);
    assert_int_equal(c.nfields, 2);
    assert_string_equal(c.fields[0], "code");
    assert_string_equal(c.fields[1], "name");
    assert_int_equal(th_csv_next(&c), 1);
    assert_int_equal(c.line, 2);
    assert_string_equal(c.fields[0], "01");
    assert_string_equal(c.fields[1], "Hà Nội, thủ đô");
    assert_int_equal(th_csv_next(&c), 1);
    assert_int_equal(c.line, 4);
    assert_string_equal(c.fields[0], "02");
    assert_string_equal(c.fields[1], "say \"hi\"");
    assert_int_equal(th_csv_next(&c), 1);
    assert_string_equal(c.fields[1], "two\nlines");
    assert_int_equal(th_csv_next(&c), 0);
    fclose(f);
}

static void unterminated_quote(void **state)
{
    (void)state;
    FILE *f = mem("a,\"b\n");
    th_csv c;
    th_csv_init(&c, f);
    assert_int_equal(th_csv_next(&c), -1);
    fclose(f);
}

static void overlong_record_refused(void **state)
{
    (void)state;
    /* A record just under the buffer, then separators: each separator
     * writes a terminator, which must stay inside the buffer. */
    static char text[TH_CSV_MAX_RECORD + 64];
    memset(text, 'a', TH_CSV_MAX_RECORD - 10);
    memset(text + TH_CSV_MAX_RECORD - 10, ',', 25);
    text[TH_CSV_MAX_RECORD + 15] = '\n';
    FILE *f = fmemopen(text, TH_CSV_MAX_RECORD + 16, "r");
    th_csv c;
    th_csv_init(&c, f);
    assert_int_equal(th_csv_next(&c), -1);
    assert_int_equal(c.error, TH_CSV_ERR_LONG);
    fclose(f);
}

static void last_line_without_newline(void **state)
{
    (void)state;
    FILE *f = mem("a,b\n1,2");
    th_csv c;
    th_csv_init(&c, f);
    assert_int_equal(th_csv_next(&c), 1);
    assert_int_equal(th_csv_next(&c), 1);
    assert_string_equal(c.fields[1], "2");
    assert_int_equal(th_csv_next(&c), 0);
    fclose(f);
}

static void semicolons_comments_and_offsets(void **state)
{
    (void)state;
    const char *text = "\xEF\xBB\xBF# Kế hoạch \"1751, quý 3, a, b, c\n"
                       "  # another, \"unclosed\n"
                       "Chỉ tiêu;Tử số;\"Mẫu; số\"\r\n"
                       "\"# quoted; comment\";;\r\n"
                       "CTXH-01;3,5;6\r\n";
    FILE *f = mem(text);
    th_csv c;
    th_csv_init_ex(&c, f, ';', TH_CSV_COMMENTS);
    assert_int_equal(th_csv_next(&c), 1);
    assert_int_equal(c.line, 3);
    assert_int_equal(c.nfields, 3);
    assert_string_equal(c.fields[0], "Chỉ tiêu");
    assert_string_equal(c.fields[2], "Mẫu; số");
    assert_int_equal(c.start, (size_t)(strstr(text, "Chỉ tiêu") - text));
    assert_int_equal(c.end, (size_t)(strstr(text, "\"# quoted") - text));
    /* A quoted first cell is data to the reader: the caller decides. */
    assert_int_equal(th_csv_next(&c), 1);
    assert_int_equal(c.line, 4);
    assert_string_equal(c.fields[0], "# quoted; comment");
    assert_int_equal(c.nfields, 3);
    assert_int_equal(th_csv_next(&c), 1);
    assert_int_equal(c.line, 5);
    assert_string_equal(c.fields[1], "3,5");
    assert_int_equal(th_csv_next(&c), 0);
    fclose(f);

    /* Without TH_CSV_COMMENTS a '#' line is a record like any other. */
    f = mem("# a,b\nx,y\n");
    th_csv_init(&c, f);
    assert_int_equal(th_csv_next(&c), 1);
    assert_int_equal(c.nfields, 2);
    assert_string_equal(c.fields[0], "# a");
    fclose(f);

    /* A comment on the last line, without a line end. */
    f = mem("a;b\n# end");
    th_csv_init_ex(&c, f, ';', TH_CSV_COMMENTS);
    assert_int_equal(th_csv_next(&c), 1);
    assert_int_equal(th_csv_next(&c), 0);
    fclose(f);
}

static void errors_say_why(void **state)
{
    (void)state;
    th_csv c;
    FILE *f = mem("a,b\n1,\"2\n");
    th_csv_init(&c, f);
    assert_int_equal(th_csv_next(&c), 1);
    assert_int_equal(th_csv_next(&c), -1);
    assert_int_equal(c.error, TH_CSV_ERR_QUOTE);
    assert_int_equal(c.line, 2);
    fclose(f);

    char many[TH_CSV_MAX_FIELDS * 2 + 8];
    memset(many, ';', TH_CSV_MAX_FIELDS);
    strcpy(many + TH_CSV_MAX_FIELDS, "\n");
    f = mem(many);
    th_csv_init_ex(&c, f, ';', 0);
    assert_int_equal(th_csv_next(&c), -1);
    assert_int_equal(c.error, TH_CSV_ERR_FIELDS);
    fclose(f);
    many[TH_CSV_MAX_FIELDS - 1] = '\n'; /* exactly TH_CSV_MAX_FIELDS fields */
    many[TH_CSV_MAX_FIELDS] = '\0';
    f = mem(many);
    th_csv_init_ex(&c, f, ';', 0);
    assert_int_equal(th_csv_next(&c), 1);
    assert_int_equal(c.nfields, TH_CSV_MAX_FIELDS);
    fclose(f);

    f = mem("\xEF\xBB"
            "a,b\n");
    th_csv_init(&c, f);
    assert_int_equal(th_csv_next(&c), -1);
    assert_int_equal(c.error, TH_CSV_ERR_BOM);
    fclose(f);
}

static char *write_tmp(const char *text)
{
    static char path[64];
    strcpy(path, "/tmp/th_results_XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fputs(text, f);
    fclose(f);
    return path;
}

static void results_file_reads_all_kinds(void **state)
{
    (void)state;
    char *p = write_tmp("# Phường Phú Hài, quý 3/2025\n"
                        "indicator,numerator,denominator,value,text\n"
                        "CTXH-01,3,5,,\n"
                        "CTXH-05,,,120,\n"
                        "CTXH-07,,,,\"Duy trì 12 cộng tác viên, đủ các thôn\"\n");
    th_results r;
    char err[256];
    assert_int_equal(th_results_read(p, &r, err, sizeof err), 0);
    assert_int_equal(r.n, 3);
    assert_true(r.values[0]->has_numerator && r.values[0]->has_denominator);
    assert_int_equal(r.values[0]->denominator, 5);
    assert_false(r.values[0]->has_value);
    assert_int_equal(r.values[1]->value, 120);
    assert_string_equal(r.values[2]->text, "Duy trì 12 cộng tác viên, đủ các thôn");
    assert_int_equal(r.lines[2], 5);
    th_results_fini(&r);
    unlink(p);
}

static void results_file_errors_name_line_and_column(void **state)
{
    (void)state;
    struct {
        const char *text, *needle;
    } cases[] = {
        {"indicator,numerator,denominator\nCTXH-01,1.000,5\n", "line 2, column numerator"},
        {"indicator,numerator,denominator\nCTXH-01,-1,5\n", "line 2, column numerator"},
        {"indicator,numerator,denominator\nCTXH 01,1,5\n", "line 2, column indicator"},
        {"indicator,numerater\nCTXH-01,1\n", "unknown column \"numerater\""},
        {"numerator,denominator\n1,2\n", "no \"indicator\" column"},
        {"indicator,numerator,denominator\n", "no results"},
        {"", "empty"},
        {"indicator,value\nCTXH-05,99999999999999999999\n", "line 2, column value"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *p = write_tmp(cases[i].text);
        th_results r;
        char err[256];
        assert_int_equal(th_results_read(p, &r, err, sizeof err), -1);
        if (!strstr(err, cases[i].needle)) fail_msg("case %zu: \"%s\" lacks \"%s\"", i, err, cases[i].needle);
        unlink(p);
    }
}

int main(void)
{
    setenv("TONGHOP_LANG", "en", 1);
    th_i18n_init(NULL);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(quotes_crlf_bom),
        cmocka_unit_test(unterminated_quote),
        cmocka_unit_test(last_line_without_newline),
        cmocka_unit_test(overlong_record_refused),
        cmocka_unit_test(semicolons_comments_and_offsets),
        cmocka_unit_test(errors_say_why),
        cmocka_unit_test(results_file_reads_all_kinds),
        cmocka_unit_test(results_file_errors_name_line_and_column),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
