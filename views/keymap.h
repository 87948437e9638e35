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

#endif
