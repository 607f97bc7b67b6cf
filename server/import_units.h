/* import_units.h -- loading the GSO administrative unit list.
 *
 * Reads the CSV published by the General Statistics Office (columns code,
 * name, name_with_type, type, parent_code, level), checks every row, and
 * upserts the whole file in one transaction through COPY into a staging
 * table: all or nothing, and loading the same file twice changes nothing.
 *
 * History: a unit moved to another parent keeps its old link until the
 * as-of date (unit_parents), so results from before still roll up where
 * they did. New units exist from the as-of date. With `complete`, the file
 * is the whole country: units missing from it cease to exist on the as-of
 * date (merged or dissolved). The default as-of date, 1900-01-01, treats the
 * file as a correction that holds for all time.
 *
 * A succession file says which old unit's territory went to which new one
 * on the as-of date: each successor is a new unit (even when it reuses a
 * predecessor's code), each predecessor ceases. Provinces hang from the
 * country ("VN"). An import that would make a cycle is refused. */
#ifndef TH_IMPORT_UNITS_H
#define TH_IMPORT_UNITS_H

#include <libpq-fe.h>
#include <stddef.h>

typedef struct th_import_units_stats {
    long rows;            /* rows in the file */
    long added;           /* units new to the database */
    long changed;         /* units whose name, type, parent or level changed */
    long moved;           /* of those, units given another parent */
    long closed;          /* units that ceased to exist (predecessors; with complete, all left out) */
    long succession_rows; /* rows of the succession file */
    long succeeded;       /* succession links recorded now */
    /* Approvals whose territory the list changed: they lock again what
     * counts there now (rules/47_approval.sql, th_approval_locks_follow). */
    long approvals_followed;
    long locks_added, locks_removed;
} th_import_units_stats;

/* Returns 0, or -1 with a message naming the line and field in err. */
typedef struct th_import_units_opts {
    const char *as_of;      /* "YYYY-MM-DD"; NULL: 1900-01-01 */
    int complete;           /* the file lists every unit that exists from as_of */
    const char *succession; /* NULL, or a CSV old_code,new_code,valid_from,kind: who succeeded whom */
} th_import_units_opts;

int th_import_units(PGconn *conn, const char *path, const th_import_units_opts *opts,
                    th_import_units_stats *stats, char *err, size_t errlen);

#endif
