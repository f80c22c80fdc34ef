---@brief
---
--- codex-lsp: AI completions, review diagnostics and code actions from a code model.
--- `codex-lsp` must be on PATH (`pip install .` in its repository). It reads
--- `OPENAI_API_KEY` and `OPENAI_BASE_URL` from the environment. Settings go under
--- `settings.codexLsp`; whatever is left out keeps the server's default. A base URL or model
--- path belongs in `cmd_env` (`OPENAI_BASE_URL`, `CODEX_LSP_LOCAL_MODEL_PATH`), which the
--- server trusts: sent in `settings`, the server asks before using it.
---
--- Ghost text (`textDocument/inlineCompletion`) is switched on for attached buffers on
--- Neovim versions that have `vim.lsp.inline_completion` (0.12 and later).
---@type vim.lsp.Config
return {
  cmd = { 'codex-lsp' },
  filetypes = {
    'c', 'cpp', 'cs', 'css', 'go', 'html', 'java', 'javascript', 'javascriptreact', 'kotlin',
    'lua', 'php', 'python', 'ruby', 'rust', 'scala', 'sh', 'sql', 'swift', 'typescript',
    'typescriptreact', 'zig',
  },
  root_markers = { '.git' },
  settings = { codexLsp = vim.empty_dict() },
  on_attach = function(_, bufnr)
    if vim.lsp.inline_completion then
      vim.lsp.inline_completion.enable(true, { bufnr = bufnr })
    end
  end,
}
