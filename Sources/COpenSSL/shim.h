#ifndef WHEELHOUSE_COPENSSL_SHIM_H
#define WHEELHOUSE_COPENSSL_SHIM_H

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

/* The Swift side calls these few functions; the EVP context juggling and the GCM control
   codes stay here, where C's macros are at home. Each returns 1 on success, 0 on failure. */

/* AES-256-GCM with a 12-byte nonce and a 16-byte tag. */
static inline int wh_aes256gcm_seal(const unsigned char *key, const unsigned char *nonce,
                                    const unsigned char *aad, int aad_len,
                                    const unsigned char *plain, int plain_len,
                                    unsigned char *cipher_out, unsigned char *tag_out) {
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int ok = ctx != NULL, len = 0;
    ok = ok && EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, NULL, NULL) == 1;
    ok = ok && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, 12, NULL) == 1;
    ok = ok && EVP_EncryptInit_ex(ctx, NULL, NULL, key, nonce) == 1;
    ok = ok && (aad_len == 0 || EVP_EncryptUpdate(ctx, NULL, &len, aad, aad_len) == 1);
    ok = ok && (plain_len == 0 || EVP_EncryptUpdate(ctx, cipher_out, &len, plain, plain_len) == 1);
    ok = ok && EVP_EncryptFinal_ex(ctx, cipher_out + (plain_len == 0 ? 0 : len), &len) == 1;
    ok = ok && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, 16, tag_out) == 1;
    EVP_CIPHER_CTX_free(ctx);
    return ok;
}

static inline int wh_aes256gcm_open(const unsigned char *key, const unsigned char *nonce,
                                    const unsigned char *aad, int aad_len,
                                    const unsigned char *cipher, int cipher_len,
                                    const unsigned char *tag, unsigned char *plain_out) {
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int ok = ctx != NULL, len = 0;
    ok = ok && EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, NULL, NULL) == 1;
    ok = ok && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, 12, NULL) == 1;
    ok = ok && EVP_DecryptInit_ex(ctx, NULL, NULL, key, nonce) == 1;
    ok = ok && (aad_len == 0 || EVP_DecryptUpdate(ctx, NULL, &len, aad, aad_len) == 1);
    ok = ok && (cipher_len == 0 || EVP_DecryptUpdate(ctx, plain_out, &len, cipher, cipher_len) == 1);
    ok = ok && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, 16, (void *)tag) == 1;
    ok = ok && EVP_DecryptFinal_ex(ctx, plain_out + (cipher_len == 0 ? 0 : len), &len) == 1;
    EVP_CIPHER_CTX_free(ctx);
    return ok;
}

/* scrypt: OpenSSL's default memory cap (32 MiB) is below what N = 2^15, r = 8 needs. */
static inline int wh_scrypt(const char *password, size_t password_len,
                            const unsigned char *salt, size_t salt_len,
                            uint64_t n, uint64_t r, uint64_t p,
                            unsigned char *out, size_t out_len) {
    return EVP_PBE_scrypt(password, password_len, salt, salt_len, n, r, p,
                          64 * 1024 * 1024, out, out_len);
}

static inline int wh_hmac_sha256(const unsigned char *key, int key_len,
                                 const unsigned char *data, size_t data_len,
                                 unsigned char *out32) {
    unsigned int len = 32;
    return HMAC(EVP_sha256(), key, key_len, data, data_len, out32, &len) != NULL;
}

/* HMAC-SHA1: only for TOTP (RFC 6238), whose authenticator apps expect SHA-1. */
static inline int wh_hmac_sha1(const unsigned char *key, int key_len,
                               const unsigned char *data, size_t data_len,
                               unsigned char *out20) {
    unsigned int len = 20;
    return HMAC(EVP_sha1(), key, key_len, data, data_len, out20, &len) != NULL;
}

/// HMAC-SHA256 with the key's inner and outer digest states computed once: each use copies
/// them instead of setting the key up again (a tenth of one-shot HMAC's cost).
typedef struct { EVP_MD_CTX *inner; EVP_MD_CTX *outer; } wh_hmac_key;

static inline wh_hmac_key *wh_hmac_key_new(const unsigned char *key, size_t key_len) {
    if (key_len > 64) return NULL;
    unsigned char ipad[64], opad[64];
    for (size_t i = 0; i < 64; i++) {
        unsigned char k = i < key_len ? key[i] : 0;
        ipad[i] = k ^ 0x36;
        opad[i] = k ^ 0x5c;
    }
    wh_hmac_key *prepared = OPENSSL_zalloc(sizeof(wh_hmac_key));
    if (!prepared) return NULL;
    prepared->inner = EVP_MD_CTX_new();
    prepared->outer = EVP_MD_CTX_new();
    int ok = prepared->inner && prepared->outer
        && EVP_DigestInit_ex(prepared->inner, EVP_sha256(), NULL) && EVP_DigestUpdate(prepared->inner, ipad, 64)
        && EVP_DigestInit_ex(prepared->outer, EVP_sha256(), NULL) && EVP_DigestUpdate(prepared->outer, opad, 64);
    OPENSSL_cleanse(ipad, 64);
    OPENSSL_cleanse(opad, 64);
    if (!ok) {
        EVP_MD_CTX_free(prepared->inner);
        EVP_MD_CTX_free(prepared->outer);
        OPENSSL_free(prepared);
        return NULL;
    }
    return prepared;
}

static inline void wh_hmac_key_free(wh_hmac_key *prepared) {
    if (!prepared) return;
    EVP_MD_CTX_free(prepared->inner);
    EVP_MD_CTX_free(prepared->outer);
    OPENSSL_free(prepared);
}

static inline int wh_hmac_key_sign(const wh_hmac_key *prepared, const unsigned char *data, size_t data_len,
                                   unsigned char *out32) {
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    unsigned char inner[32];
    unsigned int len = 0;
    int ok = ctx
        && EVP_MD_CTX_copy_ex(ctx, prepared->inner) && EVP_DigestUpdate(ctx, data, data_len)
        && EVP_DigestFinal_ex(ctx, inner, &len)
        && EVP_MD_CTX_copy_ex(ctx, prepared->outer) && EVP_DigestUpdate(ctx, inner, 32)
        && EVP_DigestFinal_ex(ctx, out32, &len);
    EVP_MD_CTX_free(ctx);
    return ok;
}

#endif
