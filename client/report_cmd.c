/* report_cmd.c -- fetching a report and writing it in the chosen format. */
#include "report_cmd.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "i18n.h"
#include "json_pretty.h"
#include "pdf_print.h"
#include "period.h"
#include "report_format.h"
#include "request.h"

typedef struct format {
    const char *name;
    int (*write)(FILE *out, json_object *report); /* NULL: the official document */
    int by_child;                                 /* the format always carries the rows below the unit */
} format;

static int write_json(FILE *out, json_object *report)
{
    fprintf(out, "%s\n",
            json_object_to_json_string_ext(report, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
                                                       JSON_C_TO_STRING_NOSLASHESCAPE));
    return 0;
}

static const format formats[] = {
    {"table", th_report_write_table, 0}, {"csv", th_report_write_csv, 0}, {"json", write_json, 0},
    {"html", th_report_write_html, 0},   {"official", NULL, 0},           {"adx", th_report_write_adx, 1},
    {"dhis2", th_report_write_dhis2, 1},
};

/* What the official document needs besides the report. */
typedef struct official_ctx {
    json_object *report;
    const th_official_opts *opts;
} official_ctx;

static int fill_official(FILE *html, void *ctx)
{
    const official_ctx *oc = ctx;
    return th_report_write_official(html, oc->report, oc->opts);
}

static int write_report(const format *f, FILE *out, json_object *report, const th_report_args *a)
{
    return f->write ? f->write(out, report) : th_report_write_official(out, report, &a->official);
}

/* --format json: the server's text indented as it streams (json_pretty.h),
 * with no tree of it in memory: the same bytes write_json would print. */
static int print_json(const char *json, const th_report_args *a)
{
    if (!json || th_json_pretty_check(json, strlen(json)) != 0) {
        fprintf(stderr, "%s\n", _("tonghop: the server sent an unexpected reply"));
        return TH_EXIT_FAILURE;
    }
    FILE *out = a->output ? fopen(a->output, "w") : stdout;
    if (!out) {
        fprintf(stderr, "tonghop: %s: %s\n", a->output, strerror(errno));
        return TH_EXIT_FAILURE;
    }
    int rc = TH_EXIT_OK;
    if (th_json_pretty_write(out, json, strlen(json)) != 0 || fflush(out) != 0) {
        fprintf(stderr, "tonghop: %s: %s\n", a->output ? a->output : "stdout", strerror(errno));
        rc = TH_EXIT_FAILURE;
    }
    if (a->output && fclose(out) != 0 && rc == TH_EXIT_OK) {
        fprintf(stderr, "tonghop: %s: %s\n", a->output, strerror(errno));
        rc = TH_EXIT_FAILURE;
    }
    return rc;
}

/* FILE.pdf, in any case. */
static int is_pdf_name(const char *path)
{
    size_t n = path ? strlen(path) : 0;
    return n > 4 && !strcasecmp(path + n - 4, ".pdf");
}

/* The official document printed to a.output as a PDF. */
static int write_pdf(json_object *report, const th_report_args *a)
{
    char err[8192];
    official_ctx oc = {report, &a->official};
    if (th_pdf_print_with(fill_official, &oc, a->output, err, sizeof err) == TH_PDF_OK) return TH_EXIT_OK;
    if (*err)
        fprintf(stderr, "tonghop: %s\n", err);
    else
        fprintf(stderr, _("tonghop: nothing to write in format %s for this report\n"), "official");
    return TH_EXIT_FAILURE;
}

/* TH_EXIT_OK when reply is a report; otherwise says why and returns the exit
 * code. A unit outside the plan is named with the plan. */
