/* demo.h: small helpers shared by the chapters' demo programs (examples/). */
#ifndef DEMO_H
#define DEMO_H

#include <stdio.h>

/* The folder a demo writes its figure data to: argv[1], or "." without one. */
const char *demo_output_dir(int argc, char **argv);

/* Opens dir/name for writing. On failure prints why to stderr and returns
 * NULL; the demo then skips that file and carries on. */
FILE *demo_open_data(const char *dir, const char *name);

/* Prints a section heading in the demo's output: "== title ==". */
void demo_heading(const char *title);

#endif /* DEMO_H */
