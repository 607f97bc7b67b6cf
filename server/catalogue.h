/* catalogue.h -- publishing the indicator catalogue file.
 *
 * The file is checked for shape by th_catalogue_file_check (common/); this
 * stores a checked file through th_catalogue_store (SQL, in
 * migrations/rules/50_catalogue.sql), which adds new indicators, updates the
 * names and descriptions of known ones, and refuses to change the kind or
 * aggregation of an indicator that results or plans already use. One call is
 * one transaction: the catalogue is applied whole or not at all. */
#ifndef TH_CATALOGUE_H
#define TH_CATALOGUE_H

#include <stddef.h>

#include "db.h"
#include "validate.h"

typedef enum {
    TH_CATALOGUE_STORED,    /* a new revision, applied to the indicators */
    TH_CATALOGUE_UNCHANGED, /* this revision was already stored with the same content */
    TH_CATALOGUE_REJECTED,  /* err says why; nothing changed */
} th_catalogue_outcome;

typedef struct th_catalogue_store_result {
    th_catalogue_outcome outcome;
    th_verr err;
    int revision; /* stored or unchanged: the revision */
    int added;    /* stored: indicators added */
    int changed;  /* stored: indicators whose texts (or, unused, kind) changed */
} th_catalogue_store_result;

/* Stores a normalized catalogue (from th_catalogue_file_check). Returns 0
 * when the database answered (see out->outcome), -1 on a database failure or
 * a lost connection (message in dberr; nothing stored). */
int th_catalogue_store(th_db *db, const char *normalized, th_catalogue_store_result *out, char *dberr,
                       size_t dberrlen);

#endif
