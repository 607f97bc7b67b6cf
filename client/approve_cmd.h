/* approve_cmd.h -- `tonghop approve`, `tonghop reopen` and `tonghop history
 * --plan`: approving a plan's results for a period at a unit (which locks
 * them), reopening them with a reason, and the record of both. */
#ifndef TH_APPROVE_CMD_H
#define TH_APPROVE_CMD_H

#include "transport.h"

/* approve 1: approve (before_children: although units below have not);
 * approve 0: reopen, with reason. unit NULL: the plan's issuer. */
int th_approve_cmd_run(th_transport *t, const char *plan, const char *period, const char *unit, int approve,
                       int before_children, const char *reason);

/* Every approval and reopening of plan's period at unit and below. */
int th_approve_cmd_history(th_transport *t, const char *plan, const char *period, const char *unit);

#endif
