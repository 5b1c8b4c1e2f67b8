#!/usr/bin/env python3
"""rpcgen.py: the proxies and the serve code that split a graded test in two.

A graded test (the judge) never runs a student's function: for every
function of the headers in include/ it links a generated proxy that sends the
arguments to the driver, a separate, sandboxed process made of the
student's code, and reads back what the function left in them. This
script reads the prototypes and structs from the headers, and from
tests/support/api.txt what a prototype cannot say (array lengths, what may
be NULL, callbacks), and writes, for one chapter:

  SLUG-judge.c   the proxies, linked into the Criterion tests;
  SLUG-serve.c   the dispatch, linked into the driver with the student's code;
  SLUG-null.c    definitions that do nothing, for the null driver (the
                 course's driver alone, a yardstick for the student's).

Both sides lay out each call the same way (tests/support/wire.h):
scalars and the fields of struct arguments first, then the buffers those
structs own, then arrays, then callbacks; the results come back in the same
order. Function ids are the order of the functions over all of include/,
so every chapter agrees on them.

Usage: rpcgen.py --chapter SLUG --uses 'gd momentum' --out DIR
"""
import argparse
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SPEC = os.path.join(ROOT, "tests", "support", "api.txt")

SCALARS = {"double", "float", "int", "long", "unsigned", "char", "bool", "size_t",
           "uint64_t", "int64_t", "uint32_t", "int32_t", "uint8_t", "unsigned char",
           "long long", "unsigned long", "unsigned int", "short"}


class Type:
    """A C type as the headers use them: base, const, pointer depth."""

    def __init__(self, text):
        text = " ".join(text.replace("*", " * ").split())
        self.const = bool(re.search(r"\bconst\b", text))
        text = re.sub(r"\bconst\b", "", text)
        self.ptr = text.count("*")
        self.base = " ".join(text.replace("*", " ").split())

    def __repr__(self):
        return ("const " if self.const else "") + self.base + "*" * self.ptr


class Var:
    def __init__(self, name, type_, dims=""):
        self.name, self.type, self.dims = name, type_, dims


class Struct:
    def __init__(self, name, fields):
        self.name, self.fields = name, fields  # fields: Var, or ("union", [Var])


class Function:
    def __init__(self, name, ret, params, header):
        self.name, self.ret, self.params, self.header = name, ret, params, header


# ---------------------------------------------------------------------------
# Reading the headers

def strip_c(text):
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    text = re.sub(r"//[^\n]*", " ", text)
    return re.sub(r"^[ \t]*#(?:[^\n]*\\\n)*[^\n]*", " ", text, flags=re.M)


def items(text):
    """Top-level declarations: each ends with ';' at brace depth 0, or with
    the closing brace of a (static inline) function body."""
    out, depth, start = [], 0, 0
    for i, c in enumerate(text):
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0 and re.match(r"\s*static\b", text[start:]):
                start = i + 1
        elif c == ";" and depth == 0:
            out.append(text[start:i].strip())
            start = i + 1
    return [s for s in out if s]


def split_top(text, sep):
    parts, depth, cur = [], 0, ""
    for c in text:
        if c in "({[":
            depth += 1
        elif c in ")}]":
            depth -= 1
        if c == sep and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += c
    if cur.strip():
        parts.append(cur)
    return [p.strip() for p in parts]


def declarator(text):
    """'const double *X' -> Var('X', Type('const double *')); arrays too."""
    m = re.match(r"^(.*?)(\w+)\s*((?:\[[^\]]*\]\s*)*)$", text.strip(), re.S)
    if not m:
        raise SystemExit(f"rpcgen: cannot read the declaration {text!r}")
    return Var(m.group(2), Type(m.group(1)), m.group(3).strip())


def parse_fields(body):
    fields = []
    for decl in split_top(body, ";"):
        if decl.startswith("union"):
            inner = decl[decl.index("{") + 1:decl.rindex("}")]
            fields.append(("union", parse_fields(inner)))
            continue
        first, *more = split_top(decl, ",")
        v = declarator(first)
        fields.append(v)
        prefix = first[:first.rindex(v.name)].replace("*", "")
        for d in more:  # double a, b;
            fields.append(declarator(prefix + " " + d))
    return fields


