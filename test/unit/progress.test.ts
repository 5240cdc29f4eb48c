import { expect } from 'chai';
import { PassThrough } from 'node:stream';
import { createProgress, progressMode } from '../../relayer/src/progress.js';

/** A stream that records what is written, a terminal or not. */
function stream(isTTY: boolean): { out: NodeJS.WriteStream; text: () => string } {
  const s = new PassThrough() as unknown as NodeJS.WriteStream & PassThrough;
  let text = '';
  s.on('data', (c: Buffer) => (text += c.toString()));
  Object.assign(s, {
    isTTY,
    columns: 120,
    cursorTo: () => true,
    clearLine: () => true,
    moveCursor: () => true,
  });
  return { out: s, text: () => text };
}

describe('progress of a long step', function () {
  it('on a terminal: a bar with the count, the rate and the time left', async function () {
    const { out, text } = stream(true);
    expect(progressMode(out)).to.equal('terminal');
    const task = createProgress(out).start('deposits mined', 10, 'deposits');
    task.update(3);
    await new Promise((r) => setTimeout(r, 250));
    task.update(10);
    task.stop();
    expect(text()).to.match(/deposits mined \[[^\]]+\] 10\/10 deposits, [\d.]+\/s, \S+ left/);
  });

  it('elsewhere: plain lines, the last one the total', function () {
    const { out, text } = stream(false);
    expect(progressMode(out)).to.equal('lines');
    const task = createProgress(out).start('runs', 24, 'scenario × regime');
    task.update(5);
    task.update(24);
    task.stop();
    const lines = text().trimEnd().split('\n');
    expect(lines.at(-1)).to.match(/^ {2}runs: 24\/24 scenario × regime, [\d.]+\/s$/);
    expect(text()).to.not.include('\u001b'); // no terminal control codes in a log
  });

  it('with --json: nothing at all', function () {
    const { out, text } = stream(true);
    expect(progressMode(out, true)).to.equal('silent');
    const task = createProgress(out, progressMode(out, true)).start('trades mined', 5, 'trades');
    task.update(5);
    task.stop();
    expect(text()).to.equal('');
  });
});
