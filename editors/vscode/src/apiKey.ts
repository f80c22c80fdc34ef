/**
 * The OpenAI API key lives in VS Code's SecretStorage (or in the environment VS Code was started
 * with), never in a settings file. It reaches the server only as OPENAI_API_KEY in its process
 * environment.
 */
import * as vscode from 'vscode';

const SECRET = 'codexLsp.openaiApiKey';

export class ApiKey {
  constructor(private readonly secrets: vscode.SecretStorage) {}

  /** The server's environment: VS Code's own, with the stored key (if any) taking precedence. */
  async environment(): Promise<NodeJS.ProcessEnv> {
    const key = await this.secrets.get(SECRET);
    return key ? { ...process.env, OPENAI_API_KEY: key } : { ...process.env };
  }

  /**
   * Asks for the key (a password box), or takes it as an argument for scripted setups. An empty
   * answer removes the stored key. Returns false when the user cancelled.
   */
  async set(given?: unknown): Promise<boolean> {
    const value =
      typeof given === 'string'
        ? given
        : await vscode.window.showInputBox({
            title: 'codex-lsp: OpenAI API key',
            prompt:
              "Kept in VS Code's secret storage and given to the server as OPENAI_API_KEY. " +
              'Leave empty to remove the stored key.',
            placeHolder: 'sk-...',
            password: true,
            ignoreFocusOut: true,
          });
    if (value === undefined) {
      return false;
    }
    if (value.trim()) {
      await this.secrets.store(SECRET, value.trim());
    } else {
      await this.secrets.delete(SECRET);
    }
    return true;
  }
}
