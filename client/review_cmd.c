/* review_cmd.c -- the data-quality flags of a plan's period (ReviewQuery). */
#include "review_cmd.h"

#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "doc_request.h"
#include "i18n.h"
#include "period.h"
#include "report_format.h"
#include "request.h"

/* "year 2025" / "Q3/2025" in the user's language. */
static const char *review_period(long long year, long long quarter, char *buf, size_t size)
{
    if (quarter == 0)
        snprintf(buf, size, _("year %lld"), year);
    else
        snprintf(buf, size, _("Q%lld/%lld"), quarter, year);
    return buf;
}

/* The factor as written in the user's language: "2", "1,5". */
static const char *review_factor(json_object *doc, char *buf, size_t size)
{
    return th_report_decimal(th_report_str(doc, "factor"), th_report_comma(), buf, size);
}

/* One flag in words, after "unit — indicator, period: ". */
static void review_flag_text(json_object *doc, json_object *f, char *buf, size_t size)
{
    const char *rule = th_report_str(f, "rule");
    long long den = th_report_int(f, "denominator"), prev = th_report_int(f, "previous_denominator");
    char p[32], fb[16];
    if (!strcmp(rule, "above_100")) {
        long long num = th_report_int(f, "numerator");
        th_report_percent(num, den, th_report_comma(), p, sizeof p);
        if (*p)
            snprintf(buf, size, _("numerator %lld exceeds denominator %lld (%s%%)"), num, den, p);
        else
            snprintf(buf, size, _("numerator %lld but denominator %lld"), num, den);
    } else if (!strcmp(rule, "denominator_jump")) {
        if (den > prev)
            snprintf(buf, size,
                     _("denominator rose from %lld to %lld since the quarter before (over %s times)"), prev,
                     den, review_factor(doc, fb, sizeof fb));
        else
            snprintf(buf, size,
                     _("denominator fell from %lld to %lld since the quarter before (under 1/%s of it)"),
                     prev, den, review_factor(doc, fb, sizeof fb));
    } else if (!strcmp(rule, "stock_changed")) {
        snprintf(
            buf, size,
            _("denominator (a stock) changed from %lld to %lld since the quarter before, though the unit "
              "did not change"),
            prev, den);
    } else {
        snprintf(buf, size, "%s", th_report_str(f, "text"));
    }
}

/* The flags in words, one line each, grouped by unit. */
static void review_print(json_object *doc)
{
    json_object *u = th_report_get(doc, "unit"), *pl = th_report_get(doc, "plan");
    json_object *flags = th_report_get(doc, "flags");
    size_t n = flags && json_object_is_type(flags, json_type_array) ? json_object_array_length(flags) : 0;
    long long total = th_report_int(doc, "total");
    printf(_("Review of plan %s, period %s, for %s (%s) and below: %lld flag(s)\n"),
           th_report_str(pl, "code"), th_report_str(th_report_get(doc, "period"), "code"),
           th_report_str(u, "name"), th_report_str(u, "code"), total);
    if (n == 0) printf("%s\n", _("Nothing to look at: no value is flagged."));
    const char *last = NULL;
    for (size_t i = 0; i < n; i++) {
        json_object *f = json_object_array_get_idx(flags, i), *fu = th_report_get(f, "unit");
        char pb[32], text[512];
        if (!last || strcmp(last, th_report_str(fu, "code")) != 0) printf("\n");
        last = th_report_str(fu, "code");
        review_flag_text(doc, f, text, sizeof text);
        printf("%s (%s) — %s, %s: %s\n", th_report_str(fu, "name"), th_report_str(fu, "code"),
               th_report_str(f, "indicator"),
               review_period(th_report_int(f, "year"), th_report_int(f, "quarter"), pb, sizeof pb), text);
    }
    if (total > (long long)n)
        printf(_("\n... and %lld more (%lld in all): narrow with --unit, or list more with --limit.\n"),
               total - (long long)n, total);
    if (n)
        printf("\n%s\n", _("Flags are questions for the reviewer, not errors: nothing was refused. A "
                           "corrected value is sent again with tonghop submit."));
}

static const char *review_text(const th_envelope *reply) { return reply->review_reply->review_json; }

int th_review_cmd_run(th_transport *t, const char *unit, const char *plan, const char *period, unsigned limit,
                      int as_json)
{
    th_period p;
    if (th_period_parse(period, &p) != 0) {
        fprintf(stderr, _("tonghop: --period %s: a period is a year (2025) or a quarter (2025Q3)\n"), period);
        return TH_EXIT_USAGE;
    }
    Tonghop__ReviewQuery q = TONGHOP__REVIEW_QUERY__INIT;
    q.unit_code = (char *)unit;
    q.plan_code = (char *)plan;
    q.period = (char *)period;
    q.has_limit = limit > 0;
    q.limit = limit;
    th_envelope env;
    tonghop__envelope__init(&env);
    env.body_case = TONGHOP__ENVELOPE__BODY_REVIEW_QUERY;
    env.review_query = &q;
    return th_doc_request_run(t, &env, TONGHOP__ENVELOPE__BODY_REVIEW_REPLY, _("review"), review_text,
                              as_json, review_print);
}
