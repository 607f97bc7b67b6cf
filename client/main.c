/* main.c -- tonghop: the client communes and districts use.
 *
 * The commands are the rows of `commands[]` below: each has its usage line,
 * its own options, an example, and a function. Settings come from the
 * command line, then the environment, then the configuration files
 * (config.h). Exit codes: request.h and the README. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "approve_cmd.h"
#include "catalogue_cmd.h"
#include "cli.h"
#include "config.h"
#include "due_cmd.h"
#include "enter.h"
#include "form_cmd.h"
#include "history_cmd.h"
#include "i18n.h"
#include "keyfile.h"
#include "plan_cmd.h"
#include "report_cmd.h"
#include "request.h"
#include "review_cmd.h"
#include "spool.h"
#include "status_cmd.h"
#include "submit.h"
#include "transport.h"
#include "validate.h"
#include "watch_cmd.h"

/* Long options without a letter: the official report's lines. */
enum { OPT_ISSUER_BODY = 256, OPT_NUMBER, OPT_TO, OPT_PLACE, OPT_SIGNER_TITLE, OPT_SIGNER_NAME };

/* Options a command may require. */
enum {
    NEED_UNIT = 1,
    NEED_PERIOD = 2,
    NEED_PLAN = 4,
    NEED_INDICATOR = 8,
    NEED_FORMAT = 16,
    NEED_SECRET_FILE = 32,
    OWN_ENDPOINT = 64 /* talks to its own endpoint (watch): keys yes, --server no */
};

typedef struct ctx {
    th_config cfg;
    th_transport_config tc;
    th_transport *t;
    th_spool *spool;
    th_submit_args sub;
    th_report_args rep;
    const char *indicator;
    const char *secret_file; /* keygen */
    const char *reason;      /* reopen */
    th_watch_args watch;
    int before_children; /* approve */
    long review_limit;   /* review --limit (0: the server's default) */
    int as_json;
} ctx;

typedef struct command {
    const char *name;     /* one or two words */
    const char *synopsis; /* after the name */
    const char *what;     /* N_() */
    const char *options;  /* N_(): the command's own options, one per line */
    const char *example;
    int nargs; /* positional arguments after the name */
    unsigned need;
    int server; /* talks to the server */
    int spool;  /* keeps the spool */
    int (*run)(ctx *c, char **args);
} command;

