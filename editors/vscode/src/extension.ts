/** The codex-lsp extension: a language client, its status bar item and five commands, wired. */
import * as vscode from 'vscode';
import { ApiKey } from './apiKey';
import { ServerSession } from './session';
import { SECTION, automaticCompletions } from './settings';
import { UsageStatus } from './status';

let session: ServerSession | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const output = vscode.window.createOutputChannel('codex-lsp', { log: true });
  const apiKey = new ApiKey(context.secrets);
  const status = new UsageStatus();
  session = new ServerSession(context.extension, output, apiKey, status);
  const current = session;
  const command = vscode.commands.registerCommand;
  context.subscriptions.push(
    output,
    status,
    current,
    command('codexLsp.restartServer', () => current.restart()),
    command('codexLsp.showOutput', () => output.show()),
    command('codexLsp.toggleAutomaticCompletions', toggleAutomaticCompletions),
    command('codexLsp.setApiKey', async (key?: unknown) => {
      if (await apiKey.set(key)) {
        await current.restart();
      }
    }),
    command('codexLsp.showUsage', async () => status.show(await current.usage().catch(() => undefined))),
    vscode.workspace.onDidChangeConfiguration((event) => current.onConfigurationChanged(event)),
    // Trusting the folder may make its Python interpreter or a ${workspaceFolder} command usable.
    vscode.workspace.onDidGrantWorkspaceTrust(() => current.restart()),
  );
  await current.start();
}

export async function deactivate(): Promise<void> {
  await session?.stop();
}

async function toggleAutomaticCompletions(): Promise<void> {
  const on = !automaticCompletions();
  await vscode.workspace.getConfiguration(SECTION).update('completions.automatic', on, vscode.ConfigurationTarget.Global);
  vscode.window.setStatusBarMessage(`codex-lsp: automatic completions ${on ? 'on' : 'off'}`, 3000);
}
