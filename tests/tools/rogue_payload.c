/*
 * rogue_payload.c - entry payloads built by hand with libcbor, field by field
 * as entry.h lays them out, for the attacks that need a payload entry.c
 * would never encode (text that is not UTF-8). Deterministic encoding (RFC
 * 8949 section 4.2.1: shortest integers, keys in order), as entry.c writes.
 */
#include "rogue.h"

#include <stdio.h>
#include <string.h>
#include <cbor.h>

#include "clock.h"

/* Adds key: value to map, consuming value; 0 or -1. */
static int put(cbor_item_t *map, uint8_t key, cbor_item_t *value)
{
	cbor_item_t *k = cbor_build_uint8(key);
	int ok = k != NULL && value != NULL &&
	    cbor_map_add(map, (struct cbor_pair){.key = k, .value = value});

	if (k != NULL)
		cbor_decref(&k);
	if (value != NULL)
		cbor_decref(&value);
	return ok ? 0 : -1;
}

/* An unsigned integer in its shortest form (RFC 8949 section 4.2.1). */
static cbor_item_t *uint_item(uint64_t v)
{
	if (v <= UINT8_MAX)
		return cbor_build_uint8((uint8_t)v);
	if (v <= UINT16_MAX)
		return cbor_build_uint16((uint16_t)v);
	if (v <= UINT32_MAX)
		return cbor_build_uint32((uint32_t)v);
	return cbor_build_uint64(v);
}

int rogue_payload_build(const struct lia_entry *e, const char *text, size_t text_len,
    uint8_t **out, size_t *len)
{
	cbor_item_t *map = cbor_new_definite_map(8);
	char when[LIA_TIME_LEN];
	size_t cap = 0;
	int bad;

	if (map == NULL)
		return -1;
	lia_time_format(e->time_ms, when);
	bad = put(map, 0, uint_item((uint64_t)e->type)) | put(map, 1, cbor_build_string(e->origin)) |
	    put(map, 2, uint_item(e->seq)) | put(map, 3, cbor_build_string(when)) |
	    put(map, 4, cbor_build_string(e->to)) | put(map, 5, uint_item((uint64_t)e->precedence)) |
	    put(map, 6, cbor_build_string(e->lang)) | put(map, 7, cbor_build_stringn(text, text_len));
	*out = NULL;
	*len = bad ? 0 : cbor_serialize_alloc(map, out, &cap);
	cbor_decref(&map);
	return *len > 0 ? 0 : -1;
}

int rogue_payload_accepted(const uint8_t *payload, size_t len, const char *label)
{
	char why[LIA_ERR_LEN] = "";
	struct lia_entry e;
	int ok;

	memset(&e, 0, sizeof(e));
	ok = lia_entry_decode(payload, len, &e, why) == 0;
	lia_entry_finish(&e);
	if (!ok)
		printf("%s: entry.c refuses it: %s\n", label, why);
	return ok;
}
