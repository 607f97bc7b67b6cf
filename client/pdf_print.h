/* pdf_print.h -- an HTML file printed to PDF by headless Chromium.
 *
 * The browser is TONGHOP_CHROMIUM when set (a path, or a name looked up on
 * PATH), else `chromium` on PATH. It runs without a shell, with a
 * throw-away profile in a temporary directory (removed afterwards), its
 * output discarded, and is killed (with its children) after two minutes. */
#ifndef TH_PDF_PRINT_H
#define TH_PDF_PRINT_H

#include <stddef.h>
#include <stdio.h>

enum {
    TH_PDF_OK = 0,
    TH_PDF_NO_BROWSER = 1, /* no Chromium to run: install it */
    TH_PDF_FAILED = 2      /* it ran and made no PDF, or a file could not be written */
};

/* Prints html_path (a file) to pdf_path. Returns TH_PDF_OK, or another
 * TH_PDF_ value with the reason, in the user's language, in err. */
int th_pdf_print(const char *html_path, const char *pdf_path, char *err, size_t errlen);

/* Writes what fill writes (0, or -1) to a temporary HTML file, prints it to
 * pdf_path and removes it. Returns as th_pdf_print; TH_PDF_FAILED when fill
 * fails (err then empty). */
int th_pdf_print_with(int (*fill)(FILE *html, void *ctx), void *ctx, const char *pdf_path, char *err,
                      size_t errlen);

#endif
