/* pgarray.c -- array literal builder. */
#include "pgarray.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void th_pgarray_init(th_pgarray *a) { memset(a, 0, sizeof *a); }

void th_pgarray_fini(th_pgarray *a)
{
    free(a->buf);
    memset(a, 0, sizeof *a);
}

static void put(th_pgarray *a, const char *s, size_t n)
{
    if (a->failed) return;
    if (a->len + n + 3 > a->cap) {
        size_t cap = a->cap ? a->cap : 64;
        while (a->len + n + 3 > cap)
            cap *= 2;
        char *b = realloc(a->buf, cap);
        if (!b) {
            a->failed = 1;
            return;
        }
        a->buf = b;
        a->cap = cap;
    }
    memcpy(a->buf + a->len, s, n);
    a->len += n;
}

static void sep(th_pgarray *a)
{
    put(a, a->count ? "," : "{", 1);
    a->count++;
}

void th_pgarray_add_text(th_pgarray *a, const char *s)
{
    sep(a);
    if (!s) {
        put(a, "NULL", 4);
        return;
    }
    put(a, "\"", 1);
    for (const char *p = s; *p; p++) {
        if (*p == '"' || *p == '\\') put(a, "\\", 1);
        put(a, p, 1);
    }
    put(a, "\"", 1);
}

void th_pgarray_add_int(th_pgarray *a, int present, int64_t v)
{
    sep(a);
    if (!present) {
        put(a, "NULL", 4);
        return;
    }
    char num[24];
    int n = snprintf(num, sizeof num, "%" PRId64, v);
    put(a, num, (size_t)n);
}

const char *th_pgarray_finish(th_pgarray *a)
{
    if (a->count == 0) put(a, "{", 1);
    put(a, "}", 1);
    if (a->failed) return NULL;
    a->buf[a->len] = '\0';
    return a->buf;
}
