/*
 * api_limits.h - the limits of the HTTP JSON API that its server (api/) and
 * its clients (the CLI) both hold to.
 */
#ifndef LIA_API_LIMITS_H
#define LIA_API_LIMITS_H

#define LIA_API_BODY_MAX (64 * 1024)  /* largest request body */
#define LIA_API_LIST_DEFAULT 50       /* messages listed when no limit is given */
#define LIA_API_LIST_MAX 100000       /* most messages one listing returns; a larger limit is read as this */

#endif
