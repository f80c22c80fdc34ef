/**
 * What the server is told about settings: every `codexLsp.*` key of the server's section of
 * package.json (generated from the server's settings model), never the extension's own keys
 * (`server.*`, `completions.*`, `trace.*`), which the server would reject as unknown.
 *
 * The settings that choose where code and the API key go, or what the server loads, reach it
 * from the user's own settings as environment variables, which the server trusts; the server
 * asks the user before it uses one that arrives over LSP, where a repository could have put it.
 */
import * as vscode from 'vscode';

export const SECTION = 'codexLsp';

/** Each such setting (`scope: machine` in package.json) and the variable that carries it. */
export const USER_ENVIRONMENT: Readonly<Record<string, string>> = {
  baseUrl: 'OPENAI_BASE_URL',
  localModelPath: 'CODEX_LSP_LOCAL_MODEL_PATH',
};

/** The variables for those settings the user set in their user settings (never a workspace's). */
export function userEnvironment(): Record<string, string> {
  const config = vscode.workspace.getConfiguration(SECTION);
  const env: Record<string, string> = {};
  for (const [key, variable] of Object.entries(USER_ENVIRONMENT)) {
    const value = userValue(config, key);
    if (typeof value === 'string' && value) {
      env[variable] = value;
    }
  }
  return env;
}

function userValue(config: vscode.WorkspaceConfiguration, key: string): unknown {
  return config.inspect(key)?.globalValue ?? null;
}

/** The server's keys, e.g. `model`, `features.inlineCompletion`: the first configuration block. */
export function serverKeys(packageJSON: any): string[] {
  const block = packageJSON.contributes.configuration[0];
  return Object.keys(block.properties).map((key) => key.slice(SECTION.length + 1));
}

/**
 * The current values, nested (`{features: {inlineCompletion: true}}`). Nulls are left out: for
 * the server null means "keep the lower layer" (environment variables such as OPENAI_BASE_URL),
 * and so are the values `userEnvironment` hands over.
 */
export function serverSettings(keys: string[], scope?: vscode.Uri): Record<string, unknown> {
  const config = vscode.workspace.getConfiguration(SECTION, scope);
  const out: Record<string, any> = {};
  for (const key of keys) {
    const value = config.get(key);
    if (value === null || value === undefined) {
      continue;
    }
    if (Object.hasOwn(USER_ENVIRONMENT, key) && userValue(config, key) !== null) {
      continue;
    }
    const path = key.split('.');
    let node = out;
    for (const part of path.slice(0, -1)) {
      node = node[part] ??= {};
    }
    node[path[path.length - 1]] = keepingUserExclusions(config, key, value);
  }
  return out;
}

/**
 * Settings that keep files from the model: a workspace may add to the user's, never take them
 * away. VS Code lets a workspace's value replace the user's (an array is not merged), so a
 * repository's `"codexLsp.exclude": []` or `"excludeGitIgnored": false` would send the files
 * the user excluded.
 */
function keepingUserExclusions(
  config: vscode.WorkspaceConfiguration,
  key: string,
  value: unknown,
): unknown {
  const user = config.inspect(key)?.globalValue;
  if (key === 'exclude') {
    const globs = [user, value].flatMap((layer) => (Array.isArray(layer) ? layer : []));
    return [...new Set(globs.filter((glob) => typeof glob === 'string'))];
  }
  if (key === 'excludeGitIgnored') {
    return value === true || user === true;
  }
  return value;
}

export function automaticCompletions(): boolean {
  return vscode.workspace.getConfiguration(SECTION).get<boolean>('completions.automatic', true);
}
