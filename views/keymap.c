/* keymap: a key runs the row of the screen's keymap that has it. */
#include "views/keymap.h"

#define KEYMAP_COMMAND_MAX 2048

unsigned
view_mode(struct view *v)
{
	return v->ops->mode != NULL ? v->ops->mode(v) : 1;
}

int
view_key_live(const struct view_key *k, unsigned mode)
{
	return k->modes == 0 || (k->modes & mode) != 0;
}

static const struct view_key *
find_key(const struct view_key *map, unsigned mode, int key)
{
	for (; map != NULL && map->label != NULL; map++) {
		if (!view_key_live(map, mode))
			continue;
		for (int i = 0; i < VIEW_KEY_CODES && map->codes[i] != 0; i++)
			if (map->codes[i] == key)
				return map;
	}
	return NULL;
}

int
view_key_press(struct view *v, int key, int height)
{
	const struct view_key *k = find_key(v->ops->keymap, view_mode(v), key);
	char cmd[KEYMAP_COMMAND_MAX];
	int r;

	if (k == NULL)
		return VIEW_IGNORED;
	if (k->command != NULL) {
		v->env->submit(v->env->ud, k->command);
		return VIEW_HANDLED | VIEW_REDRAW;
	}
	if (k->prompt != NULL) {
		if (v->env->prompt != NULL)
			v->env->prompt(v->env->ud, k->prompt);
		return VIEW_HANDLED;
	}
	if (k->action == NULL)
		return VIEW_IGNORED;
	cmd[0] = '\0';
	r = k->action(v, key, height, cmd, sizeof cmd);
	if (cmd[0] != '\0' && (r & VIEW_COALESCE) &&
	    v->env->submit_later != NULL)
		v->env->submit_later(v->env->ud, cmd);
	else if (cmd[0] != '\0')
		v->env->submit(v->env->ud, cmd);
	return r & ~VIEW_COALESCE;
}

int
view_scroll(int top, int key, int total, int rows)
{
	int page = rows > 1 ? rows - 1 : 1;

	switch (key) {
	case 'j':
	case 'J':
	case KEY_DOWN:
		top++;
		break;
	case 'k':
	case 'K':
	case KEY_UP:
		top--;
		break;
	case ' ':
	case KEY_NPAGE:
	case 'f' & 0x1f:
		top += page;
		break;
	case 'b':
	case KEY_PPAGE:
	case 'b' & 0x1f:
		top -= page;
		break;
	case 'g':
	case KEY_HOME:
		top = 0;
		break;
	default:	/* G, End */
		top = total;
		break;
	}
	if (top > total - rows)
		top = total - rows;
	return top < 0 ? 0 : top;
}