def parse_header(path, api):
    """Structs, enums, function-pointer typedefs, and (when api) the
    student's functions of one header."""
    with open(path) as f:
        text = strip_c(f.read())
    structs, enums, fnptrs, functions = {}, set(), {}, []
    for item in items(text):
        m = re.match(r"^typedef\s+struct\s*\w*\s*\{(.*)\}\s*(\w+)$", item, re.S)
        if m:
            structs[m.group(2)] = Struct(m.group(2), parse_fields(m.group(1)))
            continue
        m = re.match(r"^typedef\s+enum\s*\w*\s*\{.*\}\s*(\w+)$", item, re.S)
        if m:
            enums.add(m.group(1))
            continue
        m = re.match(r"^typedef\s+(.+?)\(\s*\*\s*(\w+)\s*\)\s*\((.*)\)$", item, re.S)
        if m:
            fnptrs[m.group(2)] = (Type(m.group(1)), [declarator(p) for p in
                                                     split_top(m.group(3), ",")])
            continue
        if item.startswith(("enum", "typedef", "extern", "static")):
            continue
        m = re.match(r"^(.+?)\b(\w+)\s*\((.*)\)$", item, re.S)
        if m and api:
            params = [declarator(p) for p in split_top(m.group(3), ",")
                      if p.strip() != "void"]
            functions.append(Function(m.group(2), Type(m.group(1)), params,
                                      os.path.basename(path)))
    return structs, enums, fnptrs, functions


class Spec:
    """tests/support/api.txt: per function or struct, its annotated items."""

    ITEM = re.compile(r"^(\w+)(\?)?(?::(out|objective|gradient|ctx|opaque))?"
                      r"(?:\{(\w+)=(\w+)\})?(?:\[(.+)\])?$")

    def __init__(self, path):
        self.entries = {}
        with open(path) as f:
            for number, line in enumerate(f, 1):
                line = line.split("#")[0].strip()
                if not line:
                    continue
                name, _, rest = line.partition(":")
                entry = {}
                for item in split_top(rest, ","):
                    m = self.ITEM.match(item.replace(" ", "") if "[" not in item
                                        else item.split("[")[0].replace(" ", "") +
                                        "[" + item.split("[", 1)[1])
                    if not m:
                        raise SystemExit(f"rpcgen: {path}:{number}: cannot read {item!r}")
                    entry[m.group(1)] = {"nullable": bool(m.group(2)), "kind": m.group(3),
                                         "check": (m.group(4), m.group(5)) if m.group(4)
                                         else None, "count": m.group(6)}
                self.entries[name.strip()] = entry

    def of(self, name):
        return self.entries.get(name, {})


# ---------------------------------------------------------------------------
# The API

class Api:
    def __init__(self, slugs):
        self.structs, self.enums, self.fnptrs = {}, set(), {}
        self.all_functions = []
        for folder, api in (("lib", False), ("include", True)):
            for name in sorted(os.listdir(os.path.join(ROOT, folder))):
                if name.endswith(".h"):
                    s, e, p, f = parse_header(os.path.join(ROOT, folder, name), api)
                    self.structs.update(s)
                    self.enums |= e
                    self.fnptrs.update(p)
                    self.all_functions += f
        self.ids = {f.name: i + 1 for i, f in enumerate(self.all_functions)}
        self.headers = [f"{s}.h" for s in slugs]
        self.functions = [f for f in self.all_functions if f.header in self.headers]
        self.spec = Spec(SPEC)

    def scalar(self, t):
        return t.ptr == 0 and (t.base in SCALARS or t.base in self.enums)

    def signature(self, t):
        """1 for ObjectiveFn, 2 for GradientFn (by shape), else 0."""
        if t.base not in self.fnptrs or t.ptr:
            return 0
        ret, params = self.fnptrs[t.base]
        shape = [repr(p.type) for p in params]
        if ret.base == "double" and shape == ["const double*", "void*"]:
            return 1
        if ret.base == "void" and shape == ["double*", "const double*", "void*"]:
            return 2
        raise SystemExit(f"rpcgen: no callback shape for {t.base}")

    def function_signature(self, f):
        shape = [repr(p.type) for p in f.params]
        if f.ret.base == "double" and f.ret.ptr == 0 and shape == ["const double*", "void*"]:
            return 1
        if f.ret.base == "void" and f.ret.ptr == 0 and \
                shape == ["double*", "const double*", "void*"]:
            return 2
        return 0


