/*
 * fuzz_wire.c - libFuzzer target for lia_wire_decode and lia_wire_length.
 *
 * The input is a frame body without its prefix; its first four bytes are
 * also read as a prefix. Properties: a decoded frame encodes again, its
 * prefix reads back as its body length, and that body decodes to the same
 * frame.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int same_frame(const struct lia_frame *a, const struct lia_frame *b)
{
	return a->kind == b->kind && a->version == b->version &&
	    memcmp(a->charter_hash, b->charter_hash, 32) == 0 &&
	    strcmp(a->node, b->node) == 0 && a->seq == b->seq && a->prev == b->prev &&
	    a->cose_len == b->cose_len &&
	    (a->cose_len == 0 || memcmp(a->cose, b->cose, a->cose_len) == 0) &&
	    a->nonce == b->nonce && a->code == b->code && strcmp(a->text, b->text) == 0;
}

static void round_trip(const struct lia_frame *f)
{
	struct lia_frame again;
	char err[LIA_ERR_LEN] = "";
	uint8_t *out;
	size_t len;
	uint32_t body;

	if (lia_wire_encode(f, &out, &len, err) != 0 || lia_wire_length(out, &body, err) != 0 ||
	    body != len - LIA_FRAME_HEADER ||
	    lia_wire_decode(out + LIA_FRAME_HEADER, body, &again, err) != 0 ||
	    !same_frame(f, &again))
		abort();
	lia_frame_finish(&again);
	free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lia_frame f;
	char err[LIA_ERR_LEN] = "";
	uint32_t len;

	if (size >= LIA_FRAME_HEADER && lia_wire_length(data, &len, err) == 0 &&
	    (len == 0 || len > LIA_FRAME_MAX))
		abort();
	if (lia_wire_decode(data, size, &f, err) == 0)
		round_trip(&f);
	else if (err[0] == '\0' || f.cose != NULL)
		abort();
	lia_frame_finish(&f);
	return 0;
}
