/** What spreadsheet programs take for the start of a formula (OWASP's list). */
const FORMULA_START = /^[=+\-@\t\r]/;

/** A CSV cell made text for spreadsheets: a leading apostrophe, which they show not and do not run. */
export function quoteFormula(cell: string): string {
  return FORMULA_START.test(cell) ? `'${cell}` : cell;
}

/** A cell as it was before `quoteFormula`. */
export function unquoteFormula(cell: string): string {
  return cell.startsWith("'") && FORMULA_START.test(cell.slice(1)) ? cell.slice(1) : cell;
}

/** Every cell of a CSV row as `--csv-formulas` asks: exactly as it is (`keep`), or quoted. */
export function csvCells(formulas: 'keep' | 'quote'): (row: string[]) => string[] {
  return formulas === 'quote' ? (row) => row.map(quoteFormula) : (row) => row;
}
