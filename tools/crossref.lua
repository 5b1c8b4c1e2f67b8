-- crossref.lua: numbered, cross-referenced equations, figures and sections
-- without pandoc-crossref (not packaged for Debian bookworm).
--
--   $$ E = mc^2 $$ {#eq:energy}      a numbered equation, \label{eq:energy}
--   ![Caption.](figures/x.pdf){#fig:x}   a numbered figure (pandoc labels it)
--   # Title {#sec:x}                 a chapter or section
--   @eq:energy  @fig:x  @sec:x       references: (1.2), Figure 1.3, Section 1.4
--
-- A reference to a label that does not exist stops the build. Works with
-- pandoc 2.17 (Lua 5.3); LaTeX output numbers through \label/\ref.

local labels = {}      -- id -> "eq" | "fig" | "chapter" | "section"

local function fail(msg)
  io.stderr:write("crossref: " .. msg .. "\n")
  os.exit(1)
end

local function is_eq_label(el)
  return el and el.t == "Str" and el.text:match("^{#(eq:[%w_%-]+)}$")
end

-- Display math followed by {#eq:...} becomes a numbered equation.
local function number_equations(inlines)
  local out, i = pandoc.List(), 1
  while i <= #inlines do
    local el = inlines[i]
    if el.t == "Math" and el.mathtype == "DisplayMath" then
      local j = i + 1
      while inlines[j] and (inlines[j].t == "Space" or inlines[j].t == "SoftBreak") do
        j = j + 1
      end
      local id = is_eq_label(inlines[j])
      if id then
        labels[id] = "eq"
        out:insert(pandoc.RawInline("latex",
          "\\begin{equation}\\label{" .. id .. "}" .. el.text .. "\\end{equation}"))
        i = j + 1
      else
        out:insert(el)
        i = i + 1
      end
    else
      out:insert(el)
      i = i + 1
    end
  end
  return out
end

local collect = {
  Header = function(h)
    if h.identifier ~= "" then
      labels[h.identifier] = h.level == 1 and "chapter" or "section"
    end
  end,
  Image = function(img)
    if img.identifier ~= "" then labels[img.identifier] = "fig" end
  end,
  Para = function(p) p.content = number_equations(p.content); return p end,
  Plain = function(p) p.content = number_equations(p.content); return p end,
}

local words = {fig = "Figure", chapter = "Chapter", section = "Section"}

local resolve = {
  Cite = function(cite)
    local out = pandoc.List()
    for k, c in ipairs(cite.citations) do
      local id = c.id
      local kind = labels[id]
      if not kind then
        if id:match("^eq:") or id:match("^fig:") or id:match("^sec:") then
          fail("reference to an unknown label @" .. id)
        end
        return nil -- a real citation: leave it alone
      end
      if k > 1 then out:insert(pandoc.Str(", ")) end
      if kind == "eq" then
        out:insert(pandoc.RawInline("latex", "\\eqref{" .. id .. "}"))
      else
        out:insert(pandoc.RawInline("latex", words[kind] .. "~\\ref{" .. id .. "}"))
      end
    end
    return out
  end,
}

return {collect, resolve}
