/*
 * api_secret.c - wiping a request that carried a password (operator add,
 * password change, console login): the raw body in evhttp's input buffer and
 * jansson's copy of the "password" string are zeroed once the handler is done.
 */
#include <string.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <jansson.h>
#include <sodium.h>

#include "api_internal.h"

void lia_api_wipe_password(struct evhttp_request *req, json_t *body)
{
	struct evbuffer *in = evhttp_request_get_input_buffer(req);
	size_t len = evbuffer_get_length(in);
	json_t *pw = json_object_get(body, "password");

	if (len > 0)
		sodium_memzero(evbuffer_pullup(in, -1), len);
	evbuffer_drain(in, len);
	/* jansson's strings are its own heap copies; the cast only drops const to wipe them. */
	if (json_is_string(pw))
		sodium_memzero((char *)json_string_value(pw), json_string_length(pw));
}
