/* train: the Train screen: one live chart per model (training loss and
 * validation metric per epoch), epoch, speed, ETA, and the queue.  Until
 * the training engine lands it says so instead of drawing empty charts. */
#include "views/color.h"
#include "views/placeholder.h"
#include "views/view.h"
#include "views/widgets.h"

static const struct view_key train_keys[] = {
	{ NULL, NULL }
};

static void
train_draw(struct view *v, WINDOW *win)
{
	static const char *const lines[] = {
		"No training yet.",
		"",
		"The training engine (background thread, per-epoch loss and",
		"validation events) is still being built.  When it lands this",
		"screen shows one live chart per model: the training loss and",
		"the validation NDCG@10 per epoch, the current epoch, speed and",
		"ETA, and the queue of models waiting to train.",
		NULL
	};

	(void)v;
	placeholder_draw(win, "Train", lines);
}

static int
train_key(struct view *v, int key, int height)
{
	(void)v;
	(void)key;
	(void)height;
	return VIEW_IGNORED;
}

const struct view_ops view_train_ops = {
	.name = "train",
	.title = "Train",
	.key = '2',
	.keys = train_keys,
	.draw = train_draw,
	.key_press = train_key,
};
