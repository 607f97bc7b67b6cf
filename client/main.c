/* main.c -- tonghop: the client communes and districts use.
 *
 *   tonghop submit --unit 22921 --period 2025Q3 FILE.csv
 *   tonghop enter  --unit 22921 --period 2025Q3 --plan CODE
 *   tonghop sync | status
 *   tonghop history --unit CODE --indicator CODE --period 2025Q3
 *   tonghop plans [--unit CODE]
 *   tonghop plan show CODE [--unit CODE] [--json]
 *   tonghop plan publish FILE.json
 *   tonghop catalogue publish FILE.json
 *   tonghop report --plan CODE --period 2025|2025Q3 [--unit CODE] [--by-child] [--format F]
 *   tonghop export --plan CODE --period 2025Q3 [--unit CODE] --format adx|dhis2
 *
 * The server comes from --server (repeatable) or TONGHOP_SERVER (several,
 * separated by commas or spaces); the unit may come from TONGHOP_UNIT, the
 * spool directory from --spool or TONGHOP_SPOOL. Exit codes: request.h and
 * the README. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalogue_cmd.h"
#include "enter.h"
#include "history_cmd.h"
#include "i18n.h"
#include "plan_cmd.h"
#include "report_cmd.h"
#include "request.h"
#include "spool.h"
#include "status_cmd.h"
#include "submit.h"

#define TH_MAX_ENDPOINTS 8

static void usage(FILE *out)
{
    fprintf(out, "%s",
            _("Usage:\n"
              "  tonghop submit --unit CODE --period YYYYQn [--plan CODE] FILE.csv\n"
              "  tonghop enter --unit CODE --period YYYYQn --plan CODE\n"
              "  tonghop sync\n"
              "  tonghop status\n"
              "  tonghop history --unit CODE --indicator CODE --period YYYYQn\n"
              "  tonghop plans [--unit CODE]\n"
              "  tonghop plan show CODE [--unit CODE] [--json]\n"
              "  tonghop plan publish FILE.json\n"
              "  tonghop catalogue publish FILE.json\n"
              "  tonghop report --plan CODE --period YYYY|YYYYQn [--unit CODE] [--by-child]\n"
              "                 [--format table|csv|json|html] [--output FILE]\n"
              "  tonghop export --plan CODE --period YYYY|YYYYQn [--unit CODE] --format adx|dhis2\n"
              "                 [--output FILE]\n"
              "\n"
              "Options:\n"
              "  --server ENDPOINT   server address, e.g. tcp://tonghop.example.vn:5570 (repeatable;\n"
              "                      or TONGHOP_SERVER)\n"
              "  --unit CODE         your unit's GSO code (or TONGHOP_UNIT)\n"
              "  --spool DIR         where submissions wait until delivered (or TONGHOP_SPOOL)\n"
              "  --timeout MS        how long to wait for each answer (default 5000)\n"
              "  --retries N         how many times to try in all (default 3)\n"
              "  --lang vi|en        language of messages (default vi, or TONGHOP_LANG)\n"
              "\n"
              "Exit codes: 0 done, 2 wrong command line, 3 the file has an error (nothing sent),\n"
              "4 refused by the server, 5 queued: not delivered yet (try `tonghop sync` later), 1 other "
              "failure.\n"));
}

typedef struct args {
    th_submit_args sub;
    th_report_args rep;
    const char *indicator;
    const char *spool;
    int as_json;
} args;

/* The commands that keep a spool. */
static int with_spool(const char *cmd)
{
    return !strcmp(cmd, "submit") || !strcmp(cmd, "enter") || !strcmp(cmd, "sync") || !strcmp(cmd, "status");
}

