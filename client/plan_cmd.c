/* plan_cmd.c -- listing, showing and publishing plans. */
#include "plan_cmd.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errtext.h"
#include "i18n.h"
#include "plan_file.h"
#include "report_format.h"
#include "request.h"
#include "table.h"

static const char *level_name(const char *level)
{
    if (!level) return "";
    if (!strcmp(level, "commune")) return _("commune");
    if (!strcmp(level, "district")) return _("district");
    if (!strcmp(level, "department")) return _("provincial department");
    if (!strcmp(level, "province")) return _("province");
    if (!strcmp(level, "facility")) return _("facility");
    return level;
}

static const char *years_text(json_object *years, char *buf, size_t size)
{
    int from = (int)th_report_int(years, "from"), to = (int)th_report_int(years, "to");
    if (from == to)
        snprintf(buf, size, "%d", from);
    else
        snprintf(buf, size, "%d–%d", from, to);
    return buf;
}

/* Sends a PlanFetch and returns the reply's documents parsed. */
static int fetch(th_transport *tc, const char *code, const char *unit, json_object ***docs, size_t *n)
{
    Tonghop__PlanFetch f = TONGHOP__PLAN_FETCH__INIT;
    f.plan_code = (char *)code;
    f.unit_code = (char *)unit;
    th_envelope env;
    tonghop__envelope__init(&env);
    env.body_case = TONGHOP__ENVELOPE__BODY_PLAN_FETCH;
    env.plan_fetch = &f;
    th_wire_msg *reply = NULL;
    int rc = th_request_expect(tc, &env, TONGHOP__ENVELOPE__BODY_PLAN_REPLY, _("plans"), &reply);
    if (rc != TH_EXIT_OK) return rc;
    th_envelope *r = th_wire_msg_envelope(reply);
    *n = r->plan_reply->n_plan_json;
    *docs = calloc(*n + 1, sizeof **docs);
    for (size_t i = 0; *docs && i < *n; i++)
        (*docs)[i] = json_tokener_parse(r->plan_reply->plan_json[i]);
    if (!*docs) rc = TH_EXIT_FAILURE;
    th_wire_msg_destroy(&reply);
    return rc;
}

static void free_docs(json_object **docs, size_t n)
{
    for (size_t i = 0; docs && i < n; i++)
        json_object_put(docs[i]);
    free(docs);
}

/* A deadline as the user reads it: "15/12/2025", or "30 days after the end
 * of each quarter" (with the period it is for, when the file says one). */
static const char *deadline_text(json_object *x, char *buf, size_t size)
{
    if (!th_report_has(x, "days_after_quarter"))
        return th_report_vn_date(th_report_str(x, "date"), buf, size);
    if (th_report_has(x, "for"))
        snprintf(buf, size, _("%lld days after the end of each quarter of %s"),
                 th_report_int(x, "days_after_quarter"), th_report_str(x, "for"));
    else
        snprintf(buf, size, _("%lld days after the end of each quarter"),
                 th_report_int(x, "days_after_quarter"));
    return buf;
}

/* The deadline that applies to the asking unit, as "15/12/2025". */
static const char *unit_deadline(json_object *doc, char *buf, size_t size)
{
    json_object *d = th_report_get(th_report_get(doc, "for_unit"), "deadlines");
    if (!d || json_object_array_length(d) == 0) return "—";
    return deadline_text(json_object_array_get_idx(d, 0), buf, size);
}

int th_plan_fetch_one(th_transport *tc, const char *code, const char *unit, json_object **doc)
{
    json_object **docs = NULL;
    size_t n = 0;
    *doc = NULL;
    int rc = fetch(tc, code, unit, &docs, &n);
    if (rc != TH_EXIT_OK) return rc;
    if (n == 0 || !docs[0]) {
        fprintf(stderr, "%s\n", _("tonghop: the server sent an unexpected reply"));
        free_docs(docs, n);
        return TH_EXIT_FAILURE;
    }
    *doc = json_object_get(docs[0]);
    free_docs(docs, n);
    return TH_EXIT_OK;
}

