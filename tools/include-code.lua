-- include-code.lua: code listings come from the real, tested source files.
--
--   ```{.c include="include/gd.h" region="gd_step"}
--   ```
--
-- is filled with the lines between `//> gd_step` and `//< gd_step` in
-- include/gd.h (marker lines of other regions inside it are dropped; without
-- region= the whole file, less all markers). A block that already has a body
-- must equal the region, so that the markdown read on its own cannot drift
-- from the code. A missing file or region stops the build.
--
-- Output blocks, ```{.output program="gd"}, are left as they are (make test
-- checks them against the demo) and get a label in the book.
--
-- Page breaks in the PDF (tools/book-preamble.tex sets listings line by
-- line): a listing of up to SHORT lines is kept whole; a longer one may
-- break, but not within its first KEEP lines, and says "continued" where
-- it does. Its label stays with it (and tools/book-matter.lua keeps a
-- lead-in sentence with the label).
--
-- Works with pandoc 2.17 (Lua 5.3).

local function fail(msg)
  io.stderr:write("include-code: " .. msg .. "\n")
  os.exit(1)
end

local function read_file(path)
  local f = io.open(path, "r")
  if not f then fail("cannot open " .. path) end
  local text = f:read("a")
  f:close()
  return text
end

local function lines_of(text)
  local lines = {}
  for line in (text:gsub("\n$", "") .. "\n"):gmatch("(.-)\n") do
    lines[#lines + 1] = line
  end
  return lines
end

local function marker(line)
  local kind, name = line:match("^%s*//([<>]) ([%w_%-]+)%s*$")
  return kind, name
end

-- The region's lines, or the whole file's, without marker lines.
local function extract(path, name)
  local out, inside, found = {}, name == nil, false
  for _, line in ipairs(lines_of(read_file(path))) do
    local kind, which = marker(line)
    if kind and which == name then
      inside = (kind == ">")
      found = true
    elseif inside and not kind then
      out[#out + 1] = line
    end
  end
  if name and not found then fail("no region '" .. name .. "' in " .. path) end
  if #out == 0 then fail("region '" .. tostring(name) .. "' in " .. path .. " is empty") end
  return table.concat(out, "\n")
end

local function trim(s)
  return (s:gsub("^%s+", ""):gsub("%s+$", ""))
end

local SHORT, KEEP = 7, 3
local latex = FORMAT:match("latex") ~= nil

local function line_count(text)
  local _, newlines = text:gsub("\n", "")
  return newlines + 1
end

local function label(text, code)
  if latex then
    local n = line_count(code)
    return pandoc.RawBlock("latex", "\\listinglabel{" .. (text:gsub("_", "\\_")) ..
                           "}{" .. (n <= SHORT and n or KEEP) .. "}")
  end
  return pandoc.Div({pandoc.Plain({pandoc.Str(text)})}, pandoc.Attr("", {"listing-label"}))
end

local function CodeBlock(el)
  local path = el.attributes["include"]
  if path then
    local name = el.attributes["region"]
    local code = extract(path, name)
    if trim(el.text) ~= "" and trim(el.text) ~= trim(code) then
      fail(path .. (name and ("#" .. name) or "") ..
           ": the listing in the chapter differs from the source; empty the block or copy the region again")
    end
    el.text = code
    el.attributes["include"] = nil
    el.attributes["region"] = nil
    return {label(path, code), el}
  end
  if el.classes:includes("output") then
    local program = el.attributes["program"] or "?"
    el.attributes["program"] = nil
    local text = "output of the " .. program .. " demo (make run)"
    if latex then
      return {label(text, el.text), pandoc.RawBlock("latex",
        "\\begin{OutputBlock}\n" .. el.text .. "\n\\end{OutputBlock}")}
    end
    el.classes = {"output"} -- the web edition styles pre.output
    return {label(text, el.text), el}
  end
end

return {{CodeBlock = CodeBlock}}
