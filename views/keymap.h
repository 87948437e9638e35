/* keymap: the keys of a screen, looked up and run from its keymap table
 * (struct view_key in views/view.h); the app hands keys here and draws
 * the footer's hints and the `?` help from the same rows. */
#ifndef RF_KEYMAP_H
#define RF_KEYMAP_H

#include "views/view.h"

/* The view's current mode (1 when it has only one). */
unsigned view_mode(struct view *v);
/* Does row k work in mode? */
int view_key_live(const struct view_key *k, unsigned mode);
/* Run key on v through its keymap: an enum view_result mask
 * (VIEW_IGNORED when no live row has the key). */
int view_key_press(struct view *v, int key, int height);

/* The first line shown of a pane of total lines, rows high, after a
 * scroll key: j/k or the arrows or J/K a line, Space/b or the page keys
 * (C-f/C-b) a page, g/Home the top, anything else (G, End) the end. */
int view_scroll(int top, int key, int total, int rows);

#endif
