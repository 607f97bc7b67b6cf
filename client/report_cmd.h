/* report_cmd.h -- `tonghop report` and `tonghop export`.
 *
 *   tonghop report --plan CODE --period 2025|2025Q3 [--unit CODE] [--by-child]
 *                  [--format table|csv|json|html|official] [--output FILE]
 *                  [--issuer-body T] [--number T] [--to T] [--place T] [--signer-title T]
 *                  [--signer-name T]          (official: the document's own lines)
 *   tonghop export --plan CODE --period 2025Q3 [--unit CODE] --format adx|dhis2 [--output FILE]
 *
 * The server sends the report as JSON ("tonghop-report/1"); every format is
 * made from it here. The official document goes to a PDF when FILE ends in
 * .pdf (headless Chromium prints it: pdf_print.h). */
#ifndef TH_REPORT_CMD_H
#define TH_REPORT_CMD_H

#include "report_official.h"
#include "transport.h"

typedef struct th_report_args {
    const char *plan;
    const char *period;
    const char *unit; /* NULL: the plan's issuer */
    int by_child;
    int approved_only;  /* only approved results (tonghop approve) */
    const char *format; /* table, csv, json, html, official, adx, dhis2 */
    const char *output; /* NULL: standard output */
    th_official_opts official;
} th_report_args;

int th_report_cmd_run(th_transport *tc, const th_report_args *a);

#endif