def field_expr(expr, struct, p):
    """A COUNT over a struct's fields, in terms of the pointer p."""
    names = {v.name for v in struct.fields if isinstance(v, Var)}
    return re.sub(r"(?<![\w.>])([A-Za-z_]\w*)\b",
                  lambda m: f"{p}->{m.group(1)}" if m.group(1) in names else m.group(1),
                  expr)


def size_fields(api, struct):
    """The fields the COUNTs of a struct's buffers use."""
    used = set()
    for name, item in api.spec.of(struct.name).items():
        if item["count"]:
            used |= set(re.findall(r"[A-Za-z_]\w*", item["count"]))
    return [v.name for v in struct.fields if isinstance(v, Var) and v.name in used
            and v.type.ptr == 0]


def union_size(struct, members):
    first = members[0].name
    sizes = [f"sizeof(((const {struct.name} *)0)->{m.name})" for m in members]
    expr = sizes[0]
    for s in sizes[1:]:
        expr = f"({s} > {expr} ? {s} : {expr})"
    return first, expr


# ---------------------------------------------------------------------------
# Code: structs, field by field. Two passes for each struct: its values
# (every field that is not a pointer, nested structs included), then its
# pointers (buffers, arrays, callbacks), so that the sizes come first.

class Writer:
    def __init__(self):
        self.lines = []

    def __call__(self, line=""):
        self.lines.append(line)

    def text(self):
        return "\n".join(self.lines) + "\n"


def struct_order(api, names):
    """Structs that the given ones use, dependencies first."""
    order, seen = [], set()

    def visit(name):
        if name in seen or name not in api.structs:
            return
        seen.add(name)
        for v in api.structs[name].fields:
            for u in (v[1] if isinstance(v, tuple) else [v]):
                if u.type.base in api.structs:
                    visit(u.type.base)
        order.append(name)
    for n in names:
        visit(n)
    return order


TAKE = {"j": ("judge_take", "judge_take_bool"), "d": ("drv_take", "drv_take_bool")}


def values_code(api, out, struct, side, verb):
    """The values pass of one struct: judge put/take, driver take/put."""
    fn = f"{side}_{verb}_{struct.name}_values"
    take, take_bool = TAKE[side]
    const = "const " if verb == "put" else ""
    out(f"static inline void {fn}(Wire *w, {const}{struct.name} *p) {{")
    for v in struct.fields:
        if isinstance(v, tuple):
            first, size = union_size(struct, v[1])
            ptr = "(const char *)" if verb == "put" else "(char *)"
            out(f"    {'wire_put' if verb == 'put' else take}"
                f"(w, {ptr}&p->{first}, {size});")
        elif v.type.ptr or v.type.base in api.fnptrs or v.type.base == "void":
            continue
        elif v.type.base in api.structs:
            out(f"    {side}_{verb}_{v.type.base}_values(w, &p->{v.name});")
        elif v.type.base == "bool" and not v.dims:
            if verb == "put":
                out(f"    wire_put(w, &(unsigned char){{p->{v.name}}}, 1);")
            else:
                out(f"    p->{v.name} = {take_bool}(w);")
        elif v.type.base == "bool":
            raise SystemExit(f"rpcgen: bool arrays in structs are not supported")
        else:
            addr = f"p->{v.name}" if v.dims else f"&p->{v.name}"
            if verb == "put":
                out(f"    wire_put(w, {addr}, sizeof p->{v.name});")
            else:
                out(f"    {take}(w, {addr}, sizeof p->{v.name});")
    out("}")
    out()


def pointer_fields(api, struct):
    return [v for v in struct.fields if isinstance(v, Var) and
            (v.type.ptr or v.type.base in api.fnptrs or v.type.base == "void")]


def field_items(api, struct):
    """(field, its api.txt item) of each pointer field of a struct."""
    spec = api.spec.of(struct.name)
    for v in pointer_fields(api, struct):
        if v.name not in spec:
            raise SystemExit(f"rpcgen: api.txt does not say what {struct.name}.{v.name} "
                             f"holds")
    return [(v, spec[v.name]) for v in pointer_fields(api, struct)]


