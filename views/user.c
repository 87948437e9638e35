/* user: the User screen: a user's history, the fused top-K with each
 * model's contribution as a stacked bar, and the explanation of the
 * selected item.  A placeholder until recommendations land. */
#include "views/placeholder.h"
#include "views/view.h"

static const struct view_key user_keys[] = {
	{ NULL, NULL }
};

static void
user_draw(struct view *v, WINDOW *win)
{
	static const char *const lines[] = {
		"No recommendations yet.",
		"",
		"Recommendations and explanations need trained models; they are",
		"still being built.  When they land this screen shows a user's",
		"history (behaviour and time), the fused top-K with a bar per",
		"item split into each model's contribution, and why the",
		"selected item is recommended, in sentences and numbers.",
		NULL
	};

	(void)v;
	placeholder_draw(win, "User", lines);
}

static int
user_key(struct view *v, int key, int height)
{
	(void)v;
	(void)key;
	(void)height;
	return VIEW_IGNORED;
}

const struct view_ops view_user_ops = {
	.name = "user",
	.title = "User",
	.key = '4',
	.keys = user_keys,
	.draw = user_draw,
	.key_press = user_key,
};
