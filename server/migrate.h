/* migrate.h -- schema migrations embedded in the binary.
 *
 * Two kinds of SQL file, both compiled in (migrations/embed.cmake):
 *  - versioned, migrations/NNN_name.sql -> th_migrations[]: tables and data
 *    changes, each applied once, in order, in its own transaction, and never
 *    edited once shipped;
 *  - rules, migrations/rules/NN_name.sql -> th_rules[]: SQL functions and
 *    views (CREATE OR REPLACE), applied after the versioned ones, in name
 *    order, whenever their content differs from what the database recorded
 *    (schema_rules: name and SHA-256), like Flyway's repeatable migrations.
 *    A rule change is an ordinary diff of its file.
 * th_migrate_run does both under an advisory lock, so that two servers
 * starting at once cannot race; serve checks both before it starts. */
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

typedef struct th_rule {
    const char *name;
    const char *sha256; /* of the file's content, hex */
    const char *sql;
} th_rule;

extern const th_rule th_rules[];
extern const int th_rules_count;

/* The newest version this binary knows. */
int th_migrate_latest(void);

typedef struct th_migrate_stats {
    int applied;       /* versioned migrations applied now */
    int rules_applied; /* rule files (re)applied now */
} th_migrate_stats;

/* Applies pending migrations up to target (0: the latest, then the rules;
 * a lower target applies no rules: the schema of an older release, for
 * staged upgrades and upgrade tests). Returns 0, or -1 with a message in
 * err. */
int th_migrate_run(PGconn *conn, int target, th_migrate_stats *stats, char *err, size_t errlen);

/* What serve checks before it starts, on a plain connection made within
 * timeout_ms: the schema is at this binary's version and the rules are its
 * own. Returns 0 with *version set, or -1 with what to do in err. */
int th_migrate_check(const char *dsn, int timeout_ms, int *version, char *err, size_t errlen);

/* *current = 1 when every rule file of this binary is applied as it is. */
int th_migrate_rules_current(PGconn *conn, int *current, char *err, size_t errlen);

/* Reads the database's schema version into *version (0 when never
 * migrated). Returns 0, or -1 with a message in err. */
int th_migrate_current(PGconn *conn, int *version, char *err, size_t errlen);

#endif