def owned_fields(api, struct):
    """(field, item, its COUNT over the struct's pointer p) of the buffers
    and arrays a struct points to, callbacks and ctx aside."""
    return [(v, item, field_expr(item["count"], struct, "p"))
            for v, item in field_items(api, struct) if not item["kind"]]


def callback_group(api, struct):
    """The struct's callback fields with their items, the COUNT of their x
    over p, and its ctx field (or None)."""
    group = [(v, item) for v, item in field_items(api, struct)
             if item["kind"] in ("objective", "gradient")]
    ctx = next((v.name for v, item in field_items(api, struct) if item["kind"] == "ctx"),
               None)
    count = field_expr(group[0][1]["count"], struct, "p") if group else None
    return group, count, ctx


def nested(api, struct):
    return [v for v in struct.fields if isinstance(v, Var) and v.type.ptr == 0
            and v.type.base in api.structs]


def judge_struct_code(api, out, struct):
    name = struct.name
    values_code(api, out, struct, "j", "put")
    values_code(api, out, struct, "j", "take")
    # pointers, sent: a const struct's arrays and callbacks; an owned buffer
    out(f"static inline void j_put_{name}_pointers(Wire *w, const {name} *p, int owned) {{")
    out("    (void)w; (void)p; (void)owned;")
    for v, item, count in owned_fields(api, struct):
        out(f"    if (owned)")
        out(f"        judge_put_owned(w, p->{v.name}, (long long)({count}), "
            f"sizeof *p->{v.name});")
        out(f"    else")
        out(f"        judge_put_array(w, p->{v.name}, (long long)({count}), "
            f"sizeof *p->{v.name}, {str(item['nullable']).lower()}, \"{v.name}\");")
    group, count, ctx = callback_group(api, struct)
    if group:
        fns = ", ".join(f"(void (*)(void))p->{v.name}" for v, _ in group)
        sigs = ", ".join("JUDGE_OBJECTIVE" if i["kind"] == "objective" else "JUDGE_GRADIENT"
                         for _, i in group)
        out(f"    void (*const fns[])(void) = {{{fns}}};")
        out(f"    const JudgeSignature sigs[] = {{{sigs}}};")
        out(f"    judge_put_callbacks(w, {len(group)}, fns, sigs, (long long)({count}), "
            f"{'p->' + ctx if ctx else 'NULL'});")
    for v in nested(api, struct):
        out(f"    j_put_{v.type.base}_pointers(w, &p->{v.name}, owned);")
    out("}")
    out()
    # after a call: sizes checked, then the owned buffers
    out(f"static inline void j_check_{name}(const char *fn, const char *path, const {name} *now, "
        f"const {name} *old) {{")
    out("    char field[256];")
    out("    (void)fn; (void)path; (void)now; (void)old; (void)field;")
    for f in size_fields(api, struct):
        out(f"    if (snprintf(field, sizeof field, \"%s{f}\", path) < (int)sizeof field)")
        out(f"        judge_check_size(fn, field, now->{f}, old->{f}, true);")
    for v in nested(api, struct):
        out(f"    if (snprintf(field, sizeof field, \"%s{v.name}.\", path) < (int)sizeof field)")
        out(f"        j_check_{v.type.base}(fn, field, &now->{v.name}, &old->{v.name});")
    out("}")
    out()
    out(f"static inline void j_take_{name}_pointers(Wire *w, {name} *p, const {name} *old) {{")
    out("    (void)w; (void)p; (void)old;")
    for v, _, count in owned_fields(api, struct):
        out(f"    p->{v.name} = judge_take_owned(w, (void *)old->{v.name}, "
            f"(long long)({count}), sizeof *p->{v.name});")
    for v in nested(api, struct):
        out(f"    j_take_{v.type.base}_pointers(w, &p->{v.name}, &old->{v.name});")
    out("}")
    out()


