import { readFileSync } from 'node:fs';
import Handlebars from 'handlebars';
import { countOf } from '../../words/counts.js';
import { TEMPLATE_DIR } from './template-files.js';

export interface PageTemplates {
  conversation: HandlebarsTemplateDelegate;
  index: HandlebarsTemplateDelegate;
  search: HandlebarsTemplateDelegate;
}

/** Compiles the page layouts once per export; partials are shared by all of them. */
export function loadTemplates(): PageTemplates {
  const handlebars = Handlebars.create();
  const read = (name: string) => readFileSync(`${TEMPLATE_DIR}${name}`, 'utf8');
  handlebars.registerPartial('head', read('head.hbs'));
  handlebars.registerPartial('searchbox', read('searchbox.hbs'));
  // {{count n "photo"}}: "1 photo", "2 photos".
  handlebars.registerHelper('count', (count: number, one: string) => countOf(count, one));
  const compile = (name: string) => handlebars.compile(read(name));
  return { conversation: compile('conversation.hbs'), index: compile('index.hbs'), search: compile('search.hbs') };
}
