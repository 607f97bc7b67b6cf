/* plan_file.h -- the declarative plan file, format "tonghop-plan/1".
 *
 * A province or district describes its plan (kế hoạch) in one JSON file:
 * code, issuer, years, programmes with targets per indicator, and reporting
 * deadlines (see deploy/samples/plans/README.md). This module checks
 * everything that needs no database — shape, types, dates, comparators, year
 * ranges, overlaps — and names the field of the first problem. The server
 * then checks the catalogue (unit and indicator codes, ratio targets up to
 * 100%) in th_plan_store (migrations/004_plans.sql). The client runs the
 * same check before it publishes. */
#ifndef TH_PLAN_FILE_H
#define TH_PLAN_FILE_H

#include <stddef.h>

#include "validate.h"

#define TH_PLAN_FORMAT "tonghop-plan/1"
#define TH_PLAN_MAX_BYTES (512 * 1024)

typedef struct th_plan_info {
    char code[65];
    int revision;
    char issuer_unit[33]; /* its GSO code (at most TH_MAX_CODE characters) */
} th_plan_info;

/* Checks a plan file's text. On success returns 0, fills *info and sets
 * *normalized to the plan as compact JSON (malloc'd; the caller frees), with
 * defaults filled in. On failure returns -1 with err set (code, field such
 * as "programmes[0].targets[2].value", detail). */
int th_plan_file_check(const char *text, size_t len, th_plan_info *info, char **normalized, th_verr *err);

/* Reads a file and checks it; I/O errors are reported as BAD_JSON with the
 * system's reason in detail. */
int th_plan_file_check_path(const char *path, th_plan_info *info, char **normalized, th_verr *err);

/* True for "YYYY-MM-DD" naming a real day. */
int th_plan_valid_date(const char *s);

#endif
