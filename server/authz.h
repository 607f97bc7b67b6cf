/* authz.h -- who may do what: authorisation from the authenticated key.
 *
 * Every request carries the identity its CURVE handshake proved (keys.h):
 * the key's unit and role, enrolled with tonghopd enroll. Nothing in the
 * message itself decides what is allowed.
 *
 *   commune, district, province   submit results for their own unit only;
 *                                 read reports, history and plans of their
 *                                 territory, as the unit tree stands for the
 *                                 period asked (or of units whose territory
 *                                 is theirs today, after a merger)
 *   province                      also publishes the plans of units in its
 *                                 territory (its own, its districts', ...)
 *   ministry                      reads everything; writes nothing
 *   admin                         reads everything; publishes plans and the
 *                                 indicator catalogue; submits nothing
 *   local (--insecure only)       no key at all: a test on this machine,
 *                                 allowed everything
 *
 * Checks without the database run in the front (th_authz_submit,
 * th_authz_admin); those that need the unit tree run on a worker, in SQL
 * (migrations/rules/60_authz.sql). A refusal is FORBIDDEN naming the field
 * and what was refused. */
#ifndef TH_AUTHZ_H
#define TH_AUTHZ_H

#include <stddef.h>

#include "db.h"
#include "period.h"
#include "validate.h"

typedef enum {
    TH_ROLE_NONE = 0, /* not enrolled: never reaches a handler */
    TH_ROLE_COMMUNE,
    TH_ROLE_DISTRICT,
    TH_ROLE_PROVINCE,
    TH_ROLE_MINISTRY,
    TH_ROLE_ADMIN,
    TH_ROLE_LOCAL, /* --insecure: no keys */
} th_role;

typedef struct th_identity {
    char key[41];            /* Z85 public key, "" when insecure */
    char unit[48];           /* the enrolled unit's key (units.code), "" when none */
    char code_reused_on[11]; /* the day another unit took the unit's GSO code (the
                              * 2025 reform reused some), "" when none did */
    char code_taken_on[11];  /* the day the unit took a GSO code that a unit it
                              * does not succeed held before it, "" when none did */
    char code_heir[160];     /* when the unit that took the unit's code succeeds it:
                              * "2025-07-01: 03390 Xã Bình Lư", else "" */
    th_role role;
    char peer[64]; /* the client's address, for the audit */
} th_identity;

/* "commune", ... ; TH_ROLE_NONE for anything else. */
th_role th_role_parse(const char *name);
const char *th_role_name(th_role role);

/* True when the role reads everything (ministry, admin, local). */
int th_authz_reads_all(const th_identity *who);

/* A submission for unit (a GSO code) in period: only the key's own unit,
 * and only for quarters before another unit took its code. (A key whose
 * unit merely ceased is let through: the ingest then refuses UNIT_CEASED,
 * naming the successor.) 0, or -1 with err set. */
int th_authz_submit(const th_identity *who, const char *unit, const th_period *period, th_verr *err);

/* Requests only an admin may make (the catalogue). what names it for the
 * refusal. 0, or -1 with err set. */
int th_authz_admin(const th_identity *who, const char *field, th_verr *err);

/* May who read unit (a GSO code, or NULL: the plan's issuer) in period
 * ("2025", "2025Q3", or NULL: today)? Returns -1 when the database failed
 * (dberr says why), else 0, with err->code FORBIDDEN when not. field names
 * what the refusal points at ("unit_code"). */
int th_authz_read(th_db *db, const th_identity *who, const char *unit, const char *plan_code,
                  const char *period, const char *field, th_verr *err, char *dberr, size_t dberrlen);

/* May who fetch plan_code (a unit inside its territory, or the issuer
 * inside who's)? Same returns as th_authz_read. */
int th_authz_plan_read(th_db *db, const th_identity *who, const char *plan_code, th_verr *err, char *dberr,
                       size_t dberrlen);

/* May who publish the plan (normalised JSON)? An admin, or a province
 * whose territory holds the plan's issuer. Same returns as th_authz_read. */
int th_authz_plan_publish(th_db *db, const th_identity *who, const char *plan_json, th_verr *err, char *dberr,
                          size_t dberrlen);

#endif
