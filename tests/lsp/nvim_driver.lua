-- Drives Neovim (headless) through a session with `archc lsp`, for test_lsp_neovim.py:
-- open a spec, wait for diagnostics, type a mistake, wait for its diagnostic, hover, and
-- complete after `$` while a bracket is still open. Writes what it saw as JSON to
-- $ARCHC_E2E_OUT, then quits. Positions come from $ARCHC_E2E_* (0-based).
local out = { steps = {} }
local function note(step) table.insert(out.steps, step) end
local function finish()
  local f = io.open(os.getenv("ARCHC_E2E_OUT"), "w")
  f:write(vim.fn.json_encode(out))
  f:close()
  vim.cmd("qa!")
end

local published = {}
local original = vim.lsp.handlers["textDocument/publishDiagnostics"]
vim.lsp.handlers["textDocument/publishDiagnostics"] = function(err, result, ctx, config)
  table.insert(published, { version = result.version, count = #result.diagnostics })
  return original(err, result, ctx, config)
end

local ok, problem = pcall(function()
  vim.cmd("filetype on")
  vim.cmd("edit " .. vim.fn.fnameescape(os.getenv("ARCHC_E2E_SPEC")))
  local buf = vim.api.nvim_get_current_buf()
  out.filetype = vim.bo[buf].filetype
  out.attached = vim.wait(20000, function()
    return #vim.lsp.buf_get_clients(buf) > 0
  end, 20)
  note("open")
  out.opened = vim.wait(30000, function() return #published > 0 end, 20)
  out.open_diagnostics = published[1] and published[1].count or -1
  note("diagnostics")

  -- Type a mistake: `kernel_size` misspelt on the mistake line.
  local line = tonumber(os.getenv("ARCHC_E2E_MISTAKE_LINE"))
  local text = vim.api.nvim_buf_get_lines(buf, line, line + 1, false)[1]
  local typo = text:gsub("kernel_size", "kernal_size", 1)
  vim.api.nvim_buf_set_lines(buf, line, line + 1, false, { typo })
  out.edited = vim.wait(30000, function()
    return #vim.diagnostic.get(buf) > 0
  end, 20)
  out.diagnostics = {}
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    table.insert(out.diagnostics, { code = d.code, lnum = d.lnum, col = d.col,
                                    message = d.message })
  end
  note("edit")

  local uri = vim.uri_from_bufnr(buf)
  local hover = vim.lsp.buf_request_sync(buf, "textDocument/hover", {
    textDocument = { uri = uri },
    position = { line = tonumber(os.getenv("ARCHC_E2E_HOVER_LINE")),
                 character = tonumber(os.getenv("ARCHC_E2E_HOVER_COL")) },
  }, 20000)
  for _, response in pairs(hover or {}) do
    if response.result and response.result.contents then
      out.hover = response.result.contents.value
    end
  end
  note("hover")

  -- Completion after `$` inside a `{` that is not closed yet.
  local typed = text:match("^(%s*)") .. "- dense: {units: $"
  vim.api.nvim_buf_set_lines(buf, line, line + 1, false, { typed })
  local completion = vim.lsp.buf_request_sync(buf, "textDocument/completion", {
    textDocument = { uri = uri },
    position = { line = line, character = #typed },
  }, 20000)
  out.completion = {}
  for _, response in pairs(completion or {}) do
    local result = response.result or {}
    for _, item in ipairs(result.items or result) do
      table.insert(out.completion, item.label)
    end
  end
  note("completion")
  out.publishes = #published
end)
if not ok then out.error = tostring(problem) end
finish()
