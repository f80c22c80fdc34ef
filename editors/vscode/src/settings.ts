/**
 * What the server is told about settings: every `codexLsp.*` key of the server's section of
 * package.json (generated from the server's settings model), never the extension's own keys
 * (`server.*`, `completions.*`, `trace.*`), which the server would reject as unknown.
 */
import * as vscode from 'vscode';

export const SECTION = 'codexLsp';

/** The server's keys, e.g. `model`, `features.inlineCompletion`: the first configuration block. */
export function serverKeys(packageJSON: any): string[] {
  const block = packageJSON.contributes.configuration[0];
  return Object.keys(block.properties).map((key) => key.slice(SECTION.length + 1));
}

/**
 * The current values, nested (`{features: {inlineCompletion: true}}`). Nulls are left out: for
 * the server null means "keep the lower layer" (environment variables such as OPENAI_BASE_URL).
 */
export function serverSettings(keys: string[], scope?: vscode.Uri): Record<string, unknown> {
  const config = vscode.workspace.getConfiguration(SECTION, scope);
  const out: Record<string, any> = {};
  for (const key of keys) {
    const value = config.get(key);
    if (value === null || value === undefined) {
      continue;
    }
    const path = key.split('.');
    let node = out;
    for (const part of path.slice(0, -1)) {
      node = node[part] ??= {};
    }
    node[path[path.length - 1]] = value;
  }
  return out;
}

export function automaticCompletions(): boolean {
  return vscode.workspace.getConfiguration(SECTION).get<boolean>('completions.automatic', true);
}
