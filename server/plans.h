/* plans.h -- plans in the database: publish a checked plan file, fetch plans.
 *
 * The plan file is checked for shape by th_plan_file_check (common/); these
 * functions add the checks that need the catalogue and store or read plans
 * through the SQL functions of migrations/004_plans.sql. Each call is its
 * own transaction: a plan is stored whole or not at all. */
#ifndef TH_PLANS_H
#define TH_PLANS_H

#include <stddef.h>
#include <stdint.h>

#include "db.h"
#include "validate.h"

typedef enum {
    TH_PLAN_STORED,    /* a new plan or a new revision */
    TH_PLAN_UNCHANGED, /* this revision was already stored with the same content */
    TH_PLAN_REJECTED,  /* err says why */
} th_plan_outcome;

typedef struct th_plan_store_result {
    th_plan_outcome outcome;
    th_verr err;
    int revision;
} th_plan_store_result;

/* Stores a normalized plan (from th_plan_file_check). Returns 0 when the
 * database answered (see out->outcome), -1 on a database failure (message
 * in dberr; nothing stored). */
int th_plans_store(th_db *db, const char *normalized, th_plan_store_result *out, char *dberr,
                   size_t dberrlen);

/* A list of JSON documents, one per plan (th_plan_document). */
typedef struct th_plan_docs {
    char **docs;
    size_t n;
} th_plan_docs;

void th_plan_docs_fini(th_plan_docs *d);

/* plan_code NULL: the current plans covering unit (every plan when unit is
 * NULL too); else that plan's current revision. unit, when given, must exist
 * and adds what it must report and by when. Returns 0 (with err->code 0, or
 * NOT_FOUND / UNKNOWN_UNIT), or -1 on a database failure. */
int th_plans_fetch(th_db *db, const char *plan_code, const char *unit, th_plan_docs *out, th_verr *err,
                   char *dberr, size_t dberrlen);

#endif
