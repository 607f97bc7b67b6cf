/* Unit tests: tonghopd's configuration file (server/serve_config.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "serve_config.h"

/* Reads text as the file "t.conf". */
static int read_text(const char *text, th_serve_config_file *c, char *err, size_t errlen)
{
    FILE *f = fmemopen((void *)text, strlen(text), "r");
    assert_non_null(f);
    int rc = th_serve_config_read(f, "t.conf", c, err, errlen);
    fclose(f);
    return rc;
}

static void reads_every_key(void **state)
{
    (void)state;
    const char *text = "\xEF\xBB\xBF# tonghopd settings\n"
                       "\n"
                       "db = host=/var/run/postgresql dbname=tonghop   # peer authentication\n"
                       "bind = tcp://0.0.0.0:5570\n"
                       "endpoint_file = /run/tonghop/endpoint\n"
                       "notify_bind = tcp://0.0.0.0:5571\n"
                       "notify_endpoint_file = /run/tonghop/notify\n"
                       "batch = 512\n"
                       "db_timeout = 30s\n"
                       "workers = 4\n"
                       "\tingest_workers=3\r\n"
                       "max_open_per_client = 100\n"
                       "secret_key_file = /etc/tonghop/server.key\n"
                       "verbose = yes\n"
                       "log_format = json\n"
                       "lang = en\n"
                       "metrics_bind = 127.0.0.1:9570\n"
                       "read_db = host=db2 dbname=tonghop target_session_attrs=prefer-standby\n";
    th_serve_config_file c;
    char err[512] = "";
    assert_int_equal(read_text(text, &c, err, sizeof err), 0);
    assert_string_equal(c.db, "host=/var/run/postgresql dbname=tonghop");
    assert_string_equal(c.bind, "tcp://0.0.0.0:5570");
    assert_string_equal(c.endpoint_file, "/run/tonghop/endpoint");
    assert_string_equal(c.notify_bind, "tcp://0.0.0.0:5571");
    assert_string_equal(c.notify_endpoint_file, "/run/tonghop/notify");
    assert_string_equal(c.secret_key_file, "/etc/tonghop/server.key");
    assert_int_equal(c.batch, 512);
    assert_int_equal(c.db_timeout_ms, 30000);
    assert_int_equal(c.workers, 4);
    assert_int_equal(c.ingest_workers, 3);
    assert_int_equal(c.max_open_per_client, 100);
    assert_int_equal(c.verbose, 1);
    assert_int_equal(c.log_json, 1);
    assert_string_equal(c.lang, "en");
    assert_string_equal(c.metrics_bind, "127.0.0.1:9570");
    assert_string_equal(c.read_db, "host=db2 dbname=tonghop target_session_attrs=prefer-standby");
    assert_int_equal(c.set, (1u << TH_SCFG_NKEYS) - 1);
    th_serve_config_fini(&c);
}

static void an_empty_file_sets_nothing(void **state)
{
    (void)state;
    th_serve_config_file c;
    char err[512] = "";
    assert_int_equal(read_text("# only comments\n\n   \n", &c, err, sizeof err), 0);
    assert_int_equal(c.set, 0);
    assert_null(c.db);
    assert_int_equal(c.batch, 0);
    th_serve_config_fini(&c);
}

