/* pdf_print.c -- an HTML file printed to PDF by headless Chromium
 * (pdf_print.h). */
#define _GNU_SOURCE /* mkdtemp, nftw */
#include "pdf_print.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "i18n.h"

extern char **environ;

#define TH_PDF_TIMEOUT_S 120

/* The browser to run, into path: TONGHOP_CHROMIUM (a path, or a name on
 * PATH) or chromium on PATH. Returns 0, or -1 with the name it looked for
 * in path. */
static int find_browser(char *path, size_t size)
{
    const char *name = getenv("TONGHOP_CHROMIUM");
    if (!name || !*name) name = "chromium";
    snprintf(path, size, "%s", name);
    if (strchr(name, '/')) return access(name, X_OK) == 0 ? 0 : -1;
    const char *dirs = getenv("PATH");
    if (!dirs || !*dirs) dirs = "/usr/local/bin:/usr/bin:/bin";
    while (*dirs) {
        size_t n = strcspn(dirs, ":");
        char cand[4096];
        if (n > 0 && snprintf(cand, sizeof cand, "%.*s/%s", (int)n, dirs, name) < (int)sizeof cand &&
            access(cand, X_OK) == 0) {
            snprintf(path, size, "%s", cand);
            return 0;
        }
        dirs += n + (dirs[n] == ':');
    }
    return -1;
}

/* "file://" and the absolute path, percent-encoding what a URL path cannot
 * carry as is. */
static void file_url(const char *path, char *buf, size_t size)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t k = (size_t)snprintf(buf, size, "file://");
    for (const unsigned char *s = (const unsigned char *)path; *s && k + 4 < size; s++) {
        if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
            strchr("/-._~", *s)) {
            buf[k++] = (char)*s;
        } else {
            buf[k++] = '%';
            buf[k++] = hex[*s >> 4];
            buf[k++] = hex[*s & 15];
        }
    }
    buf[k] = '\0';
}

/* Runs argv[0] in its own process group, its output discarded, for at
 * most TH_PDF_TIMEOUT_S seconds; then kills what is left of the group.
 * Returns the wait status, or -1 (errno set) when it could not start, or -2
 * on the timeout. */
