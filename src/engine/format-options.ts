// Options of one format, refused when that format is not written: the command line and the library share them.
import { UserError } from '../errors.js';

/** Options of one format, as the command line spells them, with the format they are for. */
const FORMAT_OPTIONS: [flag: string, format: string][] = [
  ['--pdf-style', 'pdf'], ['--page-size', 'pdf'], ['--pdf-standard', 'pdf'], ['--no-cover', 'pdf'], ['--bates', 'pdf'], ['--bates-digits', 'pdf'], ['--csv-bom', 'csv'], ['--csv-formulas', 'csv'],
];

/**
 * An option given (`given(name)`, by its RawOptions name) for a format not asked for would do nothing: most
 * likely a mistake (`--bates` with txt only), as would `--bates-digits` without `--bates`.
 */
export function refuseUnused(given: (name: string) => boolean, formats: string[]): void {
  for (const [flag, format] of FORMAT_OPTIONS) {
    const name = optionName(flag);
    // --csv-formulas is for every CSV file: bates.csv too.
    if (!given(name) || formats.includes(format) || (name === 'csvFormulas' && given('bates'))) continue;
    throw new UserError(`${flag} is for ${format.toUpperCase()} files, and --format ${formats.join(',')} has no ${format}.`);
  }
  if (given('batesDigits') && !given('bates')) throw new UserError('--bates-digits is the length of Bates numbers, and no --bates asks for them: give --bates PREFIX too.');
}

/** An option's name, as commander and the library spell it: `--page-size` is `pageSize`, `--no-cover` is `cover`. */
const optionName = (flag: string) => flag.replace(/^--(no-)?/, '').replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