static int check_reply(th_wire_msg *reply, const th_report_args *a)
{
    th_envelope *r = th_wire_msg_envelope(reply);
    if (r->body_case == TONGHOP__ENVELOPE__BODY_ROLLUP_REPLY) return TH_EXIT_OK;
    if (r->body_case != TONGHOP__ENVELOPE__BODY_ERROR) {
        fprintf(stderr, "%s\n", _("tonghop: the server sent an unexpected reply"));
        return TH_EXIT_FAILURE;
    }
    const Tonghop__Error *e = r->error;
    if (e->code == TONGHOP__ERROR__CODE__OUTSIDE_PLAN) {
        const char *unit = e->detail && *e->detail ? e->detail : a->unit ? a->unit : "";
        fprintf(
            stderr,
            _("tonghop: report: unit %s is not in the territory of plan %s (the unit that issued it and the "
              "units below it)\n"),
            unit, a->plan);
        return TH_EXIT_REJECTED;
    }
    return th_request_refused(e, _("report"), NULL);
}

int th_report_cmd_run(th_transport *tc, const th_report_args *a)
{
    const format *f = NULL;
    for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++)
        if (!strcmp(a->format ? a->format : "table", formats[i].name)) f = &formats[i];
    if (!f) {
        fprintf(stderr, _("tonghop: unknown format \"%s\" (table, csv, json, html, official, adx, dhis2)\n"),
                a->format);
        return TH_EXIT_USAGE;
    }
    /* Checked here, to say what a report accepts (the server's refusal is
     * worded for submissions, which need a quarter). */
    th_period period;
    if (!a->period || th_period_parse(a->period, &period) != 0) {
        fprintf(stderr,
                f->by_child
                    ? _("tonghop: --period %s: an export's period is a year (2025) or a quarter (2025Q3)\n")
                    : _("tonghop: --period %s: a report's period is a year (2025) or a quarter (2025Q3)\n"),
                a->period ? a->period : "");
        return TH_EXIT_USAGE;
    }
    Tonghop__RollupQuery q = TONGHOP__ROLLUP_QUERY__INIT;
    q.plan_code = (char *)a->plan;
    q.period = (char *)a->period;
    q.unit_code = (char *)a->unit;
    q.has_by_child = 1;
    q.by_child = a->by_child || f->by_child;
    q.has_approved_only = a->approved_only;
    q.approved_only = a->approved_only;
    th_envelope env;
    tonghop__envelope__init(&env);
    env.body_case = TONGHOP__ENVELOPE__BODY_ROLLUP_QUERY;
    env.rollup_query = &q;
    th_wire_msg *reply = NULL;
    int rc = th_request(tc, &env, &reply);
    if (rc != TH_EXIT_OK) return rc;
    rc = check_reply(reply, a);
    if (rc != TH_EXIT_OK) {
        th_wire_msg_destroy(&reply);
        return rc;
    }
    th_envelope *r = th_wire_msg_envelope(reply);
    if (f->write == write_json) {
        rc = print_json(r->rollup_reply->report_json, a);
        th_wire_msg_destroy(&reply);
        return rc;
    }
    json_object *report = NULL;
    if (!r->rollup_reply->report_json || !(report = json_tokener_parse(r->rollup_reply->report_json))) {
        fprintf(stderr, "%s\n", _("tonghop: the server sent an unexpected reply"));
        rc = TH_EXIT_FAILURE;
    } else if (!f->write && is_pdf_name(a->output)) {
        rc = write_pdf(report, a);
    } else {
        FILE *out = a->output ? fopen(a->output, "w") : stdout;
        if (!out) {
            fprintf(stderr, "tonghop: %s: %s\n", a->output, strerror(errno));
            rc = TH_EXIT_FAILURE;
        } else {
            if (write_report(f, out, report, a) != 0) {
                fprintf(stderr, _("tonghop: nothing to write in format %s for this report\n"), f->name);
                rc = TH_EXIT_FAILURE;
            }
            if (a->output && fclose(out) != 0) {
                fprintf(stderr, "tonghop: %s: %s\n", a->output, strerror(errno));
                rc = TH_EXIT_FAILURE;
            }
        }
    }
    json_object_put(report);
    th_wire_msg_destroy(&reply);
    return rc;
}
