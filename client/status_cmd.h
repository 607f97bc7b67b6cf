/* status_cmd.h -- `tonghop status`: what the spool holds, with the reason
 * for every refusal. Needs no server. */
#ifndef TH_STATUS_CMD_H
#define TH_STATUS_CMD_H

#include "spool.h"

/* Returns 0, or 5 when submissions are still queued. */
int th_status_cmd_run(th_spool *s);

/* Unix seconds as "25/11/2026 17:10" in Vietnam's time (UTC+7, no DST). */
char *th_vn_time(long long unix_seconds, char *buf, size_t size);

#endif