static int run_submit(ctx *c, char **args)
{
    c->sub.file = args[0];
    return th_submit_run(c->t, c->spool, &c->sub);
}
static int run_enter(ctx *c, char **args)
{
    (void)args;
    return th_enter_run(c->t, c->spool, c->sub.plan, c->sub.period, c->sub.unit, stdin, stdout);
}
static int run_sync(ctx *c, char **args)
{
    (void)args;
    return th_sync_run(c->t, c->spool);
}
static int run_status(ctx *c, char **args)
{
    (void)args;
    return th_status_cmd_run(c->spool);
}
static int run_history(ctx *c, char **args)
{
    (void)args;
    if (!c->indicator && c->sub.plan)
        return th_approve_cmd_history(c->t, c->sub.plan, c->sub.period, c->sub.unit);
    if (!c->indicator || !c->sub.unit) {
        fprintf(
            stderr, "%s\n",
            _("tonghop history: give --unit and --indicator (a value's history) or --plan (the approvals)"));
        return TH_EXIT_USAGE;
    }
    return th_history_cmd_run(c->t, c->sub.unit, c->indicator, c->sub.period);
}
static int run_approve(ctx *c, char **args)
{
    (void)args;
    return th_approve_cmd_run(c->t, c->sub.plan, c->sub.period, c->sub.unit, 1, c->before_children,
                              c->reason);
}
static int run_reopen(ctx *c, char **args)
{
    (void)args;
    if (th_validate_blank(c->reason)) {
        fprintf(stderr, "%s\n", _("tonghop reopen: --reason is missing: say why the period is reopened"));
        return TH_EXIT_USAGE;
    }
    return th_approve_cmd_run(c->t, c->sub.plan, c->sub.period, c->sub.unit, 0, 0, c->reason);
}
static int run_due(ctx *c, char **args)
{
    (void)args;
    return th_due_cmd_run(c->t, c->sub.unit, c->sub.plan, c->sub.period, c->as_json);
}
static int run_watch(ctx *c, char **args)
{
    (void)args;
    if (!c->watch.endpoint) c->watch.endpoint = c->cfg.notify;
    if (!c->watch.endpoint) {
        fprintf(
            stderr, "%s\n",
            _("tonghop watch: where are the notifications? Give --notify ENDPOINT, set TONGHOP_NOTIFY, or "
              "write \"notify = tcp://...:5571\" in ~/.config/tonghop/config"));
        return TH_EXIT_USAGE;
    }
    char err[512];
    if (th_transport_check_endpoint(c->watch.endpoint, err, sizeof err) != 0) {
        fprintf(stderr, "tonghop: %s\n", err);
        return TH_EXIT_USAGE;
    }
    c->watch.unit = c->sub.unit;
    return th_watch_cmd_run(&c->tc, &c->watch);
}
static int run_review(ctx *c, char **args)
{
    (void)args;
    return th_review_cmd_run(c->t, c->sub.unit, c->sub.plan, c->sub.period, (unsigned)c->review_limit,
                             c->as_json);
}
static int run_report(ctx *c, char **args)
{
    (void)args;
    c->rep.plan = c->sub.plan;
    c->rep.period = c->sub.period;
    c->rep.unit = c->sub.unit;
    return th_report_cmd_run(c->t, &c->rep);
}
static int run_export(ctx *c, char **args)
{
    if (strcmp(c->rep.format, "adx") != 0 && strcmp(c->rep.format, "dhis2") != 0) {
        fprintf(stderr, _("tonghop export: --format %s: the export formats are adx and dhis2\n"),
                c->rep.format);
        return TH_EXIT_USAGE;
    }
    return run_report(c, args);
}
static int run_plans(ctx *c, char **args)
{
    (void)args;
    return th_plan_cmd_list(c->t, c->sub.unit);
}
static int run_plan_show(ctx *c, char **args)
{
    return th_plan_cmd_show(c->t, args[0], c->sub.unit, c->as_json);
}
static int run_plan_publish(ctx *c, char **args) { return th_plan_cmd_publish(c->t, args[0]); }
static int run_catalogue_publish(ctx *c, char **args) { return th_catalogue_cmd_publish(c->t, args[0]); }
static int run_form(ctx *c, char **args)
{
    (void)args;
    return th_form_cmd_run(c->t, c->sub.plan, c->sub.unit, c->sub.period, c->rep.output);
}

static int run_keygen(ctx *c, char **args)
{
    (void)args;
    th_keypair kp;
    char err[512];
    if (th_keyfile_generate(c->secret_file, &kp, err, sizeof err) != 0) {
        fprintf(stderr, "tonghop keygen: %s\n", err);
        return TH_EXIT_FAILURE;
    }
    printf(_("Key pair written to %s (keep it secret; its mode is 0600).\n"
             "Public key, to give to the province's IT office for enrolment:\n%s\n"),
           c->secret_file, kp.public_key);
    memset(&kp, 0, sizeof kp);
    return TH_EXIT_OK;
}

