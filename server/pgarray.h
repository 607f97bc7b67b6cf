/* pgarray.h -- building PostgreSQL array literals ('{"a",NULL,"b"}') to pass
 * as one text parameter of a prepared statement.
 *
 * Elements are always double-quoted with backslash escapes, so client text
 * can never change the array's shape; the literal is a parameter value,
 * never part of the SQL. */
#ifndef TH_PGARRAY_H
#define TH_PGARRAY_H

#include <stddef.h>
#include <stdint.h>

typedef struct th_pgarray {
    char *buf;
    size_t len, cap;
    int count;
    int failed; /* allocation failed: the literal is unusable */
} th_pgarray;

void th_pgarray_init(th_pgarray *a);
void th_pgarray_fini(th_pgarray *a);
void th_pgarray_add_text(th_pgarray *a, const char *s); /* NULL adds NULL */
void th_pgarray_add_int(th_pgarray *a, int present, int64_t v);
/* The finished literal, or NULL if an allocation failed. Owned by a. */
const char *th_pgarray_finish(th_pgarray *a);

#endif