int th_plan_cmd_list(th_transport *tc, const char *unit)
{
    json_object **docs = NULL;
    size_t n = 0;
    int rc = fetch(tc, NULL, unit, &docs, &n);
    if (rc != TH_EXIT_OK) return rc;
    if (n == 0) {
        printf("%s\n", unit ? _("No plan covers this unit.") : _("No plans are stored."));
        free_docs(docs, n);
        return TH_EXIT_OK;
    }
    char yb[32], db[128];
    th_table_cell(stdout, _("Plan"), 28);
    th_table_cell(stdout, _("Years"), 11);
    th_table_cell(stdout, _("Issued by"), 34);
    if (unit) th_table_cell(stdout, _("Your deadline"), 14);
    printf("%s\n", _("Title"));
    for (size_t i = 0; i < n; i++) {
        json_object *d = docs[i];
        char code[96];
        snprintf(code, sizeof code, "%s (%d)", th_report_str(d, "code"), (int)th_report_int(d, "revision"));
        th_table_cell(stdout, code, 28);
        th_table_cell(stdout, years_text(th_report_get(d, "years"), yb, sizeof yb), 11);
        th_table_cell(stdout, th_report_str(d, "issuing_body"), 34);
        if (unit) th_table_cell(stdout, unit_deadline(d, db, sizeof db), 14);
        printf("%s\n", th_report_str(d, "title"));
    }
    free_docs(docs, n);
    return TH_EXIT_OK;
}

static void print_target(json_object *t, json_object *indicators)
{
    char yb[32], tb[64];
    json_object *ind = th_report_get(indicators, th_report_str(t, "indicator"));
    const char *kind = th_report_str(ind, "kind");
    printf("  ");
    th_table_cell(stdout, th_report_str(t, "indicator"), 10);
    th_table_cell(stdout, years_text(th_report_get(t, "years"), yb, sizeof yb), 11);
    if (*th_report_str(t, "text")) {
        th_table_cell(stdout, _("(qualitative)"), 14);
    } else {
        const char *cmp = th_report_str(t, "comparator");
        const char *shown = th_report_cmp_symbol(cmp);
        snprintf(tb, sizeof tb, "%s %s%s", shown, th_report_str(t, "value"),
                 !strcmp(kind, "ratio") ? "%" : "");
        th_table_cell(stdout, tb, 14);
    }
    th_table_text(stdout, th_report_str(ind, "name"), 72);
    printf("\n");
    if (*th_report_str(t, "text")) printf("  %10s %s\n", "", th_report_str(t, "text"));
}

