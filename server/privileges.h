/* privileges.h -- does serve run with more rights than it needs?
 *
 * serve needs exactly what migrations/rules/90_grants.sql grants the group
 * role tonghop_server: no DDL, no DELETE, history append-only. Run as a
 * superuser, as the owner of the tables, or with rights beyond the group's,
 * a bug or a stolen server could rewrite history. serve says so once at
 * start, as a warning and not a refusal: a first try as the cluster's owner
 * still works. */
#ifndef TH_PRIVILEGES_H
#define TH_PRIVILEGES_H

#include <stddef.h>

/* Compares the rights of the role dsn logs in as with tonghop_server's,
 * within timeout_ms. Returns 1 with what it has beyond them in out (in the
 * user's language), 0 when it has none, -1 when it could not tell (the
 * reason in out). */
int th_privileges_excess(const char *dsn, int timeout_ms, char *out, size_t outlen);

#endif
