-- book-matter.lua: what the book holds besides its chapters, in both
-- editions (make book, make html).
--
--   * {{repository}} anywhere in the text, in code or in a link becomes the
--     `repository` field of book.md's metadata: the instructor sets the
--     course's address there, once;
--   * the licence (book.md's `licence` field) gets a page of its own after
--     the title page in the PDF; the web edition shows it on its index;
--   * a last, unnumbered chapter "References" holds the reference list
--     (pandoc's --citeproc, which must run after this filter, fills it);
--   * in the PDF the preface is front matter, numbered in roman: \mainmatter
--     moves to the first numbered chapter, \backmatter to the references;
--   * in the PDF a lead-in, a paragraph that ends with a colon, is never
--     the last thing on a page: no page break between it and the listing,
--     equation or list it introduces (TeX breaks inside or before it).
--
-- Works with pandoc 2.17 (Lua 5.3).

local PLACEHOLDER = "{{repository}}"
local latex = FORMAT:match("latex") ~= nil

local function fail(msg)
  io.stderr:write("book-matter: " .. msg .. "\n")
  os.exit(1)
end

local repository

local function fill(s)
  return (s:gsub("{{repository}}", function() return repository end))
end

-- Str "{{repository}}" (alone or inside a longer word) becomes a link.
local function fill_inlines(inlines)
  local out = pandoc.List()
  for _, el in ipairs(inlines) do
    local s, e
    if el.t == "Str" then s, e = el.text:find(PLACEHOLDER, 1, true) end
    if s then
      if s > 1 then out:insert(pandoc.Str(el.text:sub(1, s - 1))) end
      out:insert(pandoc.Link(pandoc.Str(repository), repository))
      if e < #el.text then out:insert(pandoc.Str(el.text:sub(e + 1))) end
    else
      out:insert(el)
    end
  end
  return out
end

local placeholders = {
  Inlines = fill_inlines,
  Code = function(el) el.text = fill(el.text); return el end,
  CodeBlock = function(el) el.text = fill(el.text); return el end,
  Link = function(el) el.target = fill(el.target); return el end,
}

local function licence_page(meta)
  local licence = meta.licence
  if not licence then fail("book.md has no `licence` field") end
  local blocks = pandoc.walk_block(pandoc.Div(licence), placeholders).content
  meta.licence = pandoc.MetaBlocks(blocks)
  if not latex then return end
  local body = pandoc.write(pandoc.Pandoc(blocks), "latex")
  meta["include-before"] = pandoc.MetaBlocks({pandoc.RawBlock("latex",
    "\\thispagestyle{empty}\\vspace*{\\fill}\n{\\small\\setlength{\\parskip}{0.6em}\n" ..
    body .. "\n\\par}\n\\clearpage")})
end

local function references()
  local blocks = pandoc.List()
  if latex then blocks:insert(pandoc.RawBlock("latex", "\\backmatter")) end
  blocks:insert(pandoc.Header(1, "References",
                              pandoc.Attr("sec:references", {"unnumbered"})))
  if latex then
    blocks:insert(pandoc.RawBlock("latex", "\\markboth{REFERENCES}{REFERENCES}"))
  end
  blocks:insert(pandoc.Div({}, pandoc.Attr("refs")))
  return blocks
end

local function is_lead_in(block)
  local last = block and (block.t == "Para" or block.t == "Plain") and block.content[#block.content]
  return last and last.t == "Str" and last.text:match(":$")
end

-- \leadin (tools/book-preamble.tex) forbids a break after the lead-in; a
-- list's own break point before its first item needs \leadinlist.
local function keep_lead_ins(blocks)
  local out = pandoc.List()
  for i, b in ipairs(blocks) do
    out:insert(b)
    if is_lead_in(b) and blocks[i + 1] then
      local list = blocks[i + 1].t == "BulletList" or blocks[i + 1].t == "OrderedList"
      out:insert(pandoc.RawBlock("latex", list and "\\leadinlist" or "\\leadin"))
    end
  end
  return out
end

function Pandoc(doc)
  local repo = doc.meta.repository
  if not repo then fail("book.md has no `repository` field (the course's address)") end
  repository = pandoc.utils.stringify(repo)
  local doc_meta = doc.meta
  licence_page(doc_meta)
  doc = pandoc.walk_block(pandoc.Div(doc.blocks), placeholders)
  if latex then doc = pandoc.walk_block(doc, {Blocks = keep_lead_ins}) end
  local blocks, started = pandoc.List(), false
  for _, b in ipairs(doc.content) do
    if latex and not started and b.t == "Header" and b.level == 1
       and not b.classes:includes("unnumbered") then
      blocks:insert(pandoc.RawBlock("latex", "\\coursemainmatter"))
      started = true
    end
    blocks:insert(b)
  end
  blocks:extend(references())
  return pandoc.Pandoc(blocks, doc_meta)
end
