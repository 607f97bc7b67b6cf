/* reqlog.h -- one structured log line per request answered, and its
 * metrics (metrics.h).
 *
 * The line says what a reader of journald needs, and never a reported
 * value: the request type and id, the key (its first 8 characters: enough
 * to find it in `tonghopd keys`), the key's unit and role, the unit or plan
 * the request named, the outcome (STORED, DUPLICATE, OK, ACCEPTED, or the
 * error code), for a refusal the field and why, and the milliseconds from
 * arrival to answer. Text ("request type=submission unit=22924 ...") or
 * JSON, as log.h is set. */
#ifndef TH_REQLOG_H
#define TH_REQLOG_H

#include "job.h"

/* Call once per job, when its answer goes out. */
void th_reqlog_done(const th_job *job, const char *outcome);

#endif
