// Non-variadic wrappers around libedit, because Swift cannot call C variadics
// (el_set, el_get, history) and rejects C's mutable globals (stdin, stdout).
#ifndef FUNNEL_CLIBEDIT_SHIM_H
#define FUNNEL_CLIBEDIT_SHIM_H
#include <stdio.h>
#include <histedit.h>

static inline FILE *funnel_stdin(void)  { return stdin; }
static inline FILE *funnel_stdout(void) { return stdout; }
static inline FILE *funnel_stderr(void) { return stderr; }

typedef char *(*funnel_prompt_fn)(EditLine *);
typedef unsigned char (*funnel_command_fn)(EditLine *, int);

static inline int funnel_el_set_prompt(EditLine *el, funnel_prompt_fn fn) { return el_set(el, EL_PROMPT, fn); }
static inline int funnel_el_set_editor(EditLine *el, const char *mode) { return el_set(el, EL_EDITOR, mode); }
static inline int funnel_el_set_signal(EditLine *el, int on) { return el_set(el, EL_SIGNAL, on); }
static inline int funnel_el_set_history(EditLine *el, History *h) { return el_set(el, EL_HIST, history, h); }
static inline int funnel_el_set_clientdata(EditLine *el, void *data) { return el_set(el, EL_CLIENTDATA, data); }
static inline void *funnel_el_get_clientdata(EditLine *el) {
    void *data = NULL;
    el_get(el, EL_CLIENTDATA, &data);
    return data;
}
static inline int funnel_el_addfn(EditLine *el, const char *name, const char *help, funnel_command_fn fn) {
    return el_set(el, EL_ADDFN, name, help, fn);
}
static inline int funnel_el_bind(EditLine *el, const char *key, const char *fn) {
    return el_set(el, EL_BIND, key, fn, NULL);
}
/* Edit mode without ISIG: Ctrl-C arrives as a key we bind, instead of a signal. */
static inline int funnel_el_setty_noisig(EditLine *el) { return el_set(el, EL_SETTY, "-d", "-isig", NULL); }
static inline int funnel_el_source_default(EditLine *el) { return el_source(el, NULL); }
static inline int funnel_history_setsize(History *h, HistEvent *ev, int size) { return history(h, ev, H_SETSIZE, size); }
static inline int funnel_history_setunique(History *h, HistEvent *ev, int on) { return history(h, ev, H_SETUNIQUE, on); }
static inline int funnel_history_enter(History *h, HistEvent *ev, const char *line) { return history(h, ev, H_ENTER, line); }
static inline int funnel_history_load(History *h, HistEvent *ev, const char *path) { return history(h, ev, H_LOAD, path); }
static inline int funnel_history_save(History *h, HistEvent *ev, const char *path) { return history(h, ev, H_SAVE, path); }
#endif
