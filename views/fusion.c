/* fusion: the Fusion screen: one weight slider per model, the method and
 * the normalisation, validation metrics of the fused and single models, and
 * a re-ranking preview.  A placeholder until the fusion engine lands. */
#include "views/placeholder.h"
#include "views/view.h"

static const struct view_key fusion_keys[] = {
	{ NULL, NULL }
};

static void
fusion_draw(struct view *v, WINDOW *win)
{
	static const char *const lines[] = {
		"No models to fuse yet.",
		"",
		"Fusion needs trained models, and the fusion engine is still",
		"being built.  When it lands this screen shows one weight",
		"slider per model (j/k pick a model, h/l move its slider; each",
		"move runs `weights MODEL=W`), the method and normalisation,",
		"and the validation NDCG/Recall@10 of the fused model beside",
		"each single model, with a preview of one user's top-10.",
		NULL
	};

	(void)v;
	placeholder_draw(win, "Fusion", lines);
}

static int
fusion_key(struct view *v, int key, int height)
{
	(void)v;
	(void)key;
	(void)height;
	return VIEW_IGNORED;
}

const struct view_ops view_fusion_ops = {
	.name = "fusion",
	.title = "Fusion",
	.key = '3',
	.keys = fusion_keys,
	.draw = fusion_draw,
	.key_press = fusion_key,
};
