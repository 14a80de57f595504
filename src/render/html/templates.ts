import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';

/** templates/html/ in the package, found from this file in src/render/html or dist/render/html. */
export const TEMPLATE_DIR = fileURLToPath(new URL('../../../templates/html/', import.meta.url));

/** Files copied as they are into the archive's assets/ folder. */
export const STATIC_ASSETS = ['style.css', 'app.js', 'search.js'];

export interface PageTemplates {
  conversation: HandlebarsTemplateDelegate;
  index: HandlebarsTemplateDelegate;
  search: HandlebarsTemplateDelegate;
}

/** One template of templates/html/, without partials. */
export function compileTemplate(name: string): HandlebarsTemplateDelegate {
  return Handlebars.create().compile(readFileSync(`${TEMPLATE_DIR}${name}`, 'utf8'));
}

/** Compiles the page layouts once per export; partials are shared by all of them. */
export function loadTemplates(): PageTemplates {
  const handlebars = Handlebars.create();
  const read = (name: string) => readFileSync(`${TEMPLATE_DIR}${name}`, 'utf8');
  handlebars.registerPartial('head', read('head.hbs'));
  handlebars.registerPartial('searchbox', read('searchbox.hbs'));
  const compile = (name: string) => handlebars.compile(read(name));
  return { conversation: compile('conversation.hbs'), index: compile('index.hbs'), search: compile('search.hbs') };
}
