// Drives the installed codex-lsp extension inside a real VS Code (code-server), the way a user
// would: store the API key through the extension's command, open a file, wait for AI
// diagnostics, apply an AI quick fix, ask for completion items and accept ghost text. It writes
// what it saw to a JSON file; tests/vscode/test_e2e.py asserts on it. In "screenshots" mode it
// stops at each pose until the harness has taken its picture.
//
// Configured by the JSON file named in CODEX_DRIVER_CONFIG (absent: the driver does nothing):
// {mode: test|screenshots|missing, file, apiKey, completionAt: {line, character}, out, log, sync}.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const vscode = require('vscode');

const STEP_TIMEOUT_MS = 40_000;

function activate() {
  const configPath = process.env.CODEX_DRIVER_CONFIG;
  if (!configPath) {
    return;
  }
  const config = JSON.parse(fs.readFileSync(configPath, 'utf8'));
  const log = (text) => fs.appendFileSync(config.log, `${new Date().toISOString()} ${text}\n`);
  run(config, log).then(
    (result) => fs.writeFileSync(config.out, JSON.stringify({ ok: true, ...result }, null, 2)),
    (error) => {
      const text = String(error?.stack ?? error);
      log(`failed: ${text}`);
      fs.writeFileSync(config.out, JSON.stringify({ ok: false, error: text }, null, 2));
    },
  );
}

async function run(config, log) {
  const result = {};
  log(`extension host PATH=${process.env.PATH}`);
  if (config.mode === 'missing') {
    // No server anywhere: activation must finish, say so in the output channel and offer help.
    const extension = vscode.extensions.getExtension('codex-lsp.codex-lsp');
    await extension.activate();
    result.extensionActive = extension.isActive;
    result.usage = (await vscode.commands.executeCommand('codexLsp.showUsage')) ?? null;
    return result;
  }
  log('setting the API key through codexLsp.setApiKey (activates the extension, restarts the server)');
  await vscode.commands.executeCommand('codexLsp.setApiKey', config.apiKey);
  result.extensionActive = vscode.extensions.getExtension('codex-lsp.codex-lsp')?.isActive ?? false;

  const uri = vscode.Uri.file(config.file);
  const document = await vscode.workspace.openTextDocument(uri);
  const editor = await vscode.window.showTextDocument(document);
  log(`opened ${uri.toString()} (${document.languageId})`);

  const diagnostic = await step(log, 'diagnostics', () => waitForDiagnostic(uri));
  result.diagnostics = vscode.languages.getDiagnostics(uri).filter(isOurs).map(describeDiagnostic);

  if (config.mode === 'screenshots') {
    await screenshotPoses(config, log, editor, diagnostic);
    return result;
  }

  result.codeAction = await step(log, 'code action', () => applyQuickFix(uri, diagnostic, document));
  const at = new vscode.Position(config.completionAt.line, config.completionAt.character);
  result.completion = await step(log, 'completion items', () => completionItems(uri, at));
  result.inlineCompletion = await step(log, 'inline completion', () => acceptGhostText(editor, at));
  result.usage = await vscode.commands.executeCommand('codexLsp.showUsage');
  await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
  result.settingsChange = await step(log, 'settings change', () => completionsOffThenOn(uri, at));
  result.toggle = await step(log, 'toggle automatic completions', toggleTwice);
  await step(log, 'restart server', () => vscode.commands.executeCommand('codexLsp.restartServer'));
  result.usageAfterRestart = await vscode.commands.executeCommand('codexLsp.showUsage');
  await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
  return result;
}

async function step(log, name, body) {
  log(`step ${name}: start`);
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`step ${name} timed out after ${STEP_TIMEOUT_MS} ms`)), STEP_TIMEOUT_MS);
  });
  try {
    const value = await Promise.race([body(), timeout]);
    log(`step ${name}: done ${JSON.stringify(value)}`);
    return value;
  } finally {
    clearTimeout(timer);
  }
}

function isOurs(diagnostic) {
  return diagnostic.source === 'codex-lsp';
}

function describeDiagnostic(d) {
  return {
    range: [d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character],
    message: d.message,
    severity: ['error', 'warning', 'information', 'hint'][d.severity],
    code: typeof d.code === 'object' ? d.code.value : d.code,
    source: d.source,
  };
}

/** Resolves with the first codex-lsp diagnostic of `uri`, as soon as VS Code has it. */
function waitForDiagnostic(uri) {
  return new Promise((resolve) => {
    const check = () => {
      const found = vscode.languages.getDiagnostics(uri).find(isOurs);
      if (found) {
        subscription.dispose();
        resolve(found);
      }
    };
    const subscription = vscode.languages.onDidChangeDiagnostics(check);
    check();
  });
}

