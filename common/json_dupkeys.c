/* json_dupkeys.c -- a strict scan of JSON text for repeated keys.
 *
 * One pass over the text, a recursive descent bounded by TH_JSON_MAX_DEPTH.
 * Every key read is decoded into one arena and entered in one hash table
 * under the serial number of its object; a key already there for the same
 * object is the duplicate. Nothing is removed, so a scan costs memory in
 * proportion to the text's keys, and time in proportion to the text. */
#include "json_dupkeys.h"

#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "wire.h"

typedef struct slot {
    size_t obj; /* 0: empty */
    size_t off, len;
    uint32_t hash;
} slot;

typedef struct frame {
    int is_object;
    size_t key_off, key_len; /* the object's current key (in the arena) */
    size_t index;            /* the array's current element */
} frame;

typedef struct scan {
    const unsigned char *s;
    size_t len, i;
    char *arena;
    size_t alen, acap;
    slot *table;
    size_t tcap, tcount;
    size_t objects;
    frame frames[TH_JSON_MAX_DEPTH];
    th_json_dup *dup;
} scan;

static void ws(scan *sc)
{
    while (sc->i < sc->len &&
           (sc->s[sc->i] == ' ' || sc->s[sc->i] == '\t' || sc->s[sc->i] == '\n' || sc->s[sc->i] == '\r'))
        sc->i++;
}

static int peek(scan *sc) { return sc->i < sc->len ? sc->s[sc->i] : -1; }

static int put(scan *sc, const char *bytes, size_t n)
{
    if (sc->alen + n > sc->acap) {
        size_t cap = sc->acap ? sc->acap : 256;
        while (cap < sc->alen + n)
            cap *= 2;
        char *a = realloc(sc->arena, cap);
        if (!a) return TH_JSON_NOMEM;
        sc->arena = a;
        sc->acap = cap;
    }
    memcpy(sc->arena + sc->alen, bytes, n);
    sc->alen += n;
    return 0;
}

