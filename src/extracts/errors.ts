/** A problem that fails the whole drop: nothing of it is applied. The message names file and problem. */
export class DropError extends Error {
  constructor(
    readonly file: string | null,
    problem: string,
  ) {
    super(file ? `${file}: ${problem}` : problem);
    this.name = 'DropError';
  }
}
