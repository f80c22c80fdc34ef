-- Quick fix on the diagnostic under the cursor, as a user picks it from vim.lsp.buf.code_action():
-- Neovim resolves the action (codeAction/resolve) and applies the edit it gets back. With
-- $CODEX_ACTION_KIND set, the request asks only for that kind (context.only), as a
-- `vim.lsp.buf.code_action({ context = { only = { 'quickfix' } }, apply = true })` mapping does.
local h = require('harness')

h.run(function()
  local client = h.client()
  local methods = {}
  local request = client.request
  client.request = function(self, method, ...)
    table.insert(methods, method)
    return request(self, method, ...)
  end

  local diagnostic = h.wait_for('a diagnostic', function()
    return vim.diagnostic.get(0)[1]
  end)
  vim.api.nvim_win_set_cursor(0, { diagnostic.lnum + 1, diagnostic.col })

  local offered = {}
  vim.ui.select = function(items, opts, on_choice) -- the user's pick in the menu
    for i, item in ipairs(items) do
      local title = opts.format_item and opts.format_item(item) or tostring(item)
      table.insert(offered, title)
      if item.action and item.action.kind == 'quickfix' then
        return on_choice(item, i)
      end
    end
    on_choice(nil, nil)
  end
  local kind = os.getenv('CODEX_ACTION_KIND')
  if kind then
    vim.lsp.buf.code_action({ context = { only = { kind } }, apply = true })
  else
    vim.lsp.buf.code_action()
  end

  h.wait_for('the fix to be applied (or a message why not)', function()
    return vim.bo.modified or #h.messages > 0
  end)
  h.observe('messages', h.messages)
  h.observe('offered', offered)
  h.observe('methods', vim.tbl_filter(function(m)
    return m:match('codeAction') or m:match('executeCommand')
  end, methods))
  h.observe('text', h.text())
end)
