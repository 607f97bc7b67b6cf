/* due_cmd.h -- `tonghop due [--unit CODE] [--plan CODE] [--period P]`: what
 * is due for a unit and the units below it, per plan: the deadline, the
 * time left (or how long overdue), who has not reported, who reported
 * late; the most urgent first. */
#ifndef TH_DUE_CMD_H
#define TH_DUE_CMD_H

#include "transport.h"

/* unit, plan and period may be NULL (the key's unit, every plan, the
 * current quarter). as_json prints the server's document as it is. */
int th_due_cmd_run(th_transport *t, const char *unit, const char *plan, const char *period, int as_json);

#endif