static int run(char *const argv[])
{
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t at;
    if (posix_spawn_file_actions_init(&fa) != 0) return -1;
    if (posix_spawnattr_init(&at) != 0) {
        posix_spawn_file_actions_destroy(&fa);
        return -1;
    }
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    posix_spawnattr_setpgroup(&at, 0);
    posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP);
    pid_t pid;
    int e = posix_spawn(&pid, argv[0], &fa, &at, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&at);
    if (e != 0) {
        errno = e;
        return -1;
    }
    int timed_out = 1;
    for (int i = 0; i < TH_PDF_TIMEOUT_S * 10; i++) {
        siginfo_t info;
        memset(&info, 0, sizeof info);
        /* exited, but not reaped yet: its process group id stays ours */
        if (waitid(P_PID, (id_t)pid, &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid == pid) {
            timed_out = 0;
            break;
        }
        struct timespec ts = {0, 100 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    kill(-pid, SIGKILL); /* the renderer and the rest, or all on the timeout */
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    return timed_out ? -2 : status;
}

/* Whether path starts like a PDF. */
static int is_pdf(const char *path)
{
    char head[5] = {0};
    FILE *f = fopen(path, "rb");
    if (!f) return 0;
    size_t n = fread(head, 1, sizeof head, f);
    fclose(f);
    return n == sizeof head && !memcmp(head, "%PDF-", 5);
}

static int copy_file(const char *from, const char *to)
{
    FILE *in = fopen(from, "rb"), *out = in ? fopen(to, "wb") : NULL;
    char buf[65536];
    size_t n;
    int rc = in && out ? 0 : -1;
    while (rc == 0 && (n = fread(buf, 1, sizeof buf, in)) > 0)
        if (fwrite(buf, 1, n, out) != n) rc = -1;
    if (in && ferror(in)) rc = -1;
    int saved = errno;
    if (in) fclose(in);
    if (out && fclose(out) != 0) rc = -1;
    if (rc != 0 && out) unlink(to);
    if (rc != 0) errno = saved ? saved : EIO;
    return rc;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    remove(path);
    return 0;
}

int th_pdf_print(const char *html_path, const char *pdf_path, char *err, size_t errlen)
{
    char browser[4096];
    err[0] = '\0';
    if (find_browser(browser, sizeof browser) != 0) {
        snprintf(err, errlen,
                 _("cannot make the PDF: %s was not found; install Chromium (apt-get install chromium) or "
                   "set TONGHOP_CHROMIUM to the browser's path"),
                 browser);
        return TH_PDF_NO_BROWSER;
    }
    /* Chromium writes into a directory of ours: its profile and the PDF,
     * copied to pdf_path only when whole. */
    const char *tmp = getenv("TMPDIR");
    char dir[4096], profile[4200], out_pdf[4200], url[12288], abs_html[4096];
    snprintf(dir, sizeof dir, "%s/tonghop-pdf.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir)) {
        snprintf(err, errlen, _("cannot make the PDF: %s: %s"), dir, strerror(errno));
        return TH_PDF_FAILED;
    }
    snprintf(profile, sizeof profile, "--user-data-dir=%s/profile", dir);
    snprintf(out_pdf, sizeof out_pdf, "%s/report.pdf", dir);
    if (html_path[0] != '/' && getcwd(abs_html, sizeof abs_html - strlen(html_path) - 2)) {
        strcat(abs_html, "/");
        strcat(abs_html, html_path);
    } else {
        snprintf(abs_html, sizeof abs_html, "%s", html_path);
    }
    file_url(abs_html, url, sizeof url);
    char print_to[4300];
    snprintf(print_to, sizeof print_to, "--print-to-pdf=%s", out_pdf);
    char *argv[] = {browser,
                    "--headless",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--no-first-run",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    profile,
                    "--no-pdf-header-footer",
                    print_to,
                    url,
                    NULL};
    int rc = TH_PDF_OK, status = run(argv);
    if (status == -1) {
        snprintf(err, errlen, _("cannot make the PDF: cannot run %s: %s"), browser, strerror(errno));
        rc = TH_PDF_NO_BROWSER;
    } else if (status == -2) {
        snprintf(err, errlen, _("cannot make the PDF: %s did not finish within %d seconds"), browser,
                 TH_PDF_TIMEOUT_S);
        rc = TH_PDF_FAILED;
    } else if (!is_pdf(out_pdf)) {
        if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
            snprintf(err, errlen, _("cannot make the PDF: %s failed (exit status %d)"), browser,
                     WEXITSTATUS(status));
        else
            snprintf(err, errlen, _("cannot make the PDF: %s wrote no PDF"), browser);
        rc = TH_PDF_FAILED;
    } else if (copy_file(out_pdf, pdf_path) != 0) {
        snprintf(err, errlen, _("cannot make the PDF: %s: %s"), pdf_path, strerror(errno));
        rc = TH_PDF_FAILED;
    }
    /* The directory and everything Chromium left in it. */
    nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    return rc;
}

int th_pdf_print_with(int (*fill)(FILE *html, void *ctx), void *ctx, const char *pdf_path, char *err,
                      size_t errlen)
{
    const char *tmp = getenv("TMPDIR");
    char path[4096];
    err[0] = '\0';
    snprintf(path, sizeof path, "%s/tonghop-report.XXXXXX.html", tmp && *tmp ? tmp : "/tmp");
    int fd = mkstemps(path, 5);
    if (fd < 0) {
        snprintf(err, errlen, _("cannot make the PDF: %s: %s"), path, strerror(errno));
        return TH_PDF_FAILED;
    }
    FILE *f = fdopen(fd, "w");
    if (!f) {
        snprintf(err, errlen, _("cannot make the PDF: %s: %s"), path, strerror(errno));
        close(fd);
        unlink(path);
        return TH_PDF_FAILED;
    }
    int filled = fill(f, ctx);
    if (fclose(f) != 0 && filled == 0) {
        snprintf(err, errlen, _("cannot make the PDF: %s: %s"), path, strerror(errno));
        filled = -2;
    }
    int rc = filled == 0 ? th_pdf_print(path, pdf_path, err, errlen) : TH_PDF_FAILED;
    unlink(path);
    return rc;
}
