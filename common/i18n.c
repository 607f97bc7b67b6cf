/* i18n.c -- locale and catalogue selection.
 *
 * gettext ignores LANGUAGE in the C locale, and a fresh Debian machine has no
 * vi_VN locale, so: use the environment's locale when it is UTF-8, else
 * C.UTF-8, and choose the language through LANGUAGE ourselves. */
#include "i18n.h"

#include <langinfo.h>
#include <limits.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef TH_LOCALEDIR
#define TH_LOCALEDIR "/usr/local/share/locale"
#endif

static char current_lang[16] = "vi";

static void copy_str(char *out, size_t size, const char *s)
{
    size_t n = strlen(s);
    if (n >= size) n = size - 1;
    memcpy(out, s, n);
    out[n] = '\0';
}

static int is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The build tree keeps catalogues in <build>/locale; binaries live in
 * <build>/server and <build>/client. */
static void find_localedir(const char *argv0, char *out, size_t size)
{
    const char *env = getenv("TONGHOP_LOCALEDIR");
    if (env && *env) {
        copy_str(out, size, env);
        return;
    }
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0 && argv0) {
        copy_str(exe, sizeof exe, argv0);
        n = (ssize_t)strlen(exe);
    }
    if (n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            char cand[PATH_MAX + 32];
            snprintf(cand, sizeof cand, "%s/../locale", exe);
            if (is_dir(cand)) {
                copy_str(out, size, cand);
                return;
            }
            snprintf(cand, sizeof cand, "%s/../share/locale", exe);
            if (is_dir(cand)) {
                copy_str(out, size, cand);
                return;
            }
        }
    }
    copy_str(out, size, TH_LOCALEDIR);
}

void th_i18n_set_lang(const char *lang)
{
    if (!lang || !*lang) return;
    /* Accept "vi", "vi_VN", "vi_VN.UTF-8", "en", "en_US"... keep the language. */
    size_t n = strcspn(lang, "_.@:");
    if (n == 0 || n >= sizeof current_lang) return;
    memcpy(current_lang, lang, n);
    current_lang[n] = '\0';
    setenv("LANGUAGE", current_lang, 1);
    /* gettext caches translations; changing LANGUAGE needs this nudge. */
    textdomain(textdomain(NULL));
}

const char *th_i18n_lang(void) { return current_lang; }

void th_i18n_init(const char *argv0)
{
    const char *loc = setlocale(LC_ALL, "");
    if (!loc || strcmp(nl_langinfo(CODESET), "UTF-8") != 0) {
        if (!setlocale(LC_ALL, "C.UTF-8")) setlocale(LC_ALL, "C.utf8");
    }
    /* Numbers are always written the same way (decimal point), whatever the
     * locale: files and the wire depend on it. */
    setlocale(LC_NUMERIC, "C");

    char dir[PATH_MAX];
    find_localedir(argv0, dir, sizeof dir);
    bindtextdomain("tonghop", dir);
    bind_textdomain_codeset("tonghop", "UTF-8");
    textdomain("tonghop");

    const char *lang = getenv("TONGHOP_LANG");
    th_i18n_set_lang(lang && *lang ? lang : "vi");
}
