/* approval.h -- approving a plan's results for a period, reopening them,
 * and the record of both (issue #13).
 *
 * A district approves its territory's results for a plan and a period;
 * from then on the ingest refuses a submission that would change them
 * (PERIOD_LOCKED) until it, or a unit above, reopens the period with a
 * reason. The rules -- who may, children first, what is locked -- are in
 * SQL (migrations/rules/47_approval.sql); this module calls them. */
#ifndef TH_APPROVAL_H
#define TH_APPROVAL_H

#include <stddef.h>

#include "authz.h"
#include "db.h"
#include "validate.h"
#include "wire.h"

typedef struct th_approval_result {
    int changed;           /* 0: it already was in that state */
    char state[16];        /* "approved" | "reopened" */
    long long at;          /* since when, Unix seconds */
    unsigned locked_units; /* units whose results the approval locks */
    char unit[33];         /* the approving unit's GSO code */
    char **pending;        /* units below not yet approved ("GSO name"), malloc'd */
    size_t npending;
} th_approval_result;

/* Approves (q->approve) or reopens q's plan and period at q's unit, as who.
 * Returns 0 with err->code 0 and *res filled (free with
 * th_approval_result_fini), or 0 with err set when refused, or -1 when the
 * database failed (dberr says why). */
int th_approval_apply(th_db *db, const th_identity *who, const Tonghop__Approval *q, th_approval_result *res,
                      th_verr *err, char *dberr, size_t dberrlen);
void th_approval_result_fini(th_approval_result *res);

/* Every approval and reopening of plan_code's period at unit (NULL: the
 * plan's issuer) and the units below it, oldest first, into
 * reply->approvals (freed by th_history_fini). Same returns. */
int th_approval_history_fetch(th_db *db, const char *plan_code, const char *period, const char *unit,
                              Tonghop__HistoryReply *reply, th_verr *err, char *dberr, size_t dberrlen);

#endif
