/*
 * fuzz_charter.c - libFuzzer target for lia_charter_parse.
 *
 * At start-up it makes a scratch directory with real party CAs (japan,
 * china, korea: japan/ca.crt and so on), so charters that name them get past
 * the CA checks and the fuzzer reaches node lines, limits and recipients. On
 * success every recipient expansion is exercised; on failure the sentence
 * must name the file, as every charter error does.
 */
#include <ftw.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cert.h"
#include "charter.h"
#include "err.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char basedir[4096];

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st; (void)flag; (void)ftw;
	return remove(path);
}

static void cleanup(void)
{
	nftw(basedir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const char *const parties[] = { "japan", "china", "korea" };
	const char *tmp = getenv("TMPDIR");
	char dir[4200], err[LIA_ERR_LEN];

	(void)argc; (void)argv;
	snprintf(basedir, sizeof(basedir), "%s/lia-fuzz-charter-XXXXXX", tmp ? tmp : "/tmp");
	if (mkdtemp(basedir) == NULL) {
		perror(basedir);
		abort();
	}
	atexit(cleanup);
	for (size_t i = 0; i < sizeof(parties) / sizeof(parties[0]); i++) {
		snprintf(dir, sizeof(dir), "%s/%s", basedir, parties[i]);
		if (lia_cert_create_party(dir, parties[i], err) != 0) {
			fprintf(stderr, "%s\n", err);
			abort();
		}
	}
	return 0;
}

/* Expands every party and node as a recipient, from every node. */
static void exercise(const struct lia_charter *c)
{
	const struct lia_node_def *out[LIA_MAX_NODES];
	char err[LIA_ERR_LEN];
	int n;

	for (int s = 0; s < c->n_nodes; s++) {
		const char *self = c->nodes[s].name;
		for (int i = 0; i < c->n_parties; i++)
			if (lia_charter_recipients(c, c->parties[i].name, self, out, LIA_MAX_NODES, &n, err) == 0)
				for (int k = 0; k < n; k++)
					if (strcmp(out[k]->name, self) == 0 || out[k]->role != LIA_ROLE_STATION)
						abort();
		for (int i = 0; i < c->n_nodes; i++)
			if ((lia_charter_recipients(c, c->nodes[i].name, self, out, 1, &n, err) == 0) != (i != s))
				abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lia_charter *c = NULL;
	char err[LIA_ERR_LEN] = "";

	if (lia_charter_parse("fuzz", (const char *)data, size, basedir, &c, err) == 0) {
		if (c->n_parties < 1 || c->n_parties > LIA_MAX_PARTIES || c->n_nodes > LIA_MAX_NODES)
			abort();
		exercise(c);
	} else if (strncmp(err, "fuzz:", 5) != 0) {
		abort(); /* an error that does not name the file */
	}
	lia_charter_free(c);
	return 0;
}
