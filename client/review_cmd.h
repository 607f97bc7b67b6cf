/* review_cmd.h -- `tonghop review --plan CODE --period P [--unit CODE]
 * [--json]`: the data-quality flags of a plan's period over a unit's
 * territory, per unit and indicator, for a reviewer to look at before
 * approving: values above 100%, denominators that jumped from one quarter
 * to the next, stock denominators that changed while the unit did not.
 * Flags are not errors: the command exits 0 when it has listed them. */
#ifndef TH_REVIEW_CMD_H
#define TH_REVIEW_CMD_H

#include "transport.h"

/* unit may be NULL (the plan's issuer). as_json prints the server's
 * document as it is. */
int th_review_cmd_run(th_transport *t, const char *unit, const char *plan, const char *period, unsigned limit,
                      int as_json);

#endif