def driver_struct_code(api, out, struct):
    name = struct.name
    values_code(api, out, struct, "d", "take")
    values_code(api, out, struct, "d", "put")
    out(f"static inline void d_take_{name}_pointers(Wire *w, {name} *p, int owned) {{")
    out("    (void)w; (void)p; (void)owned;")
    for v, _, count in owned_fields(api, struct):
        out(f"    if (owned) {{")
        out(f"        long long count;")
        out(f"        p->{v.name} = drv_take_owned(w, &count, sizeof *p->{v.name});")
        out(f"    }} else {{")
        out(f"        p->{v.name} = drv_take_array(w, (long long)({count}), "
            f"sizeof *p->{v.name});")
        out(f"    }}")
    group, _, ctx = callback_group(api, struct)
    if group:
        sigs = ", ".join("1" if i["kind"] == "objective" else "2" for _, i in group)
        out(f"    const int sigs[] = {{{sigs}}};")
        out(f"    void (*fns[{len(group)}])(void);")
        out(f"    void *ctx;")
        out(f"    drv_take_callbacks(w, {len(group)}, sigs, fns, &ctx);")
        for k, (v, _) in enumerate(group):
            out(f"    p->{v.name} = ({v.type.base})fns[{k}];")
        if ctx:
            out(f"    p->{ctx} = ctx;")
    for v in nested(api, struct):
        out(f"    d_take_{v.type.base}_pointers(w, &p->{v.name}, owned);")
    out("}")
    out()
    out(f"static inline void d_put_{name}_pointers(Wire *w, const {name} *p, const {name} *sent) {{")
    out("    (void)w; (void)p; (void)sent;")
    for v, _, count in owned_fields(api, struct):
        out(f"    drv_put_owned(w, p->{v.name}, sent->{v.name}, (long long)({count}), "
            f"sizeof *p->{v.name});")
    for v in nested(api, struct):
        out(f"    d_put_{v.type.base}_pointers(w, &p->{v.name}, &sent->{v.name});")
    out("}")
    out()


# ---------------------------------------------------------------------------
# Code: functions

class Param:
    """A parameter and how it crosses."""

    def __init__(self, api, f, v):
        self.v, self.name, self.t = v, v.name, v.type
        item = api.spec.of(f.name).get(v.name, {"nullable": False, "kind": None,
                                                  "check": None, "count": None})
        self.item = item
        t = v.type
        if api.scalar(t):
            self.how = "scalar"
        elif t.base in api.fnptrs and t.ptr == 0:
            self.how = "callback"
        elif t.base == "void" and t.ptr == 1:
            self.how = "ctx" if item["kind"] == "ctx" else "opaque"
            if item["kind"] not in ("ctx", "opaque"):
                raise SystemExit(f"rpcgen: api.txt must say what {f.name}'s {v.name} is")
        elif t.ptr == 1 and t.base in api.structs and not item["count"]:
            self.how = "struct"
        elif t.ptr == 1 and item["count"]:
            self.how = "array"
        elif t.ptr == 1 and (t.base in SCALARS or t.base in api.enums):
            self.how = "array"  # one scalar: bool *converged, double *loss
            self.item = dict(item, count="1")
        else:
            raise SystemExit(f"rpcgen: api.txt does not say how {f.name}'s {v.name} "
                             f"({t!r}) crosses")
        self.mode = ("out" if item["kind"] == "out" else "in" if t.const else "inout")

    @property
    def count(self):
        return f"(long long)({self.item['count']})"


