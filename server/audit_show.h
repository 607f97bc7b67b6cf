/* audit_show.h -- `tonghopd audit`: the audit trail, newest last, as a
 * table an officer reads (Vietnam time). */
#ifndef TH_AUDIT_SHOW_H
#define TH_AUDIT_SHOW_H

#include <stdio.h>

#include "db.h"

/* Prints the last `limit` rows (since a day YYYY-MM-DD, and of one unit's
 * keys, when given; only refusals when refused_only). Returns 0, or -1
 * with the reason in err. */
int th_audit_show(th_db *db, const char *unit, const char *since, long limit, int refused_only, FILE *out,
                  char *err, size_t errlen);

#endif