static int put_cp(scan *sc, uint32_t cp)
{
    char b[4];
    size_t n;
    if (cp < 0x80) {
        b[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        b[0] = (char)(0xc0 | (cp >> 6));
        b[1] = (char)(0x80 | (cp & 0x3f));
        n = 2;
    } else if (cp < 0x10000) {
        b[0] = (char)(0xe0 | (cp >> 12));
        b[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        b[2] = (char)(0x80 | (cp & 0x3f));
        n = 3;
    } else {
        b[0] = (char)(0xf0 | (cp >> 18));
        b[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
        b[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
        b[3] = (char)(0x80 | (cp & 0x3f));
        n = 4;
    }
    return put(sc, b, n);
}

/* Four hex digits at s[i..i+3] (i + 4 <= len checked by the caller). */
static int hex4(const unsigned char *s, uint32_t *out)
{
    uint32_t v = 0;
    for (int k = 0; k < 4; k++) {
        unsigned char c = s[k];
        int d = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : -1;
        if (d < 0) return -1;
        v = v * 16 + (uint32_t)d;
    }
    *out = v;
    return 0;
}

/* A string at sc->i (its opening quote). With keep, its decoded bytes go
 * to the arena, up to any \u0000 (json-c cuts keys there): *off, *n. */
static int string(scan *sc, int keep, size_t *off, size_t *n)
{
    size_t start = sc->alen;
    int cut = 0, rc = 0;
    sc->i++;
    while (sc->i < sc->len) {
        unsigned char c = sc->s[sc->i++];
        if (c == '"') {
            if (keep) {
                *off = start;
                *n = sc->alen - start;
            }
            return 0;
        }
        if (c != '\\') {
            if (keep && !cut) rc = put(sc, (const char *)&c, 1);
            if (rc) return rc;
            continue;
        }
        if (sc->i >= sc->len) return TH_JSON_MALFORMED;
        c = sc->s[sc->i++];
        uint32_t cp;
        switch (c) {
        case '"':
        case '\\':
        case '/': cp = c; break;
        case 'b': cp = '\b'; break;
        case 'f': cp = '\f'; break;
        case 'n': cp = '\n'; break;
        case 'r': cp = '\r'; break;
        case 't': cp = '\t'; break;
        case 'u':
            if (sc->len - sc->i < 4 || hex4(sc->s + sc->i, &cp) != 0) return TH_JSON_MALFORMED;
            sc->i += 4;
            if (cp >= 0xD800 && cp < 0xDC00) {
                uint32_t lo;
                if (sc->len - sc->i >= 6 && sc->s[sc->i] == '\\' && sc->s[sc->i + 1] == 'u' &&
                    hex4(sc->s + sc->i + 2, &lo) == 0 && lo >= 0xDC00 && lo < 0xE000) {
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                    sc->i += 6;
                } else {
                    cp = 0xFFFD;
                }
            } else if (cp >= 0xDC00 && cp < 0xE000) {
                cp = 0xFFFD;
            }
            break;
        default: return TH_JSON_MALFORMED;
        }
        if (keep && cp == 0) cut = 1;
        if (keep && !cut && (rc = put_cp(sc, cp)) != 0) return rc;
    }
    return TH_JSON_MALFORMED;
}

static uint32_t hash(size_t obj, const char *key, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t k = 0; k < sizeof obj; k++) {
        h ^= (uint32_t)((obj >> (8 * k)) & 0xff);
        h *= 16777619u;
    }
    for (size_t k = 0; k < n; k++) {
        h ^= (unsigned char)key[k];
        h *= 16777619u;
    }
    return h;
}

/* Enters key (off, n) of object obj. Returns 0, TH_JSON_DUPLICATE when the
 * object already has it, or TH_JSON_NOMEM. */
static int enter(scan *sc, size_t obj, size_t off, size_t n)
{
    if (2 * (sc->tcount + 1) > sc->tcap) {
        size_t cap = sc->tcap ? sc->tcap * 2 : 64;
        slot *t = calloc(cap, sizeof *t);
        if (!t) return TH_JSON_NOMEM;
        for (size_t k = 0; k < sc->tcap; k++) {
            if (!sc->table[k].obj) continue;
            size_t at = sc->table[k].hash & (cap - 1);
            while (t[at].obj)
                at = (at + 1) & (cap - 1);
            t[at] = sc->table[k];
        }
        free(sc->table);
        sc->table = t;
        sc->tcap = cap;
    }
    uint32_t h = hash(obj, sc->arena + off, n);
    size_t at = h & (sc->tcap - 1);
    for (; sc->table[at].obj; at = (at + 1) & (sc->tcap - 1)) {
        slot *e = &sc->table[at];
        if (e->obj == obj && e->hash == h && e->len == n &&
            memcmp(sc->arena + e->off, sc->arena + off, n) == 0)
            return TH_JSON_DUPLICATE;
    }
    sc->table[at] = (slot){obj, off, n, h};
    sc->tcount++;
    return 0;
}

/* Appends n bytes of s to buf (size bytes, *used so far), whole characters
 * only: control characters and bytes that are not UTF-8 as '?'. Returns 0,
 * or -1 when something did not fit. */
static int append(char *buf, size_t size, size_t *used, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t k = 0;
    while (k < n) {
        size_t cl = p[k] < 0x80             ? 1
                    : (p[k] & 0xe0) == 0xc0 ? 2
                    : (p[k] & 0xf0) == 0xe0 ? 3
                    : (p[k] & 0xf8) == 0xf0 ? 4
                                            : 0;
        int ok = cl > 0 && k + cl <= n;
        for (size_t j = 1; ok && j < cl; j++)
            ok = (p[k + j] & 0xc0) == 0x80;
        if (ok && cl == 1 && (p[k] < 0x20 || p[k] == 0x7f)) ok = 0;
        if (!ok) cl = 1;
        if (*used + cl >= size) {
            buf[*used] = '\0';
            return -1;
        }
        if (ok)
            memcpy(buf + *used, p + k, cl);
        else
            buf[*used] = '?';
        *used += cl;
        k += cl;
    }
    buf[*used] = '\0';
    return 0;
}

/* Fills sc->dup for a key (off, n) found twice in the object at depth,
 * its second occurrence starting at byte at. */
static void report(scan *sc, int depth, size_t off, size_t n, size_t at)
{
    th_json_dup *d = sc->dup;
    if (!d) return;
    memset(d, 0, sizeof *d);
    size_t used = 0;
    int full = 1;
    for (int j = 0; j < depth && full; j++) {
        const frame *f = &sc->frames[j];
        if (f->is_object) {
            if (j > 0) full = append(d->path, sizeof d->path, &used, ".", 1) == 0;
            if (full) full = append(d->path, sizeof d->path, &used, sc->arena + f->key_off, f->key_len) == 0;
        } else {
            char ix[32];
            int m = snprintf(ix, sizeof ix, "[%zu]", f->index);
            full = append(d->path, sizeof d->path, &used, ix, (size_t)m) == 0;
        }
    }
    if (full && depth > 0) full = append(d->path, sizeof d->path, &used, ".", 1) == 0;
    if (full) append(d->path, sizeof d->path, &used, sc->arena + off, n);
    used = 0;
    append(d->key, sizeof d->key, &used, sc->arena + off, n);
    d->offset = at;
    d->line = 1;
    d->column = 1;
    for (size_t k = 0; k < at; k++) {
        if (sc->s[k] == '\n') {
            d->line++;
            d->column = 1;
        } else if ((sc->s[k] & 0xc0) != 0x80) {
            d->column++;
        }
    }
}

static int value(scan *sc, int depth)
{
    ws(sc);
    int c = peek(sc), rc;
    if (c == '"') return string(sc, 0, NULL, NULL);
    if (c != '{' && c != '[') {
        size_t start = sc->i;
        static const char ends[] = " \t\r\n,:[]{}\""; /* and the NUL byte after them */
        while (sc->i < sc->len && !memchr(ends, sc->s[sc->i], sizeof ends))
            sc->i++;
        return sc->i > start ? 0 : TH_JSON_MALFORMED;
    }
    if (depth >= TH_JSON_MAX_DEPTH) return TH_JSON_TOO_DEEP;
    frame *f = &sc->frames[depth];
    sc->i++;
    ws(sc);
    if (c == '[') {
        f->is_object = 0;
        f->index = 0;
        if (peek(sc) == ']') {
            sc->i++;
            return 0;
        }
        for (;;) {
            if ((rc = value(sc, depth + 1)) != 0) return rc;
            ws(sc);
            c = peek(sc);
            sc->i++;
            if (c == ']') return 0;
            if (c != ',') return TH_JSON_MALFORMED;
            f->index++;
        }
    }
    size_t obj = ++sc->objects;
    f->is_object = 1;
    if (peek(sc) == '}') {
        sc->i++;
        return 0;
    }
    for (;;) {
        ws(sc);
        if (peek(sc) != '"') return TH_JSON_MALFORMED;
        size_t at = sc->i, off = 0, n = 0;
        if ((rc = string(sc, 1, &off, &n)) != 0) return rc;
        f->key_off = off;
        f->key_len = n;
        if ((rc = enter(sc, obj, off, n)) != 0) {
            if (rc == TH_JSON_DUPLICATE) report(sc, depth, off, n, at);
            return rc;
        }
        ws(sc);
        if (peek(sc) != ':') return TH_JSON_MALFORMED;
        sc->i++;
        if ((rc = value(sc, depth + 1)) != 0) return rc;
        ws(sc);
        c = peek(sc);
        sc->i++;
        if (c == '}') return 0;
        if (c != ',') return TH_JSON_MALFORMED;
    }
}

int th_json_find_duplicate_key(const char *text, size_t len, th_json_dup *dup)
{
    scan *sc = calloc(1, sizeof *sc);
    if (!sc) return TH_JSON_NOMEM;
    sc->s = (const unsigned char *)text;
    sc->len = len;
    sc->dup = dup;
    /* The arena exists from the start: an empty key points into it too. */
    sc->acap = 256;
    sc->arena = malloc(sc->acap);
    if (!sc->arena) {
        free(sc);
        return TH_JSON_NOMEM;
    }
    int rc = value(sc, 0);
    if (rc == 0) {
        ws(sc);
        if (sc->i != sc->len) rc = TH_JSON_MALFORMED;
    }
    free(sc->arena);
    free(sc->table);
    free(sc);
    return rc;
}

int th_json_check_keys(const char *text, size_t len, th_verr *err, int *unreadable)
{
    th_json_dup dup;
    *unreadable = 0;
    int rc = th_json_find_duplicate_key(text, len, &dup);
    if (rc == TH_JSON_UNIQUE) return 0;
    if (rc == TH_JSON_MALFORMED) {
        *unreadable = 1;
        return 0;
    }
    memset(err, 0, sizeof *err);
    if (rc == TH_JSON_DUPLICATE) {
        err->code = TONGHOP__ERROR__CODE__BAD_JSON;
        /* The path cut to the field's size at a character boundary. */
        size_t n = strlen(dup.path);
        if (n >= sizeof err->field) {
            n = sizeof err->field - 1;
            while (n > 0 && ((unsigned char)dup.path[n] & 0xc0) == 0x80)
                n--;
        }
        memcpy(err->field, dup.path, n);
        err->field[n] = '\0';
        snprintf(err->detail, sizeof err->detail, "%d:%d duplicate key \"%s\"", dup.line, dup.column,
                 dup.key);
    } else if (rc == TH_JSON_TOO_DEEP) {
        err->code = TONGHOP__ERROR__CODE__BAD_JSON;
        snprintf(err->detail, sizeof err->detail, "nested more than %d levels deep", TH_JSON_MAX_DEPTH);
    } else {
        err->code = TONGHOP__ERROR__CODE__INTERNAL;
        snprintf(err->detail, sizeof err->detail, "out of memory");
    }
    return -1;
}

int th_json_strict_prepare(const char **text, size_t *len, th_verr *err, int *unreadable)
{
    if (*len >= 3 && memcmp(*text, "\xef\xbb\xbf", 3) == 0) {
        *text += 3;
        *len -= 3;
    }
    return th_json_check_keys(*text, *len, err, unreadable);
}
