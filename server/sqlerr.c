/* sqlerr.c -- our SQLSTATEs back into protocol error codes. */
#include "sqlerr.h"

#include <stdio.h>
#include <string.h>

int th_sqlerr_from_result(const PGresult *r, th_verr *err)
{
    const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    if (!state || strlen(state) != 5 || strncmp(state, TH_SQLERR_CLASS, 2) != 0) return 0;
    int code = 0;
    for (int i = 2; i < 5; i++) {
        if (state[i] < '0' || state[i] > '9') return 0;
        code = code * 10 + (state[i] - '0');
    }
    /* A code the protocol does not know (a typo in a rule) is still an error. */
    if (code == 0 || !protobuf_c_enum_descriptor_get_value(&tonghop__error__code__descriptor, code))
        code = TONGHOP__ERROR__CODE__INTERNAL;
    const char *field = PQresultErrorField(r, PG_DIAG_COLUMN_NAME);
    const char *detail = PQresultErrorField(r, PG_DIAG_MESSAGE_DETAIL);
    memset(err, 0, sizeof *err);
    err->code = code;
    snprintf(err->field, sizeof err->field, "%s", field ? field : "");
    snprintf(err->detail, sizeof err->detail, "%s", detail ? detail : "");
    return 1;
}
