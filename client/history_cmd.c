/* history_cmd.c -- printing a value's history. */
#include "history_cmd.h"

#include <stdio.h>
#include <string.h>

#include "i18n.h"
#include "report_format.h"
#include "request.h"
#include "status_cmd.h"
#include "table.h"

int th_history_cmd_run(th_transport *t, const char *unit, const char *indicator, const char *period)
{
    Tonghop__HistoryQuery q = TONGHOP__HISTORY_QUERY__INIT;
    q.unit_code = (char *)unit;
    q.indicator_code = (char *)indicator;
    q.period = (char *)period;
    th_envelope env;
    tonghop__envelope__init(&env);
    env.body_case = TONGHOP__ENVELOPE__BODY_HISTORY_QUERY;
    env.history_query = &q;
    th_wire_msg *reply = NULL;
    int rc = th_request_expect(t, &env, TONGHOP__ENVELOPE__BODY_HISTORY_REPLY, _("history"), &reply);
    if (rc != TH_EXIT_OK) return rc;
    const Tonghop__HistoryReply *h = th_wire_msg_envelope(reply)->history_reply;
    printf(_("History of %s for unit %s, period %s: %zu value(s) received\n"), indicator, unit, period,
           h->n_entries);
    if (h->n_entries) {
        th_table_cell(stdout, _("Received"), 18);
        th_table_cell(stdout, _("Made"), 18);
        th_table_cell(stdout, _("Value"), 22);
        th_table_cell(stdout, _("In force"), 10);
        printf("%s\n", _("Submission"));
    }
    for (size_t i = 0; i < h->n_entries; i++) {
        const Tonghop__HistoryEntry *e = h->entries[i];
        const Tonghop__ResultValue *v = e->value;
        char a[32], b[32], val[128], pct[32];
        th_table_cell(stdout, th_vn_time(e->stored_at, a, sizeof a), 18);
        th_table_cell(stdout, e->has_created_at ? th_vn_time(e->created_at, b, sizeof b) : "", 18);
        if (v->has_numerator && v->has_denominator) {
            th_report_percent(v->numerator, v->denominator, !strcmp(th_i18n_lang(), "vi"), pct, sizeof pct);
            snprintf(val, sizeof val, "%lld/%lld%s%s%s", (long long)v->numerator, (long long)v->denominator,
                     *pct ? " = " : "", pct, *pct ? "%" : "");
        } else if (v->has_value) {
            snprintf(val, sizeof val, "%lld", (long long)v->value);
        } else {
            snprintf(val, sizeof val, "%s", v->text ? v->text : "");
        }
        th_table_cell(stdout, val, 22);
        th_table_cell(stdout, e->current ? _("yes") : _("replaced"), 10);
        printf("%s\n", e->submission_id);
    }
    th_wire_msg_destroy(&reply);
    return rc;
}
