import type { RequestHandler } from 'express';
import { match as compilePattern } from 'path-to-regexp';

/**
 * The routes an express app serves, read from its routers' own stacks, and the lookup of the route
 * a request will reach. Matching reuses express's own layers (their matchers, case-insensitivity,
 * trailing-slash rule and mount-path stripping), so the authorization middleware decides on exactly
 * the route express is about to run, never on a look-alike.
 */

/** The parts of the `router` package's Layer and Route we read (express 5 / router 2). */
interface Layer {
  route?: { path: string | string[]; methods: Record<string, boolean>; _handlesMethod?(method: string): boolean };
  handle: RequestHandler & { stack?: Layer[] };
  rawPath?: unknown;
  match(path: string): false | { path: string };
}

export interface ServedRoute {
  /** e.g. `GET /v1/rulesets/:name` — the key of ROUTE_PERMISSIONS. */
  key: string;
  method: string;
  pattern: string;
  chain: Layer[];
}

export interface RouteIndex {
  routes: readonly ServedRoute[];
  /** The first route express would run for this request, or null when none would. */
  find(method: string, path: string): ServedRoute | null;
  /** The methods some route answers on this path (HEAD beside GET): what a 405's Allow header lists. */
  methodsFor(path: string): string[];
}

const joinPath = (prefix: string, path: string) => (prefix === '' || prefix === '/' ? path : path === '/' ? prefix : prefix + path);

/** Walks routers (and routers mounted in them) in the order express runs them. */
export function indexRoutes(routers: readonly RequestHandler[]): RouteIndex {
  const routes: ServedRoute[] = [];
  const walk = (stack: Layer[], prefix: string, chain: Layer[]) => {
    for (const layer of stack) {
      if (layer.route) {
        const paths = Array.isArray(layer.route.path) ? layer.route.path : [layer.route.path];
        const methods = Object.keys(layer.route.methods).filter((m) => layer.route?.methods[m]).map((m) => (m === '_all' ? 'ALL' : m.toUpperCase()));
        for (const path of paths) for (const method of methods) {
          const pattern = joinPath(prefix, path);
          routes.push({ key: `${method} ${pattern}`, method, pattern, chain: [...chain, layer] });
        }
      } else if (Array.isArray(layer.handle.stack)) {
        const mount = typeof layer.rawPath === 'string' ? layer.rawPath : '/';
        walk(layer.handle.stack, joinPath(prefix, mount), [...chain, layer]);
      }
    }
  };
  for (const router of routers) {
    const stack = (router as RequestHandler & { stack?: Layer[] }).stack;
    if (Array.isArray(stack)) walk(stack, '', []);
  }
  return {
    routes,
    find: (method, path) => routes.find((r) => handles(r, method) && reaches(r.chain, path)) ?? null,
    methodsFor: (path) => {
      const methods = new Set(routes.filter((r) => r.method !== 'ALL' && reaches(r.chain, path)).map((r) => r.method));
      if (methods.has('GET')) methods.add('HEAD');
      return [...methods].sort();
    },
  };
}

function handles(route: ServedRoute, method: string): boolean {
  const last = route.chain[route.chain.length - 1];
  if (last?.route?._handlesMethod) return last.route._handlesMethod(method);
  return route.method === 'ALL' || route.method === method || (method === 'HEAD' && route.method === 'GET');
}

/** Strips each mounted router's path as express does, then asks the route's layer. */
function reaches(chain: Layer[], path: string): boolean {
  let rest = path;
  for (const [i, layer] of chain.entries()) {
    const m = layer.match(rest);
    if (!m) return false;
    if (i === chain.length - 1) return true;
    rest = rest.slice(m.path.length);
    if (!rest.startsWith('/')) rest = `/${rest}`;
  }
  return false;
}

/** Matches a request against the patterns of table rows that no route serves (e.g. static assets under a mount). */
export function patternMatcher(keys: readonly string[]): (method: string, path: string) => string | null {
  const compiled = keys.map((key) => {
    const [method, pattern] = key.split(' ', 2) as [string, string];
    return { key, method, test: compilePattern(pattern, { sensitive: false, end: true, trailing: true }) };
  });
  return (method, path) => {
    const m = method === 'HEAD' ? 'GET' : method;
    return compiled.find((c) => c.method === m && c.test(path) !== false)?.key ?? null;
  };
}

/** A concrete path for a pattern (`/v1/rulesets/:name` → `/v1/rulesets/x`), for tests walking the table. */
export function examplePath(pattern: string, value = 'x'): string {
  return pattern
    .replace(/\{[^}]*\}/g, '')
    .replace(/:[A-Za-z0-9_]+/g, value)
    .replace(/\*[A-Za-z0-9_]+/g, value) || '/';
}
