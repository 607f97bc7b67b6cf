/* errtext.h -- the user's-language text of a protocol error.
 *
 * The server sends a code, the field and a detail; this turns them into a
 * sentence in the user's language ("Trường values[1].numerator: tử số lớn hơn
 * mẫu số (CTXH-02)"). Used by the client, and by the server for its log. */
#ifndef TH_ERRTEXT_H
#define TH_ERRTEXT_H

#include <stddef.h>

/* The reason alone, translated: "unknown administrative unit". */
const char *th_errtext_reason(int code);

/* The full sentence into buf; returns buf. field and detail may be NULL/empty. */
char *th_errtext_format(int code, const char *field, const char *detail, char *buf, size_t size);

#endif
