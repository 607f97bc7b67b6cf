/* catalogue_file.h -- the indicator catalogue file, format "tonghop-catalogue/1".
 *
 * The indicators (chỉ tiêu) that plans set targets on are data, kept in one
 * JSON file (the default is deploy/data/indicator-catalogue.json):
 *
 *   {"format": "tonghop-catalogue/1", "revision": 2, "source": "...",
 *    "indicators": [
 *      {"code": "CTXH-01", "programme": "CTXH", "name": "...", "kind": "ratio",
 *       "numerator": {"label": "...", "aggregation": "stock"},
 *       "denominator": {"label": "...", "aggregation": "stock"},
 *       "description": "..."}, ...]}
 *
 * A ratio has a numerator and a denominator, a count only a numerator, a
 * qualitative indicator neither; each component says how quarters add up
 * into a year: "flow" (summed) or "stock" (the latest quarter). This module
 * checks everything that needs no database and names the field of the first
 * problem. The server then decides, in th_catalogue_store
 * (migrations/rules/50_catalogue.sql), what may change: an indicator that
 * already has results or plans keeps its kind and aggregations. The client
 * runs the same check before it publishes. */
#ifndef TH_CATALOGUE_FILE_H
#define TH_CATALOGUE_FILE_H

#include <stddef.h>

#include "validate.h"

#define TH_CATALOGUE_FORMAT "tonghop-catalogue/1"
#define TH_CATALOGUE_MAX_BYTES (512 * 1024)
#define TH_CATALOGUE_MAX_INDICATORS 1000
#define TH_CATALOGUE_MAX_REVISION 1000000

typedef struct th_catalogue_info {
    int revision;
    int n_indicators;
} th_catalogue_info;

/* Checks a catalogue file's text (a UTF-8 byte order mark at the start is
 * allowed). On success returns 0, fills *info and sets *normalized to the
 * catalogue as compact JSON (malloc'd; the caller frees): the same structure,
 * with null values left out. On failure returns -1 with err set (code, field
 * such as "indicators[3].numerator.aggregation", detail). */
int th_catalogue_file_check(const char *text, size_t len, th_catalogue_info *info, char **normalized,
                            th_verr *err);

/* Reads a file and checks it; I/O errors are reported as BAD_JSON with the
 * system's reason in detail. */
int th_catalogue_file_check_path(const char *path, th_catalogue_info *info, char **normalized, th_verr *err);

#endif
