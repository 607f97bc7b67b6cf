/* main.c -- tonghopd: the aggregation server and its admin commands.
 *
 *   tonghopd migrate      --db DSN [--to-version N]
 *   tonghopd serve        --db DSN --bind tcp://0.0.0.0:5570 [--endpoint-file F]
 *   tonghopd import-units --db DSN FILE.csv
 *   tonghopd import-plan  --db DSN FILE.json...
 *   tonghopd import-catalogue --db DSN FILE.json
 *
 * The DSN may also come from TONGHOP_DB. Exit codes: 0 success, 1 failure,
 * 2 usage. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "catalogue.h"
#include "catalogue_file.h"
#include "db.h"
#include "i18n.h"
#include "errtext.h"
#include "import_units.h"
#include "log.h"
#include "migrate.h"
#include "plan_file.h"
#include "plans.h"
#include "serve.h"

#define EXIT_USAGE 2

static void usage(FILE *out)
{
    fprintf(out, "%s",
            _("Usage:\n"
              "  tonghopd migrate      --db DSN [--to-version N]\n"
              "  tonghopd serve        --db DSN --bind ENDPOINT [--endpoint-file FILE] [--batch N]\n"
              "                        [--db-timeout MS] [--workers N]\n"
              "  tonghopd import-units --db DSN [--as-of YYYY-MM-DD [--complete]] FILE.csv\n"
              "  tonghopd import-plan  --db DSN FILE.json...\n"
              "  tonghopd import-catalogue --db DSN FILE.json\n"
              "\n"
              "DSN is a PostgreSQL connection string (or set TONGHOP_DB).\n"
              "ENDPOINT is a ZeroMQ endpoint, e.g. tcp://0.0.0.0:5570.\n"
              "--lang vi|en chooses the language (default vi, or TONGHOP_LANG).\n"));
}

typedef struct opts {
    const char *db;
    const char *bind;
    const char *endpoint_file;
    int batch;
    const char *as_of;
    int complete;
    int db_timeout;
    int workers;
    int to_version;
} opts;

static int parse(int argc, char **argv, opts *o)
{
    static const struct option longopts[] = {{"db", required_argument, NULL, 'd'},
                                             {"bind", required_argument, NULL, 'b'},
                                             {"endpoint-file", required_argument, NULL, 'e'},
                                             {"batch", required_argument, NULL, 'n'},
                                             {"lang", required_argument, NULL, 'l'},
                                             {"verbose", no_argument, NULL, 'v'},
                                             {"as-of", required_argument, NULL, 'a'},
                                             {"complete", no_argument, NULL, 'c'},
                                             {"db-timeout", required_argument, NULL, 't'},
                                             {"workers", required_argument, NULL, 'w'},
                                             {"to-version", required_argument, NULL, 'V'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    int c;
    o->db = getenv("TONGHOP_DB");
    while ((c = getopt_long(argc, argv, "d:b:e:n:l:a:ct:w:V:vh", longopts, NULL)) != -1) {
        switch (c) {
        case 'd': o->db = optarg; break;
        case 'b': o->bind = optarg; break;
        case 'e': o->endpoint_file = optarg; break;
        case 'n': o->batch = atoi(optarg); break;
        case 'l': th_i18n_set_lang(optarg); break;
        case 'v': th_log_set_level(TH_LOG_DEBUG); break;
        case 'a': o->as_of = optarg; break;
        case 'c': o->complete = 1; break;
        case 't': o->db_timeout = atoi(optarg); break;
        case 'w': o->workers = atoi(optarg); break;
        case 'V': o->to_version = atoi(optarg); break;
        case 'h': usage(stdout); exit(0);
        default: return -1;
        }
    }
    return 0;
}

static PGconn *connect_or_say(const char *dsn)
{
    char err[512];
    PGconn *c = th_db_connect(dsn, err, sizeof err);
    if (!c) fprintf(stderr, _("tonghopd: cannot connect to the database: %s\n"), err);
    return c;
}

/* A server-style connection (with the statement timeout) for admin commands. */
static th_db *db_or_say(const char *dsn)
{
    th_db *db = th_db_new(dsn, NULL, 0);
    if (db && th_db_ensure(db)) return db;
    fprintf(stderr, _("tonghopd: cannot connect to the database: %s\n"),
            db ? th_db_error(db) : "out of memory");
    th_db_destroy(&db);
    return NULL;
}

static int cmd_migrate(const opts *o)
{
    PGconn *c = connect_or_say(o->db);
    if (!c) return 1;
    char err[1024];
    th_migrate_stats st;
    int rc = th_migrate_run(c, o->to_version, &st, err, sizeof err);
    if (rc != 0)
        fprintf(stderr, _("tonghopd: migration failed: %s\n"), err);
    else
        printf(_("Database schema at version %d (%d migration(s) applied now, %d rules file(s) updated).\n"),
               o->to_version ? o->to_version : th_migrate_latest(), st.applied, st.rules_applied);
    PQfinish(c);
    return rc == 0 ? 0 : 1;
}

static int cmd_import_units(const opts *o, const char *path)
{
    PGconn *c = connect_or_say(o->db);
    if (!c) return 1;
    char err[1024];
    th_import_units_stats st;
    th_import_units_opts io = {.as_of = o->as_of, .complete = o->complete};
    int rc = th_import_units(c, path, &io, &st, err, sizeof err);
    if (rc != 0) {
        fprintf(stderr, _("tonghopd: %s: nothing imported: %s\n"), path, err);
    } else {
        printf(_("%ld units read: %ld added, %ld changed, %ld unchanged.\n"), st.rows, st.added, st.changed,
               st.rows - st.added - st.changed);
        if (st.moved || st.closed)
            printf(_("%ld unit(s) moved to another parent and %ld ceased to exist, as of %s.\n"), st.moved,
                   st.closed, o->as_of ? o->as_of : "1900-01-01");
    }
    PQfinish(c);
    return rc == 0 ? 0 : 1;
}

