/**
 * Finds the command that starts codex-lsp: the `codexLsp.server.command` setting, else
 * `codex-lsp` on PATH, else `python -P -m codex_lsp` with the Python extension's interpreter
 * (when codex_lsp imports there; `-P` keeps the working directory off the import path). When
 * none works, the user gets one error with a way out. In Restricted Mode nothing the workspace
 * folder holds is run: neither its interpreter nor a command set with `${workspaceFolder}`.
 */
import { execFile } from 'node:child_process';
import { constants, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { SECTION } from './settings';

export interface ServerCommand {
  command: string;
  args: string[];
  /** How it was found, for the output channel. */
  source: string;
}

/** Runs `python -P -m codex_lsp`: Python 3.11's `-P` leaves the working directory off sys.path. */
export const PYTHON_ARGS = ['-P', '-m', 'codex_lsp'];

/** `skipped` hears why a candidate was passed over (for the output channel). */
export async function findServer(skipped: (why: string) => void = () => undefined): Promise<ServerCommand | undefined> {
  const trusted = vscode.workspace.isTrusted;
  const configured = vscode.workspace.getConfiguration(SECTION).get<string[]>('server.command', []);
  if (configured.length > 0 && !trusted && configured.some((part) => part.includes('${workspaceFolder}'))) {
    skipped(`${SECTION}.server.command names the workspace folder, which is not trusted: not run`);
  } else if (configured.length > 0) {
    const [command, ...args] = configured.map(expand);
    return { command, args, source: `setting ${SECTION}.server.command` };
  }
  const onPath = await which(process.platform === 'win32' ? 'codex-lsp.exe' : 'codex-lsp');
  if (onPath) {
    return { command: onPath, args: [], source: 'codex-lsp on PATH' };
  }
  if (!trusted) {
    skipped("the workspace is not trusted: the Python extension's interpreter is not run");
    return undefined;
  }
  const python = await pythonExtensionInterpreter();
  if (python && (await imports(python, 'codex_lsp'))) {
    return { command: python, args: PYTHON_ARGS, source: 'the Python extension\'s interpreter' };
  }
  return undefined;
}

/** One error with two ways out: the install steps (this extension's README) or the setting. */
export async function reportMissing(readme: vscode.Uri): Promise<void> {
  const choice = await vscode.window.showErrorMessage(
    'codex-lsp: the language server was not found. Install it with "pip install codex-lsp" ' +
      '(it must be on PATH or in the Python interpreter selected in VS Code), or set ' +
      `${SECTION}.server.command.`,
    'How to install',
    'Open Settings',
  );
  if (choice === 'How to install') {
    await vscode.commands.executeCommand('markdown.showPreview', readme);
  } else if (choice === 'Open Settings') {
    await vscode.commands.executeCommand('workbench.action.openSettings', `${SECTION}.server.command`);
  }
}

/** `~` and `${workspaceFolder}` are the two substitutions people write in this setting. */
function expand(part: string): string {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? '';
  return part.replace(/^~(?=$|[\\/])/, os.homedir()).replace(/\$\{workspaceFolder\}/g, folder);
}

async function which(name: string): Promise<string | undefined> {
  // Relative entries (`.`) would resolve against a working directory a repository may own.
  for (const dir of (process.env.PATH ?? '').split(path.delimiter).filter(path.isAbsolute)) {
    const candidate = path.join(dir, name);
    try {
      await fs.access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

async function pythonExtensionInterpreter(): Promise<string | undefined> {
  const extension = vscode.extensions.getExtension('ms-python.python');
  if (!extension) {
    return undefined;
  }
  try {
    const api = extension.isActive ? extension.exports : await extension.activate();
    const environments = api?.environments;
    const active = environments?.getActiveEnvironmentPath(vscode.workspace.workspaceFolders?.[0]?.uri);
    const resolved = active ? await environments.resolveEnvironment(active) : undefined;
    return resolved?.executable?.uri?.fsPath;
  } catch {
    return undefined; // an older or failing Python extension: fall through to the error
  }
}

function imports(python: string, module: string): Promise<boolean> {
  return new Promise((resolve) => {
    const options = { timeout: 15_000, cwd: os.homedir() };
    execFile(python, ['-P', '-c', `import ${module}`], options, (error) => resolve(!error));
  });
}
