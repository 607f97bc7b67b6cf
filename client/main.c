/* main.c -- tonghop: the client communes and districts use.
 *
 *   tonghop submit --unit 22921 --period 2025Q3 FILE.csv
 *   tonghop plans [--unit CODE]
 *   tonghop plan show CODE [--unit CODE] [--json]
 *   tonghop plan publish FILE.json
 *   tonghop report --plan CODE --period 2025|2025Q3 [--unit CODE] [--by-child] [--format F]
 *   tonghop export --plan CODE --period 2025Q3 [--unit CODE] --format adx|dhis2
 *
 * The server comes from --server (repeatable) or TONGHOP_SERVER (several,
 * separated by commas or spaces); the unit may come from TONGHOP_UNIT.
 * Exit codes: see request.h and the README. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "plan_cmd.h"
#include "report_cmd.h"
#include "request.h"
#include "submit.h"

#define TH_MAX_ENDPOINTS 8

static void usage(FILE *out)
{
    fprintf(out, "%s",
            _("Usage:\n"
              "  tonghop submit --unit CODE --period YYYYQn [--plan CODE] FILE.csv\n"
              "  tonghop plans [--unit CODE]\n"
              "  tonghop plan show CODE [--unit CODE] [--json]\n"
              "  tonghop plan publish FILE.json\n"
              "  tonghop report --plan CODE --period YYYY|YYYYQn [--unit CODE] [--by-child]\n"
              "                 [--format table|csv|json|html] [--output FILE]\n"
              "  tonghop export --plan CODE --period YYYY|YYYYQn [--unit CODE] --format adx|dhis2\n"
              "                 [--output FILE]\n"
              "\n"
              "Options:\n"
              "  --server ENDPOINT   server address, e.g. tcp://tonghop.example.vn:5570 (repeatable;\n"
              "                      or TONGHOP_SERVER)\n"
              "  --unit CODE         your unit's GSO code (or TONGHOP_UNIT)\n"
              "  --timeout MS        how long to wait for each answer (default 5000)\n"
              "  --retries N         how many times to try in all (default 3)\n"
              "  --lang vi|en        language of messages (default vi, or TONGHOP_LANG)\n"
              "\n"
              "Exit codes: 0 done, 2 wrong command line, 3 the file has an error (nothing sent),\n"
              "4 refused by the server, 5 not delivered (try again later), 1 other failure.\n"));
}

int main(int argc, char **argv)
{
    th_i18n_init(argv[0]);
    static const struct option longopts[] = {
        {"server", required_argument, NULL, 's'},  {"unit", required_argument, NULL, 'u'},
        {"period", required_argument, NULL, 'p'},  {"plan", required_argument, NULL, 'P'},
        {"timeout", required_argument, NULL, 't'}, {"retries", required_argument, NULL, 'r'},
        {"id", required_argument, NULL, 'i'},      {"lang", required_argument, NULL, 'l'},
        {"json", no_argument, NULL, 'j'},          {"help", no_argument, NULL, 'h'},
        {"by-child", no_argument, NULL, 'c'},      {"format", required_argument, NULL, 'f'},
        {"output", required_argument, NULL, 'o'},  {NULL, 0, NULL, 0}};
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? TH_EXIT_USAGE : 0;
    }
    const char *endpoints[TH_MAX_ENDPOINTS];
    size_t nep = 0;
    char *env_servers = NULL;
    th_submit_args a = {0};
    int as_json = 0;
    th_report_args ra = {0};
    th_transport_config tc = {.endpoints = endpoints, .timeout_ms = 5000, .attempts = 3};
    a.unit = getenv("TONGHOP_UNIT");
    int c;
    while ((c = getopt_long(argc, argv, "s:u:p:P:t:r:i:l:jhcf:o:", longopts, NULL)) != -1) {
        switch (c) {
        case 's':
            if (nep < TH_MAX_ENDPOINTS) endpoints[nep++] = optarg;
            break;
        case 'u': a.unit = optarg; break;
        case 'p': a.period = optarg; break;
        case 'P': a.plan = optarg; break;
        case 't': tc.timeout_ms = atoi(optarg); break;
        case 'r': tc.attempts = atoi(optarg); break;
        case 'i': a.submission_id = optarg; break;
        case 'l': th_i18n_set_lang(optarg); break;
        case 'j': as_json = 1; break;
        case 'c': ra.by_child = 1; break;
        case 'f': ra.format = optarg; break;
        case 'o': ra.output = optarg; break;
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
    char **words = argv + optind;
    int nwords = argc - optind;
    const char *cmd = nwords > 0 ? words[0] : "";
    const char *sub = nwords > 1 ? words[1] : "";
    int rc = TH_EXIT_USAGE;
    if (nep == 0 || tc.timeout_ms <= 0 || tc.attempts <= 0) {
        fprintf(stderr, "%s\n", _("tonghop: give the server with --server ENDPOINT (or TONGHOP_SERVER)"));
    } else if (!strcmp(cmd, "submit") && nwords == 2 && a.unit && a.period) {
        a.file = words[1];
        rc = th_submit_run(&tc, &a);
    } else if (!strcmp(cmd, "submit")) {
        fprintf(stderr, "%s\n", _("tonghop submit: needs --unit, --period and one file"));
    } else if ((!strcmp(cmd, "report") || !strcmp(cmd, "export")) && nwords == 1 && a.plan && a.period) {
        ra.plan = a.plan;
        ra.period = a.period;
        ra.unit = a.unit;
        if (!strcmp(cmd, "export") &&
            (!ra.format || (strcmp(ra.format, "adx") && strcmp(ra.format, "dhis2")))) {
            fprintf(stderr, "%s\n", _("tonghop export: --format adx or --format dhis2"));
        } else {
            rc = th_report_cmd_run(&tc, &ra);
        }
    } else if (!strcmp(cmd, "report") || !strcmp(cmd, "export")) {
        fprintf(stderr, _("tonghop %s: needs --plan and --period\n"), cmd);
    } else if (!strcmp(cmd, "plans") && nwords == 1) {
        rc = th_plan_cmd_list(&tc, a.unit);
    } else if (!strcmp(cmd, "plan") && !strcmp(sub, "show") && nwords == 3) {
        rc = th_plan_cmd_show(&tc, words[2], a.unit, as_json);
    } else if (!strcmp(cmd, "plan") && !strcmp(sub, "publish") && nwords == 3) {
        rc = th_plan_cmd_publish(&tc, words[2]);
    } else {
        fprintf(stderr, _("tonghop: unknown command \"%s\"\n"), cmd);
    }
    if (rc == TH_EXIT_USAGE) usage(stderr);
    free(env_servers);
    return rc;
}
