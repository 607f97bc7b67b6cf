/* table.c -- aligned text columns. */
#include "table.h"

#include <string.h>

int th_table_width(const char *s)
{
    int w = 0;
    for (; s && *s; s++)
        if (((unsigned char)*s & 0xc0) != 0x80) w++;
    return w;
}

static void cell(FILE *out, const char *s, int w, int pad)
{
    if (!s) s = "";
    int width = th_table_width(s);
    if (width <= w) {
        fputs(s, out);
        for (int i = width; pad && i < w; i++)
            fputc(' ', out);
        return;
    }
    /* Keep w-1 characters, then an ellipsis. */
    int kept = 0;
    const char *p = s;
    while (*p) {
        if (((unsigned char)*p & 0xc0) != 0x80) {
            if (kept == w - 1) break;
            kept++;
        }
        p++;
    }
    fwrite(s, 1, (size_t)(p - s), out);
    fputs("…", out);
}

void th_table_cell(FILE *out, const char *s, int w) { cell(out, s, w, 1); }

void th_table_text(FILE *out, const char *s, int w) { cell(out, s, w, 0); }
