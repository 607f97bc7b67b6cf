/* main.c -- tonghopd: the aggregation server and its admin commands.
 *
 * The commands are the rows of commands[] below, each with its options and
 * an example (tonghopd COMMAND --help). The DSN may also come from
 * TONGHOP_DB; serve's settings also from a configuration file (--config,
 * serve_config.h), below the command line and the environment. Exit codes: 0 success, 1 failure, 2 usage. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include <libpq-fe.h>

#include "audit_show.h"
#include "status_show.h"
#include "catalogue.h"
#include "cli.h"
#include "catalogue_file.h"
#include "db.h"
#include "keyfile.h"
#include "i18n.h"
#include "errtext.h"
#include "import_units.h"
#include "log.h"
#include "migrate.h"
#include "plan_file.h"
#include "plans.h"
#include "privileges.h"
#include "serve.h"
#include "serve_config.h"

#define EXIT_USAGE 2

typedef struct opts {
    const char *db;
    const char *read_db; /* serve --read-db: where reports are read (a hot standby) */
    const char *bind;
    const char *endpoint_file;
    long batch;
    const char *as_of;
    int complete;
    long db_timeout;
    long workers;
    long max_open;          /* serve --max-open-per-client */
    const char *test_clock; /* serve --test-clock: tests only */
    const char *notify_bind, *notify_endpoint_file, *metrics_bind;
    const char *metrics; /* status: the server's metrics address */
    int log_format_given;
    long ingest_workers;
    long to_version;
    const char *succession;
    const char *secret_key_file;
    th_keypair env_key; /* serve: from TONGHOP_SECRET_KEY, when have_env_key */
    int have_env_key;
    int insecure;
    const char *unit, *role, *public_key, *name;
    const char *since; /* audit */
    long limit;
    int refused;
    const char *config; /* serve --config (or TONGHOPD_CONFIG) */
    int verbose;
    int lang_given; /* --lang or TONGHOP_LANG chose the language */
} opts;

typedef struct command {
    const char *name;
    const char *synopsis;
    const char *what;    /* N_() */
    const char *options; /* N_() */
    const char *example;
    int min_args, max_args; /* positional arguments */
} command;

