/**
 * TAP 13 output: the format that crosses the microVM boundary (parsed on the host by tap-parser)
 * and that CI systems read.
 */
export interface TapPoint {
  ok: boolean;
  name: string;
  /** Shown as the YAML diagnostic block of a failure (and of a pass, when given). */
  diagnostic?: Record<string, string>;
}

function yamlScalar(value: string): string {
  return JSON.stringify(value);
}

export class TapWriter {
  private count = 0;
  constructor(private readonly write: (text: string) => void) {
    write('TAP version 13\n');
  }

  comment(text: string): void {
    for (const line of text.split('\n')) this.write(`# ${line}\n`);
  }

  point(point: TapPoint): void {
    this.count++;
    const name = point.name.replaceAll('#', '\\#').replaceAll('\n', ' ');
    this.write(`${point.ok ? 'ok' : 'not ok'} ${this.count} - ${name}\n`);
    if (point.diagnostic && !point.ok) {
      this.write('  ---\n');
      for (const [key, value] of Object.entries(point.diagnostic)) this.write(`  ${key}: ${yamlScalar(value)}\n`);
      this.write('  ...\n');
    }
  }

  end(): void {
    this.write(`1..${this.count}\n`);
  }
}
