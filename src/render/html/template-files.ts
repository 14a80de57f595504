import { fileURLToPath } from 'node:url';

/** templates/html/ in the package, found from this file in src/render/html or dist/render/html. */
export const TEMPLATE_DIR = fileURLToPath(new URL('../../../templates/html/', import.meta.url));

/** Files copied as they are into the archive's assets/ folder. */
export const STATIC_ASSETS = ['style.css', 'app.js', 'search.js'];
