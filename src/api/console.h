/*
 * console.h - the operator console's own listener: the web console's static
 * assets, operator sign-in and sessions, and the API's routes (api.c's one
 * table) behind them, on `console ADDR:PORT` of liaisond.conf.
 *
 * On loopback it speaks HTTP; on any other address HTTPS only, with
 * console.crt and console.key of the node directory (ECDSA P-256, issued by
 * `liaison console cert`; browsers refuse Ed25519). Paths:
 *   GET  / and the built assets        index.html, app.js, app.css, vendor/, world.json
 *   POST /console/login                {"operator","password"} -> session cookie, {"operator","role","lang","csrf"}
 *   POST /console/logout               ends the session
 *   GET  /console/me                   who is signed in, with the CSRF token
 *   POST /console/lang                 {"lang"} the operator's console language
 *   GET  /console/audit                the audit (supervisor and auditor)
 *   /v1/...                            the API with the session's operator (CSRF on POST;
 *                                      an auditor may only read)
 * Every answer carries a strict Content-Security-Policy (default-src 'self',
 * no inline script) and no-store caching of JSON.
 */
#ifndef LIA_CONSOLE_H
#define LIA_CONSOLE_H

#include <event2/event.h>

#include "api.h"
#include "config.h"
#include "console_events.h"
#include "node.h"

struct lia_console;

/*
 * Serves the console of node on cfg's console address, with api's routes
 * (borrowed) and events' feed (borrowed); assets from cfg->console_web, else
 * webroot_default. *out caller frees (lia_console_stop).
 */
int lia_console_start(struct lia_node *node, struct lia_api *api,
    struct lia_console_events *events, struct event_base *base, const struct lia_config *cfg,
    const char *webroot_default, struct lia_console **out, char *err);

/* Stops serving, wipes the sessions and frees; NULL is fine. */
void lia_console_stop(struct lia_console *c);

#endif