static const command commands[] = {
    {"submit", "--unit CODE --period YYYYQn [--plan CODE] FILE.csv",
     N_("Queue a commune's results for a quarter (a CSV file) and send them."),
     N_("  --unit CODE       the reporting unit's GSO code\n"
        "  --period YYYYQn   the quarter, e.g. 2025Q3\n"
        "  --plan CODE       the plan the results answer (optional)\n"
        "  --id UUID         the submission's id (default: a new one)\n"),
     "tonghop submit --unit 22921 --period 2025Q3 phu-hai-2025Q3.csv", 1, NEED_UNIT | NEED_PERIOD, 1, 1,
     run_submit},
    {"enter", "--unit CODE --period YYYYQn --plan CODE",
     N_("Type in a quarter's results indicator by indicator, then send them."),
     N_("  --unit CODE       the reporting unit's GSO code\n"
        "  --period YYYYQn   the quarter\n"
        "  --plan CODE       the plan whose indicators to ask for\n"),
     "tonghop enter --unit 22921 --period 2025Q3 --plan 1751/KH-UBND", 0, NEED_UNIT | NEED_PERIOD | NEED_PLAN,
     1, 1, run_enter},
    {"sync", "", N_("Send every submission still waiting in the spool, oldest first."), "", "tonghop sync", 0,
     0, 1, 1, run_sync},
    {"status", "", N_("Show what waits in the spool, what was delivered and what was refused."), "",
     "tonghop status", 0, 0, 0, 1, run_status},
    {"history", "--unit CODE --indicator CODE --period YYYYQn | --plan CODE --period P [--unit CODE]",
     N_("Every value sent for one unit, indicator and quarter, and which is in force; or, with --plan, every "
        "approval and reopening of a plan's period."),
     N_("  --unit CODE        the unit\n"
        "  --indicator CODE   the indicator, e.g. CTXH-01\n"
        "  --period P         the quarter (a year or a quarter with --plan)\n"
        "  --plan CODE        the approvals of this plan (instead of --indicator)\n"),
     "tonghop history --unit 22921 --indicator CTXH-01 --period 2025Q3", 0, NEED_PERIOD, 1, 0, run_history},
    {"approve", "--plan CODE --period P [--unit CODE] [--before-children]",
     N_("Approve a plan's results for a period over a unit's territory: they are locked until reopened."),
     N_("  --plan CODE         the plan\n"
        "  --period P          a year (2025) or a quarter (2025Q3)\n"
        "  --unit CODE         the approving unit, this computer's own (default: the configured unit)\n"
        "  --before-children   approve although units below have not yet (recorded)\n"),
     "tonghop approve --plan 1751/KH-UBND --period 2025Q3 --unit 593", 0, NEED_PLAN | NEED_PERIOD, 1, 0,
     run_approve},
    {"reopen", "--plan CODE --period P [--unit CODE] --reason TEXT",
     N_("Reopen an approved period so that results may be sent and corrected again; the reason is recorded."),
     N_("  --plan CODE     the plan\n"
        "  --period P      the period approved\n"
        "  --unit CODE     the unit whose approval to reopen (default: the configured unit)\n"
        "  --reason TEXT   why (required)\n"),
     "tonghop reopen --plan 1751/KH-UBND --period 2025Q3 --unit 593 --reason \"Phú Hài sửa số liệu quý 3\"",
     0, NEED_PLAN | NEED_PERIOD, 1, 0, run_reopen},
    {"due", "[--unit CODE] [--plan CODE] [--period YYYY|YYYYQn] [--json]",
     N_("What is due for a unit and below it: deadlines, time left, who has not reported, who was late."),
     N_("  --unit CODE       the unit (default: this computer's unit)\n"
        "  --plan CODE       only this plan (default: every plan covering the unit)\n"
        "  --period P        a quarter (default: the current one) or a year\n"
        "  --json            the answer as JSON\n"),
     "tonghop due --unit 593 --period 2025Q4", 0, 0, 1, 0, run_due},
    {"watch", "[--notify ENDPOINT] [--unit CODE] [--count N] [--for DURATION]",
     N_("Print the notifications of this computer's territory as they come: results received, deadlines near "
        "or missed, approvals, plans published."),
     N_("  --notify ENDPOINT   the server's notification address (or notify = ... in the configuration)\n"
        "  --unit CODE         only this unit's territory (inside this computer's own; never wider)\n"
        "  --count N           stop after N notifications\n"
        "  --for DURATION      stop after this long (e.g. 30s, 8h)\n"),
     "tonghop watch --notify tcp://tonghop.lamdong.example:5571", 0, OWN_ENDPOINT, 1, 0, run_watch},
    {"review", "--plan CODE --period YYYY|YYYYQn [--unit CODE] [--limit N] [--json]",
     N_("Review before approval: the values a reviewer should look at (above 100%, a denominator that "
        "jumped, "
        "a stock that changed while the unit did not), per unit."),
     N_("  --plan CODE       the plan\n"
        "  --period P        a year (2025) or a quarter (2025Q3)\n"
        "  --unit CODE       the unit and the units below it (default: the plan's issuer)\n"
        "  --limit N         list at most N flags (default 1000, at most 10000); all are counted\n"
        "  --json            the answer as JSON\n"),
     "tonghop review --unit 593 --plan 1751/KH-UBND --period 2025", 0, NEED_PLAN | NEED_PERIOD, 1, 0,
     run_review},
    {"plans", "[--unit CODE]", N_("List the plans in force, or those covering a unit."),
     N_("  --unit CODE   only the plans covering this unit\n"), "tonghop plans --unit 22921", 0, 0, 1, 0,
     run_plans},
    {"plan show", "CODE [--unit CODE] [--json]", N_("Show a plan: targets, quarters to report, deadlines."),
     N_("  --unit CODE   what this unit must report, and by when\n"
        "  --json        the plan document as JSON\n"),
     "tonghop plan show 1751/KH-UBND --unit 22921", 1, 0, 1, 0, run_plan_show},
    {"plan publish", "FILE.json", N_("Check a plan file and publish it to the server."), "",
     "tonghop plan publish ke-hoach-1751.json", 1, 0, 1, 0, run_plan_publish},
    {"catalogue publish", "FILE.json", N_("Check an indicator catalogue file and publish it to the server."),
     "", "tonghop catalogue publish indicator-catalogue.json", 1, 0, 1, 0, run_catalogue_publish},
    {"form", "--plan CODE --unit CODE --period YYYYQn [--output FILE]",
     N_("Write the blank results file (CSV) of a unit's plan for a quarter, ready to fill in and submit."),
     N_("  --plan CODE       the plan\n"
        "  --unit CODE       the reporting unit\n"
        "  --period YYYYQn   the quarter\n"
        "  --output FILE     write to FILE instead of standard output\n"),
     "tonghop form --plan 1751/KH-UBND --unit 22921 --period 2025Q3 --output phu-hai-2025Q3.csv", 0,
     NEED_PLAN | NEED_UNIT | NEED_PERIOD, 1, 0, run_form},
    {"keygen", "--secret-file FILE", N_("Make this computer's key pair; prints the public key to enrol."),
     N_("  --secret-file FILE   where to write the key pair (mode 0600; must not exist)\n"),
     "tonghop keygen --secret-file ~/.config/tonghop/client.key", 0, NEED_SECRET_FILE, 0, 0, run_keygen},
    {"report",
     "--plan CODE --period YYYY|YYYYQn [--unit CODE] [--by-child] [--approved-only] [--format F] [--output "
     "FILE]",
     N_("A plan's report for a year or a quarter: rolled-up results against the targets."),
     N_("  --plan CODE       the plan\n"
        "  --period P        a year (2025) or a quarter (2025Q3)\n"
        "  --unit CODE       the unit reported on (default: the plan's issuer)\n"
        "  --by-child        one row per unit directly below\n"
        "  --approved-only   only results approved for the period (tonghop approve)\n"
        "  --format F        table (default), csv, json, html, or official: the document to sign\n"
        "  --output FILE     write to FILE instead of standard output (official: FILE.pdf\n"
        "                    prints a PDF with Chromium)\n"
        "The official document's own lines (defaults from the report and the plan):\n"
        "  --issuer-body T   the issuing body, top left ('|' starts a new line)\n"
        "  --number T        the number, e.g. 15/BC-UBND (default: blank, to fill in by hand)\n"
        "  --to T            the recipient (Kính gửi)\n"
        "  --place T         the place in the date line\n"
        "  --signer-title T  the signer's title ('|' starts a new line)\n"
        "  --signer-name T   the signer's name\n"),
     "tonghop report --plan 1751/KH-UBND --period 2025Q3 --by-child --format official --output bao-cao.pdf",
     0, NEED_PLAN | NEED_PERIOD, 1, 0, run_report},
    {"export", "--plan CODE --period YYYY|YYYYQn [--unit CODE] --format adx|dhis2 [--output FILE]",
     N_("Export a report's values for another system: IHE ADX XML or DHIS2 dataValueSets JSON."),
     N_("  --plan CODE       the plan\n"
        "  --period P        a year or a quarter\n"
        "  --unit CODE       the unit (default: the plan's issuer)\n"
        "  --format F        adx or dhis2\n"
        "  --output FILE     write to FILE instead of standard output\n"),
     "tonghop export --plan 1751/KH-UBND --period 2025Q3 --format adx --output 1751-2025Q3.xml", 0,
     NEED_PLAN | NEED_PERIOD | NEED_FORMAT, 1, 0, run_export},
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

static const char GLOBAL_OPTIONS[] =
    N_("Options for every command:\n"
       "  --server ENDPOINT   server address, e.g. tcp://tonghop.example.vn:5570 (repeatable)\n"
       "  --timeout DURATION  how long to wait for each answer: 5000 (ms), 500ms, 30s, 2min (default 5s)\n"
       "  --retries N         how many times to try in all (default 3)\n"
       "  --spool DIR         where submissions wait until delivered\n"
       "  --lang vi|en        language of messages (default vi)\n"
       "  --server-key KEY    the server's public key: connect encrypted, signed with --key-file\n"
       "  --key-file FILE     this computer's key pair (tonghop keygen)\n"
       "  --help, --version\n"
       "Settings also come from TONGHOP_SERVER, TONGHOP_UNIT, TONGHOP_SPOOL, TONGHOP_LANG,\n"
       "TONGHOP_TIMEOUT and the files ~/.config/tonghop/config and /etc/tonghop/tonghop.conf\n"
       "(\"server = tcp://...\" lines); the command line wins over the environment, which wins\n"
       "over the files.\n");

static void usage(FILE *out)
{
    fprintf(out, "%s\n", _("Usage: tonghop COMMAND [OPTIONS]"));
    fprintf(out, "%s\n", _("Commands:"));
    for (size_t i = 0; i < NCOMMANDS; i++)
        fprintf(out, "  %-18s %s\n", commands[i].name, _(commands[i].what));
    fprintf(out, "\n%s\n", _(GLOBAL_OPTIONS));
    fprintf(out, "%s\n",
            _("Exit codes: 0 done, 2 wrong command line, 3 the file has an error (nothing sent),\n"
              "4 refused by the server, 5 queued: not delivered yet (try `tonghop sync` later), 1 other "
              "failure.\n"
              "`tonghop COMMAND --help` shows a command's options and an example."));
}

static void command_help(const command *cmd)
{
    printf(_("Usage: tonghop %s %s\n"), cmd->name, cmd->synopsis);
    printf("%s\n", _(cmd->what));
    if (cmd->options[0]) printf("\n%s", _(cmd->options));
    printf("\n%s\n  %s\n\n%s", _("Example:"), cmd->example, _(GLOBAL_OPTIONS));
}

/* The command named by the words, or NULL. *used gets how many words. */
static const command *find_command(int nwords, char **words, int *used)
{
    for (size_t i = 0; i < NCOMMANDS; i++) {
        const char *name = commands[i].name, *space = strchr(name, ' ');
        if (!space && !strcmp(words[0], name)) {
            *used = 1;
            return &commands[i];
        }
        if (space && nwords >= 2 && !strncmp(words[0], name, (size_t)(space - name)) &&
            strlen(words[0]) == (size_t)(space - name) && !strcmp(words[1], space + 1)) {
            *used = 2;
            return &commands[i];
        }
    }
    return NULL;
}

/* Points at the help instead of dumping it. */
static int usage_error(const char *cmd)
{
    if (cmd)
        fprintf(stderr, _("See: tonghop %s --help\n"), cmd);
    else
        fprintf(stderr, "%s\n", _("See: tonghop --help"));
    return TH_EXIT_USAGE;
}

int main(int argc, char **argv)
{
    th_i18n_init(argv[0]);
    const char *bad_lang = NULL;
    int lang_given = th_cli_early_lang(argc, argv, &bad_lang);
    if (lang_given < 0) {
        fprintf(stderr, _("tonghop: unknown language \"%s\" (vi or en)\n"), bad_lang);
        return TH_EXIT_USAGE;
    }
    static const struct option longopts[] = {{"server", required_argument, NULL, 's'},
                                             {"unit", required_argument, NULL, 'u'},
                                             {"period", required_argument, NULL, 'p'},
                                             {"plan", required_argument, NULL, 'P'},
                                             {"timeout", required_argument, NULL, 't'},
                                             {"retries", required_argument, NULL, 'r'},
                                             {"id", required_argument, NULL, 'i'},
                                             {"lang", required_argument, NULL, 'l'},
                                             {"json", no_argument, NULL, 'j'},
                                             {"help", no_argument, NULL, 'h'},
                                             {"version", no_argument, NULL, 'V'},
                                             {"by-child", no_argument, NULL, 'c'},
                                             {"format", required_argument, NULL, 'f'},
                                             {"output", required_argument, NULL, 'o'},
                                             {"spool", required_argument, NULL, 'S'},
                                             {"indicator", required_argument, NULL, 'I'},
                                             {"server-key", required_argument, NULL, 'k'},
                                             {"key-file", required_argument, NULL, 'K'},
                                             {"secret-file", required_argument, NULL, 'F'},
                                             {"reason", required_argument, NULL, 'R'},
                                             {"approved-only", no_argument, NULL, 1204},
                                             {"notify", required_argument, NULL, 1201},
                                             {"count", required_argument, NULL, 1202},
                                             {"limit", required_argument, NULL, 1205},
                                             {"for", required_argument, NULL, 1203},
                                             {"before-children", no_argument, NULL, 'B'},
                                             {"issuer-body", required_argument, NULL, OPT_ISSUER_BODY},
                                             {"number", required_argument, NULL, OPT_NUMBER},
                                             {"to", required_argument, NULL, OPT_TO},
                                             {"place", required_argument, NULL, OPT_PLACE},
                                             {"signer-title", required_argument, NULL, OPT_SIGNER_TITLE},
                                             {"signer-name", required_argument, NULL, OPT_SIGNER_NAME},
                                             {NULL, 0, NULL, 0}};
    ctx c;
    memset(&c, 0, sizeof c);
    const command *cmd = NULL;
    char err[1200];
    if (th_config_load(&c.cfg, err, sizeof err) != 0) {
        fprintf(stderr, _("tonghop: configuration: %s\n"), err);
        th_config_fini(&c.cfg);
        return TH_EXIT_USAGE;
    }
    if (!lang_given && c.cfg.lang) th_i18n_set_lang(c.cfg.lang); /* from a file */
    const char *cli_servers[TH_CONFIG_MAX_SERVERS];
    size_t ncli = 0;
    const char *timeout = NULL, *retries = NULL, *spool = NULL, *server_key = NULL, *key_file = NULL;
    th_keypair kp;
    memset(&kp, 0, sizeof kp);
    int help = 0, rc = TH_EXIT_USAGE, opt;
    opterr = 0; /* our own messages, in the user's language */
    while ((opt = getopt_long(argc, argv, ":s:u:p:P:t:r:i:l:jhcf:o:S:I:k:K:F:R:B", longopts, NULL)) != -1) {
        switch (opt) {
        case 's':
            if (ncli == TH_CONFIG_MAX_SERVERS) {
                fprintf(stderr, "%s\n", _("tonghop: at most 8 servers"));
                goto usage;
            }
            cli_servers[ncli++] = optarg;
            break;
        case 'u': c.sub.unit = optarg; break;
        case 'p': c.sub.period = optarg; break;
        case 'P': c.sub.plan = optarg; break;
        case 't': timeout = optarg; break;
        case 'r': retries = optarg; break;
        case 'i': c.sub.submission_id = optarg; break;
        case 'l': break; /* already applied */
        case 'j': c.as_json = 1; break;
        case 'c': c.rep.by_child = 1; break;
        case 'f': c.rep.format = optarg; break;
        case 'o': c.rep.output = optarg; break;
        case 'S': spool = optarg; break;
        case 'I': c.indicator = optarg; break;
        case 'k': server_key = optarg; break;
        case 'K': key_file = optarg; break;
        case 'F': c.secret_file = optarg; break;
        case 'R': c.reason = optarg; break;
        case 1204: c.rep.approved_only = 1; break;
        case 1201: c.watch.endpoint = optarg; break;
        case 1205:
            if (th_cli_parse_count(optarg, 1, 10000, &c.review_limit) != 0) {
                fprintf(stderr, _("tonghop: --limit %s: not a whole number from 1 to 10000\n"), optarg);
                return TH_EXIT_USAGE;
            }
            break;
        case 1202:
            if (th_cli_parse_count(optarg, 1, 1000000, &c.watch.count) != 0) {
                fprintf(stderr, _("tonghop: --count %s: not a whole number from 1 to 1000000\n"), optarg);
                goto usage;
            }
            break;
        case 1203:
            if (th_cli_parse_duration_ms(optarg, 1, 366L * 24 * 3600 * 1000, &c.watch.for_ms) != 0) {
                fprintf(stderr, _("tonghop: --for %s: not a duration (e.g. 30s, 2min, 8h)\n"), optarg);
                goto usage;
            }
            break;
        case 'B': c.before_children = 1; break;
        case OPT_ISSUER_BODY: c.rep.official.issuer_body = optarg; break;
        case OPT_NUMBER: c.rep.official.number = optarg; break;
        case OPT_TO: c.rep.official.to = optarg; break;
        case OPT_PLACE: c.rep.official.place = optarg; break;
        case OPT_SIGNER_TITLE: c.rep.official.signer_title = optarg; break;
        case OPT_SIGNER_NAME: c.rep.official.signer_name = optarg; break;
        case 'h': help = 1; break;
        case 'V':
            th_cli_print_version("tonghop", TH_VERSION);
            rc = 0;
            goto out;
        case ':': fprintf(stderr, _("tonghop: option %s needs a value\n"), argv[optind - 1]); goto usage;
        default: fprintf(stderr, _("tonghop: unknown option %s\n"), argv[optind - 1]); goto usage;
        }
    }
    /* GNU getopt moved the words to the end: the command and its arguments. */
    int nwords = argc - optind, used = 0;
    char **words = argv + optind;
    if (nwords == 0) {
        if (help) {
            usage(stdout);
            rc = 0;
        } else {
            fprintf(stderr, "%s\n", _("tonghop: which command?"));
            usage(stderr);
        }
        goto out;
    }
    cmd = find_command(nwords, words, &used);
    if (!cmd) {
        fprintf(stderr, _("tonghop: unknown command \"%s\"\n"), words[0]);
        goto usage;
    }
    if (help) {
        command_help(cmd);
        rc = 0;
        goto out;
    }
    if (nwords - used != cmd->nargs) {
        if (nwords - used > cmd->nargs)
            fprintf(stderr, _("tonghop %s: unexpected argument \"%s\"\n"), cmd->name,
                    words[used + cmd->nargs]);
        else
            fprintf(stderr, _("tonghop %s: missing %s\n"), cmd->name, cmd->synopsis);
        goto usage;
    }

    if (!c.sub.unit) c.sub.unit = c.cfg.unit;
    long ms = c.cfg.timeout_ms, attempts = c.cfg.attempts;
    const char *missing = NULL;
    if (timeout && th_cli_parse_duration_ms(timeout, 1, 3600000, &ms) != 0) {
        fprintf(stderr, _("tonghop: --timeout %s: not a duration (e.g. 5000, 500ms, 30s, 2min)\n"), timeout);
        goto usage;
    }
    if (retries && th_cli_parse_count(retries, 1, 100, &attempts) != 0) {
        fprintf(stderr, _("tonghop: --retries %s: not a whole number from 1 to 100\n"), retries);
        goto usage;
    }
    if ((cmd->need & NEED_UNIT) && !c.sub.unit) missing = "--unit";
    if ((cmd->need & NEED_PERIOD) && !c.sub.period) missing = "--period";
    if ((cmd->need & NEED_PLAN) && !c.sub.plan) missing = "--plan";
    if ((cmd->need & NEED_INDICATOR) && !c.indicator) missing = "--indicator";
    if ((cmd->need & NEED_FORMAT) && !c.rep.format) missing = "--format";
    if ((cmd->need & NEED_SECRET_FILE) && !c.secret_file) missing = "--secret-file";
    if (missing) {
        fprintf(stderr, _("tonghop %s: %s is missing\n"), cmd->name, missing);
        goto usage;
    }
    c.tc.endpoints = ncli ? cli_servers : c.cfg.servers;
    c.tc.nendpoints = ncli ? ncli : c.cfg.nservers;
    c.tc.timeout_ms = (int)ms;
    c.tc.attempts = (int)attempts;
    /* With the server's public key, every connection is encrypted and
     * signed with this computer's enrolled key pair. */
    if (!server_key) server_key = c.cfg.server_key;
    if (!key_file) key_file = c.cfg.key_file;
    if (cmd->server && server_key) {
        if (!th_key_valid(server_key)) {
            fprintf(stderr, "%s\n",
                    _("tonghop: --server-key takes the 40 characters tonghopd keygen printed"));
            goto usage;
        }
        if (!key_file) {
            fprintf(
                stderr, "%s\n",
                _("tonghop: a server key needs this computer's key pair too: give --key-file FILE (tonghop "
                  "keygen) or key_file in the configuration"));
            goto usage;
        }
        if (th_keyfile_read(key_file, &kp, err, sizeof err) != 0) {
            fprintf(stderr, "tonghop: %s\n", err);
            rc = TH_EXIT_FAILURE;
            goto out;
        }
        c.tc.server_key = server_key;
        c.tc.public_key = kp.public_key;
        c.tc.secret_key = kp.secret_key;
    }
    if (cmd->server && !(cmd->need & OWN_ENDPOINT)) {
        if (c.tc.nendpoints == 0) {
            fprintf(stderr,
                    _("tonghop %s: no server: give --server ENDPOINT, set TONGHOP_SERVER, or write "
                      "\"server = ...\" in ~/.config/tonghop/config\n"),
                    cmd->name);
            goto usage;
        }
        for (size_t i = 0; i < c.tc.nendpoints; i++) {
            if (th_transport_check_endpoint(c.tc.endpoints[i], err, sizeof err) != 0) {
                fprintf(stderr, "tonghop: %s\n", err);
                goto usage;
            }
        }
    }
    if (cmd->spool) {
        char dir[1024];
        const char *d = spool ? spool : c.cfg.spool ? c.cfg.spool : th_spool_default_dir(dir, sizeof dir);
        c.spool = th_spool_open(d, err, sizeof err);
        if (!c.spool) {
            fprintf(stderr, _("tonghop: cannot use the spool: %s\n"), err);
            rc = TH_EXIT_FAILURE;
            goto out;
        }
    }
    c.t = th_transport_new(&c.tc);
    rc = c.t ? cmd->run(&c, words + used) : TH_EXIT_FAILURE;
    goto out;
usage:
    rc = usage_error(cmd ? cmd->name : NULL);
out:
    memset(&kp, 0, sizeof kp);
    th_transport_destroy(&c.t);
    th_spool_close(&c.spool);
    th_config_fini(&c.cfg);
    return rc;
}
