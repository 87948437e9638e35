/* session: what a TUI session did and what it starts from.  The session
 * script is every command line that succeeded, but those only the TUI
 * knows: batch mode replays it (`save-session`, the Log's 's').  The
 * restore: a store opened again shows what it holds, its saved models
 * (with their curves) and its stored fusion, loaded after the first
 * draw. */
#ifndef RF_SESSION_H
#define RF_SESSION_H

#include <stddef.h>

#include "engine/session/workbench.h"

struct session {
	rf_buf script;
};

/* A line that ran and succeeded joins the script (the caller leaves out
 * the lines only the TUI knows).  -1 when out of memory. */
int session_record(struct session *s, const char *line);
const char *session_script(const struct session *s, size_t *len);
void session_free(struct session *s);

/* Does the store hold saved models to load? */
int session_can_restore(workbench *wb);
/* Load the saved models of the current split and, when there are some,
 * the stored fusion (its pools and live metrics are for the caller to
 * measure, in the background).  Returns the models loaded,
 * -1 + err; msg says what was loaded ("loaded 3 saved models and the
 * stored fusion"). */
int session_restore(workbench *wb, char *msg, size_t n, rf_error *err);

#endif
