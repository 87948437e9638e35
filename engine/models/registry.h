/* registry: the list of every model the workbench knows (model.h declares
 * model_lookup() and model_all(); registry.c defines them). */
#ifndef RF_REGISTRY_H
#define RF_REGISTRY_H

#include "engine/models/model.h"

extern const model_ops model_pop_ops, model_itemknn_ops, model_baseline_ops, model_mf_ops, model_svdpp_ops, model_als_ops, model_bpr_ops, model_ease_ops, model_neural_ops,
    model_gru4rec_ops;

/* "name" or "name (unknown ...)": the names of all models, comma-joined,
 * for error messages; buf gets at most n bytes. */
void model_names(char *buf, size_t n);

#endif