/* Each bad file is refused, naming the file, the line and the key. */
static void refuses_with_file_line_and_key(void **state)
{
    (void)state;
    static const struct {
        const char *text, *line, *key;
    } bad[] = {
        {"bind = tcp://127.0.0.1:5570\nbnd = x\n", "2", "bnd"},
        {"batch = lots\n", "1", "batch"},
        {"batch = 0\n", "1", "batch"},
        {"batch = 10001\n", "1", "batch"},
        {"workers = 65\n", "1", "workers"},
        {"ingest_workers = 17\n", "1", "ingest_workers"},
        {"max_open_per_client = 4097\n", "1", "max_open_per_client"},
        {"max_open_per_client = -1\n", "1", "max_open_per_client"},
        {"db_timeout = 10\n", "1", "db_timeout"},
        {"db_timeout = soon\n", "1", "db_timeout"},
        {"log_format = xml\n", "1", "log_format"},
        {"verbose = maybe\n", "1", "verbose"},
        {"lang = fr\n", "1", "lang"},
        {"\n\nbind =\n", "3", "bind"},
        {"bind = a\n# two\nbind = b\n", "3", "bind"},
        {"db = dbname=tonghop password=hunter2\n", "1", "db"},
        {"db = postgresql://tonghopd:hunter2@localhost/tonghop\n", "1", "db"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        th_serve_config_file c;
        char err[512] = "";
        assert_int_equal(read_text(bad[i].text, &c, err, sizeof err), -1);
        assert_non_null(strstr(err, "t.conf"));
        char want[64];
        snprintf(want, sizeof want, " %s, %s: ", bad[i].line, bad[i].key);
        if (!strstr(err, want)) fail_msg("\"%s\" does not name line and key (%s)", err, want);
        assert_int_equal(c.set, 0); /* nothing kept */
        assert_null(c.bind);
    }
}

static void refuses_a_line_without_equals(void **state)
{
    (void)state;
    th_serve_config_file c;
    char err[512] = "";
    assert_int_equal(read_text("bind tcp://127.0.0.1:5570\n", &c, err, sizeof err), -1);
    assert_non_null(strstr(err, "t.conf"));
    assert_non_null(strstr(err, "1"));
}

/* As in the client's file: '#' starts a comment at the start of a line or
 * after a space; inside a value it is a letter. And a
 * line longer than the reader's buffer is refused, not cut in two. */
static void a_hash_inside_a_value_is_kept(void **state)
{
    (void)state;
    th_serve_config_file c;
    char err[512] = "";
    assert_int_equal(
        read_text("#db = x\ndb = host=db1 application_name=tong#hop # the standby\n", &c, err, sizeof err),
        0);
    assert_string_equal(c.db, "host=db1 application_name=tong#hop");
    th_serve_config_fini(&c);
    char *long_line = malloc(5000);
    assert_non_null(long_line);
    memcpy(long_line, "db = ", 5);
    memset(long_line + 5, 'x', 4990);
    strcpy(long_line + 4995, "\n");
    assert_int_equal(read_text(long_line, &c, err, sizeof err), -1);
    assert_non_null(strstr(err, "too long"));
    free(long_line);
}

static void says_it_in_the_users_language(void **state)
{
    (void)state;
    th_serve_config_file c;
    char err[512] = "";
    th_i18n_set_lang("vi");
    assert_int_equal(read_text("x\nbatch = lots\n", &c, err, sizeof err), -1);
    assert_non_null(strstr(err, "t.conf, dòng 1"));
    th_i18n_set_lang("en");
    assert_int_equal(read_text("x\nbatch = lots\n", &c, err, sizeof err), -1);
    assert_non_null(strstr(err, "t.conf, line 1"));
}

static void a_missing_file_is_an_error(void **state)
{
    (void)state;
    th_serve_config_file c;
    char err[512] = "";
    assert_int_equal(th_serve_config_load("/nonexistent/tonghopd.conf", &c, err, sizeof err), -1);
    assert_non_null(strstr(err, "/nonexistent/tonghopd.conf"));
}

static void compares_and_classifies_keys(void **state)
{
    (void)state;
    th_serve_config_file a, b;
    char err[512];
    assert_int_equal(
        read_text("bind = tcp://*:1\nmax_open_per_client = 10\nverbose = no\n", &a, err, sizeof err), 0);
    assert_int_equal(
        read_text("bind = tcp://*:2\nmax_open_per_client = 10\nworkers = 3\n", &b, err, sizeof err), 0);
    unsigned m = th_serve_config_changed(&a, &b);
    assert_int_equal(m,
                     TH_SCFG_BIT(TH_SCFG_BIND) | TH_SCFG_BIT(TH_SCFG_WORKERS) | TH_SCFG_BIT(TH_SCFG_VERBOSE));
    assert_int_equal(th_serve_config_changed(&a, &a), 0);
    assert_true(th_serve_config_is_live(TH_SCFG_MAX_OPEN_PER_CLIENT));
    assert_true(th_serve_config_is_live(TH_SCFG_VERBOSE));
    assert_true(th_serve_config_is_live(TH_SCFG_LOG_FORMAT));
    assert_false(th_serve_config_is_live(TH_SCFG_BIND));
    assert_false(th_serve_config_is_live(TH_SCFG_DB));
    assert_string_equal(th_serve_config_key_name(TH_SCFG_MAX_OPEN_PER_CLIENT), "max_open_per_client");
    assert_string_equal(th_serve_config_key_name(TH_SCFG_LOG_FORMAT), "log_format");
    th_serve_config_fini(&a);
    th_serve_config_fini(&b);
}

int main(int argc, char **argv)
{
    (void)argc;
    th_i18n_init(argv[0]);
    th_i18n_set_lang("en");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reads_every_key),
        cmocka_unit_test(an_empty_file_sets_nothing),
        cmocka_unit_test(refuses_with_file_line_and_key),
        cmocka_unit_test(refuses_a_line_without_equals),
        cmocka_unit_test(a_hash_inside_a_value_is_kept),
        cmocka_unit_test(says_it_in_the_users_language),
        cmocka_unit_test(a_missing_file_is_an_error),
        cmocka_unit_test(compares_and_classifies_keys),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
