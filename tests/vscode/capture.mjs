// Saves a PNG of the code-server page in a running headless Chromium, over the DevTools
// protocol (Node 24's built-in WebSocket; nothing to install).
// Usage: node capture.mjs DEBUG_PORT OUT.png [X Y WIDTH HEIGHT]
import { writeFileSync } from 'node:fs';

const [port, out, ...clip] = process.argv.slice(2);
const targets = await (await fetch(`http://127.0.0.1:${port}/json/list`)).json();
const page = targets.find((t) => t.type === 'page' && t.url.startsWith('http://127.0.0.1'));
if (!page) {
  throw new Error(`no code-server page among ${JSON.stringify(targets.map((t) => t.url))}`);
}
const socket = new WebSocket(page.webSocketDebuggerUrl);
await new Promise((resolve, reject) => {
  socket.onopen = resolve;
  socket.onerror = reject;
});
const params = { format: 'png' };
if (clip.length === 4) {
  const [x, y, width, height] = clip.map(Number);
  params.clip = { x, y, width, height, scale: 1 };
}
socket.send(JSON.stringify({ id: 1, method: 'Page.captureScreenshot', params }));
const reply = await new Promise((resolve) => {
  socket.onmessage = (event) => {
    const message = JSON.parse(event.data);
    if (message.id === 1) resolve(message);
  };
});
socket.close();
if (reply.error) {
  throw new Error(JSON.stringify(reply.error));
}
writeFileSync(out, Buffer.from(reply.result.data, 'base64'));
