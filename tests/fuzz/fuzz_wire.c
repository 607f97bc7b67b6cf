/* libFuzzer target: any bytes as a request, through what the server does
 * with them before the database: unpack, then validate a submission. */
#include <stddef.h>
#include <stdint.h>

#include "validate.h"
#include "wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    th_wire_msg *m = th_wire_unpack(data, size);
    th_envelope *env = th_wire_msg_envelope(m);
    if (env && env->body_case == TONGHOP__ENVELOPE__BODY_SUBMISSION) {
        th_period p;
        th_verr err;
        th_validate_submission(env->submission, 2026, 11, &p, &err);
    }
    th_wire_msg_destroy(&m);
    return 0;
}
