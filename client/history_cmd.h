/* history_cmd.h -- `tonghop history --unit CODE --indicator CODE --period 2025Q3`:
 * every value sent for one indicator and quarter, which submission sent it
 * and when, and which one is in force. */
#ifndef TH_HISTORY_CMD_H
#define TH_HISTORY_CMD_H

#include "transport.h"

int th_history_cmd_run(th_transport *t, const char *unit, const char *indicator, const char *period);

#endif
