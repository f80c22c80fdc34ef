-- Drives a headless Neovim through one scenario against the real codex-lsp.
--
-- A scenario is a coroutine: `wait_for` yields back to Neovim's main loop, so typed keys,
-- LSP messages and timers are processed exactly as in an interactive session, and no step sleeps
-- a fixed time. What the scenario observes is written as JSON to $CODEX_TEST_OUT for pytest to
-- compare; any failure is written there too and Neovim exits non-zero.

local M = {}

local out_path = assert(os.getenv('CODEX_TEST_OUT'), 'CODEX_TEST_OUT is not set')
local observed = vim.empty_dict()

-- Messages Neovim showed the user (vim.notify), in order.
M.messages = {}
local notify = vim.notify
vim.notify = function(msg, level, opts)
  table.insert(M.messages, msg)
  return notify(msg, level, opts)
end

local function finish(result, code)
  local file = assert(io.open(out_path, 'w'))
  file:write(vim.json.encode(result))
  file:close()
  vim.cmd((code == 0 and 'qall!') or ('cquit ' .. code))
end

--- Record a value under `key` for the Python side to compare.
function M.observe(key, value)
  observed[key] = value
end

--- Resume the scenario once `predicate()` returns a truthy value (which is returned), or fail
--- after `timeout_ms` naming `what` was awaited.
function M.wait_for(what, predicate, timeout_ms)
  local co = assert(coroutine.running(), 'wait_for must run inside M.run')
  local deadline = vim.uv.now() + (timeout_ms or 15000)
  local function poll()
    local ok, value = pcall(predicate)
    if ok and value then
      coroutine.resume(co, value)
    elseif not ok then
      coroutine.resume(co, nil, value)
    elseif vim.uv.now() > deadline then
      coroutine.resume(co, nil, 'timed out waiting for ' .. what)
    else
      vim.defer_fn(poll, 10)
    end
  end
  vim.schedule(poll)
  local value, err = coroutine.yield()
  if err then
    error(err, 0)
  end
  return value
end

--- Type keys as a user would (processed by the main loop while the scenario waits).
function M.type(keys)
  vim.api.nvim_input(keys)
end

--- The codex_lsp client attached to the current buffer, once it is initialized.
function M.client()
  return M.wait_for('codex_lsp to attach', function()
    return vim.lsp.get_clients({ bufnr = 0, name = 'codex_lsp' })[1]
  end)
end

--- Run `scenario` as a coroutine; its observations (or its error) end the session.
function M.run(scenario)
  local co = coroutine.create(function()
    local ok, err = xpcall(scenario, debug.traceback)
    if ok then
      finish({ observed = observed }, 0)
    else
      finish({ observed = observed, error = tostring(err) }, 1)
    end
  end)
  vim.schedule(function()
    local ok, err = coroutine.resume(co)
    if not ok then
      finish({ observed = observed, error = tostring(err) }, 1)
    end
  end)
  -- A hung scenario still ends the session (pytest's own timeout is the last resort).
  vim.defer_fn(function()
    finish({ observed = observed, error = 'scenario did not finish in time' }, 2)
  end, tonumber(os.getenv('CODEX_TEST_TIMEOUT_MS') or '40000'))
end

--- Buffer text as one string.
function M.text(bufnr)
  return table.concat(vim.api.nvim_buf_get_lines(bufnr or 0, 0, -1, false), '\n')
end

return M