int th_plan_cmd_show(th_transport *tc, const char *code, const char *unit, int as_json)
{
    json_object **docs = NULL;
    size_t n = 0;
    int rc = fetch(tc, code, unit, &docs, &n);
    if (rc != TH_EXIT_OK) return rc;
    json_object *d = n ? docs[0] : NULL;
    if (!d) {
        fprintf(stderr, "%s\n", _("tonghop: the server sent an unexpected reply"));
        free_docs(docs, n);
        return TH_EXIT_FAILURE;
    }
    if (as_json) {
        printf("%s\n", json_object_to_json_string_ext(d, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
                                                             JSON_C_TO_STRING_NOSLASHESCAPE));
        free_docs(docs, n);
        return TH_EXIT_OK;
    }
    char yb[32], db[128];
    printf(_("Plan %s (revision %d)\n"), th_report_str(d, "code"), (int)th_report_int(d, "revision"));
    printf("%s\n", th_report_str(d, "title"));
    printf(_("Issued by: %s"), th_report_str(d, "issuing_body"));
    if (*th_report_str(d, "issued_on"))
        printf(_(", on %s"), th_report_vn_date(th_report_str(d, "issued_on"), db, sizeof db));
    printf("\n");
    printf(_("Covers: %s (%s), years %s\n"), th_report_str(d, "issuer_unit_name"),
           th_report_str(d, "issuer_unit"), years_text(th_report_get(d, "years"), yb, sizeof yb));
    if (*th_report_str(d, "implements")) printf(_("Implements plan: %s\n"), th_report_str(d, "implements"));
    printf(_("Reports come from: %s level\n"), level_name(th_report_str(d, "reporting_level")));

    json_object *progs = th_report_get(d, "programmes"), *indicators = th_report_get(d, "indicators");
    for (size_t i = 0; progs && i < json_object_array_length(progs); i++) {
        json_object *g = json_object_array_get_idx(progs, i);
        printf("\n%s (%s)\n  ", th_report_str(g, "name"), th_report_str(g, "code"));
        th_table_cell(stdout, _("Indicator"), 10);
        th_table_cell(stdout, _("Years"), 11);
        th_table_cell(stdout, _("Target"), 14);
        printf("%s\n", _("Name"));
        json_object *targets = th_report_get(g, "targets");
        for (size_t j = 0; targets && j < json_object_array_length(targets); j++)
            print_target(json_object_array_get_idx(targets, j), indicators);
    }

    json_object *deadlines = th_report_get(d, "deadlines");
    printf("\n%s\n", _("Reporting deadlines:"));
    if (!deadlines || json_object_array_length(deadlines) == 0) printf("  %s\n", _("(the plan sets none)"));
    for (size_t i = 0; deadlines && i < json_object_array_length(deadlines); i++) {
        json_object *x = json_object_array_get_idx(deadlines, i);
        printf(_("  %s → %s: by %s\n"), level_name(th_report_str(x, "level")), th_report_str(x, "to"),
               deadline_text(x, db, sizeof db));
    }

    json_object *fu = th_report_get(d, "for_unit");
    json_object *covered = th_report_get(fu, "covered");
    if (fu && covered && !json_object_get_boolean(covered)) {
        printf("\n");
        printf(_("This plan does not cover %s (%s).\n"), th_report_str(fu, "name"),
               th_report_str(fu, "code"));
    } else if (fu) {
        json_object *q = th_report_get(fu, "quarters");
        size_t nq = q ? json_object_array_length(q) : 0;
        printf("\n");
        printf(_("For %s (%s level): report each quarter from %s to %s"), th_report_str(fu, "name"),
               level_name(th_report_str(fu, "role")),
               nq ? json_object_get_string(json_object_array_get_idx(q, 0)) : "",
               nq ? json_object_get_string(json_object_array_get_idx(q, nq - 1)) : "");
        json_object *fd = th_report_get(fu, "deadlines");
        if (fd && json_object_array_length(fd)) {
            json_object *x = json_object_array_get_idx(fd, 0);
            if (!strcmp(th_report_str(x, "level"), th_report_str(fu, "role")))
                printf(_("; deadline %s.\n"), deadline_text(x, db, sizeof db));
            else
                printf(_("; your results must be in before the %s deadline, %s.\n"),
                       level_name(th_report_str(x, "level")), deadline_text(x, db, sizeof db));
        } else {
            printf(".\n");
        }
    }
    free_docs(docs, n);
    return TH_EXIT_OK;
}

int th_plan_cmd_publish(th_transport *tc, const char *path)
{
    th_plan_info info;
    th_verr verr;
    char *normalized = NULL, text[1024];
    if (th_plan_file_check_path(path, &info, &normalized, &verr) != 0) {
        fprintf(stderr, _("tonghop: %s: not sent: %s\n"), path,
                th_errtext_format(verr.code, verr.field, verr.detail, text, sizeof text));
        return TH_EXIT_INPUT;
    }
    Tonghop__PlanPublish p = TONGHOP__PLAN_PUBLISH__INIT;
    p.plan_json = normalized;
    th_envelope env;
    tonghop__envelope__init(&env);
    env.body_case = TONGHOP__ENVELOPE__BODY_PLAN_PUBLISH;
    env.plan_publish = &p;
    th_wire_msg *reply = NULL;
    char what[256];
    snprintf(what, sizeof what, _("%s: the server refused the plan"), path);
    int rc = th_request_expect(tc, &env, TONGHOP__ENVELOPE__BODY_ACK, what, &reply);
    free(normalized);
    if (rc != TH_EXIT_OK) return rc;
    const Tonghop__Ack *ack = th_wire_msg_envelope(reply)->ack;
    if (ack->outcome == TONGHOP__ACK__OUTCOME__DUPLICATE)
        printf(_("Plan %s revision %u is already stored; nothing changed.\n"), ack->plan_code,
               ack->plan_revision);
    else
        printf(_("Plan %s revision %u published.\n"), ack->plan_code, ack->plan_revision);
    th_wire_msg_destroy(&reply);
    return TH_EXIT_OK;
}
