// Runs one scenario against the bundled extension modules and prints what came out, as JSON.
// Usage: node run.js BUNDLE SCENARIO_JSON, with the stub `vscode` module on NODE_PATH.
// A scenario: {call: findServer|serverSettings|userEnvironment, keys?, trusted, config, python?,
// workspaceFolder?}; config maps a key to {value, globalValue?, workspaceValue?}.
'use strict';

async function main() {
  const [bundle, scenarioJson] = process.argv.slice(2);
  globalThis.codexScenario = JSON.parse(scenarioJson);
  const scenario = globalThis.codexScenario;
  const units = require(bundle);
  const skipped = [];
  let result;
  if (scenario.call === 'findServer') {
    result = (await units.findServer((why) => skipped.push(why))) ?? null;
  } else if (scenario.call === 'serverSettings') {
    result = units.serverSettings(scenario.keys);
  } else {
    result = units.userEnvironment();
  }
  process.stdout.write(JSON.stringify({ result, skipped }));
}

main().catch((error) => {
  process.stderr.write(String(error?.stack ?? error));
  process.exit(1);
});
