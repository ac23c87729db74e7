/*
 * token.h - the bearer token of a node's API, kept in the node directory as
 * api.token (0600). The daemon creates it; the CLI only reads it.
 */
#ifndef LIA_TOKEN_H
#define LIA_TOKEN_H

#define LIA_TOKEN_LEN 64 /* hex characters */

/*
 * Reads dir/api.token without ever creating it (for the CLI): LIA_ENOTFOUND
 * when absent; refuses a file that group or others may access, or that does
 * not hold LIA_TOKEN_LEN hex characters. Errors name the file.
 */
int lia_token_read(const char *dir, char token[LIA_TOKEN_LEN + 1], char *err);

/*
 * Reads dir/api.token, creating it (0600, O_EXCL, 32 random bytes as hex)
 * when absent; a token another process created meanwhile is read, never
 * replaced.
 */
int lia_token_get(const char *dir, char token[LIA_TOKEN_LEN + 1], char *err);

#endif