/* Each file is checked and stored on its own: a bad file is reported and
 * changes nothing, the others still load. */
static int cmd_import_plan(const opts *o, int nfiles, char **files)
{
    th_db *db = db_or_say(o->db);
    if (!db) return 1;
    int failures = 0;
    for (int i = 0; i < nfiles; i++) {
        th_plan_info info;
        th_verr err;
        char *normalized = NULL, text[1024], dberr[512];
        th_plan_store_result res;
        if (th_plan_file_check_path(files[i], &info, &normalized, &err) != 0) {
            fprintf(stderr, _("tonghopd: %s: not imported: %s\n"), files[i],
                    th_errtext_format(err.code, err.field, err.detail, text, sizeof text));
            failures++;
            continue;
        }
        int rc = th_plans_store(db, normalized, &res, dberr, sizeof dberr);
        free(normalized);
        if (rc != 0) {
            fprintf(stderr, _("tonghopd: %s: not imported: %s\n"), files[i], dberr);
            failures++;
        } else if (res.outcome == TH_PLAN_REJECTED) {
            fprintf(stderr, _("tonghopd: %s: not imported: %s\n"), files[i],
                    th_errtext_format(res.err.code, res.err.field, res.err.detail, text, sizeof text));
            failures++;
        } else if (res.outcome == TH_PLAN_UNCHANGED) {
            printf(_("%s: plan %s revision %d is already stored; nothing changed.\n"), files[i], info.code,
                   res.revision);
        } else {
            printf(_("%s: plan %s revision %d stored.\n"), files[i], info.code, res.revision);
        }
    }
    th_db_destroy(&db);
    return failures ? 1 : 0;
}

static int cmd_import_catalogue(const opts *o, const char *path)
{
    th_catalogue_info info;
    th_verr err;
    char *normalized = NULL, text[1024], dberr[512];
    if (th_catalogue_file_check_path(path, &info, &normalized, &err) != 0) {
        fprintf(stderr, _("tonghopd: %s: not imported: %s\n"), path,
                th_errtext_format(err.code, err.field, err.detail, text, sizeof text));
        return 1;
    }
    th_db *db = db_or_say(o->db);
    if (!db) {
        free(normalized);
        return 1;
    }
    th_catalogue_store_result res;
    int rc = th_catalogue_store(db, normalized, &res, dberr, sizeof dberr);
    free(normalized);
    th_db_destroy(&db);
    if (rc != 0) {
        fprintf(stderr, _("tonghopd: %s: not imported: %s\n"), path, dberr);
        return 1;
    }
    if (res.outcome == TH_CATALOGUE_REJECTED) {
        fprintf(stderr, _("tonghopd: %s: not imported: %s\n"), path,
                th_errtext_format(res.err.code, res.err.field, res.err.detail, text, sizeof text));
        return 1;
    }
    if (res.outcome == TH_CATALOGUE_UNCHANGED)
        printf(_("%s: catalogue revision %d is already stored; nothing changed.\n"), path, res.revision);
    else
        printf(_("%s: catalogue revision %d stored: %d indicator(s) added, %d changed.\n"), path,
               res.revision, res.added, res.changed);
    return 0;
}

static void on_signal(int sig)
{
    (void)sig;
    th_server_stop();
}

static int cmd_serve(const opts *o)
{
    if (!o->bind) {
        fprintf(stderr, "%s\n", _("tonghopd serve: --bind is required"));
        return EXIT_USAGE;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    th_serve_config cfg = {.dsn = o->db,
                           .bind = o->bind,
                           .endpoint_file = o->endpoint_file,
                           .batch_max = o->batch,
                           .db_timeout_ms = o->db_timeout,
                           .read_workers = o->workers};
    char err[1024];
    th_server *srv = th_server_new(&cfg, err, sizeof err);
    if (!srv) {
        fprintf(stderr, _("tonghopd: cannot start: %s\n"), err);
        return 1;
    }
    int rc = th_server_run(srv);
    th_server_destroy(&srv);
    return rc == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
    th_i18n_init(argv[0]);
    if (argc < 2 || argv[1][0] == '-') {
        if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
            usage(stdout);
            return 0;
        }
        usage(stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    opts o = {0};
    if (parse(argc - 1, argv + 1, &o) != 0) {
        usage(stderr);
        return EXIT_USAGE;
    }
    if (!o.db) {
        fprintf(stderr, "%s\n", _("tonghopd: no database: give --db DSN or set TONGHOP_DB"));
        return EXIT_USAGE;
    }
    int rest = argc - 1 - optind;
    char **args = argv + 1 + optind;
    if (!strcmp(cmd, "migrate") && rest == 0) return cmd_migrate(&o);
    if (!strcmp(cmd, "serve") && rest == 0) return cmd_serve(&o);
    if (!strcmp(cmd, "import-units") && rest == 1) {
        if ((o.as_of && !th_plan_valid_date(o.as_of)) || (o.complete && !o.as_of)) {
            fprintf(stderr, "%s\n",
                    _("tonghopd import-units: --as-of takes a date YYYY-MM-DD, and --complete needs it"));
            return EXIT_USAGE;
        }
        return cmd_import_units(&o, args[0]);
    }
    if (!strcmp(cmd, "import-plan") && rest >= 1) return cmd_import_plan(&o, rest, args);
    if (!strcmp(cmd, "import-catalogue") && rest == 1) return cmd_import_catalogue(&o, args[0]);
    usage(stderr);
    return EXIT_USAGE;
}
