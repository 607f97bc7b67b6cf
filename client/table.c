/* table.c -- aligned text columns. */
#define _XOPEN_SOURCE 700 /* wcwidth */

#include "table.h"

#include <string.h>
#include <wchar.h>

/* Decodes the UTF-8 character at s: its code point into *cp and its length
 * in bytes, or 0 when s does not start a valid sequence (overlong forms,
 * surrogates and values past U+10FFFF are not valid). */
static size_t utf8_next(const unsigned char *s, unsigned long *cp)
{
    unsigned char c = s[0];
    size_t n;
    unsigned long v, min;
    if (c < 0x80) {
        *cp = c;
        return 1;
    } else if ((c & 0xe0) == 0xc0) {
        n = 2, v = c & 0x1f, min = 0x80;
    } else if ((c & 0xf0) == 0xe0) {
        n = 3, v = c & 0x0f, min = 0x800;
    } else if ((c & 0xf8) == 0xf0) {
        n = 4, v = c & 0x07, min = 0x10000;
    } else {
        return 0;
    }
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80) return 0;
        v = (v << 6) | (s[i] & 0x3f);
    }
    if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) return 0;
    *cp = v;
    return n;
}

/* The display width of one character. */
static int char_width(unsigned long cp)
{
    int w = wcwidth((wchar_t)cp);
    if (w >= 0) return w;
    /* wcwidth says -1 for control characters, and for everything past ASCII
     * when LC_CTYPE is not UTF-8 (th_i18n_init sees that it is). */
    if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) return 0;
    if (cp >= 0x300 && cp <= 0x36f) return 0; /* combining diacritical marks */
    return 1;
}

/* Width of the character at *p; advances *p past it. */
static int step(const char **p)
{
    unsigned long cp;
    size_t n = utf8_next((const unsigned char *)*p, &cp);
    if (n == 0) { /* a stray byte: shown as one replacement column */
        (*p)++;
        return 1;
    }
    *p += n;
    return char_width(cp);
}

int th_table_width(const char *s)
{
    int w = 0;
    while (s && *s)
        w += step(&s);
    return w;
}

static void cell(FILE *out, const char *s, int w, int pad)
{
    if (!s) s = "";
    /* A padded cell keeps its last column blank, so that a text of exactly
     * its width does not run into the next column ("Thành phố Hà
     * GiangThực hiện"). */
    int room = pad && w > 1 ? w - 1 : w;
    int width = th_table_width(s);
    if (width <= room) {
        fputs(s, out);
        for (int i = width; pad && i < w; i++)
            fputc(' ', out);
        return;
    }
    /* Keep what fits in room-1 columns (with the combining marks that
     * follow the last letter kept), then an ellipsis. */
    int kept = 0;
    const char *p = s;
    while (*p) {
        const char *next = p;
        int cw = step(&next);
        if (cw > 0 && kept + cw > room - 1) break;
        kept += cw;
        p = next;
    }
    fwrite(s, 1, (size_t)(p - s), out);
    fputs("…", out);
    for (int i = kept + 1; pad && i < w; i++) /* a wide letter that did not fit leaves a gap */
        fputc(' ', out);
}

void th_table_cell(FILE *out, const char *s, int w) { cell(out, s, w, 1); }

void th_table_text(FILE *out, const char *s, int w) { cell(out, s, w, 0); }
