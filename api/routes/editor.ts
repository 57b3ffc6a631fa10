import { existsSync } from 'node:fs';
import { join } from 'node:path';
import express, { Router, type Response } from 'express';
import { ApiError } from '../errors.ts';

/**
 * The web application (editor/, built by `npm run editor:build` into editor/dist): index.html at `/`
 * (and under /editor for links people bookmark), its hashed bundles under /assets. Screens are
 * addressed by the URL fragment (#/rulesets/default), so no other path needs the page. These routes
 * are public in api/permissions.ts: the page signs people in itself; every API call it makes is guarded.
 */
export function editorRoutes(deps: { distDir: string }): Router {
  const router = Router();
  const index = join(deps.distDir, 'index.html');
  // Bundles are named by content hash, so they may be cached for good; index.html never is.
  const assets = express.static(deps.distDir, { index: false, immutable: true, maxAge: '365d', fallthrough: true, dotfiles: 'deny' });

  const sendIndex = (res: Response) => {
    if (!existsSync(index)) {
      throw new ApiError(503, 'EDITOR_NOT_BUILT', `The web application is not built (${index} is missing): run \`npm run editor:build\`, or restart with \`npm start\`, which builds it.`);
    }
    res.setHeader('Cache-Control', 'no-cache');
    // The page loads only its own bundles and talks only to this server; Monaco runs its workers from blob-free module URLs.
    res.setHeader('Content-Security-Policy',
      "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; worker-src 'self'; connect-src 'self'; frame-ancestors 'none'");
    res.sendFile(index);
  };

  router.get('/', (_req, res) => sendIndex(res));
  router.get('/editor{/*path}', (_req, res) => sendIndex(res));
  router.get('/assets/*path', assets);
  return router;
}
