/* table.h -- aligned text columns for the terminal, counting characters
 * (Vietnamese letters are several bytes each in UTF-8, one column wide). */
#ifndef TH_TABLE_H
#define TH_TABLE_H

#include <stdio.h>

/* Display width of UTF-8 text: one column per code point. */
int th_table_width(const char *s);

/* Prints s in a column of width w: padded with spaces, or cut with "…" when
 * longer. Never splits a UTF-8 sequence. */
void th_table_cell(FILE *out, const char *s, int w);

/* Like th_table_cell without the padding: for the last column. */
void th_table_text(FILE *out, const char *s, int w);

#endif
