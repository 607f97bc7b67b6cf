/* import_units.h -- loading the GSO administrative unit list.
 *
 * Reads the CSV published by the General Statistics Office (columns code,
 * name, name_with_type, type, parent_code, level), checks every row, and
 * upserts the whole file in one transaction through COPY into a staging
 * table: all or nothing, and loading the same file twice changes nothing. */
#ifndef TH_IMPORT_UNITS_H
#define TH_IMPORT_UNITS_H

#include <libpq-fe.h>
#include <stddef.h>

typedef struct th_import_units_stats {
    long rows;    /* rows in the file */
    long added;   /* units new to the database */
    long changed; /* units whose name, type, parent or level changed */
} th_import_units_stats;

/* Returns 0, or -1 with a message naming the line and field in err. */
int th_import_units(PGconn *conn, const char *path, th_import_units_stats *stats, char *err, size_t errlen);

#endif
