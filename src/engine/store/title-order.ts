/**
 * The order a musician expects titles in: numbers by their value ("jigs2" before "jigs10",
 * "Prelude 9" before "Prelude 10"), letters without regard to case. Stored beside each title so
 * SQLite can sort and page by it.
 */
export function titleOrderKey(title: string): string {
  return title
    .normalize('NFKD')
    .toLowerCase()
    .replace(/\d+/g, (digits) => {
      const value = digits.replace(/^0+(?=\d)/, '');
      // Longer numbers first by their length, then digit by digit: any length sorts by value.
      return `${String.fromCharCode(0x30 + Math.min(value.length, 74))}${value}`;
    });
}
