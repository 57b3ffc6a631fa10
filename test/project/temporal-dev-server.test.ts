import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { freePort, portOpen, startTemporalDevServer } from '../../runtime/temporal-dev-server.ts';
import { StartupError } from '../../runtime/startup-error.ts';
import { toolPath } from '../../runtime/tools.ts';

const ROOT = resolve(import.meta.dirname, '../..');

describe('the embedded Temporal dev server', () => {
  it('refuses to start when its web UI\'s port is taken, naming the port and the setting, and starts nothing', async () => {
    const taken = createServer();
    await new Promise<void>((ok) => taken.listen(0, '127.0.0.1', () => ok()));
    const uiPort = (taken.address() as { port: number }).port;
    const port = await freePort();
    try {
      await assert.rejects(startTemporalDevServer({ executable: toolPath(ROOT, 'temporal') ?? 'temporal', port, uiPort }), (err: unknown) =>
        err instanceof StartupError && err.message === `Port ${uiPort} (Temporal's web UI) is already in use: stop what listens there, or set TEMPORAL_UI_PORT to another port, or to off.`);
      assert.equal(await portOpen(port), false, 'no server was started');
    } finally {
      await new Promise((ok) => taken.close(ok));
    }
  });

  it('serves the web UI on the port it is given, and none when it is given none', async () => {
    const executable = toolPath(ROOT, 'temporal') ?? 'temporal';
    const uiPort = await freePort();
    const withUi = await startTemporalDevServer({ executable, port: await freePort(), uiPort });
    try {
      const page = await fetch(`http://127.0.0.1:${uiPort}/`);
      assert.equal(page.status, 200);
    } finally {
      await withUi.stop();
    }
    const headless = await startTemporalDevServer({ executable, port: await freePort() });
    try {
      assert.equal(await portOpen(uiPort), false);
      assert.equal(await portOpen(Number(headless.address.split(':')[1]) + 1000), false, 'not on the CLI\'s default UI port either');
    } finally {
      await headless.stop();
    }
  });
});
