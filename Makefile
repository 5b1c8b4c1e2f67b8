# Makefile: every entry point of the course. Run `make help` for the list.
#
# Students:     make grade [CH=NN]    make watch [CH=NN]    make run CH=NN
# Instructors:  make test    make book    make coverage
#
# Everything is built out of tree, under build/. One "variant" is one way of
# building the same sources: build/grade (the student's exercises/),
# build/solutions (the reference solutions), build/stubs (the pristine stubs,
# warnings as errors), build/coverage (solutions with gcov instrumentation,
# see tools/coverage.py), build/selftest/* (the grader's own tests).

.DEFAULT_GOAL := help
SHELL := /bin/sh
.DELETE_ON_ERROR:
.SECONDARY:
.SECONDEXPANSION:

# ---------------------------------------------------------------------------
# Variables a user may set on the command line, and nothing else: a typo such
# as `make grade CHAPTER=3` gets one clear line instead of being ignored.
KNOWN_VARS := CH CC PYTHON BUILD EXERCISES WERROR EXTRA_CFLAGS EXTRA_LDFLAGS \
              JOBS SUBMISSIONS OUT V
$(foreach v,$(filter-out $(KNOWN_VARS),$(foreach v,$(.VARIABLES),$(if \
  $(filter command line,$(origin $v)),$v))),$(error unknown variable \
  '$v'; the variables this Makefile reads are: $(KNOWN_VARS)))

PYTHON ?= python3
BUILD ?= build/grade
EXERCISES ?= exercises
WERROR ?= 0
V ?= 0
Q := $(if $(filter 1,$(V)),,@)

# ---------------------------------------------------------------------------
# Chapters: chapters/NN-slug.md, one slug per chapter, used the same way in
# every folder (include/slug.h, exercises/slug.c, solutions/slug.c,
# tests/slug.c, examples/slug.c, tools/plots/slug-*.gp).
CHAPTER_FILES := $(sort $(wildcard chapters/[0-9][0-9]-*.md))
CHAPTERS := $(basename $(notdir $(CHAPTER_FILES)))
SLUGS := $(foreach c,$(CHAPTERS),$(word 2,$(subst -, ,$c)))

# The earlier chapters whose exercises a chapter's tests and demo link with
# (the capstone trains with the student's own optimizers, for instance).
USES_gd :=
USES_sgd := gd
USES_momentum := gd
USES_adaptive := gd momentum
USES_schedules := gd
USES_losses := gd
USES_regularization := gd
USES_capstone := gd sgd momentum adaptive schedules losses regularization
USES_fast :=

# CH=8, CH=08, CH=08-capstone and CH=capstone all name chapter 8 (compared
# as text, never as a number: printf would read 08 as octal).
ch_num = $(firstword $(subst -, ,$(1)))
ch_names = $(1) $(call ch_num,$(1)) $(patsubst 0%,%,$(call ch_num,$(1))) \
           $(word 2,$(subst -, ,$(1)))
CHAPTER := $(if $(CH),$(firstword $(foreach c,$(CHAPTERS),$(if $(filter \
             $(call ch_names,$c),$(CH)),$c))))
SLUG := $(word 2,$(subst -, ,$(CHAPTER)))
CHAPTER_NUMBERS = $(foreach c,$(CHAPTERS),$(firstword $(subst -, ,$c)))
no_such_chapter = $(error no chapter '$(CH)': the chapters are $(CHAPTER_NUMBERS); e.g. make $@ CH=01)
need_chapter = $(if $(CH),$(if $(CHAPTER),,$(no_such_chapter)),$(error make $@ needs a chapter, e.g. make $@ CH=01))

# ---------------------------------------------------------------------------
# Compiler flags. Course code (solutions, stubs under `make test`, tests,
# demos, lib) builds with warnings as errors; a student's exercises show
# their warnings but still build, so that a warning never costs points.
# -ffp-contract=off keeps every platform from fusing a*b+c, so the documented
# numbers are reproduced to the last digit.
CSTD := -std=c11
WARNINGS := -Wall -Wextra -Wpedantic
BASE_CFLAGS := $(CSTD) -O2 -g -ffp-contract=off $(WARNINGS) -Iinclude -Ilib \
               -DCOURSE_DATA_DIR='"$(CURDIR)/data"' \
               -MMD -MP $(EXTRA_CFLAGS)
