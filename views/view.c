/* view: the list of screens. */
#include "views/view.h"

#include <string.h>

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
