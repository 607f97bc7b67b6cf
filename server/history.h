/* history.h -- every value a unit has sent for one indicator and quarter,
 * oldest first, with the one in force marked. A resubmission replaces the
 * current value; the history keeps them all. */
#ifndef TH_HISTORY_H
#define TH_HISTORY_H

#include <stddef.h>

#include "db.h"
#include "validate.h"
#include "wire.h"

/* Fills reply (entries allocated with malloc; free with th_history_fini).
 * Returns 0 (err->code set for an unknown unit), or -1 on a database
 * failure. */
int th_history_fetch(th_db *db, const Tonghop__HistoryQuery *q, Tonghop__HistoryReply *reply, th_verr *err,
                     char *dberr, size_t dberrlen);
/* Frees what th_history_fetch and th_approval_history_fetch (approval.h)
 * put in reply. */
void th_history_fini(Tonghop__HistoryReply *reply);

#endif
