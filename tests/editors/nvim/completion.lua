-- Completion menu: <C-x><C-o> (the omnifunc Neovim sets for LSP buffers), pick the first item.
local h = require('harness')

h.run(function()
  h.client()
  h.type('GA<C-x><C-o>')
  local items = h.wait_for('completion items', function()
    return #vim.fn.complete_info({ 'items' }).items > 0 and vim.fn.complete_info({ 'items' }).items
  end)
  h.observe('items', vim.tbl_map(function(item)
    return { word = item.word, abbr = item.abbr, menu = item.menu, kind = item.kind }
  end, items))
  h.type('<C-y><Esc>')
  h.wait_for('insert mode to end', function()
    return vim.api.nvim_get_mode().mode == 'n'
  end)
  h.observe('text', h.text())
end)
