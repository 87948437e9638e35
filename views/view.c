/* view: the list of screens and the shared placeholder body. */
#include "views/view.h"

#include <string.h>

#include "views/color.h"
#include "views/placeholder.h"
#include "views/widgets.h"

const struct view_ops *const view_all[VIEW_COUNT] = {
	&view_data_ops, &view_train_ops, &view_fusion_ops, &view_user_ops,
	&view_log_ops,
};

int
view_lookup(const char *name)
{
	size_t len = strlen(name);
	int i, found = -1;

	for (i = 0; i < VIEW_COUNT; i++)
		if (strcmp(view_all[i]->name, name) == 0)
			return i;
	if (len == 0)
		return -1;
	for (i = 0; i < VIEW_COUNT; i++)
		if (strncmp(view_all[i]->name, name, len) == 0) {
			if (found >= 0)
				return -1;	/* ambiguous */
			found = i;
		}
	return found;
}

void
placeholder_draw(WINDOW *win, const char *heading, const char *const *lines)
{
	int w = getmaxx(win), i;

	draw_heading(win, 0, 0, w, heading);
	for (i = 0; lines[i] != NULL; i++)
		draw_text(win, 2 + i, 2, w - 2, i == 0 ? color_attr(CR_LABEL) :
		    color_attr(CR_DIM), lines[i]);
}
