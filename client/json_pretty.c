/* json_pretty: a JSON text indented as it streams (see json_pretty.h). */
#include "json_pretty.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

/* Deeper than any report (five levels); bounds the checker's recursion. */
#define TH_JSON_MAX_DEPTH 256

typedef struct cursor {
    const char *p;
    const char *end;
    int depth;
} cursor;

static int is_ws(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

static int is_digit(char c) { return c >= '0' && c <= '9'; }

static int is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

static void skip_ws(cursor *c)
{
    while (c->p < c->end && is_ws(*c->p))
        c->p++;
}

static int check_value(cursor *c);

static int check_string(cursor *c)
{
    if (c->p >= c->end || *c->p != '"') return -1;
    c->p++;
    while (c->p < c->end) {
        unsigned char ch = (unsigned char)*c->p++;
        if (ch == '"') return 0;
        if (ch < 0x20) return -1; /* control characters must be escaped */
        if (ch != '\\') continue;
        if (c->p >= c->end) return -1;
        char e = *c->p++;
        if (e == 'u') {
            for (int i = 0; i < 4; i++, c->p++)
                if (c->p >= c->end || !is_hex(*c->p)) return -1;
        } else if (!e || !strchr("\"\\/bfnrt", e)) {
            return -1;
        }
    }
    return -1; /* unterminated */
}

static int check_digits(cursor *c)
{
    if (c->p >= c->end || !is_digit(*c->p)) return -1;
    while (c->p < c->end && is_digit(*c->p))
        c->p++;
    return 0;
}

static int check_number(cursor *c)
{
    if (c->p < c->end && *c->p == '-') c->p++;
    if (c->p < c->end && *c->p == '0')
        c->p++; /* no leading zeros */
    else if (check_digits(c) != 0)
        return -1;
    if (c->p < c->end && *c->p == '.') {
        c->p++;
        if (check_digits(c) != 0) return -1;
    }
    if (c->p < c->end && (*c->p == 'e' || *c->p == 'E')) {
        c->p++;
        if (c->p < c->end && (*c->p == '+' || *c->p == '-')) c->p++;
        if (check_digits(c) != 0) return -1;
    }
    return 0;
}

static int check_literal(cursor *c, const char *word)
{
    size_t n = strlen(word);
    if ((size_t)(c->end - c->p) < n || memcmp(c->p, word, n) != 0) return -1;
    c->p += n;
    return 0;
}

/* An object or array after its opening bracket, up to its closing one. */
static int check_container(cursor *c, char close)
{
    if (++c->depth > TH_JSON_MAX_DEPTH) return -1;
    skip_ws(c);
    if (c->p < c->end && *c->p == close) {
        c->p++;
        c->depth--;
        return 0;
    }
    for (;;) {
        if (close == '}') {
            skip_ws(c);
            if (check_string(c) != 0) return -1;
            skip_ws(c);
            if (c->p >= c->end || *c->p++ != ':') return -1;
        }
        if (check_value(c) != 0) return -1;
        skip_ws(c);
        if (c->p >= c->end) return -1;
        char ch = *c->p++;
        if (ch == close) break;
        if (ch != ',') return -1;
    }
    c->depth--;
    return 0;
}

/* One value, with the whitespace before it. */
static int check_value(cursor *c)
{
    skip_ws(c);
    if (c->p >= c->end) return -1;
    switch (*c->p) {
    case '{': c->p++; return check_container(c, '}');
    case '[': c->p++; return check_container(c, ']');
    case '"': return check_string(c);
    case 't': return check_literal(c, "true");
    case 'f': return check_literal(c, "false");
    case 'n': return check_literal(c, "null");
    default: return check_number(c);
    }
}

int th_json_pretty_check(const char *text, size_t len)
{
    if (!text) return -1;
    cursor c = {text, text + len, 0};
    if (check_value(&c) != 0) return -1;
    skip_ws(&c);
    return c.p == c.end ? 0 : -1;
}

/* The output gathered in blocks, each written with one fwrite: a
 * character at a time through stdio, taking the stream's lock for each,
 * was 7 % of the client's samples on a province's 140 KB report. */
typedef struct outbuf {
    FILE *out;
    size_t n;
    int failed;
    char b[32768];
} outbuf;

static void ob_flush(outbuf *o)
{
    if (o->n && fwrite(o->b, 1, o->n, o->out) != o->n) o->failed = 1;
    o->n = 0;
}

static void ob_put(outbuf *o, const char *s, size_t n)
{
    while (n > 0) {
        if (o->n == sizeof o->b) ob_flush(o);
        size_t k = sizeof o->b - o->n;
        if (k > n) k = n;
        memcpy(o->b + o->n, s, k);
        o->n += k;
        s += k;
        n -= k;
    }
}

static void ob_putc(outbuf *o, char c)
{
    if (o->n == sizeof o->b) ob_flush(o);
    o->b[o->n++] = c;
}

static void indent(outbuf *o, int depth)
{
    static const char spaces[] = "                                                                ";
    ob_putc(o, '\n');
    for (size_t left = 2 * (size_t)depth; left > 0;) {
        size_t k = left < sizeof spaces - 1 ? left : sizeof spaces - 1;
        ob_put(o, spaces, k);
        left -= k;
    }
}

int th_json_pretty_write(FILE *out, const char *text, size_t len)
{
    if (th_json_pretty_check(text, len) != 0) return -1;
    outbuf *o = malloc(sizeof *o);
    if (!o) return -1;
    o->out = out;
    o->n = 0;
    o->failed = 0;
    const char *p = text, *end = text + len;
    int depth = 0;
    while (p < end) {
        char ch = *p++;
        switch (ch) {
        case '"': { /* copied as it is, escapes included */
            const char *s = p - 1;
            while (*p != '"')
                p += (*p == '\\') ? 2 : 1;
            p++;
            ob_put(o, s, (size_t)(p - s));
            break;
        }
        case '{':
        case '[': {
            ob_putc(o, ch);
            const char *q = p;
            while (is_ws(*q))
                q++;
            if (*q == '}' || *q == ']') { /* empty: json-c writes "[", then "]" on the next line */
                indent(o, depth);
                ob_putc(o, *q);
                p = q + 1;
            } else {
                indent(o, ++depth);
            }
            break;
        }
        case '}':
        case ']':
            assert(depth > 0);
            indent(o, --depth);
            ob_putc(o, ch);
            break;
        case ',':
            ob_putc(o, ',');
            indent(o, depth);
            break;
        case ':': ob_put(o, ": ", 2); break;
        default:
            if (!is_ws(ch)) ob_putc(o, ch); /* numbers, true, false, null */
        }
    }
    ob_putc(o, '\n');
    ob_flush(o);
    int rc = o->failed || ferror(out) ? -1 : 0;
    free(o);
    return rc;
}
