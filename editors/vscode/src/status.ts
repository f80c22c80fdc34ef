/**
 * The status bar item: the session's cost and cached share of input tokens (backend/model until
 * the first model call), updated by the server's `codexLsp/usage` notification after every
 * model call. The tooltip breaks the bill down by feature; a click shows the details, fetched
 * fresh with the server's `codexLsp.usage` command.
 */
import * as vscode from 'vscode';
import { SECTION, automaticCompletions } from './settings';

export const USAGE_NOTIFICATION = 'codexLsp/usage';
export const USAGE_COMMAND = 'codexLsp.usage';

/** One feature's share of the session, under the ledger's feature names (completion, ...). */
export interface FeatureTotals {
  calls: number;
  input_tokens: number;
  cached_tokens: number;
  cost_usd: number;
  cached_ratio: number;
}

export interface Totals {
  calls: number;
  input_tokens: number;
  cached_tokens: number;
  cache_write_tokens: number;
  output_tokens: number;
  reasoning_tokens: number;
  cost_usd: number;
  cached_ratio: number;
  cost_today_usd?: number;
  avoided?: Record<string, number>;
  features?: Record<string, FeatureTotals>; // absent from servers older than the breakdown
  model?: string | null;
}

export interface UsageParams {
  call: { feature: string; model: string; cost_usd: number };
  session: Totals;
}

type State = 'starting' | 'running' | 'stopped' | 'missing';

export class UsageStatus implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('codexLsp.status', vscode.StatusBarAlignment.Right, 100);
  private state: State = 'starting';
  private model: string | undefined;
  private totals: Totals | undefined;

  constructor() {
    this.item.name = 'codex-lsp';
    this.item.command = 'codexLsp.showUsage';
    this.render();
    this.item.show();
  }

  set(state: State): void {
    this.state = state;
    this.render();
  }

  /** From the notification, or from the usage command (which also names the current model). */
  update(totals: Totals, model?: string | null): void {
    this.totals = totals;
    this.model = model ?? this.model;
    this.state = 'running';
    this.render();
  }

  render(): void {
    const config = vscode.workspace.getConfiguration(SECTION);
    const backend = config.get<string>('backend', 'auto');
    const model = this.model ?? config.get<string>('model', '');
    const icon = automaticCompletions() ? '$(sparkle)' : '$(circle-slash)';
    if (this.state === 'starting') {
      this.item.text = '$(loading~spin) codex-lsp';
      this.item.tooltip = 'codex-lsp: starting the server';
    } else if (this.state === 'missing' || this.state === 'stopped') {
      this.item.text = '$(error) codex-lsp';
      this.item.tooltip =
        this.state === 'missing' ? 'codex-lsp: server not found (see the error message)' : 'codex-lsp: server stopped';
      this.item.command = 'codexLsp.showOutput';
      return;
    } else {
      const t = this.totals;
      this.item.text = t ? `${icon} ${shortCost(t)}` : `${icon} ${backend}/${model}`;
      const tooltip = new vscode.MarkdownString(
        `**codex-lsp** (${backend}/${model})\n\n` +
          (t
            ? `This session: ${t.calls} calls, ${dollars(t.cost_usd)}, ${percent(t.cached_ratio)} of input tokens cached\n\n` +
              featureTable(t.features)
            : '') +
          `Automatic completions: ${automaticCompletions() ? 'on' : 'off'}. Click for details.`,
      );
      this.item.tooltip = tooltip;
    }
    this.item.command = 'codexLsp.showUsage';
  }

  /** A quick pick listing the session's usage; returns the totals (for scripts and tests). */
  show(totals: Totals | undefined): Totals | undefined {
    if (totals) {
      this.update(totals, totals.model);
    }
    const t = this.totals;
    const pick = vscode.window.createQuickPick();
    pick.title = `codex-lsp usage this session (${this.model ?? 'no model yet'})`;
    pick.items = t
      ? [
          row('Cost', dollars(t.cost_usd)),
          row('Cost today', dollars(t.cost_today_usd ?? t.cost_usd)),
          row('Model calls', String(t.calls)),
          row('Input tokens', `${t.input_tokens} (${t.cached_tokens} cached, ${percent(t.cached_ratio)})`),
          row('Cache writes', `${t.cache_write_tokens} tokens`),
          row('Output tokens', `${t.output_tokens} (${t.reasoning_tokens} reasoning)`),
          row('Calls avoided', describeAvoided(t.avoided)),
          ...featureRows(t.features),
        ]
      : [row('No usage yet', this.state === 'running' ? 'no model call in this session' : 'the server is not running')];
    pick.onDidHide(() => pick.dispose());
    pick.show();
    return t;
  }

  dispose(): void {
    this.item.dispose();
  }
}

function row(label: string, description: string): vscode.QuickPickItem {
  return { label, description };
}

/** The status bar text: short, e.g. "$0.42 · 91% cached". */
export function shortCost(t: Totals): string {
  return `${dollars(t.cost_usd)} · ${percent(t.cached_ratio)} cached`;
}

function byFeature(features: Record<string, FeatureTotals> | undefined): [string, FeatureTotals][] {
  return Object.entries(features ?? {}).sort(([a], [b]) => a.localeCompare(b));
}

function describeFeature(f: FeatureTotals): string {
  return `${dollars(f.cost_usd)} · ${percent(f.cached_ratio)} cached · ${f.calls} ${f.calls === 1 ? 'call' : 'calls'}`;
}

/** The tooltip's per-feature table (Markdown), or nothing before the first call. */
export function featureTable(features: Record<string, FeatureTotals> | undefined): string {
  const rows = byFeature(features).map(
    ([name, f]) => `| ${name} | ${dollars(f.cost_usd)} | ${percent(f.cached_ratio)} | ${f.calls} |`,
  );
  return rows.length ? `| Feature | Cost | Cached | Calls |\n|:--|--:|--:|--:|\n${rows.join('\n')}\n\n` : '';
}

function featureRows(features: Record<string, FeatureTotals> | undefined): vscode.QuickPickItem[] {
  const rows = byFeature(features).map(([name, f]) => row(name, describeFeature(f)));
  return rows.length ? [{ label: 'By feature', kind: vscode.QuickPickItemKind.Separator }, ...rows] : [];
}

function dollars(value: number): string {
  return `$${value.toFixed(value > 0 && value < 0.01 ? 4 : 2)}`;
}

function percent(ratio: number): string {
  return `${Math.round(ratio * 100)}%`;
}

function describeAvoided(avoided: Record<string, number> | undefined): string {
  const parts = Object.entries(avoided ?? {}).map(([cache, count]) => `${count} by ${cache}`);
  return parts.length ? parts.join(', ') : 'none';
}
