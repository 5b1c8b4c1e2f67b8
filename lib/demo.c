/* demo.c: helpers for the demo programs (see demo.h). */
#include "demo.h"

#include <errno.h>
#include <string.h>

const char *demo_output_dir(int argc, char **argv) {
    return argc > 1 ? argv[1] : ".";
}

FILE *demo_open_data(const char *dir, const char *name) {
    char path[4096];
    int n = snprintf(path, sizeof path, "%s/%s", dir, name);
    if (n < 0 || (size_t)n >= sizeof path) {
        fprintf(stderr, "demo: path too long: %s/%s\n", dir, name);
        return NULL;
    }
    FILE *f = fopen(path, "w");
    if (!f) fprintf(stderr, "demo: cannot write %s: %s\n", path, strerror(errno));
    return f;
}

void demo_heading(const char *title) {
    printf("\n== %s ==\n", title);
}
