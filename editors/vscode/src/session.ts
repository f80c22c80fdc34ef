/**
 * One running language client at a time: found, started with the API key and the user's base URL
 * and model path in its environment, in the extension's own folder (never the workspace, whose
 * files could shadow the server's imports), restarted on demand (or when the server command or
 * one of those settings changes), told about other settings changes.
 */
import * as vscode from 'vscode';
import {
  DidChangeConfigurationNotification,
  ExecuteCommandRequest,
  LanguageClient,
  type LanguageClientOptions,
  State,
  TransportKind,
} from 'vscode-languageclient/node';
import type { ApiKey } from './apiKey';
import { findServer, reportMissing } from './serverCommand';
import { SECTION, USER_ENVIRONMENT, automaticCompletions, serverKeys, serverSettings, userEnvironment } from './settings';
import { type Totals, USAGE_COMMAND, USAGE_NOTIFICATION, type UsageParams, type UsageStatus } from './status';

/** The languages the server is offered for (the same list as the Neovim config). */
export const LANGUAGES = [
  'c', 'cpp', 'csharp', 'css', 'go', 'html', 'java', 'javascript', 'javascriptreact', 'kotlin', 'lua',
  'php', 'python', 'ruby', 'rust', 'scala', 'shellscript', 'sql', 'swift', 'typescript',
  'typescriptreact', 'zig',
];

export class ServerSession implements vscode.Disposable {
  client: LanguageClient | undefined;
  private readonly keys: string[];
  private readonly readme: vscode.Uri;
  /** The server's working directory: a folder no repository controls. */
  private readonly cwd: string;

  constructor(
    extension: vscode.Extension<unknown>,
    private readonly output: vscode.LogOutputChannel,
    private readonly apiKey: ApiKey,
    private readonly status: UsageStatus,
  ) {
    this.keys = serverKeys(extension.packageJSON);
    this.readme = vscode.Uri.joinPath(extension.extensionUri, 'readme.md'); // vsce lower-cases it
    this.cwd = extension.extensionPath;
  }

  async start(): Promise<void> {
    this.status.set('starting');
    const server = await findServer((line) => this.output.warn(line));
    if (!server) {
      this.status.set('missing');
      this.output.error('codex-lsp was not found (setting, PATH, Python extension interpreter)');
      void reportMissing(this.readme);
      return;
    }
    this.output.info(`starting ${[server.command, ...server.args].join(' ')} (${server.source})`);
    const env = { ...(await this.apiKey.environment()), ...userEnvironment() };
    const client = new LanguageClient(
      'codexLsp',
      'codex-lsp',
      { command: server.command, args: server.args, transport: TransportKind.stdio, options: { env, cwd: this.cwd } },
      this.clientOptions(),
    );
    client.onNotification(USAGE_NOTIFICATION, (params: UsageParams) => this.status.update(params.session, params.call.model));
    client.onDidChangeState(({ newState }) => newState === State.Stopped && this.status.set('stopped'));
    this.client = client;
    try {
      await client.start();
    } catch (error) {
      this.status.set('stopped');
      const choice = await vscode.window.showErrorMessage(`codex-lsp: the server did not start: ${error}`, 'Show Output');
      if (choice) {
        this.output.show();
      }
      return;
    }
    await this.refreshUsage();
  }

  async stop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client?.isRunning()) {
      await client.stop().catch((error) => this.output.warn(`stopping the server: ${error}`));
    }
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  /** The session totals and current model from the server (undefined when it is not running). */
  async usage(): Promise<Totals | undefined> {
    if (!this.client?.isRunning()) {
      return undefined;
    }
    return this.client.sendRequest(ExecuteCommandRequest.type, { command: USAGE_COMMAND, arguments: [] });
  }

  async refreshUsage(): Promise<void> {
    const totals = await this.usage().catch(() => undefined);
    if (totals) {
      this.status.update(totals, totals.model);
    }
  }

  onConfigurationChanged(event: vscode.ConfigurationChangeEvent): void {
    if (!event.affectsConfiguration(SECTION)) {
      return;
    }
    this.status.render();
    // These travel in the server's environment, so only a new server sees a change.
    const inEnvironment = Object.keys(USER_ENVIRONMENT).some((key) => event.affectsConfiguration(`${SECTION}.${key}`));
    if (event.affectsConfiguration(`${SECTION}.server`) || inEnvironment || this.unsetToNull(event)) {
      void this.restart();
    } else if (this.client?.isRunning()) {
      // settings: null makes the server pull `codexLsp` through workspace/configuration.
      void this.client.sendNotification(DidChangeConfigurationNotification.type, { settings: null });
    }
  }

  /**
   * The server reads null as "keep what you have", so a setting cleared back to a null default
   * (budgetUsdPerDay) only takes effect in a new server.
   */
  private unsetToNull(event: vscode.ConfigurationChangeEvent): boolean {
    const config = vscode.workspace.getConfiguration(SECTION);
    return this.keys.some((key) => event.affectsConfiguration(`${SECTION}.${key}`) && config.get(key) === null);
  }

  dispose(): void {
    void this.stop();
  }

  private clientOptions(): LanguageClientOptions {
    const keys = this.keys;
    return {
      documentSelector: LANGUAGES.flatMap((language) => [
        { scheme: 'file', language },
        { scheme: 'untitled', language },
      ]),
      outputChannel: this.output,
      initializationOptions: { [SECTION]: serverSettings(keys) },
      middleware: {
        workspace: {
          // The default answer would include the extension's own keys, which the server rejects.
          configuration: async (params, token, next) => {
            const answers = await next(params, token);
            if (!Array.isArray(answers)) {
              return answers;
            }
            return params.items.map((item, index) =>
              item.section === SECTION
                ? serverSettings(keys, item.scopeUri ? vscode.Uri.parse(item.scopeUri) : undefined)
                : answers[index],
            );
          },
        },
        // With automatic completions off, only explicit requests (Alt+\, Ctrl+Space) reach the model.
        provideInlineCompletionItems: (document, position, context, token, next) =>
          automaticCompletions() || context.triggerKind === vscode.InlineCompletionTriggerKind.Invoke
            ? next(document, position, context, token)
            : undefined,
        provideCompletionItem: (document, position, context, token, next) =>
          automaticCompletions() || context.triggerKind !== vscode.CompletionTriggerKind.TriggerCharacter
            ? next(document, position, context, token)
            : undefined,
      },
    };
  }
}
