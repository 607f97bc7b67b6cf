/* i18n.h -- message catalogues (gettext, domain "tonghop").
 *
 * Every text a user reads goes through _(). The language is Vietnamese unless
 * TONGHOP_LANG (or the --lang option, via th_i18n_set_lang) says otherwise;
 * it works on a machine with only the C.UTF-8 locale, because the program
 * picks a UTF-8 locale and the language itself instead of relying on a
 * generated vi_VN locale. */
#ifndef TH_I18N_H
#define TH_I18N_H

#include <libintl.h>

#define _(s) gettext(s)
#define N_(s) (s)

/* Sets up the catalogue. argv0 helps find the build tree's catalogues. */
void th_i18n_init(const char *argv0);

/* Switches the language: "vi" or "en" (anything gettext knows). */
void th_i18n_set_lang(const char *lang);

/* The language in effect: "vi" or "en". */
const char *th_i18n_lang(void);

#endif
