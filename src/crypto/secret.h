/* Secrets: session tokens (256 random bits, base64url, stored only as
 * SHA-256), Argon2id password hashes (libsodium), constant-time checks. */
#ifndef TC_SECRET_H
#define TC_SECRET_H

#include <stdbool.h>
#include <stddef.h>

#include "../core/err.h"

#define TC_TOKEN_LEN 43    /* base64url of 32 bytes, no padding */
#define TC_SHA256_HEX 65   /* 64 hex digits + NUL */
#define TC_PWHASH_LEN 128  /* crypto_pwhash_STRBYTES */

/* Call once before threads start. Returns -1 if libsodium cannot start. */
int tc_secret_init(void);

/* A fresh token in out[TC_TOKEN_LEN + 1]. */
void tc_token_new(char out[TC_TOKEN_LEN + 1]);
/* A one-time code: six uniformly random decimal digits in out[7]. */
void tc_otp_new(char out[7]);
/* n random bytes as lower-case hex in out[2n + 1]. */
void tc_random_hex(size_t n, char *out);
/* Constant-time equality of two NUL-terminated strings of equal length
 * (different lengths are simply unequal). */
bool tc_secret_equal(const char *a, const char *b);
/* Whether s has the shape of a token (length and alphabet). */
bool tc_token_wellformed(const char *s);
/* Lower-case hex SHA-256 of n bytes. */
void tc_sha256_hex(const void *p, size_t n, char out[TC_SHA256_HEX]);

/* SHA-256 over data given in pieces (files). */
struct tc_sha256;
struct tc_sha256 *tc_sha256_begin(void);
void tc_sha256_update(struct tc_sha256 *h, const void *p, size_t n);
/* Writes the hex digest and frees h. */
void tc_sha256_end(struct tc_sha256 *h, char out[TC_SHA256_HEX]);

/* Argon2id hash in out[TC_PWHASH_LEN]; -1 when out of memory. */
int tc_password_hash(const char *password, char out[TC_PWHASH_LEN]);
bool tc_password_verify(const char *hash, const char *password);
/* Spends the time of one verification, so a missing user answers as
 * slowly as a wrong password. */
void tc_password_burn(const char *password);

/* Wipes a buffer we held a secret in. */
void tc_wipe(void *p, size_t n);

#endif
