-- AI review: Neovim pulls textDocument/diagnostic after didOpen; the findings land in
-- vim.diagnostic for the buffer.
local h = require('harness')

h.run(function()
  local client = h.client()
  local diagnostics = h.wait_for('diagnostics', function()
    local found = vim.diagnostic.get(0)
    return #found > 0 and found
  end)
  h.observe('pull', client:supports_method('textDocument/diagnostic'))
  h.observe('diagnostics', vim.tbl_map(function(d)
    return {
      lnum = d.lnum,
      col = d.col,
      end_lnum = d.end_lnum,
      end_col = d.end_col,
      severity = vim.diagnostic.severity[d.severity],
      source = d.source,
      code = d.code,
      message = d.message,
    }
  end, diagnostics))
end)
