/* doc.h -- a JSON document computed by a rules function.
 *
 * Reports (th_report), reviews (th_review) and what is due (th_due) are
 * each one SQL function that returns the whole answer as JSON, or refuses
 * with one of the rules' SQLSTATEs (TH0xx, server/sqlerr.h). This runs such
 * a call and tells the two apart from a database failure. */
#ifndef TH_DOC_H
#define TH_DOC_H

#include <stddef.h>

#include "db.h"
#include "validate.h"

/* Runs sql (one row, one text column) with n params. Returns 0 with *json
 * set (malloc'd; the caller frees it), or 0 with err->code set when the
 * rules refused (err names the field and why); -1 on a database failure or
 * timeout, or out of memory, with dberr saying which. */
int th_doc_fetch(th_db *db, const char *sql, int n, const char *const *params, char **json, th_verr *err,
                 char *dberr, size_t dberrlen);

#endif
