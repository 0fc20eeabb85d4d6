/** The UI bundle, read into memory once at start-up and served with its content type. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, extname } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

/** StaticFile is one file of the bundle. */
export interface StaticFile {
  body: Buffer;
  contentType: string;
}

/** loadStaticFiles maps URL paths ("/main.js") to the files under root; "/" is index.html. */
export function loadStaticFiles(root: string): Map<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  const walk = (dir: string, prefix: string): void => {
    for (const name of readdirSync(dir)) {
      const full = join(dir, name);
      if (statSync(full).isDirectory()) walk(full, `${prefix}${name}/`);
      else files.set(`${prefix}${name}`, { body: readFileSync(full), contentType: TYPES[extname(name)] ?? 'application/octet-stream' });
    }
  };
  try {
    walk(root, '/');
  } catch {
    return files; // No bundle built: the API still works, "/" says how to build the UI.
  }
  const index = files.get('/index.html');
  if (index) files.set('/', index);
  return files;
}