def proxy_code(api, out, f):
    params = [Param(api, f, v) for v in f.params]
    sig = ", ".join(f"{v.type!r} {v.name}".replace("*", " *").replace("  ", " ")
                    .replace("* ", "*") for v in f.params) or "void"
    ret = repr(f.ret).replace("*", " *")
    out(f"{ret} {f.name}({sig}) {{")
    out(f"    Wire *rpc_w = judge_begin({api.ids[f.name]}, \"{f.name}\");")
    for p in params:
        if p.how == "struct" and not p.item["nullable"]:
            out(f"    if (!{p.name}) judge_fail(\"the test passed NULL as {p.name} to "
                f"{f.name}()\");")
    arrays = [p for p in params if p.how == "array"]
    for p in arrays:
        out(f"    const long long rpc_n_{p.name} = {p.count};")
    for p in params:
        if p.how == "struct" and p.mode == "inout":
            out(f"    const {p.t.base} rpc_old_{p.name} = {p.name} ? *{p.name} : "
                f"({p.t.base}){{0}};")
    for p in params:  # values
        if p.how == "scalar":
            if p.t.base == "bool":
                out(f"    wire_put(rpc_w, &(unsigned char){{{p.name}}}, 1);")
            else:
                out(f"    wire_put(rpc_w, &{p.name}, sizeof {p.name});")
        elif p.how == "struct" and p.mode != "out":
            if p.item["nullable"]:
                out(f"    judge_put_presence(rpc_w, {p.name});")
                out(f"    if ({p.name}) j_put_{p.t.base}_values(rpc_w, {p.name});")
            else:
                out(f"    j_put_{p.t.base}_values(rpc_w, {p.name});")
    for p in params:  # the structs' pointers
        if p.how == "struct" and p.mode != "out":
            out(f"    if ({p.name}) j_put_{p.t.base}_pointers(rpc_w, {p.name}, "
                f"{1 if p.mode == 'inout' else 0});")
    for p in arrays:
        out(f"    judge_put_array(rpc_w, {p.name}, rpc_n_{p.name}, sizeof *{p.name}, "
                f"{str(p.item['nullable']).lower()}, \"{p.name}\");")
    callbacks = [p for p in params if p.how == "callback"]
    if callbacks:
        ctx = next((p for p in params if p.how == "ctx"), None)
        fns = ", ".join(f"(void (*)(void)){p.name}" for p in callbacks)
        sigs = ", ".join("JUDGE_OBJECTIVE" if api.signature(p.t) == 1 else "JUDGE_GRADIENT"
                         for p in callbacks)
        out(f"    void (*const rpc_fns[])(void) = {{{fns}}};")
        out(f"    const JudgeSignature rpc_sigs[] = {{{sigs}}};")
        out(f"    judge_put_callbacks(rpc_w, {len(callbacks)}, rpc_fns, rpc_sigs, "
            f"(long long)({callbacks[0].item['count']}), {ctx.name if ctx else 'NULL'});")
    for p in params:
        if p.how == "opaque":
            out(f"    judge_put_presence(rpc_w, {p.name});")
    out("    judge_wait(rpc_w);")
    if f.ret.base != "void" or f.ret.ptr:
        if f.ret.base in api.structs:
            out(f"    {f.ret.base} rpc_result = {{0}};")
            out(f"    j_take_{f.ret.base}_values(rpc_w, &rpc_result);")
        elif f.ret.base == "bool":
            out("    bool rpc_result = judge_take_bool(rpc_w);")
        else:
            out(f"    {ret} rpc_result;")
            out("    judge_take(rpc_w, &rpc_result, sizeof rpc_result);")
    for p in params:  # structs back
        if p.how != "struct" or p.mode == "in":
            continue
        out(f"    if ({p.name}) {{")
        out(f"        j_take_{p.t.base}_values(rpc_w, {p.name});")
        check = p.item["check"]
        if check:
            out(f"        judge_check_size(\"{f.name}\", \"{p.name}->{check[0]}\", "
                f"{p.name}->{check[0]}, {check[1]}, true);")
        elif p.mode == "inout":
            out(f"        j_check_{p.t.base}(\"{f.name}\", \"{p.name}->\", {p.name}, "
                f"&rpc_old_{p.name});")
        owned = p.mode == "inout" or check
        if owned or p.mode == "out":
            out(f"        j_take_{p.t.base}_pointers(rpc_w, {p.name}, "
                f"{'&rpc_old_' + p.name if p.mode == 'inout' else '&(' + p.t.base + '){0}'});")
        out("    }")
    for p in arrays:
        if p.t.const:
            continue
        if p.t.base in api.structs:
            out(f"    for (long long rpc_i = 0; {p.name} && rpc_i < rpc_n_{p.name}; rpc_i++)")
            out(f"        j_take_{p.t.base}_values(rpc_w, &{p.name}[rpc_i]);")
        elif p.t.base == "bool":
            out(f"    for (long long rpc_i = 0; {p.name} && rpc_i < rpc_n_{p.name}; rpc_i++)")
            out(f"        {p.name}[rpc_i] = judge_take_bool(rpc_w);")
        else:
            out(f"    judge_take_array(rpc_w, {p.name}, rpc_n_{p.name}, sizeof *{p.name});")
    out("    judge_end(rpc_w);")
    if f.ret.base != "void" or f.ret.ptr:
        out("    return rpc_result;")
    out("}")
    out()