static int dispatch(th_transport *t, args *a, int nwords, char **words)
{
    const char *cmd = words[0], *sub = nwords > 1 ? words[1] : "";
    th_spool *spool = NULL;
    if (with_spool(cmd)) {
        char dir[1024], err[1200];
        spool = th_spool_open(a->spool ? a->spool : th_spool_default_dir(dir, sizeof dir), err, sizeof err);
        if (!spool) {
            fprintf(stderr, _("tonghop: cannot use the spool: %s\n"), err);
            return TH_EXIT_FAILURE;
        }
    }
    int rc = TH_EXIT_USAGE;
    if (!strcmp(cmd, "submit") && nwords == 2 && a->sub.unit && a->sub.period) {
        a->sub.file = words[1];
        rc = th_submit_run(t, spool, &a->sub);
    } else if (!strcmp(cmd, "enter") && nwords == 1 && a->sub.unit && a->sub.period && a->sub.plan) {
        rc = th_enter_run(t, spool, a->sub.plan, a->sub.period, a->sub.unit, stdin, stdout);
    } else if (!strcmp(cmd, "sync") && nwords == 1) {
        rc = th_sync_run(t, spool);
    } else if (!strcmp(cmd, "status") && nwords == 1) {
        rc = th_status_cmd_run(spool);
    } else if (!strcmp(cmd, "history") && nwords == 1 && a->sub.unit && a->indicator && a->sub.period) {
        rc = th_history_cmd_run(t, a->sub.unit, a->indicator, a->sub.period);
    } else if ((!strcmp(cmd, "report") || !strcmp(cmd, "export")) && nwords == 1 && a->sub.plan &&
               a->sub.period) {
        a->rep.plan = a->sub.plan;
        a->rep.period = a->sub.period;
        a->rep.unit = a->sub.unit;
        if (!strcmp(cmd, "export") &&
            (!a->rep.format || (strcmp(a->rep.format, "adx") && strcmp(a->rep.format, "dhis2"))))
            fprintf(stderr, "%s\n", _("tonghop export: --format adx or --format dhis2"));
        else
            rc = th_report_cmd_run(t, &a->rep);
    } else if (!strcmp(cmd, "plans") && nwords == 1) {
        rc = th_plan_cmd_list(t, a->sub.unit);
    } else if (!strcmp(cmd, "plan") && !strcmp(sub, "show") && nwords == 3) {
        rc = th_plan_cmd_show(t, words[2], a->sub.unit, a->as_json);
    } else if (!strcmp(cmd, "plan") && !strcmp(sub, "publish") && nwords == 3) {
        rc = th_plan_cmd_publish(t, words[2]);
    } else if (!strcmp(cmd, "catalogue") && !strcmp(sub, "publish") && nwords == 3) {
        rc = th_catalogue_cmd_publish(t, words[2]);
    } else {
        fprintf(stderr, _("tonghop: \"%s\": unknown command, or options missing\n"), cmd);
    }
    th_spool_close(&spool);
    return rc;
}

int main(int argc, char **argv)
{
    th_i18n_init(argv[0]);
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
                                             {"by-child", no_argument, NULL, 'c'},
                                             {"format", required_argument, NULL, 'f'},
                                             {"output", required_argument, NULL, 'o'},
                                             {"spool", required_argument, NULL, 'S'},
                                             {"indicator", required_argument, NULL, 'I'},
                                             {NULL, 0, NULL, 0}};
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? TH_EXIT_USAGE : 0;
    }
    const char *endpoints[TH_MAX_ENDPOINTS];
    size_t nep = 0;
    char *env_servers = NULL;
    args a = {0};
    th_transport_config tc = {.endpoints = endpoints, .timeout_ms = 5000, .attempts = 3};
    a.sub.unit = getenv("TONGHOP_UNIT");
    int c;
    while ((c = getopt_long(argc, argv, "s:u:p:P:t:r:i:l:jhcf:o:S:I:", longopts, NULL)) != -1) {
        switch (c) {
        case 's':
            if (nep < TH_MAX_ENDPOINTS) endpoints[nep++] = optarg;
            break;
        case 'u': a.sub.unit = optarg; break;
        case 'p': a.sub.period = optarg; break;
        case 'P': a.sub.plan = optarg; break;
        case 't': tc.timeout_ms = atoi(optarg); break;
        case 'r': tc.attempts = atoi(optarg); break;
        case 'i': a.sub.submission_id = optarg; break;
        case 'l': th_i18n_set_lang(optarg); break;
        case 'j': a.as_json = 1; break;
        case 'c': a.rep.by_child = 1; break;
        case 'f': a.rep.format = optarg; break;
        case 'o': a.rep.output = optarg; break;
        case 'S': a.spool = optarg; break;
        case 'I': a.indicator = optarg; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return TH_EXIT_USAGE;
        }
    }
    if (nep == 0 && getenv("TONGHOP_SERVER")) {
        env_servers = strdup(getenv("TONGHOP_SERVER"));
        for (char *save = NULL, *t = strtok_r(env_servers, ", ", &save); t && nep < TH_MAX_ENDPOINTS;
             t = strtok_r(NULL, ", ", &save))
            endpoints[nep++] = t;
    }
    tc.nendpoints = nep;
    /* GNU getopt moved the words to the end: the command and its arguments. */
    int nwords = argc - optind;
    int rc = TH_EXIT_USAGE;
    if (nwords == 0) {
        fprintf(stderr, "%s\n", _("tonghop: which command?"));
    } else if (tc.timeout_ms <= 0 || tc.attempts <= 0) {
        fprintf(stderr, "%s\n", _("tonghop: --timeout and --retries must be positive"));
    } else if (nep == 0 && strcmp(argv[optind], "status") != 0) {
        fprintf(stderr, "%s\n", _("tonghop: give the server with --server ENDPOINT (or TONGHOP_SERVER)"));
    } else {
        th_transport *t = th_transport_new(&tc);
        rc = t ? dispatch(t, &a, nwords, argv + optind) : TH_EXIT_FAILURE;
        th_transport_destroy(&t);
    }
    if (rc == TH_EXIT_USAGE) usage(stderr);
    free(env_servers);
    return rc;
}
