-- Ghost text: the shipped config enables vim.lsp.inline_completion; entering insert mode at the
-- end of a line requests it, the suggestion shows as virtual text, and get() accepts it.
local h = require('harness')

local function ghost_text()
  local ns = vim.api.nvim_get_namespaces()['nvim.lsp.inline_completion']
  if not ns then
    return nil
  end
  for _, mark in ipairs(vim.api.nvim_buf_get_extmarks(0, ns, 0, -1, { details = true })) do
    local chunks = mark[4].virt_text or {}
    if #chunks > 0 then
      return table.concat(vim.tbl_map(function(chunk)
        return chunk[1]
      end, chunks))
    end
  end
end

h.run(function()
  local client = h.client()
  h.wait_for('inline completion to be enabled', function()
    return vim.lsp.inline_completion.is_enabled({ bufnr = 0 })
  end)
  h.observe('server_offers_inline_completion', client:supports_method('textDocument/inlineCompletion'))
  h.type('GA')
  h.observe('ghost_text', h.wait_for('ghost text', ghost_text))
  h.wait_for('the suggestion to be accepted', function()
    return vim.lsp.inline_completion.get()
  end)
  h.wait_for('the buffer to change', function()
    return vim.bo.modified
  end)
  h.type('<Esc>')
  h.observe('text', h.text())
end)
