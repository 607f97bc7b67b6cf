/* keyfile.h -- CURVE key pairs in files (tonghop keygen, tonghopd keygen).
 *
 * A key file holds one key pair as two lines, "public = Z85" and
 * "secret = Z85" (40 characters each), '#' comments allowed. A file with a
 * secret key is written with mode 0600 and refused when group or others can
 * read it: a key that others could copy is no proof of who sends. */
#ifndef TH_KEYFILE_H
#define TH_KEYFILE_H

#include <stddef.h>

#define TH_KEY_Z85_LEN 40

typedef struct th_keypair {
    char public_key[TH_KEY_Z85_LEN + 1];
    char secret_key[TH_KEY_Z85_LEN + 1];
} th_keypair;

/* A new key pair, written to path (which must not exist yet) with mode
 * 0600. Returns 0, or -1 with the reason in err. */
int th_keyfile_generate(const char *path, th_keypair *kp, char *err, size_t errlen);

/* Reads a key pair; refuses a file readable by group or others. Returns 0,
 * or -1 with the reason in err. */
int th_keyfile_read(const char *path, th_keypair *kp, char *err, size_t errlen);

/* True for 40 characters of the Z85 alphabet that decode to a key. */
int th_key_valid(const char *z85);

#endif
