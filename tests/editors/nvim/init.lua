-- The user's side of the test: the plain `vim.lsp.enable` setup from editors/nvim/README.md,
-- with settings of the kind a user writes (a model every call must name, no debounce pauses),
-- then the scenario named by $CODEX_SCENARIO.
vim.opt.runtimepath:append(assert(os.getenv('CODEX_NVIM_PLUGIN')))
vim.lsp.config('codex_lsp', {
  settings = {
    codexLsp = { model = 'editor-test-model', debounceMs = 0, diagnosticsDebounceMs = 0 },
  },
})
vim.lsp.enable('codex_lsp')

package.path = vim.fs.dirname(debug.getinfo(1, 'S').source:sub(2)) .. '/?.lua;' .. package.path
dofile(assert(os.getenv('CODEX_SCENARIO')))
