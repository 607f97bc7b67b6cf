/* plan_cmd.h -- the client's plan commands:
 *   tonghop plans [--unit CODE]                   plans covering a unit
 *   tonghop plan show CODE [--unit CODE] [--json] one plan: targets, quarters, deadlines
 *   tonghop plan publish FILE.json                send a plan file (checked here first)
 * Each returns an exit code (request.h). */
#ifndef TH_PLAN_CMD_H
#define TH_PLAN_CMD_H

#include "transport.h"

int th_plan_cmd_list(const th_transport_config *tc, const char *unit);
int th_plan_cmd_show(const th_transport_config *tc, const char *code, const char *unit, int as_json);
int th_plan_cmd_publish(const th_transport_config *tc, const char *path);

#endif