def serve_code(api, out, f):
    params = [Param(api, f, v) for v in f.params]
    out(f"static void serve_{f.name}(Wire *rpc_w) {{")
    for p in params:  # values
        if p.how == "scalar":
            if p.t.base == "bool":
                out(f"    bool {p.name} = drv_take_bool(rpc_w);")
            else:
                out(f"    {p.t.base} {p.name};")
                out(f"    drv_take(rpc_w, &{p.name}, sizeof {p.name});")
        elif p.how == "struct":
            out(f"    {p.t.base} rpc_{p.name}_v;")
            out(f"    {p.t.base} *{p.name} = &rpc_{p.name}_v;")
            if p.mode == "out":
                out(f"    memset({p.name}, 0x7e, sizeof *{p.name});")
            elif p.item["nullable"]:
                out(f"    if (!drv_take_bool(rpc_w)) {p.name} = NULL;")
                out(f"    if ({p.name}) d_take_{p.t.base}_values(rpc_w, {p.name});")
            else:
                out(f"    d_take_{p.t.base}_values(rpc_w, {p.name});")
    for p in params:
        if p.how == "struct" and p.mode != "out":
            out(f"    if ({p.name}) d_take_{p.t.base}_pointers(rpc_w, {p.name}, "
                f"{1 if p.mode == 'inout' else 0});")
    arrays = [p for p in params if p.how == "array"]
    for p in arrays:
        out(f"    const long long rpc_n_{p.name} = {p.count};")
        base = p.t.base
        out(f"    {base} *{p.name} = drv_take_array(rpc_w, rpc_n_{p.name}, sizeof *{p.name});")
    callbacks = [p for p in params if p.how == "callback"]
    ctx = next((p for p in params if p.how == "ctx"), None)
    if callbacks:
        sigs = ", ".join(str(api.signature(p.t)) for p in callbacks)
        out(f"    const int rpc_sigs[] = {{{sigs}}};")
        out(f"    void (*rpc_fns[{len(callbacks)}])(void);")
        out(f"    void *{ctx.name if ctx else 'rpc_ctx'};")
        out(f"    drv_take_callbacks(rpc_w, {len(callbacks)}, rpc_sigs, rpc_fns, "
            f"&{ctx.name if ctx else 'rpc_ctx'});")
        for k, p in enumerate(callbacks):
            out(f"    {p.t.base} {p.name} = ({p.t.base})rpc_fns[{k}];")
    for p in params:
        if p.how == "opaque":
            out(f"    void *{p.name} = drv_take_opaque(rpc_w);")
    for p in params:
        if p.how == "struct" and p.mode != "in":
            if p.item["nullable"]:  # rng may be NULL (dropout_forward at evaluation)
                out(f"    {p.t.base} rpc_sent_{p.name};")
                out(f"    memset(&rpc_sent_{p.name}, 0, sizeof rpc_sent_{p.name});")
                out(f"    if ({p.name}) rpc_sent_{p.name} = *{p.name};")
            else:
                out(f"    const {p.t.base} rpc_sent_{p.name} = *{p.name};")
    call = f"{f.name}({', '.join(p.name for p in params)})"
    if f.ret.base != "void" or f.ret.ptr:
        out(f"    {repr(f.ret).replace('*', ' *')} rpc_result = {call};")
    else:
        out(f"    {call};")
    out("    drv_begin_return(rpc_w);")
    if f.ret.base != "void" or f.ret.ptr:
        if f.ret.base in api.structs:
            out(f"    d_put_{f.ret.base}_values(rpc_w, &rpc_result);")
        elif f.ret.base == "bool":
            out("    drv_put_bool(rpc_w, rpc_result);")
        else:
            out("    drv_put(rpc_w, &rpc_result, sizeof rpc_result);")
    for p in params:
        if p.how != "struct" or p.mode == "in":
            continue
        out(f"    if ({p.name}) {{")
        out(f"        d_put_{p.t.base}_values(rpc_w, {p.name});")
        out(f"        d_put_{p.t.base}_pointers(rpc_w, {p.name}, &rpc_sent_{p.name});")
        out("    }")
    for p in arrays:
        if p.t.const:
            continue
        if p.t.base in api.structs:
            out(f"    for (long long rpc_i = 0; {p.name} && rpc_i < rpc_n_{p.name}; rpc_i++)")
            out(f"        d_put_{p.t.base}_values(rpc_w, &{p.name}[rpc_i]);")
        elif p.t.base == "bool":
            out(f"    for (long long rpc_i = 0; {p.name} && rpc_i < rpc_n_{p.name}; rpc_i++)")
            out(f"        drv_put_bool(rpc_w, {p.name}[rpc_i]);")
        else:
            out(f"    drv_put_array(rpc_w, {p.name}, rpc_n_{p.name}, sizeof *{p.name});")
    out("}")
    out()


