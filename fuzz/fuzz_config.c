/*
 * fuzz_config.c - libFuzzer target for lia_config_parse.
 *
 * On success the result must be usable as is: a valid node name, a loopback
 * API address with a port, a heartbeat in range. On failure the sentence must
 * name the file.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "err.h"
#include "text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lia_config cfg;
	char err[LIA_ERR_LEN] = "";

	if (lia_config_parse("fuzz", (const char *)data, size, "/var/lib/liaison/node", &cfg, err) == 0) {
		if (!lia_name_valid(cfg.node) ||
		    cfg.heartbeat_ms < 50 || cfg.heartbeat_ms > 3600000 ||
		    (cfg.listen_host[0] == '\0') != (cfg.listen_port[0] == '\0') ||
		    cfg.charter_path[0] == '\0')
			abort();
	} else if (strncmp(err, "fuzz:", 5) != 0) {
		abort(); /* an error that does not name the file */
	}
	return 0;
}
