import { joinCommand } from '../plan/render-script.js';
import type { Step } from '../plan/build-plan.js';

/** A plan step failed: names the node, the argv and what the tool said. */
export class StepFailedError extends Error {
  readonly step: Step;
  readonly stderr: string;
  constructor(step: Step, stderr: string, rolledBack: boolean) {
    const input = step.input ? `\n  (standard input: ${step.input.length} lines; see \`lvslab plan\`)` : '';
    super(
      `step failed on node ${step.node} (${step.title}):\n  ${joinCommand(step.argv)}${input}\n  ${stderr.trim() || 'no error output'}` +
        (rolledBack ? '\nEverything this run had created was removed.' : ''),
    );
    this.name = 'StepFailedError';
    this.step = step;
    this.stderr = stderr;
  }
}

/** The machine is not in a state the command can act on (not root, a foreign namespace in the way, a drifted lab). */
export class LabStateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LabStateError';
  }
}

/** A fault (`lvslab fault`) that could not be carried out: the node, the command and what it said. */
export class FaultFailedError extends Error {}