def null_code(api, out, f):
    """A definition that does nothing, for the null driver: the course's
    own driver with no student code, whose start-up the grader compares
    every student driver's with (tools/grade.py)."""
    sig = ", ".join(f"{v.type!r} {v.name}".replace("*", " *").replace("  ", " ")
                    .replace("* ", "*") for v in f.params) or "void"
    ret = repr(f.ret).replace("*", " *")
    out(f"{ret} {f.name}({sig}) {{")
    for v in f.params:
        out(f"    (void){v.name};")
    if f.ret.base in api.structs:
        out(f"    {f.ret.base} none;")
        out("    memset(&none, 0, sizeof none);")
        out("    return none;")
    elif f.ret.base != "void" or f.ret.ptr:
        out("    return 0;")
    out("}")
    out()


def used_structs(api, functions):
    names = set()
    for f in functions:
        for v in f.params:
            if v.type.base in api.structs:
                names.add(v.type.base)
        if f.ret.base in api.structs:
            names.add(f.ret.base)
    return struct_order(api, sorted(names))


HEAD = """/* Generated by tools/rpcgen.py from the headers in include/ and
 * tests/support/api.txt:
 * do not edit. {what} */
#include "{side}.h"
{includes}
#include <stdio.h>
#include <string.h>
"""


def generate(slug, uses, out_dir):
    slugs = [slug] + uses
    api = Api(slugs)
    structs = used_structs(api, api.functions)
    includes = "\n".join(f'#include "{h}"' for h in api.headers)
    judge, serve, null = Writer(), Writer(), Writer()
    null(HEAD.format(what="Definitions that do nothing (the null driver).",
                     side="driver", includes=includes))
    judge(HEAD.format(what="The proxies of chapter " + slug + ".", side="judge",
                      includes=includes))
    serve(HEAD.format(what="The driver's dispatch for chapter " + slug + ".",
                      side="driver", includes=includes))
    for name in structs:
        judge_struct_code(api, judge, api.structs[name])
        driver_struct_code(api, serve, api.structs[name])
    for f in api.functions:
        proxy_code(api, judge, f)
        serve_code(api, serve, f)
        null_code(api, null, f)
    direct = [f for f in api.functions if api.function_signature(f)]
    judge("const JudgeProxy judge_proxies[] = {")
    for f in direct:
        judge(f"    {{(void (*)(void)){f.name}, {api.ids[f.name]}, "
              f"{'JUDGE_OBJECTIVE' if api.function_signature(f) == 1 else 'JUDGE_GRADIENT'}}},")
    judge("    {NULL, 0, 0},")
    judge("};")
    judge(f"const unsigned judge_proxy_count = {len(direct)};")
    serve("int driver_dispatch(Wire *w, uint32_t fn) {")
    serve("    switch (fn) {")
    for f in api.functions:
        serve(f"    case {api.ids[f.name]}: serve_{f.name}(w); return 0;")
    serve("    }")
    serve("    return -1;")
    serve("}")
    serve()
    serve("void (*driver_direct(uint32_t fn, int signature))(void) {")
    for f in direct:
        serve(f"    if (fn == {api.ids[f.name]} && signature == {api.function_signature(f)})")
        serve(f"        return (void (*)(void)){f.name};")
    serve("    (void)fn;")
    serve("    (void)signature;")
    serve("    return NULL;")
    serve("}")
    os.makedirs(out_dir, exist_ok=True)
    for name, w in ((f"{slug}-judge.c", judge), (f"{slug}-serve.c", serve),
                    (f"{slug}-null.c", null)):
        path = os.path.join(out_dir, name)
        with open(path + ".tmp", "w") as f:
            f.write(w.text())
        os.replace(path + ".tmp", path)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--chapter", required=True)
    p.add_argument("--uses", default="")
    p.add_argument("--out", required=True)
    args = p.parse_args(argv)
    generate(args.chapter, args.uses.split(), args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
