/* form_cmd.h -- tonghop form: the blank results file of a plan.
 *
 *   tonghop form --plan CODE --unit CODE --period 2025Q3 [--output FILE]
 *
 * Fetches the plan as the unit sees it (th_plan_fetch_one, the same request
 * as `tonghop plan show CODE --unit CODE`) and writes the CSV that `tonghop
 * submit` reads: comment lines naming the plan, the unit and the quarter and
 * saying what each indicator's cells count, then the header
 * "indicator,numerator,denominator,value,text" and one row per indicator
 * the plan sets a target on for that year, its value cells empty. A row
 * left empty is not reported (results_file.h). */
#ifndef TH_FORM_CMD_H
#define TH_FORM_CMD_H

#include <json-c/json.h>
#include <stdio.h>

#include "transport.h"

/* Runs the command: writes to output (atomically: a temporary file in the
 * same folder, renamed over it) or, when output is NULL, to standard output.
 * Returns an exit code (request.h): TH_EXIT_USAGE for a period that is not
 * a quarter of the plan, TH_EXIT_REJECTED for a unit the plan does not
 * cover (or an unknown plan or unit). */
int th_form_cmd_run(th_transport *t, const char *plan, const char *unit, const char *period,
                    const char *output);

/* Writes the form for a plan document (as th_plan_fetch_one returns it) and
 * a quarter of it to out, after the same checks. Returns an exit code; prints
 * why when it is not TH_EXIT_OK. */
int th_form_write(FILE *out, json_object *doc, const char *period);

#endif
