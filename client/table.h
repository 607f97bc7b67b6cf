/* table.h -- aligned text columns for the terminal, measured in display
 * columns: a Vietnamese letter is several bytes in UTF-8 and one column on
 * screen, whether written precomposed ("ệ", U+1EC7) or as a base letter with
 * combining marks ("e" U+0065, U+0323, U+0302: the marks take no column).
 *
 * Widths come from wcwidth(3), which needs a UTF-8 LC_CTYPE: th_i18n_init
 * (common/i18n.c) sets the environment's locale when it is UTF-8 and
 * C.UTF-8 otherwise. The text is decoded as UTF-8 whatever the locale. */
#ifndef TH_TABLE_H
#define TH_TABLE_H

#include <stdio.h>

/* Display width of UTF-8 text: wcwidth of each character (combining marks
 * 0, wide CJK 2, others 1). A byte that is not valid UTF-8 counts 1;
 * control characters count 0. */
int th_table_width(const char *s);

/* Prints s in a column of width w: padded with spaces, or cut with "…" when
 * wider (the "…" included, it fills w columns at most). Never splits a
 * UTF-8 sequence, and keeps a letter's combining marks with it. */
void th_table_cell(FILE *out, const char *s, int w);

/* Like th_table_cell without the padding: for the last column. */
void th_table_text(FILE *out, const char *s, int w);

#endif
