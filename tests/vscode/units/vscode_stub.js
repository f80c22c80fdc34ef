// A stand-in for the `vscode` module: just what settings.ts and serverCommand.ts read, answered
// from the scenario run.js puts on globalThis.codexScenario.
'use strict';

const scenario = () => globalThis.codexScenario;

module.exports = {
  workspace: {
    get isTrusted() {
      return scenario().trusted;
    },
    get workspaceFolders() {
      const folder = scenario().workspaceFolder;
      return folder ? [{ uri: { fsPath: folder } }] : undefined;
    },
    getConfiguration() {
      const config = scenario().config;
      return {
        // The effective value, as VS Code merges it (a test states it).
        get: (key, fallback) => (key in config ? config[key].value : fallback),
        inspect: (key) => (key in config ? { key, ...config[key] } : undefined),
      };
    },
  },
  extensions: {
    getExtension(id) {
      const python = scenario().python;
      if (id !== 'ms-python.python' || !python) {
        return undefined;
      }
      const environments = {
        getActiveEnvironmentPath: () => ({ path: python }),
        resolveEnvironment: async () => ({ executable: { uri: { fsPath: python } } }),
      };
      return { isActive: true, exports: { environments } };
    },
  },
  window: {},
  commands: {},
};
