/** The last `count` lines of a program's output or a log (carriage returns dropped, blank ends trimmed). */
export function lastLines(text: string, count: number): string {
  return text.replaceAll('\r', '').trim().split('\n').slice(-count).join('\n');
}
