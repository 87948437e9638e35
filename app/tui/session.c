/* session: the session script, and the restore of a store's models and
 * fusion when the TUI opens it again. */
#include "app/tui/session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
int
session_record(struct session *s, const char *line)
{
	return rf_buf_printf(&s->script, "%s\n", line);
}

const char *
session_script(const struct session *s, size_t *len)
{
	*len = s->script.len;
	return s->script.data != NULL ? (const char *)s->script.data : "";
}

void
session_free(struct session *s)
{
	rf_buf_free(&s->script);
}

int
session_can_restore(workbench *wb)
{
	return store_count(workbench_store(wb), "saved_models") > 0;
}

int
session_restore(workbench *wb, char *msg, size_t n, rf_error *err)
{
	char *fusion_text;
	int loaded;

	if ((loaded = workbench_load_saved(wb, err)) < 0)
		return -1;
	snprintf(msg, n, "loaded %d saved model%s", loaded,
	    loaded == 1 ? "" : "s");

	if (loaded > 0 && (fusion_text = store_get_setting(workbench_store(wb),
	    "fusion")) != NULL) {
		free(fusion_text);
		/* Built here (quick); its pools and figures are left to a
		 * background task. */
		if (workbench_fusion(wb, err) != NULL)
			snprintf(msg + strlen(msg), n - strlen(msg),
			    " and the stored fusion");
	}
	return loaded;
}