/** Lists the actions for the diagnostic, resolves the AI fix (codeAction/resolve), applies it. */
async function applyQuickFix(uri, diagnostic, document) {
  const actions = await vscode.commands.executeCommand(
    'vscode.executeCodeActionProvider', uri, diagnostic.range, vscode.CodeActionKind.QuickFix.value, 1,
  );
  const titles = actions.map((a) => a.title);
  const fix = actions.find((a) => a.title.startsWith('AI: fix'));
  if (!fix) {
    throw new Error(`no AI fix among ${JSON.stringify(titles)}`);
  }
  if (!fix.edit) {
    throw new Error(`the AI fix "${fix.title}" was resolved without an edit`);
  }
  const applied = await vscode.workspace.applyEdit(fix.edit);
  return { titles, title: fix.title, applied, text: document.getText() };
}

async function completionItems(uri, at) {
  const list = await vscode.commands.executeCommand('vscode.executeCompletionItemProvider', uri, at);
  return list.items
    .filter((item) => item.detail === 'codex-lsp')
    .map((item) => ({ label: typeof item.label === 'string' ? item.label : item.label.label, insertText: String(item.insertText ?? '') }));
}

/**
 * Asks for ghost text explicitly at `at` (as Alt+\ does) and accepts it (as Tab does); VS Code
 * offers no command that returns inline items, so acceptance is observed in the document.
 */
async function acceptGhostText(editor, at) {
  const before = editor.document.getText();
  editor.selection = new vscode.Selection(at, at);
  await vscode.window.showTextDocument(editor.document, { preserveFocus: false });
  await vscode.commands.executeCommand('editor.action.inlineSuggest.trigger');
  const lineBefore = editor.document.lineAt(at.line).text;
  for (;;) {
    await vscode.commands.executeCommand('editor.action.inlineSuggest.commit');
    if (editor.document.getText() !== before) {
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const line = editor.document.lineAt(at.line).text;
  await vscode.commands.executeCommand('undo');
  return { lineBefore, lineAfter: line };
}

/**
 * Turns `codexLsp.features.completion` off in the user settings and asks until the server (which
 * pulls settings through workspace/configuration on change) offers no AI item; then back on.
 */
async function completionsOffThenOn(uri, at) {
  const config = () => vscode.workspace.getConfiguration('codexLsp');
  await config().update('features.completion', false, vscode.ConfigurationTarget.Global);
  let attempts = 0;
  while ((await completionItems(uri, at)).length > 0) {
    attempts += 1;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  await config().update('features.completion', true, vscode.ConfigurationTarget.Global);
  let itemsAgain = [];
  while (itemsAgain.length === 0) {
    itemsAgain = await completionItems(uri, at);
  }
  return { offAfterAttempts: attempts, itemsAgain };
}

async function toggleTwice() {
  const read = () => vscode.workspace.getConfiguration('codexLsp').get('completions.automatic');
  const before = read();
  await vscode.commands.executeCommand('codexLsp.toggleAutomaticCompletions');
  const toggled = read();
  await vscode.commands.executeCommand('codexLsp.toggleAutomaticCompletions');
  return { before, toggled, after: read() };
}

/** Screenshots: ghost text, a diagnostic with its hover, the quick-fix menu with AI actions. */
async function screenshotPoses(config, log, editor, diagnostic) {
  const pose = async (name) => {
    fs.writeFileSync(path.join(config.sync, `pose-${name}`), '');
    log(`pose ${name}: waiting for the picture`);
    const ack = path.join(config.sync, `ack-${name}`);
    while (!fs.existsSync(ack)) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  await vscode.commands.executeCommand('workbench.action.closeSidebar');
  await vscode.commands.executeCommand('workbench.action.closeAuxiliaryBar');
  const at = new vscode.Position(config.completionAt.line, config.completionAt.character);
  editor.selection = new vscode.Selection(at, at);
  editor.revealRange(new vscode.Range(0, 0, 0, 0), vscode.TextEditorRevealType.AtTop);
  await vscode.commands.executeCommand('editor.action.inlineSuggest.trigger');
  await pose('ghost-text');
  await vscode.commands.executeCommand('editor.action.inlineSuggest.hide');

  const start = diagnostic.range.start;
  editor.selection = new vscode.Selection(start, start);
  editor.revealRange(diagnostic.range, vscode.TextEditorRevealType.InCenter);
  await vscode.commands.executeCommand('editor.action.showHover');
  await pose('diagnostic');
  await vscode.commands.executeCommand('editor.action.hideHover');

  await vscode.commands.executeCommand('editor.action.quickFix');
  await pose('code-action');
}

module.exports = { activate, deactivate() {} };
