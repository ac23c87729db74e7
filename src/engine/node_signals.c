/*
 * node_signals.c - the node's signal catalogue applied to entries: every
 * code and value of a signal checked (for signals made here and signals
 * received alike), rendered for display, and put in the narrow form that
 * fits a datagram (docs/wire.md).
 */
#include "node_internal.h"

#include <stdio.h>
#include <string.h>

#include "err.h"

/* sg's catalogue entry, by number or code (both must agree when both are given); -1 or LIA_ENOTFOUND with err. */
static int signal_def(struct lia_node *n, const struct lia_entry_signal *sg,
    const struct lia_signal **def, char *err)
{
	if (n->signals == NULL) {
		lia_err_set(err, "node %s has no signal catalogue (%s is absent): signals are refused",
		    n->self->name, n->cfg.signals_path);
		return -1;
	}
	*def = sg->number != 0 ? lia_signal_find_number(n->signals, sg->number) :
	    lia_signal_find(n->signals, sg->code);
	if (*def == NULL && sg->number != 0) {
		lia_err_set(err, "unknown signal number %u", sg->number);
		return LIA_ENOTFOUND;
	}
	if (*def == NULL) {
		lia_err_set(err, "unknown signal code \"%s\"", sg->code);
		return LIA_ENOTFOUND;
	}
	if (sg->number != 0 && sg->code[0] != '\0' && strcmp(sg->code, (*def)->code) != 0) {
		lia_err_set(err, "signal number %u is %s in our catalogue, not %s", sg->number,
		    (*def)->code, sg->code);
		return -1;
	}
	return 0;
}

/*
 * The catalogue's parameter names for sg's values, in order, into args, numbers written back
 * as text into vals (see lia_signal_value_unpack); -1 with err when they do not match.
 */
static int signal_args(struct lia_node *n, const struct lia_entry_signal *sg,
    const struct lia_signal **def, struct lia_signal_arg args[LIA_SIGNAL_PARAMS_MAX],
    char vals[LIA_SIGNAL_PARAMS_MAX][LIA_SIGNAL_VALUE_MAX + 1], char *err)
{
	int rc = signal_def(n, sg, def, err);

	if (rc != 0)
		return rc;
	if ((*def)->nparams != sg->nparams) {
		lia_err_set(err, "signal %s takes %zu parameter%s, not %zu", (*def)->code,
		    (*def)->nparams, (*def)->nparams == 1 ? "" : "s", sg->nparams);
		return -1;
	}
	for (size_t i = 0; i < sg->nparams; i++) {
		args[i].name = (*def)->params[i].name;
		args[i].value = sg->params[i];
		if (sg->is_num[i] && lia_signal_value_unpack(*def, i, sg->num[i], vals[i],
		    sizeof(vals[i]), err) != 0)
			return -1;
		if (sg->is_num[i])
			args[i].value = vals[i];
	}
	return 0;
}

int lia_node_check_signals(struct lia_node *n, const struct lia_entry *e, char *err)
{
	struct lia_signal_arg args[LIA_SIGNAL_PARAMS_MAX];
	char vals[LIA_SIGNAL_PARAMS_MAX][LIA_SIGNAL_VALUE_MAX + 1];
	const struct lia_signal *def = NULL;
	int rc = 0;

	for (size_t i = 0; i < e->nsignals && rc == 0; i++) {
		rc = signal_args(n, &e->signals[i], &def, args, vals, err);
		if (rc == 0)
			rc = lia_signal_check(n->signals, def->code, args, e->signals[i].nparams, err);
	}
	return rc;
}

const char *lia_node_signal_code(struct lia_node *n, unsigned number)
{
	const struct lia_signal *def = n->signals != NULL ?
	    lia_signal_find_number(n->signals, number) : NULL;

	return def != NULL ? def->code : NULL;
}

int lia_node_render_signal(struct lia_node *n, const struct lia_entry_signal *sg,
    enum lia_signal_lang lang, char *out, size_t cap, char *err)
{
	struct lia_signal_arg args[LIA_SIGNAL_PARAMS_MAX];
	char vals[LIA_SIGNAL_PARAMS_MAX][LIA_SIGNAL_VALUE_MAX + 1];
	const struct lia_signal *def = NULL;
	int rc = signal_args(n, sg, &def, args, vals, err);

	if (rc == 0)
		rc = lia_signal_render(n->signals, def->code, lang, args, sg->nparams, out, cap, err);
	return rc;
}

/* Puts checked signals in the narrow form (docs/wire.md): catalogue numbers, numeric values as uints. */
void lia_node_narrow_signals(struct lia_node *n, struct lia_entry *e)
{
	char ignored[LIA_ERR_LEN];
	const struct lia_signal *def;
	unsigned long num;

	e->narrow = 1;
	for (size_t i = 0; i < e->nsignals; i++) {
		struct lia_entry_signal *sg = &e->signals[i];

		if (signal_def(n, sg, &def, ignored) != 0)
			continue; /* checked before: cannot happen */
		sg->number = def->number;
		for (size_t j = 0; j < sg->nparams; j++)
			if (def->params[j].type != LIA_SIGNAL_TEXT &&
			    lia_signal_value_pack(def, j, sg->params[j], &num, ignored) == 0) {
				sg->is_num[j] = 1;
				sg->num[j] = (uint32_t)num;
			}
	}
}