static const command commands[] = {
    {"migrate", "--db DSN [--to-version N]",
     N_("Bring the database schema and its rules (SQL functions and views) up to date."),
     N_("  --db DSN           PostgreSQL connection string (or TONGHOP_DB)\n"
        "  --to-version N     stop at schema version N, without the rules (staged upgrades)\n"),
     "tonghopd migrate --db \"host=/var/run/postgresql dbname=tonghop\"", 0, 0},
    {"serve",
     "[--config FILE] --db DSN [--read-db DSN] --bind ENDPOINT [--endpoint-file FILE] [--notify-bind "
     "ENDPOINT] "
     "[--batch N] [--db-timeout DURATION] [--workers N] [--ingest-workers N] [--max-open-per-client N]",
     N_("Serve the clients: store submissions, answer reports, plans and history."),
     N_("  --config FILE           read the settings below from FILE (or TONGHOPD_CONFIG), one\n"
        "                          \"key = value\" a line, e.g. \"max_open_per_client = 256\" (see\n"
        "                          /etc/tonghop/tonghopd.conf); the command line and the\n"
        "                          environment win. SIGHUP reads it again (verbose,\n"
        "                          max_open_per_client and log_format apply at once)\n"
        "  --db DSN                PostgreSQL connection string (or TONGHOP_DB): the primary;\n"
        "                          several hosts with target_session_attrs=read-write follow a\n"
        "                          failover, e.g. \"host=db1,db2 dbname=tonghop\n"
        "                          target_session_attrs=read-write\"\n"
        "  --read-db DSN           where reports, plans, history and what is due are read (or\n"
        "                          TONGHOP_READ_DB), e.g. a hot standby with\n"
        "                          target_session_attrs=prefer-standby; everything that writes\n"
        "                          stays on --db (default: --db)\n"
        "  --bind ENDPOINT         where to listen, e.g. tcp://0.0.0.0:5570\n"
        "  --endpoint-file FILE    write the bound address here once listening\n"
        "  --notify-bind ENDPOINT  also publish live notifications here (tonghop watch), e.g.\n"
        "                          tcp://0.0.0.0:5571; encrypted and keyed like --bind\n"
        "  --notify-endpoint-file FILE  write the notification address here once listening\n"
        "  --metrics-bind HOST:PORT  serve the counters for Prometheus at http://HOST:PORT/metrics\n"
        "                          (e.g. 127.0.0.1:9570; no key: loopback or a monitoring network)\n"
        "  --log-format text|json  one line per request and event, as text (default) or JSON\n"
        "  --batch N               most submissions per transaction (1-10000, default 256)\n"
        "  --db-timeout DURATION   longest any request waits for the database: 10000 (ms),\n"
        "                          500ms, 30s, 2min (default 10s)\n"
        "  --workers N             threads and connections for reports and other reads (1-64,\n"
        "                          default 2)\n"
        "  --ingest-workers N      threads and connections that store submissions, side by side\n"
        "                          (1-16, default 2); one unit's submissions go to one of them\n"
        "  --max-open-per-client N most requests one connection may have waiting for their answer;\n"
        "                          past it the server answers BUSY at once (1-4096, default 256)\n"
        "  --secret-key-file FILE  the server's key pair (tonghopd keygen), readable by its owner\n"
        "                          only; clients must hold an enrolled key (tonghopd enroll)\n"
        "  --insecure              no encryption and no keys: only on this machine (loopback)\n"
        "  --verbose               log more\n"
        "  --test-clock FILE       FOR TESTS ONLY: read \"now\" (when a submission is received,\n"
        "                          deadlines) from FILE, e.g. 2025-11-25T23:59:59+07:00, at each\n"
        "                          request; never in production\n"
        "\n"
        "Secrets never go on the command line. Without --secret-key-file the key pair comes from\n"
        "TONGHOP_SECRET_KEY_FILE (a key file's name) or TONGHOP_SECRET_KEY (the 40 characters after\n"
        "\"secret =\" in a key file; read at start, then wiped from the environment). The database\n"
        "password goes in ~/.pgpass (or PGPASSFILE) or in TONGHOP_DB, never in --db. Run serve as a\n"
        "database role that is only a member of tonghop_server (made by migrate; see the README).\n"),
     "tonghopd serve --db \"dbname=tonghop user=tonghopd\" --bind tcp://0.0.0.0:5570 --secret-key-file "
     "/etc/tonghop/server.key",
     0, 0},
    {"import-units", "--db DSN [--as-of YYYY-MM-DD [--complete] [--succession FILE.csv]] FILE.csv",
     N_("Load a list of administrative units (GSO codes), optionally as of a date."),
     N_("  --db DSN             PostgreSQL connection string (or TONGHOP_DB)\n"
        "  --as-of YYYY-MM-DD   the date the list takes effect\n"
        "  --complete           units missing from the list ceased on that date\n"
        "  --succession FILE    which old unit each new one succeeds (old_code,new_code,\n"
        "                       valid_from,kind): successors are new units, even with a\n"
        "                       reused code\n"),
     "tonghopd import-units --db \"dbname=tonghop\" deploy/data/vn-admin-units-2024.csv", 1, 1},
    {"import-plan", "--db DSN FILE.json...", N_("Check plan files and store them."),
     N_("  --db DSN   PostgreSQL connection string (or TONGHOP_DB)\n"),
     "tonghopd import-plan --db \"dbname=tonghop\" deploy/samples/plans/*.json", 1, 1000},
    {"import-catalogue", "--db DSN FILE.json", N_("Check the indicator catalogue file and store it."),
     N_("  --db DSN   PostgreSQL connection string (or TONGHOP_DB)\n"),
     "tonghopd import-catalogue --db \"dbname=tonghop\" deploy/data/indicator-catalogue.json", 1, 1},
    {"keygen", "--secret-file FILE", N_("Make the server's (or any) CURVE key pair; prints the public key."),
     N_("  --secret-file FILE   where to write the key pair (mode 0600; must not exist)\n"),
     "tonghopd keygen --secret-file /etc/tonghop/server.key", 0, 0},
    {"enroll", "--db DSN --unit CODE --role ROLE --public-key KEY [--name TEXT] [--as-of YYYY-MM-DD]",
     N_("Allow a client key: for a unit, as commune, district, province, ministry or admin."),
     N_("  --db DSN           PostgreSQL connection string (or TONGHOP_DB)\n"
        "  --unit CODE        the unit the key speaks for (its GSO code): the unit that holds it today\n"
        "  --role ROLE        commune, district, province, ministry or admin\n"
        "  --public-key KEY   the client's public key (40 characters, from tonghop keygen)\n"
        "  --name TEXT        who holds it, for the list\n"
        "  --as-of DATE       the unit that held the code on that day instead (one that has ceased,\n"
        "                     to close its own periods)\n"),
     "tonghopd enroll --db \"dbname=tonghop\" --unit 22924 --role commune --public-key "
     "'rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7' --name \"Văn phòng UBND phường Phú Thủy\"",
     0, 0},
    {"revoke", "--db DSN --public-key KEY", N_("Withdraw a client key, at once (also on open connections)."),
     N_("  --db DSN           PostgreSQL connection string (or TONGHOP_DB)\n"
        "  --public-key KEY   the key to withdraw\n"),
     "tonghopd revoke --db \"dbname=tonghop\" --public-key 'rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7'", 0, 0},
    {"keys", "--db DSN", N_("List the enrolled client keys."),
     N_("  --db DSN   PostgreSQL connection string (or TONGHOP_DB)\n"),
     "tonghopd keys --db \"dbname=tonghop\"", 0, 0},
    {"status", "--db DSN [--metrics HOST:PORT]",
     N_("In one screen: whether the server, its database and its standby are healthy (exit 1 if not)."),
     N_("  --db DSN             PostgreSQL connection string (or TONGHOP_DB)\n"
        "  --metrics HOST:PORT  the server's --metrics-bind, to ask it too\n"),
     "tonghopd status --db \"dbname=tonghop\" --metrics 127.0.0.1:9570", 0, 0},
    {"audit", "--db DSN [--unit CODE] [--since YYYY-MM-DD] [--refused] [--limit N]",
     N_("Show who did what: every write and every refusal, newest last."),
     N_("  --db DSN             PostgreSQL connection string (or TONGHOP_DB)\n"
        "  --unit CODE          only what the keys of this unit did\n"
        "  --since YYYY-MM-DD   only from that day on (Vietnam time)\n"
        "  --refused            only refusals\n"
        "  --limit N            the last N rows (default 100)\n"),
     "tonghopd audit --db \"dbname=tonghop\" --since 2025-10-01 --refused", 0, 0},
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

static const char COMMON_OPTIONS[] =
    N_("Options for every command: --lang vi|en (or TONGHOP_LANG; default vi), --help, --version.\n");

static void usage(FILE *out)
{
    fprintf(out, "%s\n", _("Usage: tonghopd COMMAND [OPTIONS]"));
    fprintf(out, "%s\n", _("Commands:"));
    for (size_t i = 0; i < NCOMMANDS; i++)
        fprintf(out, "  %-17s %s\n", commands[i].name, _(commands[i].what));
    fprintf(out, "\n%s%s\n", _(COMMON_OPTIONS),
            _("`tonghopd COMMAND --help` shows a command's options and an example."));
}

static void command_help(const command *c)
{
    printf(_("Usage: tonghopd %s %s\n"), c->name, c->synopsis);
    printf("%s\n\n%s", _(c->what), _(c->options));
    printf("\n%s\n  %s\n\n%s", _("Example:"), c->example, _(COMMON_OPTIONS));
}

static int usage_error(const command *c)
{
    if (c)
        fprintf(stderr, _("See: tonghopd %s --help\n"), c->name);
    else
        fprintf(stderr, "%s\n", _("See: tonghopd --help"));
    return EXIT_USAGE;
}

/* Parses the options; -1 after saying what is wrong. *help and *version
 * are set when asked for. */
static int parse(int argc, char **argv, opts *o, int *help, int *version)
{
    static const struct option longopts[] = {{"db", required_argument, NULL, 'd'},
                                             {"read-db", required_argument, NULL, 1110},
                                             {"bind", required_argument, NULL, 'b'},
                                             {"endpoint-file", required_argument, NULL, 'e'},
                                             {"batch", required_argument, NULL, 'n'},
                                             {"lang", required_argument, NULL, 'l'},
                                             {"verbose", no_argument, NULL, 'v'},
                                             {"as-of", required_argument, NULL, 'a'},
                                             {"complete", no_argument, NULL, 'c'},
                                             {"db-timeout", required_argument, NULL, 't'},
                                             {"workers", required_argument, NULL, 'w'},
                                             {"max-open-per-client", required_argument, NULL, 1101},
                                             {"ingest-workers", required_argument, NULL, 1102},
                                             {"test-clock", required_argument, NULL, 1103},
                                             {"notify-bind", required_argument, NULL, 1104},
                                             {"notify-endpoint-file", required_argument, NULL, 1105},
                                             {"metrics-bind", required_argument, NULL, 1106},
                                             {"metrics", required_argument, NULL, 1108},
                                             {"log-format", required_argument, NULL, 1107},
                                             {"config", required_argument, NULL, 1109},
                                             {"to-version", required_argument, NULL, 'T'},
                                             {"succession", required_argument, NULL, 's'},
                                             {"secret-key-file", required_argument, NULL, 'K'},
                                             {"secret-file", required_argument, NULL, 'K'},
                                             {"insecure", no_argument, NULL, 'I'},
                                             {"unit", required_argument, NULL, 'u'},
                                             {"role", required_argument, NULL, 'r'},
                                             {"public-key", required_argument, NULL, 'p'},
                                             {"name", required_argument, NULL, 'N'},
                                             /* Long only (no short letter): */
                                             {"since", required_argument, NULL, 1001},
                                             {"limit", required_argument, NULL, 1002},
                                             {"refused", no_argument, NULL, 1003},
                                             {"help", no_argument, NULL, 'h'},
                                             {"version", no_argument, NULL, 'V'},
                                             {NULL, 0, NULL, 0}};
    int c;
    o->db = getenv("TONGHOP_DB");
    o->read_db = getenv("TONGHOP_READ_DB");
    opterr = 0; /* our own messages, in the user's language */
    while ((c = getopt_long(argc, argv, ":d:b:e:n:l:a:ct:w:T:s:K:Iu:r:p:N:vhV", longopts, NULL)) != -1) {
        switch (c) {
        case 'd':
            /* Anyone on the machine can read a command line (ps): a
             * password goes in ~/.pgpass or the environment. */
            if (th_serve_config_dsn_has_password(optarg)) {
                fprintf(
                    stderr, "%s\n",
                    _("tonghopd: --db must not carry a password (anyone on this machine can read a command "
                      "line): put it in ~/.pgpass (or PGPASSFILE), or give the whole DSN in TONGHOP_DB"));
                return -1;
            }
            o->db = optarg;
            break;
        case 1110:
            if (th_serve_config_dsn_has_password(optarg)) {
                fprintf(stderr, "%s\n",
                        _("tonghopd: --read-db must not carry a password (anyone on this machine can read a "
                          "command line): put it in ~/.pgpass (or PGPASSFILE), or give the whole DSN in "
                          "TONGHOP_READ_DB"));
                return -1;
            }
            o->read_db = optarg;
            break;
        case 'b': o->bind = optarg; break;
        case 'e': o->endpoint_file = optarg; break;
        case 'n':
            if (th_cli_parse_count(optarg, 1, 10000, &o->batch) != 0) {
                fprintf(stderr, _("tonghopd: --batch %s: not a whole number from 1 to 10000\n"), optarg);
                return -1;
            }
            break;
        case 'l': break; /* already applied */
        case 'v':
            th_log_set_level(TH_LOG_DEBUG);
            o->verbose = 1;
            break;
        case 'a': o->as_of = optarg; break;
        case 'c': o->complete = 1; break;
        case 't':
            if (th_cli_parse_duration_ms(optarg, 100, 3600000, &o->db_timeout) != 0) {
                fprintf(stderr,
                        _("tonghopd: --db-timeout %s: not a duration from 100ms to 60min (e.g. 10000, 500ms, "
                          "30s)\n"),
                        optarg);
                return -1;
            }
            break;
        case 1101:
            if (th_cli_parse_count(optarg, 1, 4096, &o->max_open) != 0) {
                fprintf(stderr, _("tonghopd: --max-open-per-client %s: not a whole number from 1 to 4096\n"),
                        optarg);
                return -1;
            }
            break;
        case 1102:
            if (th_cli_parse_count(optarg, 1, 16, &o->ingest_workers) != 0) {
                fprintf(stderr, _("tonghopd: --ingest-workers %s: not a whole number from 1 to 16\n"),
                        optarg);
                return -1;
            }
            break;
        case 1103: o->test_clock = optarg; break;
        case 1104: o->notify_bind = optarg; break;
        case 1105: o->notify_endpoint_file = optarg; break;
        case 1106: o->metrics_bind = optarg; break;
        case 1108: o->metrics = optarg; break;
        case 1107: {
            th_log_format f;
            if (th_log_parse_format(optarg, &f) != 0) {
                fprintf(stderr, _("tonghopd: --log-format %s: text or json\n"), optarg);
                return -1;
            }
            th_log_set_format(f);
            o->log_format_given = 1;
            break;
        }
        case 1109: o->config = optarg; break;
        case 'w':
            if (th_cli_parse_count(optarg, 1, 64, &o->workers) != 0) {
                fprintf(stderr, _("tonghopd: --workers %s: not a whole number from 1 to 64\n"), optarg);
                return -1;
            }
            break;
        case 'T':
            if (th_cli_parse_count(optarg, 1, 100000, &o->to_version) != 0) {
                fprintf(stderr, _("tonghopd: --to-version %s: not a schema version\n"), optarg);
                return -1;
            }
            break;
        case 's': o->succession = optarg; break;
        case 'K': o->secret_key_file = optarg; break;
        case 'I': o->insecure = 1; break;
        case 'u': o->unit = optarg; break;
        case 'r': o->role = optarg; break;
        case 'p': o->public_key = optarg; break;
        case 'N': o->name = optarg; break;
        case 1001:
            if (!th_plan_valid_date(optarg)) {
                fprintf(stderr, _("tonghopd: --since %s: not a date YYYY-MM-DD\n"), optarg);
                return -1;
            }
            o->since = optarg;
            break;
        case 1002:
            if (th_cli_parse_count(optarg, 1, 1000000, &o->limit) != 0) {
                fprintf(stderr, _("tonghopd: --limit %s: not a whole number from 1 to 1000000\n"), optarg);
                return -1;
            }
            break;
        case 1003: o->refused = 1; break;
        case 'h': *help = 1; break;
        case 'V': *version = 1; break;
        case ':': fprintf(stderr, _("tonghopd: option %s needs a value\n"), argv[optind - 1]); return -1;
        default: fprintf(stderr, _("tonghopd: unknown option %s\n"), argv[optind - 1]); return -1;
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
    int rc = th_migrate_run(c, (int)o->to_version, &st, err, sizeof err);
    if (rc != 0)
        fprintf(stderr, _("tonghopd: migration failed: %s\n"), err);
    else
        printf(_("Database schema at version %d (%d migration(s) applied now, %d rules file(s) updated).\n"),
               o->to_version ? (int)o->to_version : th_migrate_latest(), st.applied, st.rules_applied);
    PQfinish(c);
    return rc == 0 ? 0 : 1;
}

static int cmd_import_units(const opts *o, const char *path)
{
    PGconn *c = connect_or_say(o->db);
    if (!c) return 1;
    char err[1024];
    th_import_units_stats st;
    th_import_units_opts io = {.as_of = o->as_of, .complete = o->complete, .succession = o->succession};
    int rc = th_import_units(c, path, &io, &st, err, sizeof err);
    if (rc != 0) {
        fprintf(stderr, _("tonghopd: %s: nothing imported: %s\n"), path, err);
    } else {
        printf(_("%ld units read: %ld added, %ld changed, %ld unchanged.\n"), st.rows, st.added, st.changed,
               st.rows - st.added - st.changed);
        if (st.moved || st.closed)
            printf(_("%ld unit(s) moved to another parent and %ld ceased to exist, as of %s.\n"), st.moved,
                   st.closed, o->as_of ? o->as_of : "1900-01-01");
        if (o->succession)
            printf(_("%ld succession row(s) read, %ld link(s) from a unit to its successor recorded now.\n"),
                   st.succession_rows, st.succeeded);
        if (st.approvals_followed)
            printf(_("%ld approval(s) cover territory this list changed: they now lock what counts there "
                     "(%ld lock(s) added, %ld removed).\n"),
                   st.approvals_followed, st.locks_added, st.locks_removed);
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

/* Overwrites an environment variable's value where it lies, then removes
 * it: /proc/PID/environ shows the environment block the process started
 * with, which unsetenv alone leaves as it was. */
static void wipe_env(const char *name)
{
    char *v = getenv(name);
    if (v) explicit_bzero(v, strlen(v));
    unsetenv(name);
}

/* serve's key pair from the environment, for when the command line names
 * no key file (the command line wins). TONGHOP_SECRET_KEY_FILE names a key
 * file, checked like --secret-key-file. TONGHOP_SECRET_KEY holds the secret
 * key itself, for service managers and containers that hand secrets over in
 * the environment; it is copied into o and wiped from the environment at
 * once, whatever happens next. Returns -1 after saying what is wrong (never
 * the value). */
static int serve_key_from_env(opts *o)
{
    const char *file = getenv("TONGHOP_SECRET_KEY_FILE");
    const char *key = getenv("TONGHOP_SECRET_KEY");
    int rc = 0;
    if (file && *file && key && *key) {
        fprintf(stderr, "%s\n",
                _("tonghopd serve: set only one of TONGHOP_SECRET_KEY and TONGHOP_SECRET_KEY_FILE"));
        rc = -1;
    } else if (key && *key) {
        /* Any 32 bytes are a secret key; the public key follows from it. */
        if (!th_key_valid(key) || zmq_curve_public(o->env_key.public_key, key) != 0) {
            fprintf(stderr, "%s\n",
                    _("tonghopd serve: TONGHOP_SECRET_KEY is not a secret key: it takes the 40 characters "
                      "after \"secret =\" in a key file made by tonghopd keygen"));
            rc = -1;
        } else {
            memcpy(o->env_key.secret_key, key, TH_KEY_Z85_LEN);
            o->env_key.secret_key[TH_KEY_Z85_LEN] = '\0';
            o->have_env_key = 1;
        }
    } else if (file && *file && !o->secret_key_file) {
        o->secret_key_file = file;
    }
    if (key) wipe_env("TONGHOP_SECRET_KEY");
    return rc;
}

/* serve's configuration file, kept for SIGHUP: what it said at start
 * (opts points into it) and what is in force of what can change live. */
typedef struct serve_file {
    const char *path;
    th_serve_config_file start;
    unsigned fixed; /* keys the command line or the environment set: they win */
    int verbose, log_json;
    long max_open; /* 0: the default */
} serve_file;

static void apply_log_format(int json) { th_log_set_format(json ? TH_LOG_JSON : TH_LOG_TEXT); }

/* Fills what the command line and the environment left unset from the
 * file. Returns -1 after saying what is wrong. */
static int serve_apply_file(opts *o, serve_file *sf)
{
    char err[1024];
    th_serve_config_file *f = &sf->start;
    if (th_serve_config_load(sf->path, f, err, sizeof err) != 0) {
        fprintf(stderr, "tonghopd serve: %s\n", err);
        return -1;
    }
#define FROM_FILE(field, ffield, key)                                                                        \
    do {                                                                                                     \
        if (o->field)                                                                                        \
            sf->fixed |= TH_SCFG_BIT(key);                                                                   \
        else if (f->set & TH_SCFG_BIT(key))                                                                  \
            o->field = f->ffield;                                                                            \
    } while (0)
    FROM_FILE(db, db, TH_SCFG_DB);
    FROM_FILE(bind, bind, TH_SCFG_BIND);
    FROM_FILE(endpoint_file, endpoint_file, TH_SCFG_ENDPOINT_FILE);
    FROM_FILE(notify_bind, notify_bind, TH_SCFG_NOTIFY_BIND);
    FROM_FILE(notify_endpoint_file, notify_endpoint_file, TH_SCFG_NOTIFY_ENDPOINT_FILE);
    FROM_FILE(metrics_bind, metrics_bind, TH_SCFG_METRICS_BIND);
    FROM_FILE(read_db, read_db, TH_SCFG_READ_DB);
    FROM_FILE(batch, batch, TH_SCFG_BATCH);
    FROM_FILE(workers, workers, TH_SCFG_WORKERS);
    FROM_FILE(ingest_workers, ingest_workers, TH_SCFG_INGEST_WORKERS);
    FROM_FILE(max_open, max_open_per_client, TH_SCFG_MAX_OPEN_PER_CLIENT);
    FROM_FILE(db_timeout, db_timeout_ms, TH_SCFG_DB_TIMEOUT);
#undef FROM_FILE
    /* A key from the environment or the command line (or none at all, with
     * --insecure) wins over the file's key file. */
    if (o->secret_key_file || o->have_env_key || o->insecure)
        sf->fixed |= TH_SCFG_BIT(TH_SCFG_SECRET_KEY_FILE);
    else
        o->secret_key_file = f->secret_key_file;
    if (o->verbose)
        sf->fixed |= TH_SCFG_BIT(TH_SCFG_VERBOSE);
    else if (f->verbose)
        th_log_set_level(TH_LOG_DEBUG);
    if (o->lang_given)
        sf->fixed |= TH_SCFG_BIT(TH_SCFG_LANG);
    else if (f->lang[0])
        th_i18n_set_lang(f->lang);
    sf->verbose = o->verbose || f->verbose;
    sf->log_json = f->log_json;
    sf->max_open = o->max_open;
    if (o->log_format_given)
        sf->fixed |= TH_SCFG_BIT(TH_SCFG_LOG_FORMAT);
    else
        apply_log_format(f->log_json);
    return 0;
}

/* Appends a key's name to a list for the log. */
static void add_name(char *list, size_t len, int key)
{
    size_t n = strlen(list);
    snprintf(list + n, len - n, "%s%s", n ? ", " : "", th_serve_config_key_name((th_serve_config_key)key));
}

/* SIGHUP, on the server's front thread: reads the file again, applies what
 * can change live and says what takes a restart. A file that cannot be
 * read or has an error changes nothing. */
static void serve_reload(th_server *srv, void *arg)
{
    serve_file *sf = arg;
    char err[1024];
    th_serve_config_file nf;
    if (th_serve_config_load(sf->path, &nf, err, sizeof err) != 0) {
        th_error(_("SIGHUP: %s; the settings in force are kept"), err);
        return;
    }
    char applied[512] = "", restart[512] = "", fixed[512] = "";
    unsigned changed = th_serve_config_changed(&sf->start, &nf);
    for (int k = 0; k < TH_SCFG_NKEYS; k++) {
        if (th_serve_config_is_live((th_serve_config_key)k) || !(changed & TH_SCFG_BIT(k))) continue;
        if (sf->fixed & TH_SCFG_BIT(k))
            add_name(fixed, sizeof fixed, k);
        else
            add_name(restart, sizeof restart, k);
    }
    if (!(sf->fixed & TH_SCFG_BIT(TH_SCFG_VERBOSE)) && nf.verbose != sf->verbose) {
        sf->verbose = nf.verbose;
        th_log_set_level(nf.verbose ? TH_LOG_DEBUG : TH_LOG_INFO);
        add_name(applied, sizeof applied, TH_SCFG_VERBOSE);
    }
    if (!(sf->fixed & TH_SCFG_BIT(TH_SCFG_MAX_OPEN_PER_CLIENT)) && nf.max_open_per_client != sf->max_open) {
        sf->max_open = nf.max_open_per_client;
        th_server_set_max_open_per_client(srv, (int)nf.max_open_per_client);
        add_name(applied, sizeof applied, TH_SCFG_MAX_OPEN_PER_CLIENT);
    }
    if (!(sf->fixed & TH_SCFG_BIT(TH_SCFG_LOG_FORMAT)) && nf.log_json != sf->log_json) {
        sf->log_json = nf.log_json;
        add_name(applied, sizeof applied, TH_SCFG_LOG_FORMAT);
        apply_log_format(nf.log_json);
    }
    if (applied[0]) th_info(_("SIGHUP: %s read again; applied: %s"), sf->path, applied);
    if (restart[0])
        th_warn(_("SIGHUP: %s read again; changed, but in force only after a restart: %s"), sf->path,
                restart);
    if (fixed[0])
        th_info(_("SIGHUP: %s read again; the command line or the environment sets %s, and wins"), sf->path,
                fixed);
    if (!applied[0] && !restart[0] && !fixed[0])
        th_info(_("SIGHUP: %s read again; nothing changed"), sf->path);
    th_serve_config_fini(&nf);
}

static void on_hangup(int sig)
{
    (void)sig;
    th_server_reload();
}

static int cmd_serve(opts *o, serve_file *sf)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sa.sa_handler = on_hangup;
    sigaction(SIGHUP, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    th_serve_config cfg = {.dsn = o->db,
                           .read_dsn = o->read_db,
                           .bind = o->bind,
                           .endpoint_file = o->endpoint_file,
                           .batch_max = (int)o->batch,
                           .db_timeout_ms = (int)o->db_timeout,
                           .read_workers = (int)o->workers,
                           .ingest_workers = (int)o->ingest_workers,
                           .max_open_per_client = (int)o->max_open,
                           .secret_key_file = o->secret_key_file,
                           .test_clock = o->test_clock,
                           .notify_bind = o->notify_bind,
                           .notify_endpoint_file = o->notify_endpoint_file,
                           .metrics_bind = o->metrics_bind,
                           .insecure = o->insecure,
                           .on_reload = sf->path ? serve_reload : NULL,
                           .reload_arg = sf};
    char err[1024];
    /* A key from TONGHOP_SECRET_KEY goes to the server as it is (the file
     * on the command line wins), then is wiped. */
    if (o->have_env_key && !o->secret_key_file && !o->insecure) cfg.keypair = &o->env_key;
    th_server *srv = th_server_new(&cfg, err, sizeof err);
    explicit_bzero(&o->env_key, sizeof o->env_key);
    if (!srv) {
        fprintf(stderr, _("tonghopd: cannot start: %s\n"), err);
        return 1;
    }
    /* Once, at start (after the schema check: the database answers and its
     * rules are ours, tonghop_server included). */
    char excess[1024];
    int ex = th_privileges_excess(o->db, (int)o->db_timeout, excess, sizeof excess);
    if (ex > 0)
        th_warn(_("serve runs with more rights than it needs: %s. Run it as a database role that is only a "
                  "member of tonghop_server (README: \"Running in production\")."),
                excess);
    else if (ex < 0)
        th_debug("privileges: %s", excess);
    int rc = th_server_run(srv);
    th_server_destroy(&srv);
    return rc == 0 ? 0 : 1;
}

static int cmd_keygen(const opts *o)
{
    if (!o->secret_key_file) {
        fprintf(stderr, "%s\n", _("tonghopd keygen: --secret-file is missing"));
        return EXIT_USAGE;
    }
    th_keypair kp;
    char err[512];
    if (th_keyfile_generate(o->secret_key_file, &kp, err, sizeof err) != 0) {
        fprintf(stderr, "tonghopd keygen: %s\n", err);
        return 1;
    }
    printf(_("Key pair written to %s (keep it secret). Public key, for the clients' \"server_key\":\n%s\n"),
           o->secret_key_file, kp.public_key);
    memset(&kp, 0, sizeof kp);
    return 0;
}

/* enroll, revoke, keys. */
static int cmd_keys(const char *what, const opts *o)
{
    static const char *const roles[] = {"commune", "district", "province", "ministry", "admin", NULL};
    if (strcmp(what, "keys") != 0 && (!o->public_key || !th_key_valid(o->public_key))) {
        fprintf(stderr, _("tonghopd %s: --public-key takes the 40 characters tonghop keygen printed\n"),
                what);
        return EXIT_USAGE;
    }
    if (!strcmp(what, "enroll")) {
        int ok = 0;
        for (int i = 0; o->role && roles[i]; i++)
            ok |= !strcmp(o->role, roles[i]);
        if (!o->unit || !ok) {
            fprintf(stderr, "%s\n",
                    _("tonghopd enroll: --unit CODE and --role commune|district|province|ministry|admin are "
                      "needed"));
            return EXIT_USAGE;
        }
        if (o->as_of && !th_plan_valid_date(o->as_of)) {
            fprintf(stderr, "%s\n", _("tonghopd enroll: --as-of takes a date YYYY-MM-DD"));
            return EXIT_USAGE;
        }
    }
    th_db *db = db_or_say(o->db);
    if (!db) return 1;
    PGresult *r;
    int rc = 0;
    if (!strcmp(what, "enroll")) {
        /* The key speaks for the unit that holds the code today (codes are
         * reused across the 2025 reform), or on --as-of, and a commune,
         * district or province key for a unit of that level only. A code
         * nobody holds today is refused, naming what took it over: a key
         * bound to a unit that has ceased is wanted only to close that
         * unit's own periods, and is asked for with --as-of. */
        const char *p[] = {o->public_key, o->unit, o->role, o->name, o->as_of};
        r = th_db_exec_params(
            db,
            "WITH u AS (SELECT code, name_with_type, th_unit_role(type, parent_code) AS level FROM units"
            "            WHERE code = th_unit_key($2, coalesce($5::date, current_date))),"
            " ins AS (INSERT INTO client_keys (public_key, unit_code, role, name)"
            "         SELECT $1, u.code, $3, $4 FROM u"
            "          WHERE $3 NOT IN ('commune', 'district', 'province') OR u.level = $3"
            "         ON CONFLICT (public_key) DO UPDATE SET unit_code = EXCLUDED.unit_code,"
            "            role = EXCLUDED.role, name = EXCLUDED.name, revoked_at = NULL, enrolled_at = now()"
            "         RETURNING 1)"
            " SELECT u.code, u.name_with_type, u.level, (SELECT count(*) FROM ins), NULL FROM u"
            " UNION ALL"
            " SELECT NULL, NULL, NULL, NULL, coalesce(th_unit_ceased_text(th_unit_key_before($2, "
            "current_date)), '')"
            "  WHERE NOT EXISTS (SELECT 1 FROM u)",
            5, p, NULL, NULL);
        if (PQresultStatus(r) != PGRES_TUPLES_OK) {
            fprintf(stderr, "tonghopd enroll: %s\n", th_db_error(db));
            rc = 1;
        } else if (PQntuples(r) == 0 || PQgetisnull(r, 0, 0)) {
            const char *ceased = PQntuples(r) ? PQgetvalue(r, 0, 4) : "";
            if (o->as_of)
                fprintf(stderr, _("tonghopd enroll: no unit had the code %s on %s\n"), o->unit, o->as_of);
            else if (*ceased)
                fprintf(stderr,
                        _("tonghopd enroll: no unit has the code %s today: it ceased on %s. Enrol a key for "
                          "the unit that took it over; or, only to close the old unit's own periods, add "
                          "--as-of a day it existed.\n"),
                        o->unit, ceased);
            else
                fprintf(stderr, _("tonghopd enroll: no unit has the code %s today\n"), o->unit);
            rc = 1;
        } else if (!strcmp(PQgetvalue(r, 0, 3), "0")) {
            fprintf(stderr, _("tonghopd enroll: %s %s is a %s, not a %s: enrol it with --role %s\n"), o->unit,
                    PQgetvalue(r, 0, 1), PQgetvalue(r, 0, 2), o->role, PQgetvalue(r, 0, 2));
            rc = 1;
        } else {
            printf(_("Key enrolled for unit %s (%s) as %s.\n"), PQgetvalue(r, 0, 0), PQgetvalue(r, 0, 1),
                   o->role);
        }
    } else if (!strcmp(what, "revoke")) {
        const char *p[] = {o->public_key};
        r = th_db_exec_params(
            db, "UPDATE client_keys SET revoked_at = now() WHERE public_key = $1 AND revoked_at IS NULL", 1,
            p, NULL, NULL);
        if (PQresultStatus(r) != PGRES_COMMAND_OK) {
            fprintf(stderr, "tonghopd revoke: %s\n", th_db_error(db));
            rc = 1;
        } else if (!strcmp(PQcmdTuples(r), "0")) {
            fprintf(stderr, "%s\n", _("tonghopd revoke: no such key in force"));
            rc = 1;
        } else {
            printf("%s\n", _("Key revoked: refused from now on, within a second, also on open connections."));
        }
    } else {
        r = th_db_exec_params(
            db,
            "SELECT public_key, unit_code, role, coalesce(name, ''),"
            " to_char(enrolled_at AT TIME ZONE 'Asia/Ho_Chi_Minh', 'DD/MM/YYYY HH24:MI'),"
            " coalesce(to_char(revoked_at AT TIME ZONE 'Asia/Ho_Chi_Minh', 'DD/MM/YYYY HH24:MI'), '')"
            " FROM client_keys ORDER BY unit_code, enrolled_at",
            0, NULL, NULL, NULL);
        if (PQresultStatus(r) != PGRES_TUPLES_OK) {
            fprintf(stderr, "tonghopd keys: %s\n", th_db_error(db));
            rc = 1;
        } else {
            for (int i = 0; i < PQntuples(r); i++)
                printf("%s  %-8s %-9s %-16s %s%s%s\n", PQgetvalue(r, i, 0), PQgetvalue(r, i, 1),
                       PQgetvalue(r, i, 2), PQgetvalue(r, i, 4), PQgetvalue(r, i, 3),
                       PQgetvalue(r, i, 5)[0] ? _("  REVOKED ") : "", PQgetvalue(r, i, 5));
        }
    }
    PQclear(r);
    th_db_destroy(&db);
    return rc;
}

static int cmd_audit(const opts *o)
{
    th_db *db = db_or_say(o->db);
    if (!db) return 1;
    char err[512];
    int rc = th_audit_show(db, o->unit, o->since, o->limit, o->refused, stdout, err, sizeof err);
    if (rc != 0) fprintf(stderr, "tonghopd audit: %s\n", err);
    th_db_destroy(&db);
    return rc ? 1 : 0;
}

int main(int argc, char **argv)
{
    th_i18n_init(argv[0]);
    const char *bad_lang = NULL;
    int early_lang = th_cli_early_lang(argc, argv, &bad_lang);
    if (early_lang < 0) {
        fprintf(stderr, _("tonghopd: unknown language \"%s\" (vi or en)\n"), bad_lang);
        return EXIT_USAGE;
    }
    opts o = {0};
    o.lang_given = early_lang > 0;
    int help = 0, version = 0;
    if (parse(argc, argv, &o, &help, &version) != 0) return usage_error(NULL);
    if (version) {
        th_cli_print_version("tonghopd", TH_VERSION);
        return 0;
    }
    /* GNU getopt moved the words to the end: the command and its arguments. */
    int nwords = argc - optind;
    char **words = argv + optind;
    if (nwords == 0) {
        if (help) {
            usage(stdout);
            return 0;
        }
        fprintf(stderr, "%s\n", _("tonghopd: which command?"));
        usage(stderr);
        return EXIT_USAGE;
    }
    const command *cmd = NULL;
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (!strcmp(words[0], commands[i].name)) cmd = &commands[i];
    if (!cmd) {
        fprintf(stderr, _("tonghopd: unknown command \"%s\"\n"), words[0]);
        return usage_error(NULL);
    }
    if (help) {
        command_help(cmd);
        return 0;
    }
    if (!strcmp(cmd->name, "serve") && serve_key_from_env(&o) != 0) return usage_error(cmd);
    int rest = nwords - 1;
    char **args = words + 1;
    if (rest < cmd->min_args) {
        fprintf(stderr, _("tonghopd %s: missing FILE (%s)\n"), cmd->name, cmd->synopsis);
        return usage_error(cmd);
    }
    if (rest > cmd->max_args) {
        fprintf(stderr, _("tonghopd %s: unexpected argument \"%s\"\n"), cmd->name, args[cmd->max_args]);
        return usage_error(cmd);
    }
    serve_file sf = {0};
    if (!strcmp(cmd->name, "serve")) {
        const char *env_config = getenv("TONGHOPD_CONFIG");
        sf.path = o.config ? o.config : env_config && *env_config ? env_config : NULL;
        if (sf.path && serve_apply_file(&o, &sf) != 0) return usage_error(cmd);
    } else if (o.config) {
        fprintf(stderr, _("tonghopd %s: --config is for serve only\n"), cmd->name);
        return usage_error(cmd);
    }
    if (!strcmp(cmd->name, "keygen")) return cmd_keygen(&o);
    if (!o.db) {
        fprintf(stderr, _("tonghopd %s: --db is missing (or set TONGHOP_DB)\n"), cmd->name);
        th_serve_config_fini(&sf.start);
        return usage_error(cmd);
    }
    if (!strcmp(cmd->name, "migrate")) return cmd_migrate(&o);
    if (!strcmp(cmd->name, "enroll") || !strcmp(cmd->name, "revoke") || !strcmp(cmd->name, "keys")) {
        int rc = cmd_keys(cmd->name, &o);
        return rc == EXIT_USAGE ? usage_error(cmd) : rc;
    }
    if (!strcmp(cmd->name, "audit")) return cmd_audit(&o);
    if (!strcmp(cmd->name, "status")) return th_status_show(o.db, o.metrics, stdout);
    if (!strcmp(cmd->name, "serve")) {
        if (!o.bind) {
            fprintf(stderr, _("tonghopd %s: --bind is missing\n"), cmd->name);
            th_serve_config_fini(&sf.start);
            return usage_error(cmd);
        }
        int rc = cmd_serve(&o, &sf);
        th_serve_config_fini(&sf.start);
        return rc;
    }
    if (!strcmp(cmd->name, "import-units")) {
        if ((o.as_of && !th_plan_valid_date(o.as_of)) || ((o.complete || o.succession) && !o.as_of)) {
            fprintf(
                stderr, "%s\n",
                _("tonghopd import-units: --as-of takes a date YYYY-MM-DD, and --complete and --succession "
                  "need it"));
            return usage_error(cmd);
        }
        return cmd_import_units(&o, args[0]);
    }
    if (!strcmp(cmd->name, "import-plan")) return cmd_import_plan(&o, rest, args);
    return cmd_import_catalogue(&o, args[0]);
}
