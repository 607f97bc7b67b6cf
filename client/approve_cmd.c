/* approve_cmd.c -- approving, reopening, and their history. */
#include "approve_cmd.h"

#include <stdio.h>
#include <string.h>

#include "i18n.h"
#include "request.h"
#include "status_cmd.h"
#include "table.h"

int th_approve_cmd_run(th_transport *t, const char *plan, const char *period, const char *unit, int approve,
                       int before_children, const char *reason)
{
    Tonghop__Approval a = TONGHOP__APPROVAL__INIT;
    a.plan_code = (char *)plan;
    a.period = (char *)period;
    a.unit_code = (char *)unit;
    a.has_approve = 1;
    a.approve = approve;
    a.reason = (char *)reason;
    a.has_before_children = before_children;
    a.before_children = before_children;
    th_envelope env;
    tonghop__envelope__init(&env);
    env.body_case = TONGHOP__ENVELOPE__BODY_APPROVAL;
    env.approval = &a;
    th_wire_msg *reply = NULL;
    int rc = th_request_expect(t, &env, TONGHOP__ENVELOPE__BODY_ACK,
                               approve ? _("approval refused") : _("reopening refused"), &reply);
    if (rc != TH_EXIT_OK) return rc;
    const Tonghop__Ack *ack = th_wire_msg_envelope(reply)->ack;
    char when[32];
    th_vn_time(ack->stored_at, when, sizeof when);
    const char *who = unit ? unit : _("the plan's issuer");
    if (!approve)
        printf(_("Plan %s, period %s, unit %s: reopened at %s. Results may be sent and corrected again.\n"),
               plan, period, who, when);
    else if (ack->outcome == TONGHOP__ACK__OUTCOME__DUPLICATE)
        printf(_("Plan %s, period %s, unit %s: already approved (since %s); nothing changed.\n"), plan,
               period, who, when);
    else
        printf(_("Plan %s, period %s, unit %s: approved at %s. The results of %u unit(s) are locked until "
                 "reopened.\n"),
               plan, period, who, when, ack->locked_units);
    if (ack->n_children_pending) {
        printf("%s\n", _("Approved before these units below had approved (recorded):"));
        for (size_t i = 0; i < ack->n_children_pending; i++)
            printf("  %s\n", ack->children_pending[i]);
    }
    th_wire_msg_destroy(&reply);
    return TH_EXIT_OK;
}

int th_approve_cmd_history(th_transport *t, const char *plan, const char *period, const char *unit)
{
    Tonghop__HistoryQuery q = TONGHOP__HISTORY_QUERY__INIT;
    q.plan_code = (char *)plan;
    q.period = (char *)period;
    q.unit_code = (char *)unit;
    th_envelope env;
    tonghop__envelope__init(&env);
    env.body_case = TONGHOP__ENVELOPE__BODY_HISTORY_QUERY;
    env.history_query = &q;
    th_wire_msg *reply = NULL;
    int rc = th_request_expect(t, &env, TONGHOP__ENVELOPE__BODY_HISTORY_REPLY, _("history"), &reply);
    if (rc != TH_EXIT_OK) return rc;
    const Tonghop__HistoryReply *h = th_wire_msg_envelope(reply)->history_reply;
    printf(_("Approvals of plan %s, period %s (unit %s and below): %zu change(s)\n"), plan, period,
           unit ? unit : _("the plan's issuer"), h->n_approvals);
    if (h->n_approvals) {
        th_table_cell(stdout, _("When"), 18);
        th_table_cell(stdout, _("Unit"), 8);
        th_table_cell(stdout, _("Change"), 14);
        th_table_cell(stdout, _("By"), 24);
        printf(" %s\n", _("Reason / note"));
    }
    for (size_t i = 0; i < h->n_approvals; i++) {
        const Tonghop__ApprovalEvent *e = h->approvals[i];
        char when[32], by[128], key[16];
        th_table_cell(stdout, th_vn_time(e->at, when, sizeof when), 18);
        th_table_cell(stdout, e->unit_code ? e->unit_code : "", 8);
        th_table_cell(stdout, e->approve ? _("approved") : _("reopened"), 14);
        /* The key, shortened: enough to find it in tonghopd keys. */
        snprintf(key, sizeof key, "%.8s", e->actor_key ? e->actor_key : "");
        snprintf(by, sizeof by, "%s %s%s%s", e->actor_unit ? e->actor_unit : "",
                 e->actor_role ? e->actor_role : "", *key ? " " : "", key);
        th_table_cell(stdout, by, 24); /* unit (5), role (8), key (8): never cut */
        putchar(' ');                  /* (a key's unit, role and key can fill the column) */
        if (e->reason) printf("%s", e->reason);
        if (e->before_children) {
            printf("%s%s", e->reason ? "; " : "", _("before the units below:"));
            for (size_t j = 0; j < e->n_children_pending; j++)
                printf("%s%s", j ? ", " : " ", e->children_pending[j]);
        }
        printf("\n");
    }
    th_wire_msg_destroy(&reply);
    return rc;
}
