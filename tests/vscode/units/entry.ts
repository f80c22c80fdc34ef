// What the unit tests call, bundled by tests/vscode/test_units.py with `vscode` left external.
export { findServer } from '../../../editors/vscode/src/serverCommand';
export { serverSettings, userEnvironment } from '../../../editors/vscode/src/settings';
