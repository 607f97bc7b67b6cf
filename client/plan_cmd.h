/* plan_cmd.h -- the client's plan commands:
 *   tonghop plans [--unit CODE]                   plans covering a unit
 *   tonghop plan show CODE [--unit CODE] [--json] one plan: targets, quarters, deadlines
 *   tonghop plan publish FILE.json                send a plan file (checked here first)
 * Each returns an exit code (request.h). */
#ifndef TH_PLAN_CMD_H
#define TH_PLAN_CMD_H

#include "transport.h"

#include <json-c/json.h>

/* Fetches one plan as the server shows it (with what unit must report).
 * Returns an exit code; on TH_EXIT_OK *doc is the parsed plan (free with
 * json_object_put). Prints why when it fails. */
int th_plan_fetch_one(th_transport *tc, const char *code, const char *unit, json_object **doc);

int th_plan_cmd_list(th_transport *tc, const char *unit);
int th_plan_cmd_show(th_transport *tc, const char *code, const char *unit, int as_json);
int th_plan_cmd_publish(th_transport *tc, const char *path);

#endif
