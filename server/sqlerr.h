/* sqlerr.h -- error kinds that cross from SQL to C as codes, never as text.
 *
 * A rule in SQL that refuses something raises an exception whose SQLSTATE is
 * "TH" followed by the three-digit number of the protocol's Error.Code
 * (TH007 = UNKNOWN_UNIT, TH026 = NOT_FOUND...), with the field it is about
 * in COLUMN and the value to show in DETAIL:
 *
 *   RAISE EXCEPTION USING ERRCODE = 'TH026', COLUMN = 'plan_code',
 *                         DETAIL = p_plan, MESSAGE = 'no such plan';
 *
 * The MESSAGE is for the log only; the C side reads the code. Functions that
 * return a row instead (th_ingest_batch, th_plan_store) carry the code's
 * name in an err_code column, read with th_wire_error_code. */
#ifndef TH_SQLERR_H
#define TH_SQLERR_H

#include <libpq-fe.h>

#include "validate.h"

/* The SQLSTATE for an Error.Code, e.g. th_sqlerr_state(7) = "TH007". */
#define TH_SQLERR_CLASS "TH"

/* When r failed with one of our SQLSTATEs, fills *err and returns 1; else
 * returns 0 and leaves *err alone (a real database failure). */
int th_sqlerr_from_result(const PGresult *r, th_verr *err);

#endif
