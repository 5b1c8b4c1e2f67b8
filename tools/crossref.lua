-- crossref.lua: numbered, cross-referenced equations, figures and sections
-- without pandoc-crossref (not packaged for Debian bookworm).
--
--   $$ E = mc^2 $$ {#eq:energy}      a numbered equation
--   ![Caption.](figures/x.pdf){#fig:x}   a numbered figure
--   # Title {#sec:x}                 a chapter or section
--   @eq:energy  @fig:x  @sec:x       references: (1.2), Figure 1.3, Section 1.4
--
-- A reference to a label that does not exist stops the build. The PDF
-- numbers through LaTeX's \label/\ref. The web edition (any other format)
-- gets the same numbers from this filter, which counts as LaTeX does
-- (chapters; sections, equations and figures within a chapter), writes them
-- into headings (span.header-section-number), equations (\tag) and figure
-- captions, turns references into links, and shows figures as SVG
-- (figures/x.svg, drawn by gnuplot from the same data as the PDF's).
-- Works with pandoc 2.17 (Lua 5.3).

local latex = FORMAT:match("latex") ~= nil

local labels = {}      -- id -> {kind = "eq" | "fig" | "chapter" | "section", number = "3.2"}

local function fail(msg)
  io.stderr:write("crossref: " .. msg .. "\n")
  os.exit(1)
end

local function label(id, kind, number)
  if labels[id] then fail("the label " .. id .. " is defined twice") end
  labels[id] = {kind = kind, number = number}
end

local function is_eq_label(el)
  return el and el.t == "Str" and el.text:match("^{#(eq:[%w_%-]+)}$")
end

-- Counters, in document order: chapter, and within it sections, equations
-- and figures, as LaTeX's book class counts them.
local chapter, counts = 0, {}

local function next_number(kind)
  counts[kind] = (counts[kind] or 0) + 1
  return chapter .. "." .. counts[kind]
end

local function equation(math, id)
  local number = next_number("eq")
  label(id, "eq", number)
  if latex then
    return pandoc.RawInline("latex",
      "\\begin{equation}\\label{" .. id .. "}" .. math.text .. "\\end{equation}")
  end
  return pandoc.Span({pandoc.Math("DisplayMath", math.text .. " \\tag{" .. number .. "}")},
                     pandoc.Attr(id, {"equation"}))
end

-- Display math followed by {#eq:...} becomes a numbered equation; an
-- implicit figure (an image whose title pandoc set to "fig:") is numbered.
local function number_inlines(inlines)
  local out, i = pandoc.List(), 1
  while i <= #inlines do
    local el = inlines[i]
    local j = i + 1
    while inlines[j] and (inlines[j].t == "Space" or inlines[j].t == "SoftBreak") do
      j = j + 1
    end
    local id = el.t == "Math" and el.mathtype == "DisplayMath" and is_eq_label(inlines[j])
    if id then
      out:insert(equation(el, id))
      i = j + 1
    else
      if el.t == "Image" and el.title:match("^fig:") then
        local number = next_number("fig")
        if el.identifier ~= "" then label(el.identifier, "fig", number) end
        if not latex then
          el.src = el.src:gsub("%.pdf$", ".svg")
          local caption = pandoc.List({pandoc.Strong({pandoc.Str("Figure " .. number .. ":")}),
                                       pandoc.Space()})
          caption:extend(el.caption)
          el.caption = caption
        end
      end
      out:insert(el)
      i = i + 1
    end
  end
  return out
end

local function number_header(h)
  local numbered = not h.classes:includes("unnumbered")
  local number
  if h.level == 1 then
    counts = {}
    if numbered then
      chapter = chapter + 1
      number = tostring(chapter)
    end
  elseif numbered and chapter > 0 then
    number = next_number("h" .. h.level)
    for level = h.level + 1, 6 do counts["h" .. level] = nil end
  end
  if h.identifier ~= "" then
    label(h.identifier, h.level == 1 and "chapter" or "section", number)
  end
  if number and not latex then
    local content = pandoc.List({pandoc.Span({pandoc.Str(number)},
                                             pandoc.Attr("", {"header-section-number"})),
                                 pandoc.Space()})
    content:extend(h.content)
    h.content = content
    h.attributes["data-number"] = number
  end
  return h
end

local words = {fig = "Figure", chapter = "Chapter", section = "Section"}

local function reference(id)
  local l = labels[id]
  if latex then
    if l.kind == "eq" then return pandoc.RawInline("latex", "\\eqref{" .. id .. "}") end
    return pandoc.RawInline("latex", words[l.kind] .. "~\\ref{" .. id .. "}")
  end
  if not l.number then fail("@" .. id .. " refers to an unnumbered heading") end
  local text = l.kind == "eq" and "(" .. l.number .. ")" or words[l.kind] .. "\u{a0}" .. l.number
  return pandoc.Link({pandoc.Str(text)}, "#" .. id)
end

local function resolve(cite)
  local out = pandoc.List()
  for k, c in ipairs(cite.citations) do
    if not labels[c.id] then
      if c.id:match("^eq:") or c.id:match("^fig:") or c.id:match("^sec:") then
        fail("reference to an unknown label @" .. c.id)
      end
      return nil -- a real citation: citeproc's
    end
    if k > 1 then out:insert(pandoc.Str(", ")) end
    out:insert(reference(c.id))
  end
  return out
end

function Pandoc(doc)
  local blocks = pandoc.List()
  for _, b in ipairs(doc.blocks) do
    if b.t == "Header" then
      blocks:insert(number_header(b))
    else
      blocks:insert(pandoc.walk_block(b, {Inlines = number_inlines}))
    end
  end
  blocks = pandoc.walk_block(pandoc.Div(blocks), {Cite = resolve}).content
  return pandoc.Pandoc(blocks, doc.meta)
end
