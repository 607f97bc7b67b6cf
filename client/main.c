/* main.c -- tonghop: the client communes and districts use.
 *
 *   tonghop submit --server tcp://host:5570 --unit 22915 --period 2025Q3 FILE.csv
 *
 * The server may also come from TONGHOP_SERVER (several, separated by
 * commas or spaces). Exit codes: see submit.h and the README. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "submit.h"

#define TH_MAX_ENDPOINTS 8

static void usage(FILE *out)
{
    fprintf(out, "%s",
            _("Usage:\n"
              "  tonghop submit --server ENDPOINT --unit CODE --period YYYYQn [--plan CODE] FILE.csv\n"
              "\n"
              "Options:\n"
              "  --server ENDPOINT   server address, e.g. tcp://tonghop.example.vn:5570 (repeatable;\n"
              "                      or TONGHOP_SERVER)\n"
              "  --timeout MS        how long to wait for each answer (default 5000)\n"
              "  --retries N         how many times to try in all (default 3)\n"
              "  --lang vi|en        language of messages (default vi, or TONGHOP_LANG)\n"
              "\n"
              "Exit codes: 0 stored, 2 wrong command line, 3 the file has an error (nothing sent),\n"
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
        {"help", no_argument, NULL, 'h'},          {NULL, 0, NULL, 0}};
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? TH_EXIT_USAGE : 0;
    }
    const char *cmd = argv[1];
    const char *endpoints[TH_MAX_ENDPOINTS];
    size_t nep = 0;
    char *env_servers = NULL;
    th_submit_args a = {0};
    th_transport_config tc = {.endpoints = endpoints, .timeout_ms = 5000, .attempts = 3};
    int c;
    optind = 1;
    while ((c = getopt_long(argc - 1, argv + 1, "s:u:p:P:t:r:i:l:h", longopts, NULL)) != -1) {
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
    int rc = TH_EXIT_USAGE;
    int rest = argc - 1 - optind;
    if (!strcmp(cmd, "submit")) {
        if (rest != 1 || !a.unit || !a.period || nep == 0 || tc.timeout_ms <= 0 || tc.attempts <= 0) {
            fprintf(stderr, "%s\n",
                    _("tonghop submit: needs --server (or TONGHOP_SERVER), --unit, --period and one file"));
            usage(stderr);
        } else {
            a.file = argv[1 + optind];
            rc = th_submit_run(&tc, &a);
        }
    } else {
        fprintf(stderr, _("tonghop: unknown command \"%s\"\n"), cmd);
        usage(stderr);
    }
    free(env_servers);
    return rc;
}