COURSE_CFLAGS := $(BASE_CFLAGS) -Werror
TEST_CFLAGS := $(COURSE_CFLAGS) -Itests/support
LDFLAGS_ALL := $(EXTRA_LDFLAGS)
LDLIBS := -lm
CRITERION_LIBS := -lcriterion

LIB_NAMES := $(basename $(notdir $(wildcard lib/*.c)))

# variant(DIR, EXERCISE_SOURCE_DIR, EXERCISE_EXTRA_FLAGS, EXTRA_FLAGS)
define variant
$(1)/ex/%.o: $(2)/%.c
	@mkdir -p $$(@D)
	$$(Q)$$(CC) $$(BASE_CFLAGS) $(3) $(4) -c $$< -o $$@
$(1)/lib/%.o: lib/%.c
	@mkdir -p $$(@D)
	$$(Q)$$(CC) $$(COURSE_CFLAGS) $(4) -c $$< -o $$@
$(1)/examples/%.o: examples/%.c
	@mkdir -p $$(@D)
	$$(Q)$$(CC) $$(COURSE_CFLAGS) $(4) -c $$< -o $$@
$(1)/bin/%-demo: $(1)/examples/%.o $$$$(call ex_objs,$(1),$$$$*) \
                 $(addprefix $(1)/lib/,$(addsuffix .o,$(LIB_NAMES)))
	@mkdir -p $$(@D)
	$$(Q)$$(CC) $(4) $$(LDFLAGS_ALL) $$^ -o $$@ $$(LDLIBS)
-include $$(wildcard $(1)/*/*.d)
endef
ex_objs = $(addprefix $(1)/ex/,$(addsuffix .o,$(2) $(USES_$(2))))

# ---------------------------------------------------------------------------
# The judges (CONTRIBUTING.md, "How a graded test runs"): each chapter's
# Criterion tests linked with proxies that tools/rpcgen.py generates from
# include/ instead of the student's code, which runs in a driver process of
# its own. This builds the judges and the drivers' own code, from the
# course's files only; tools/grade.py compiles and checks the student's
# files and links each driver. Driver flavors: plain, sanitize (to locate a
# crash), open (no sandbox: coverage of the solutions only).
JUDGE := build/judge
JUDGE_SUPPORT := judge wire grading
SANITIZE := -fsanitize=address,undefined -fno-omit-frame-pointer
DRIVER_FLAGS_plain :=
DRIVER_FLAGS_sanitize := $(SANITIZE)
DRIVER_FLAGS_open := -DDRIVER_UNSANDBOXED

$(JUDGE)/gen/%-judge.c $(JUDGE)/gen/%-serve.c $(JUDGE)/gen/%-null.c: tools/rpcgen.py tests/support/api.txt \
        $(wildcard include/*.h lib/*.h)
	@mkdir -p $(@D)
	$(Q)$(PYTHON) tools/rpcgen.py --chapter $* --uses '$(USES_$*)' --out $(@D)
# (-O1: a judge's time goes to the calls of the student's code, not to its
# own arithmetic, and a first make grade builds them all)
$(JUDGE)/obj/tests/%.o: tests/%.c
	@mkdir -p $(@D)
	$(Q)$(CC) $(TEST_CFLAGS) -O1 -c $< -o $@
$(JUDGE)/obj/gen/%.o: $(JUDGE)/gen/%.c
	@mkdir -p $(@D)
	$(Q)$(CC) $(TEST_CFLAGS) -O1 -c $< -o $@
$(JUDGE)/obj/support/%.o: tests/support/%.c
	@mkdir -p $(@D)
	$(Q)$(CC) $(TEST_CFLAGS) -c $< -o $@
$(JUDGE)/obj/lib/%.o: lib/%.c
	@mkdir -p $(@D)
	$(Q)$(CC) $(COURSE_CFLAGS) -c $< -o $@
$(JUDGE)/bin/%-tests: $(JUDGE)/obj/tests/%.o $(JUDGE)/obj/gen/%-judge.o \
        $(addprefix $(JUDGE)/obj/support/,$(addsuffix .o,$(JUDGE_SUPPORT))) \
        $(addprefix $(JUDGE)/obj/lib/,$(addsuffix .o,$(LIB_NAMES)))
	@mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS_ALL) $^ -o $@ $(CRITERION_LIBS) $(LDLIBS)

# The held-back checks (instructor only: tests/held/ and solutions/ are not
# in the student release): a judge of their own, and a driver made of the
# reference solution, which they call besides the student's.
HELD_SUPPORT := $(JUDGE_SUPPORT) held
$(JUDGE)/obj/held/%.o: tests/held/%.c
	@mkdir -p $(@D)
	$(Q)$(CC) $(TEST_CFLAGS) -O1 -c $< -o $@
$(JUDGE)/bin/%-held: $(JUDGE)/obj/held/%.o $(JUDGE)/obj/gen/%-judge.o \
        $(addprefix $(JUDGE)/obj/support/,$(addsuffix .o,$(HELD_SUPPORT))) \
        $(addprefix $(JUDGE)/obj/lib/,$(addsuffix .o,$(LIB_NAMES)))
	@mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS_ALL) $^ -o $@ $(CRITERION_LIBS) $(LDLIBS)
$(JUDGE)/reference/%.o: solutions/%.c
	@mkdir -p $(@D)
	$(Q)$(CC) $(COURSE_CFLAGS) -c $< -o $@
$(JUDGE)/bin/%-reference: $(JUDGE)/driver-plain/driver.o $(JUDGE)/driver-plain/wire.o \
        $(JUDGE)/driver-plain/%-serve.o $$(addprefix $(JUDGE)/reference/,$$(addsuffix .o,$$* $$(USES_$$*))) \
        $(addprefix $(JUDGE)/driver-plain/lib/,$(addsuffix .o,$(LIB_NAMES)))
	@mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS_ALL) $^ -o $@ $(LDLIBS)

# The course's driver with definitions that do nothing: what a driver
# starts and ends with when no student code adds to it (tools/grade.py).
$(JUDGE)/bin/%-nulldriver: $(JUDGE)/driver-plain/driver.o $(JUDGE)/driver-plain/wire.o \
        $(JUDGE)/driver-plain/%-serve.o $(JUDGE)/obj/gen/%-null.o \
        $(addprefix $(JUDGE)/driver-plain/lib/,$(addsuffix .o,$(LIB_NAMES)))
	@mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS_ALL) $^ -o $@ $(LDLIBS)

define driver_flavor
$(JUDGE)/driver-$(1)/%.o: tests/support/%.c
	@mkdir -p $$(@D)
	$$(Q)$$(CC) $$(TEST_CFLAGS) $$(DRIVER_FLAGS_$(1)) -c $$< -o $$@
$(JUDGE)/driver-$(1)/%-serve.o: $(JUDGE)/gen/%-serve.c
	@mkdir -p $$(@D)
	$$(Q)$$(CC) $$(TEST_CFLAGS) $$(DRIVER_FLAGS_$(1)) -c $$< -o $$@
$(JUDGE)/driver-$(1)/lib/%.o: lib/%.c
	@mkdir -p $$(@D)
	$$(Q)$$(CC) $$(COURSE_CFLAGS) $$(DRIVER_FLAGS_$(1)) -c $$< -o $$@
endef
$(foreach f,plain sanitize open,$(eval $(call driver_flavor,$(f))))
-include $(wildcard $(JUDGE)/*/*.d $(JUDGE)/*/*/*.d)

SOLUTIONS_BUILD := build/solutions
$(eval $(call variant,$(BUILD),$(EXERCISES),$(if $(filter 1,$(WERROR)),-Werror),))
ifneq ($(BUILD),$(SOLUTIONS_BUILD))
$(eval $(call variant,$(SOLUTIONS_BUILD),solutions,-Werror,))
endif

# ---------------------------------------------------------------------------
# Student targets

.PHONY: help grade watch run setup
help: ## list every target with one line each
	@echo "Optimization for Deep Learning, in C -- make targets:"
	@sed -n -e 's/^\([a-z-]*\):.*## \(.*\)$$/  make \1|\2/p' $(MAKEFILE_LIST) \
	  | awk -F'|' '{ printf "%-22s %s\n", $$1, $$2 }'
	@echo "Variables: CH=NN picks a chapter (grade, watch, run); V=1 shows commands."

setup: ## install what grading needs (Criterion, Python 3), or say how
	$(Q)sh tools/setup.sh grade

grade: ## grade your exercises/ (CH=NN: one chapter); writes build/grade/results.json
	$(if $(CH),$(call need_chapter))
	$(Q)sh tools/setup.sh grade --quiet
	$(Q)$(PYTHON) tools/grade.py --build $(BUILD) --exercises $(EXERCISES) \
	  $(if $(CHAPTER),--chapter $(CHAPTER)) --report $(BUILD)/results.json \
	  --progress $(BUILD)/progress.json --reuse $(BUILD)/reuse.json

watch: ## re-grade on every save of an exercise (CH=NN: one chapter); Ctrl-C stops
	$(if $(CH),$(call need_chapter))
	$(Q)sh tools/setup.sh grade --quiet
	$(Q)$(PYTHON) tools/watch.py --build $(BUILD) --exercises $(EXERCISES) \
	  $(if $(CHAPTER),--chapter $(CHAPTER))

run: ## build chapter CH's demo on your exercises/ and run it (make run CH=01)
	$(call need_chapter)
	$(Q)sh tools/setup.sh grade --quiet
	$(Q)$(MAKE) --no-print-directory -s $(BUILD)/bin/$(SLUG)-demo
	@mkdir -p build/run/$(CHAPTER)
	$(Q)$(BUILD)/bin/$(SLUG)-demo build/run/$(CHAPTER)
	@echo "(figure data written to build/run/$(CHAPTER)/)"

# ---------------------------------------------------------------------------
# Instructor targets

.PHONY: test book coverage check-outputs bench bench-capstone clean
test: ## the course checks itself: solutions full marks, stubs 0, outputs, book, grader
	$(Q)sh tools/setup.sh all --quiet
	$(Q)$(PYTHON) tools/selftest.py

check-outputs: ## check every program output shown in chapters/ against the demos
	$(Q)$(PYTHON) tools/check_outputs.py

# Figures: the solutions' demo writes the data, one gnuplot script per figure,
# drawn as PDF for the book and as SVG for the web edition.
# (only the figures of chapters that exist: a chapter being written does not
# break the book)
FIG_SCRIPTS := $(sort $(foreach s,$(SLUGS),$(wildcard tools/plots/$(s)-*.gp)))
FIGURES := $(patsubst tools/plots/%.gp,build/figures/%.pdf,$(FIG_SCRIPTS))
HTML_FIGURES := $(patsubst tools/plots/%.gp,build/html/figures/%.svg,$(FIG_SCRIPTS))
fig_slug = $(firstword $(subst -, ,$(1)))
FIG_STYLE := $(wildcard tools/plots/*.gnuplot) tools/plots/fonts.conf

build/figdata/%/stdout.txt: $(SOLUTIONS_BUILD)/bin/%-demo
	@mkdir -p $(@D)
	$(Q)$< $(@D) > $@

define draw_figure
@mkdir -p $(@D)
$(Q)FONTCONFIG_FILE=$(CURDIR)/tools/plots/fonts.conf \
  gnuplot -e "datadir='build/figdata/$(call fig_slug,$*)'" \
  -e "outfile='$@'" -e "load 'tools/plots/style.gnuplot'" $< \
  || { echo "gnuplot failed on $<" >&2; exit 1; }
endef

# (setup-book and setup-html check the tools once, before the first figure)
build/figures/%.pdf: tools/plots/%.gp $(FIG_STYLE) build/figdata/$$(call fig_slug,$$*)/stdout.txt \
                     | setup-book
	$(draw_figure)

# The SVG names the fonts of the web edition's text (tools/web/style.css).
SVG_FONTS := 'Latin Modern Roman', 'LM Roman 10', 'CMU Serif', Georgia, serif
build/html/figures/%.svg: tools/plots/%.gp $(FIG_STYLE) build/figdata/$$(call fig_slug,$$*)/stdout.txt \
                          | setup-html
	$(draw_figure)
	$(Q)sed -i -e "s/font-family=\"Latin Modern Roman\"/font-family=\"$(SVG_FONTS)\"/g" $@

BOOK_SOURCES := book.md $(CHAPTER_FILES)
BIBLIOGRAPHY := references.bib
# The order matters: listings first, then numbers and references, then the
# book's apparatus, then citeproc (which fills the reference list).
LUA_FILTERS := tools/include-code.lua tools/crossref.lua tools/book-matter.lua
PANDOC_FLAGS := --from=markdown --pdf-engine=pdflatex --top-level-division=chapter \
  --number-sections --toc --highlight-style=tango --resource-path=build:. \
  $(addprefix --lua-filter=,$(LUA_FILTERS)) --citeproc -V documentclass=book \
  -V geometry:margin=1in -V fontsize=11pt -V colorlinks=true \
  -H tools/book-preamble.tex

LISTED_SOURCES := $(wildcard include/*.h lib/*.[ch] examples/*.c tests/*.c tests/support/*.[ch])

.PHONY: html check-web setup-book setup-html
book: build/book.pdf ## build/book.pdf: the whole course as a book (pandoc + LaTeX)

build/book.pdf: $(BOOK_SOURCES) $(BIBLIOGRAPHY) $(LUA_FILTERS) tools/book-preamble.tex $(FIGURES) \
                $(LISTED_SOURCES) | setup-book
	@mkdir -p $(@D)
	$(Q)pandoc $(PANDOC_FLAGS) $(BOOK_SOURCES) -o $@
	@echo "book: $@"

# The web edition: the same sources and filters, cut into pages by
# tools/web_edition.py (an index with the preface and the contents, a page per
# chapter, the references), KaTeX and its fonts copied in, SVG figures.
html: build/html/index.html ## build/html/: the course as a web site, a page per chapter, offline
build/html/index.html: $(BOOK_SOURCES) $(BIBLIOGRAPHY) $(LUA_FILTERS) tools/web_edition.py \
                       $(wildcard tools/web/*) $(HTML_FIGURES) $(LISTED_SOURCES) | setup-html
	$(Q)$(PYTHON) tools/web_edition.py --out build/html --filters "$(LUA_FILTERS)" \
	  --bibliography $(BIBLIOGRAPHY) $(BOOK_SOURCES)

check-web: html ## load every page of build/html in headless Chromium: errors, requests, TeX, links
	$(Q)$(PYTHON) tools/check_web.py --site build/html

setup-book:
	$(Q)sh tools/setup.sh book --quiet
setup-html:
	$(Q)sh tools/setup.sh html --quiet

bench: ## ch. 9's table: optimizer steps vs a same-traffic probe and torch.optim (not a test)
	$(Q)sh tools/setup.sh grade --quiet
	$(Q)$(PYTHON) tools/bench_fast.py

bench-capstone: ## time the capstone's training runs and demo (not a test; quoted in ch. 8)
	$(Q)bash tools/bench_capstone.sh

coverage: ## gcovr line/branch coverage of solutions/ under the tests (HTML report)
	$(Q)sh tools/setup.sh coverage --quiet
	$(Q)$(PYTHON) tools/coverage.py

clean: ## remove build/ and nothing else
	rm -rf build

# ---------------------------------------------------------------------------
# --- instructor tools (class grading, release, packaging)
# (see README.md, "Grading a class, releases and packaging"; the student
# release cuts everything from "Instructor targets" on)

.PHONY: grade-class bench-class bench-isolation bench-loop release gradescope classroom
grade-class: ## grade a class: SUBMISSIONS=dir (a folder per student) [OUT=dir JOBS=n]
	$(if $(SUBMISSIONS),,$(error make grade-class needs SUBMISSIONS=dir, one folder per student, e.g. make grade-class SUBMISSIONS=~/class OUT=build/class))
	$(Q)sh tools/setup.sh grade --quiet
	$(Q)$(PYTHON) tools/grade_class.py '$(SUBMISSIONS)' --out '$(or $(OUT),build/class)' \
	  $(if $(JOBS),--jobs $(JOBS))

bench-isolation: ## what the judge/driver split costs per test (in-process vs split)
	$(Q)$(PYTHON) tools/bench_isolation.py

bench-loop: ## the student's loop timed: a cold make grade, a re-grade after a save, unchanged
	$(Q)$(PYTHON) tools/bench_loop.py

bench-class: ## time grade-class on 50 generated submissions (stubs, solutions, hostile)
	$(Q)$(PYTHON) tools/bench_class.py $(if $(JOBS),--jobs $(JOBS))

release: ## build/release/course-student.tar.gz: no solutions; proven (make grade scores 0)
	$(Q)$(PYTHON) tools/release.py --out '$(or $(OUT),build/release)'

gradescope: ## build/gradescope/autograder.zip for Gradescope, tested on a simulated /autograder
	$(Q)$(PYTHON) tools/gradescope.py --out '$(or $(OUT),build/gradescope)'

classroom: ## write .github/workflows/classroom.yml (GitHub Classroom: a step per chapter)
	$(Q)$(PYTHON) tools/classroom.py --write
