/* migrate.h -- schema migrations embedded in the binary.
 *
 * migrations/NNN_name.sql are compiled into th_migrations[] (see
 * migrations/embed.cmake). th_migrate_run applies the pending ones in order,
 * each in its own transaction, under an advisory lock so that two servers
 * starting at once cannot race; th_migrate_check tells serve whether the
 * database is at the version this binary was built for. */
#ifndef TH_MIGRATE_H
#define TH_MIGRATE_H

#include <libpq-fe.h>
#include <stddef.h>

typedef struct th_migration {
    int version;
    const char *name;
    const char *sql;
} th_migration;

extern const th_migration th_migrations[];
extern const int th_migrations_count;

/* The newest version this binary knows. */
int th_migrate_latest(void);

/* Applies pending migrations. *applied gets how many were applied. Returns 0,
 * or -1 with a message in err. */
int th_migrate_run(PGconn *conn, int *applied, char *err, size_t errlen);

/* Reads the database's schema version into *version (0 when never
 * migrated). Returns 0, or -1 with a message in err. */
int th_migrate_current(PGconn *conn, int *version, char *err, size_t errlen);

#endif
