/* fuzz: what the libFuzzer harnesses of tests/fuzz/ share: the entry
 * point's prototype, the import options an input's first byte picks, and
 * the small dataset the model loaders read saved models against (the
 * same one gen_model_seeds.c saves them from). */
#ifndef RF_FUZZ_H
#define RF_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "engine/ingest/ingest.h"
#include "engine/models/external.h"
#include "engine/models/registry.h"
#include "engine/train/train.h"
#include "tests/lib/tinydata.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * The import an input's first byte asks for: bit 0 items or events; bits
 * 1-3 the format (auto or one named); bit 4 a column map, bit 5 a
 * delimiter, bit 6 a header setting, bit 7 behaviour weights.  Options
 * that do not apply are refused by the importer, which is part of what
 * is tested.
 */
static inline void
fuzz_import_options(uint8_t sel, ingest_opts *o, int *items)
{
	static const ingest_format events[] = { FMT_AUTO, FMT_MOVIELENS,
	    FMT_ML_CSV, FMT_TAOBAO, FMT_GENERIC };
	static const ingest_format item_formats[] = { FMT_AUTO,
	    FMT_ITEMS_UITEM, FMT_ITEMS_CSV, FMT_ITEMS_GENERIC };
	rf_error err;

	ingest_opts_default(o);
	o->force = 1;
	*items = sel & 1;
	if (*items)
		o->format = item_formats[(sel >> 1) % 4];
	else
		o->format = events[(sel >> 1) % 5];
	if (sel & 0x10)
		ingest_parse_map(o, "user=1,item=2,type=4,time=5,category=3",
		    &err);
	if (sel & 0x20)
		o->delim = (sel & 2) ? ',' : '\t';
	if (sel & 0x40)
		o->header = (sel >> 2) & 1;
	if (sel & 0x80)
		ingest_parse_weights(o, "pv=1,fav=2,cart=3,buy=5", &err);
}

/* 12 users, 8 items, ratings 1..5, with its fingerprint and external
 * ids (users "1".."12", items "101".."108": what imported models are
 * keyed by). */
static inline int
fuzz_dataset(dataset *ds, model_fingerprint *fp)
{
	static char *users[12], *items[8];
	static char names[20][8];

	memset(fp, 0, sizeof *fp);
	if (tiny_rating_dataset(ds, 12, 8, 5) < 0)
		return -1;
	for (int u = 0; u < 12; u++) {
		snprintf(names[u], sizeof names[u], "%d", u + 1);
		users[u] = names[u];
	}
	for (int i = 0; i < 8; i++) {
		snprintf(names[12 + i], sizeof names[12 + i], "%d", 101 + i);
		items[i] = names[12 + i];
	}
	ds->user_ext = users;
	ds->item_ext = items;
	fp->n_users = 12;
	fp->n_items = 8;
	fp->nnz = fp->train_nnz = ds->all.nnz;
	return 0;
}

/* The models fuzz_model_load reads: the registry's, then the two kinds
 * imported from elsewhere (outside the registry); NULL past the end. */
static inline const model_ops *
fuzz_model(int k)
{
	int n = 0;

	while (model_all()[n] != NULL)
		n++;
	if (k < n)
		return model_all()[k];
	if (k == n)
		return &model_external_factors_ops;
	if (k == n + 1)
		return &model_external_scores_ops;
	return NULL;
}

#endif
