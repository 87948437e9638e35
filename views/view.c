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

const char *
view_quote_word(const char *s, char *buf, size_t n)
{
	size_t k = 0;

	if (n == 0)
		return buf;
	if (*s != '\0' && strpbrk(s, " \t;#'\"\\") == NULL) {
		snprintf(buf, n, "%s", s);
		return buf;
	}
	if (strchr(s, '\'') == NULL) {
		snprintf(buf, n, "'%s'", s);
		return buf;
	}
	buf[k++] = '"';
	for (; *s != '\0' && k + 3 < n; s++) {
		if (*s == '"' || *s == '\\')
			buf[k++] = '\\';
		buf[k++] = *s;
	}
	buf[k++] = '"';
	buf[k] = '\0';
	return buf;
}
