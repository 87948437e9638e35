/* taobao: the Taobao UserBehavior log (user,item,category,behavior,ts; no
 * header), the largest input by far, so its parser is the hot path. */
#include <string.h>

#include "engine/ingest/clean.h"
#include "engine/ingest/formats.h"

/* The four Taobao behaviours, without the generic name table. */
int
taobao_behavior(const field *f)
{
	const char *p = f->p;

	switch (f->n) {
	case 2:
		return p[0] == 'p' && p[1] == 'v' ? BEH_PV : -1;
	case 3:
		if (memcmp(p, "fav", 3) == 0)
			return BEH_FAV;
		return memcmp(p, "buy", 3) == 0 ? BEH_BUY : -1;
	case 4:
		return memcmp(p, "cart", 4) == 0 ? BEH_CART : -1;
	}
	return -1;
}

int
ingest_taobao_line(parser *p, const line *l, parsed_row *row)
{
	field f[6];
	int nf = field_split(l->p, l->n, ',', f, 6), rc, beh;
	int64_t ts;
	uint64_t ih;

	if (nf != 5)
		return clean_field_count(p, l, 5, nf);
	ih = idmap_hash(f[1].p, f[1].n);
	if ((rc = clean_numeric_id(p, l, &f[0], "user", 0)) != ROW_OK ||
	    (rc = clean_numeric_id(p, l, &f[1], "item", 0)) != ROW_OK ||
	    (rc = clean_numeric_id(p, l, &f[2], "category", 0)) != ROW_OK)
		return rc;
	if (f[3].n == 0)
		return clean_empty(p, l, "behaviour", 0);
	if ((beh = taobao_behavior(&f[3])) < 0)
		beh = store_behavior_code(f[3].p, f[3].n);
	if (beh < BEH_PV || beh > BEH_BUY)
		return clean_reject(p, "unknown behaviour '%.*s'",
		    FIELD_SHOW(&f[3]));
	if ((rc = clean_unix_ts(p, l, &f[4], 1, &ts)) != ROW_OK)
		return rc;
	return parsed_event(row, &f[0], &f[1], ih, &f[2], beh,
	    p->o->weights[beh], ts);
}
