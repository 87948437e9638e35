/* registry: every model, in the order `help train` and the views list them. */
#include "engine/models/registry.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

static const model_ops *const all_models[] = {
	&model_pop_ops,
	&model_itemknn_ops,
	&model_baseline_ops,
	&model_mf_ops,
	&model_svdpp_ops,
	&model_als_ops,
	&model_bpr_ops,
	&model_ease_ops,
	&model_neural_ops,
	&model_gru4rec_ops,
	NULL
};

const model_ops *const *
model_all(void)
{
	return all_models;
}

const model_ops *
model_lookup(const char *name)
{
	for (int k = 0; all_models[k]; k++)
		if (strcasecmp(all_models[k]->name, name) == 0)
			return all_models[k];
	return NULL;
}

void
model_names(char *buf, size_t n)
{
	size_t len = 0;

	if (n == 0)
		return;
	buf[0] = '\0';
	for (int k = 0; all_models[k] && len < n; k++)
		len += (size_t)snprintf(buf + len, n - len, "%s%s",
		    k ? ", " : "", all_models[k]->name);
}
